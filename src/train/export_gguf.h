// Trained model -> deepseek2 GGUF that `seek run` and llama.cpp load: HF parameter names mapped
// to llama.cpp's tensor names (deepseek.md section 3), per-expert matrices stacked into the 3-D
// *_exps tensors, router biases as exp_probs_b.bias, the MTP block as blk.L.nextn.*, and the
// tokenizer.* keys copied from a vocabulary GGUF.
#pragma once
#include <string>
#include <vector>

#include "core/dtype.h"
#include "model/config.h"
#include "train/train_model.h"

namespace seek {

class GGUFFile;

struct ExportOptions {
  DType type = DType::F32;   // weight type (norms, router and biases stay F32)
  bool include_mtp = true;   // false: drop the MTP block (block_count = main layers only)
};

// llama.cpp's name for an HF parameter; `expert` is set (else -1) for per-expert matrices,
// which go to slice `expert` of the stacked tensor. FormatError for a name it does not know.
std::string gguf_name_for(const ModelConfig& c, const std::string& hf_name, int64_t& expert);

// params: the flat buffer described by `info`; router_bias: [n_moe_layers, E], MTP layer last.
void export_gguf(const ModelConfig& c, const std::vector<ParamInfo>& info, const float* params,
                 const std::vector<float>& router_bias, const GGUFFile& vocab, const std::string& path,
                 const ExportOptions& opt = {});
void export_gguf(TrainModel& m, const std::string& vocab_gguf, const std::string& path, const ExportOptions& opt = {});

}  // namespace seek
