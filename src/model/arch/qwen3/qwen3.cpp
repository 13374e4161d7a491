// Qwen3 dense (DeepSeek-R1-0528-Qwen3-8B): grouped-query attention without biases, a per-head
// RMSNorm on q and on k before RoPE (attn_q_norm / self_attn.q_norm, [head_dim]), head_dim
// independent of hidden / heads, SwiGLU, NeoX (split-half) RoPE.
#include "formats/gguf.h"
#include "formats/hf_config.h"
#include "model/arch/common.h"

namespace seek {

namespace {

void features(ModelConfig& c) {
  c.rope_style = RopeStyle::SplitHalf;
  c.attention_bias = false;
  c.qk_norm = true;
}

void from_gguf(const GGUFFile& f, const std::string& p, ModelConfig& c) {
  dense_from_gguf(f, p, c);
  features(c);
}

void from_hf(const HFConfig& j, ModelConfig& c) {
  dense_from_hf(j, c);
  features(c);
}

}  // namespace

const ArchDef& qwen3_arch() {
  static const ArchDef a = [] {
    std::vector<TensorDef> t = embedding_and_head();
    append(t, gqa_attention());
    append(t, dense_ffn(nullptr));
    ArchDef d{"qwen3", {"qwen3"}, "Qwen3ForCausalLM", common_hparams(), t};
    d.from_gguf = from_gguf;
    d.from_hf = from_hf;
    d.to_gguf = dense_to_gguf;
    d.to_hf = dense_to_hf;
    return d;
  }();
  return a;
}

}  // namespace seek
