// GGUF keys -> ModelConfig. Key names per deepseek.md section 3 and llama.cpp's conventions;
// absent optional keys take the values llama.cpp assumes.
#include "model/config_gguf.h"

#include "core/error.h"

namespace seek {

namespace {

Arch parse_arch(const std::string& a) {
  if (a == "deepseek2") return Arch::DeepSeek2;
  if (a == "qwen2") return Arch::Qwen2;
  if (a == "llama") return Arch::Llama;
  throw FormatError(str("unsupported architecture '", a, "' (seek runs deepseek2, qwen2, llama)"));
}

int64_t vocab_size_of(const GGUFFile& f, const std::string& p) {
  if (const GGUFValue* v = f.find(p + ".vocab_size")) return v->as_int(p + ".vocab_size");
  if (const GGUFTensorInfo* t = f.find_tensor("token_embd.weight")) return t->view.shape[0];
  if (const GGUFValue* v = f.find("tokenizer.ggml.tokens")) return static_cast<int64_t>(v->arr.size());
  throw FormatError("cannot tell the vocabulary size: no <arch>.vocab_size, token_embd.weight or tokenizer tokens");
}

void read_rope_scaling(const GGUFFile& f, const std::string& p, ModelConfig& c) {
  std::string type = f.get_string_or(p + ".rope.scaling.type", "none");
  if (type == "none" || type.empty()) return;
  if (type != "yarn") throw FormatError(str(p, ".rope.scaling.type '", type, "' is not supported (none, yarn)"));
  RopeScaling& r = c.rope_scaling;
  r.yarn = true;
  r.factor = f.get_float_or(p + ".rope.scaling.factor", 1.0);
  r.original_max_position_embeddings = f.get_int_or(p + ".rope.scaling.original_context_length", 4096);
  r.beta_fast = f.get_float_or(p + ".rope.scaling.yarn_beta_fast", 32.0);
  r.beta_slow = f.get_float_or(p + ".rope.scaling.yarn_beta_slow", 1.0);
  // llama.cpp stores 0.1 * mscale_all_dim as yarn_log_multiplier.
  r.mscale_all_dim = f.get_float_or(p + ".rope.scaling.yarn_log_multiplier", 0.0) / 0.1;
  // llama.cpp keeps the rotated vectors at unit magnitude (it cancels YaRN's rope mscale), which
  // is HF's mscale / mscale_all_dim ratio with the two equal.
  r.mscale = r.mscale_all_dim;
}

}  // namespace

ModelConfig config_from_gguf(const GGUFFile& f) {
  ModelConfig c;
  const std::string p = f.architecture();
  if (p.empty()) throw FormatError("missing key general.architecture");
  c.arch = parse_arch(p);
  c.name = f.get_string_or("general.name", p);
  c.vocab_size = vocab_size_of(f, p);
  c.hidden_size = f.get_int(p + ".embedding_length");
  c.num_hidden_layers = f.get_int(p + ".block_count");
  c.num_attention_heads = f.get_int(p + ".attention.head_count");
  c.num_key_value_heads = f.get_int_or(p + ".attention.head_count_kv", c.num_attention_heads);
  c.intermediate_size = f.get_int_or(p + ".feed_forward_length", 0);
  c.max_position_embeddings = f.get_int_or(p + ".context_length", 4096);
  c.rms_norm_eps = f.get_float_or(p + ".attention.layer_norm_rms_epsilon", 1e-6);
  c.rope_theta = f.get_float_or(p + ".rope.freq_base", 10000.0);
  read_rope_scaling(f, p, c);
  c.bos_token_id = static_cast<int32_t>(f.get_int_or("tokenizer.ggml.bos_token_id", -1));
  c.eos_token_id = static_cast<int32_t>(f.get_int_or("tokenizer.ggml.eos_token_id", -1));

  if (c.arch == Arch::DeepSeek2) {
    c.rope_style = RopeStyle::Adjacent;
    c.q_lora_rank = f.get_int_or(p + ".attention.q_lora_rank", 0);
    c.kv_lora_rank = f.get_int(p + ".attention.kv_lora_rank");
    c.qk_rope_head_dim = f.get_int(p + ".rope.dimension_count");
    // key_length/value_length are the full per-head dims (nope + rope, v) for the legacy layout;
    // files with the split k_b/v_b layout carry the MLA-specific *_mla keys.
    int64_t key_len = f.get_int_or(p + ".attention.key_length_mla", f.get_int(p + ".attention.key_length"));
    c.v_head_dim = f.get_int_or(p + ".attention.value_length_mla", f.get_int(p + ".attention.value_length"));
    c.qk_nope_head_dim = key_len - c.qk_rope_head_dim;
    c.first_k_dense_replace = f.get_int_or(p + ".leading_dense_block_count", 0);
    c.n_routed_experts = f.get_int_or(p + ".expert_count", 0);
    c.n_shared_experts = f.get_int_or(p + ".expert_shared_count", 0);
    c.num_experts_per_tok = f.get_int_or(p + ".expert_used_count", 0);
    c.moe_intermediate_size = f.get_int_or(p + ".expert_feed_forward_length", 0);
    c.routed_scaling_factor = f.get_float_or(p + ".expert_weights_scale", 1.0);
    c.norm_topk_prob = f.get_bool_or(p + ".expert_weights_norm", false);
    int64_t gating = f.get_int_or(p + ".expert_gating_func", 1);
    if (gating != 1 && gating != 2)
      throw FormatError(str(p, ".expert_gating_func must be 1 (softmax) or 2 (sigmoid), got ", gating));
    c.scoring_func = gating == 2 ? "sigmoid" : "softmax";
    c.n_group = f.get_int_or(p + ".expert_group_count", 1);
    c.topk_group = f.get_int_or(p + ".expert_group_used_count", c.n_group);
    // V3 (sigmoid, bias) ranks groups by the sum of their top-2; V2 by their max (deepseek.md 2.2).
    if (c.scoring_func == "sigmoid") c.topk_method = "noaux_tc";
    else c.topk_method = c.n_group > 1 ? "group_limited_greedy" : "greedy";
    c.num_nextn_predict_layers = f.get_int_or(p + ".nextn_predict_layers", 0);
    // llama.cpp counts the MTP ("nextn") blocks in block_count; they sit after the main layers.
    if (c.num_nextn_predict_layers < 0 || c.num_nextn_predict_layers >= c.num_hidden_layers)
      throw FormatError(str(p, ".nextn_predict_layers out of range: ", c.num_nextn_predict_layers));
    c.num_hidden_layers -= c.num_nextn_predict_layers;
  } else {
    // llama.cpp's converter permutes llama q/k so GGUF llama rotates adjacent pairs; qwen2 is NeoX.
    c.rope_style = c.arch == Arch::Llama ? RopeStyle::Adjacent : RopeStyle::SplitHalf;
    c.head_dim = f.get_int_or(p + ".attention.key_length", c.hidden_size / c.num_attention_heads);
    c.attention_bias = c.arch == Arch::Qwen2;
    c.tie_word_embeddings = f.find_tensor("output.weight") == nullptr;
  }
  c.validate();
  return c;
}

}  // namespace seek
