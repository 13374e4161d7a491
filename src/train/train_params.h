// The trainer's parameter layout: every trainable tensor of a DeepSeek-V2/V3 config with its HF
// name and PyTorch shape, in the order of the HF checkpoint (tools/ref/make_fixture.py), laid out
// in one flat buffer; handles (ParamRef) bound into it; and the copy from a loaded inference Model.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/model.h"
#include "train/train_layers.h"
#include "train/train_model.h"

namespace seek {

struct MtpParams {
  ParamRef enorm, hnorm;  // [D]
  ParamRef eh_proj;       // [D, 2D]
  ParamRef head_norm;     // [D] shared_head.norm
  BlockParams block;
};

struct ModelParams {
  ParamRef embed_tokens;  // [V, D]
  ParamRef norm;          // [D]
  ParamRef lm_head;       // [V, D]
  std::vector<BlockParams> layers;
  std::vector<MtpParams> mtp;
};

// Names, shapes, offsets of every trainable tensor (no router biases, no MTP copies of the
// embedding and head). Throws UsageError for a config the trainer does not handle.
std::vector<ParamInfo> train_param_layout(const ModelConfig& c);
// Handles into params/grads (router_bias [n_moe, E] for the noaux_tc biases).
ModelParams bind_params(const ModelConfig& c, const std::vector<ParamInfo>& info, float* params, float* grads,
                        float* router_bias);
// Every tensor of a loaded model as f32, HF names (kv_b_proj re-assembled from the split halves;
// e_score_correction_bias included where present). `scratch` owns the converted copies.
std::map<std::string, TensorView> hf_tensors_of(const Model& m, ModelWeights& scratch,
                                               std::vector<std::vector<float>>& kvb_store);

}  // namespace seek
