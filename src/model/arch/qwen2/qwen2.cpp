// Qwen2 / Qwen2.5 (DeepSeek-R1-Distill-Qwen): grouped-query attention with q/k/v biases, SwiGLU,
// NeoX (split-half) RoPE in both GGUF and HF.
#include "formats/gguf.h"
#include "formats/hf_config.h"
#include "model/arch/common.h"

namespace seek {

namespace {

void from_gguf(const GGUFFile& f, const std::string& p, ModelConfig& c) {
  dense_from_gguf(f, p, c);
  c.rope_style = RopeStyle::SplitHalf;
  c.attention_bias = true;
}

void from_hf(const HFConfig& j, ModelConfig& c) {
  dense_from_hf(j, c);
  c.rope_style = RopeStyle::SplitHalf;
  c.attention_bias = true;
}

}  // namespace

const ArchDef& qwen2_arch() {
  static const ArchDef a = [] {
    std::vector<TensorDef> t = embedding_and_head();
    append(t, gqa_attention());
    append(t, dense_ffn(nullptr));
    ArchDef d{"qwen2", {"qwen2"}, "Qwen2ForCausalLM", common_hparams(), t};
    d.from_gguf = from_gguf;
    d.from_hf = from_hf;
    d.to_gguf = dense_to_gguf;
    d.to_hf = dense_to_hf;
    return d;
  }();
  return a;
}

}  // namespace seek
