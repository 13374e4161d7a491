// Trained model -> GGUF that `seek run` and llama.cpp load: every tensor the registry lists for the
// config (GGUF names, deepseek.md section 3), per-expert matrices stacked into the 3-D *_exps
// tensors, router biases as exp_probs_b.bias, the MTP block as blk.L.nextn.*, and the
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
  DType type = DType::F32;  // weight type (norms, router and biases stay F32)
  bool include_mtp = true;  // false: drop the MTP block (block_count = main layers only)
};

// params: the flat buffer described by `info` (train_param_layout); router_bias: [n_moe_layers, E],
// MTP layer last. FormatError when a tensor the file needs has no parameter.
void export_gguf(const ModelConfig& c, const std::vector<ParamInfo>& info, const float* params,
                 const std::vector<float>& router_bias, const GGUFFile& vocab, const std::string& path,
                 const ExportOptions& opt = {});
void export_gguf(TrainModel& m, const std::string& vocab_gguf, const std::string& path, const ExportOptions& opt = {});

}  // namespace seek
