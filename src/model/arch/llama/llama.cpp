// Llama 2 / 3 / 3.1 (DeepSeek-R1-Distill-Llama): grouped-query attention, optional biases
// (HF attention_bias), SwiGLU. llama.cpp's converter permutes q/k so GGUF llama rotates adjacent
// pairs; HF checkpoints rotate split halves.
#include "formats/gguf.h"
#include "formats/hf_config.h"
#include "model/arch/common.h"

namespace seek {

namespace {

void from_gguf(const GGUFFile& f, const std::string& p, ModelConfig& c) {
  dense_from_gguf(f, p, c);
  c.rope_style = RopeStyle::Adjacent;
}

void from_hf(const HFConfig& j, ModelConfig& c) {
  dense_from_hf(j, c);
  c.rope_style = RopeStyle::SplitHalf;
}

}  // namespace

const ArchDef& llama_arch() {
  static const ArchDef a = [] {
    std::vector<TensorDef> t = embedding_and_head();
    append(t, gqa_attention());  // q/k/v biases only with HF attention_bias (rare for Llama)
    append(t, dense_ffn(nullptr));
    std::vector<HParam> h = common_hparams();
    h.push_back(hp_bool(nullptr, "attention_bias", &ModelConfig::attention_bias, false));
    ArchDef d{"llama", {"llama"}, "LlamaForCausalLM", h, t};
    d.from_gguf = from_gguf;
    d.from_hf = from_hf;
    d.to_gguf = dense_to_gguf;
    d.to_hf = dense_to_hf;
    return d;
  }();
  return a;
}

}  // namespace seek
