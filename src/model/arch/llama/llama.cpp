// Llama 2 / 3 / 3.1 (DeepSeek-R1-Distill-Llama): grouped-query attention, q/k/v biases only with
// HF attention_bias (rare), SwiGLU. llama.cpp's converter permutes q/k so GGUF llama rotates
// adjacent pairs; HF checkpoints rotate split halves.
#include "model/arch/common.h"

namespace seek {

namespace {

void features(ModelConfig& c, bool from_gguf) { c.rope_style = from_gguf ? RopeStyle::Adjacent : RopeStyle::SplitHalf; }

std::vector<HParam> hparams() {
  std::vector<HParam> h = common_hparams();
  h.push_back(hp_bool(nullptr, "attention_bias", &ModelConfig::attention_bias, false));
  return h;
}

}  // namespace

const ArchDef& llama_arch() {
  static const ArchDef a = dense_arch("llama", {"llama"}, "LlamaForCausalLM", hparams(), features);
  return a;
}

}  // namespace seek
