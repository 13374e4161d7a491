// Qwen2 / Qwen2.5 (DeepSeek-R1-Distill-Qwen): grouped-query attention with q/k/v biases, SwiGLU,
// NeoX (split-half) RoPE in both GGUF and HF.
#include "model/arch/common.h"

namespace seek {

namespace {

void features(ModelConfig& c, bool) {
  c.rope_style = RopeStyle::SplitHalf;
  c.attention_bias = true;
}

}  // namespace

const ArchDef& qwen2_arch() {
  static const ArchDef a = dense_arch("qwen2", {"qwen2"}, "Qwen2ForCausalLM", common_hparams(), features);
  return a;
}

}  // namespace seek
