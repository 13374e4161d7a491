// Pieces several architectures' registry entries share: the hyperparameters every transformer
// has, the embedding and output head, grouped-query attention, the dense SwiGLU FFN, and the
// rope-scaling keys. An architecture's own file (model/arch/<name>/<name>.cpp) composes them.
#pragma once
#include <vector>

#include "model/arch/registry.h"

namespace seek {

// vocab_size, hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
// intermediate_size, max_position_embeddings, rms_norm_eps, rope_theta, tie_word_embeddings.
std::vector<HParam> common_hparams();
// token_embd / model.embed_tokens, output_norm / model.norm, output / lm_head (tied when absent).
std::vector<TensorDef> embedding_and_head();
// attn_norm, GQA q/k/v/o, ffn_norm; q/k/v biases when the config's attention_bias, per-head q/k
// norms when its qk_norm (features the architecture's hooks set).
std::vector<TensorDef> gqa_attention();
// Dense SwiGLU FFN ffn_gate/up/down = mlp.gate_proj/up_proj/down_proj, on layers where `when`.
std::vector<TensorDef> dense_ffn(WhenFn when);
// Appends `more` to `defs` (tables are built from these pieces in file order).
void append(std::vector<TensorDef>& defs, const std::vector<TensorDef>& more);

// Rope scaling from GGUF <arch>.rope.scaling.* and config.json rope_scaling; writers likewise.
// `deepseek_mscale`: llama.cpp's deepseek2 convention (yarn_log_multiplier = 0.1 * mscale_all_dim,
// rotated vectors kept at unit magnitude); otherwise HF's default YaRN attention factor
// 1 + 0.1 ln(factor) on q and k (Qwen, Llama).
void read_rope_scaling_gguf(const GGUFFile& f, const std::string& prefix, bool deepseek_mscale, ModelConfig& c);
void read_rope_scaling_hf(const HFConfig& j, ModelConfig& c);
void write_rope_scaling_gguf(GGUFWriter& w, const std::string& prefix, const ModelConfig& c);
void write_rope_scaling_hf(nlohmann::json& j, const ModelConfig& c);

// A dense architecture: embedding and head, GQA attention, SwiGLU FFN, the dense hooks below;
// `features` sets what tells it apart (rope style, biases, q/k norms).
ArchDef dense_arch(const char* gguf_arch, std::vector<std::string> hf_types, const char* hf_class,
                   std::vector<HParam> hparams, void (*features)(ModelConfig& c, bool from_gguf));

// Dense (GQA) models: head_dim from key_length / config head_dim (default hidden / heads).
void dense_from_gguf(const GGUFFile& f, const std::string& prefix, ModelConfig& c);
void dense_from_hf(const HFConfig& j, ModelConfig& c);
void dense_to_gguf(GGUFWriter& w, const std::string& prefix, const ModelConfig& c);
void dense_to_hf(nlohmann::json& j, const ModelConfig& c);

}  // namespace seek
