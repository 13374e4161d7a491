// deepseek2 GGUF keys and tensor list (names per deepseek.md section 3).
#include "model/gguf_export.h"

#include "core/error.h"

namespace seek {

std::vector<TensorSpec> gguf_tensor_specs(const ModelConfig& c) {
  if (!c.is_mla()) throw UsageError(str("GGUF export supports deepseek2 models, not ", arch_name(c.arch)));
  const int64_t D = c.hidden_size, H = c.num_attention_heads, V = c.vocab_size, r = c.kv_lora_rank;
  std::vector<TensorSpec> s;
  s.push_back({"token_embd.weight", {V, D}});
  s.push_back({"output_norm.weight", {D}, true});
  s.push_back({"output.weight", {V, D}});
  const int64_t n_blocks = c.num_hidden_layers + c.num_nextn_predict_layers;
  for (int64_t il = 0; il < n_blocks; ++il) {
    const std::string p = str("blk.", il, ".");
    s.push_back({p + "attn_norm.weight", {D}, true});
    if (c.q_lora_rank > 0) {
      s.push_back({p + "attn_q_a.weight", {c.q_lora_rank, D}});
      s.push_back({p + "attn_q_a_norm.weight", {c.q_lora_rank}, true});
      s.push_back({p + "attn_q_b.weight", {H * c.qk_head_dim(), c.q_lora_rank}});
    } else {
      s.push_back({p + "attn_q.weight", {H * c.qk_head_dim(), D}});
    }
    s.push_back({p + "attn_kv_a_mqa.weight", {r + c.qk_rope_head_dim, D}});
    s.push_back({p + "attn_kv_a_norm.weight", {r}, true});
    s.push_back({p + "attn_kv_b.weight", {H * (c.qk_nope_head_dim + c.v_head_dim), r}});
    s.push_back({p + "attn_output.weight", {D, H * c.v_head_dim}});
    s.push_back({p + "ffn_norm.weight", {D}, true});
    if (!c.is_moe_layer(il)) {
      s.push_back({p + "ffn_gate.weight", {c.intermediate_size, D}});
      s.push_back({p + "ffn_up.weight", {c.intermediate_size, D}});
      s.push_back({p + "ffn_down.weight", {D, c.intermediate_size}});
    } else {
      const int64_t E = c.n_routed_experts, F = c.moe_intermediate_size;
      s.push_back({p + "ffn_gate_inp.weight", {E, D}, true});
      if (c.scoring_func == "sigmoid") s.push_back({p + "exp_probs_b.bias", {E}, true});
      s.push_back({p + "ffn_gate_exps.weight", {E, F, D}});
      s.push_back({p + "ffn_up_exps.weight", {E, F, D}});
      s.push_back({p + "ffn_down_exps.weight", {E, D, F}});
      if (c.n_shared_experts > 0) {
        const int64_t S = c.n_shared_experts * F;
        s.push_back({p + "ffn_gate_shexp.weight", {S, D}});
        s.push_back({p + "ffn_up_shexp.weight", {S, D}});
        s.push_back({p + "ffn_down_shexp.weight", {D, S}});
      }
    }
    if (il >= c.num_hidden_layers) {
      s.push_back({p + "nextn.enorm.weight", {D}, true});
      s.push_back({p + "nextn.hnorm.weight", {D}, true});
      s.push_back({p + "nextn.eh_proj.weight", {D, 2 * D}});
      // The MTP head's own final norm (V3's shared_head.norm); embed_tokens and shared_head_head
      // are the main ones, which llama.cpp accepts absent (TENSOR_NOT_REQUIRED).
      s.push_back({p + "nextn.shared_head_norm.weight", {D}, true});
    }
  }
  return s;
}

void add_gguf_config_keys(GGUFWriter& w, const ModelConfig& c, int32_t file_type) {
  if (!c.is_mla()) throw UsageError(str("GGUF export supports deepseek2 models, not ", arch_name(c.arch)));
  const std::string p = "deepseek2.";
  auto u32 = [&](const std::string& k, int64_t v) { w.set(p + k, GGUFValue::of_u32(static_cast<uint32_t>(v))); };
  auto f32 = [&](const std::string& k, double v) { w.set(p + k, GGUFValue::of_f32(static_cast<float>(v))); };
  w.set("general.architecture", GGUFValue::of_string("deepseek2"));
  w.set("general.name", GGUFValue::of_string(c.name.empty() ? "seek-model" : c.name));
  w.set("general.file_type", GGUFValue::of_u32(static_cast<uint32_t>(file_type)));
  u32("context_length", c.max_position_embeddings);
  u32("embedding_length", c.hidden_size);
  u32("block_count", c.num_hidden_layers + c.num_nextn_predict_layers);
  u32("feed_forward_length", c.intermediate_size);
  u32("attention.head_count", c.num_attention_heads);
  u32("attention.head_count_kv", c.num_attention_heads);
  f32("rope.freq_base", c.rope_theta);
  f32("attention.layer_norm_rms_epsilon", c.rms_norm_eps);
  u32("expert_used_count", c.num_experts_per_tok);
  u32("leading_dense_block_count", c.first_k_dense_replace);
  u32("vocab_size", c.vocab_size);
  if (c.q_lora_rank > 0) u32("attention.q_lora_rank", c.q_lora_rank);
  u32("attention.kv_lora_rank", c.kv_lora_rank);
  u32("attention.key_length", c.qk_head_dim());
  u32("attention.value_length", c.v_head_dim);
  u32("expert_feed_forward_length", c.moe_intermediate_size);
  u32("expert_count", c.n_routed_experts);
  u32("expert_shared_count", c.n_shared_experts);
  f32("expert_weights_scale", c.routed_scaling_factor);
  w.set(p + "expert_weights_norm", GGUFValue::of_bool(c.norm_topk_prob));
  u32("expert_gating_func", c.scoring_func == "sigmoid" ? 2 : 1);
  if (c.n_group > 1) {
    u32("expert_group_count", c.n_group);
    u32("expert_group_used_count", c.topk_group);
  }
  u32("rope.dimension_count", c.qk_rope_head_dim);
  if (c.rope_scaling.yarn) {
    w.set(p + "rope.scaling.type", GGUFValue::of_string("yarn"));
    f32("rope.scaling.factor", c.rope_scaling.factor);
    u32("rope.scaling.original_context_length", c.rope_scaling.original_max_position_embeddings);
    f32("rope.scaling.yarn_log_multiplier", 0.1 * c.rope_scaling.mscale_all_dim);
  }
  if (c.num_nextn_predict_layers > 0) u32("nextn_predict_layers", c.num_nextn_predict_layers);
}

void copy_tokenizer_keys(GGUFWriter& w, const GGUFFile& vocab) {
  bool any = false;
  for (const auto& [key, value] : vocab.metadata()) {
    if (key.rfind("tokenizer.", 0) != 0) continue;
    w.set(key, value);
    any = true;
  }
  if (!any) throw FormatError("the vocabulary file has no tokenizer.* keys");
}

DType storage_type(const TensorSpec& s, DType type) {
  if (s.keep_f32 || s.shape.size() < 2) return DType::F32;
  const int64_t cols = s.shape.back();
  if (cols % dtype_info(type).block_size == 0) return type;
  return cols % 32 == 0 ? DType::Q8_0 : DType::F16;
}

}  // namespace seek
