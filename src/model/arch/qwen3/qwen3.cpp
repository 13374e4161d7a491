// Qwen3 dense (DeepSeek-R1-0528-Qwen3-8B): grouped-query attention without biases, a per-head
// RMSNorm on q and on k before RoPE (attn_q_norm / self_attn.q_norm, [head_dim]), head_dim
// independent of hidden / heads, SwiGLU, NeoX (split-half) RoPE.
#include "model/arch/common.h"

namespace seek {

namespace {

void features(ModelConfig& c, bool) {
  c.rope_style = RopeStyle::SplitHalf;
  c.attention_bias = false;
  c.qk_norm = true;
}

}  // namespace

const ArchDef& qwen3_arch() {
  static const ArchDef a = dense_arch("qwen3", {"qwen3"}, "Qwen3ForCausalLM", common_hparams(), features);
  return a;
}

}  // namespace seek
