// The trainer's parameter layout: every trainable tensor the registry (model/arch/registry.h)
// gives the config, in HF checkpoint order (tools/ref/make_fixture.py), laid out in one flat
// buffer (llm.c style), and the handles (ParamRef) bound into it in the inference model's own
// structure (model/weights.h).
#pragma once
#include <vector>

#include "model/config.h"
#include "model/weights.h"
#include "train/train_model.h"

namespace seek {

using ModelParams = ModelT<ParamRef>;

// Names, shapes, offsets of every trainable tensor (no router biases). Throws UsageError for a
// config the trainer does not handle.
std::vector<ParamInfo> train_param_layout(const ModelConfig& c);
// Handles into params/grads; router_bias [n_moe, E] becomes each MoE layer's gate_bias (noaux_tc).
ModelParams bind_params(const ModelConfig& c, const std::vector<ParamInfo>& info, float* params, float* grads,
                        float* router_bias);

}  // namespace seek
