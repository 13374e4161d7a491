// ModelConfig derived quantities and validation.
#include "model/config.h"

#include <cmath>

#include "core/error.h"
#include "model/arch/registry.h"

namespace seek {

double yarn_get_mscale(double factor, double m) {
  if (factor <= 1.0) return 1.0;
  return 0.1 * m * std::log(factor) + 1.0;
}

int64_t ModelConfig::cache_width() const {
  if (is_mla()) return kv_lora_rank + qk_rope_head_dim;
  return 2 * num_key_value_heads * head_dim;
}

double ModelConfig::softmax_scale() const {
  int64_t d = is_mla() ? qk_head_dim() : head_dim;
  double scale = 1.0 / std::sqrt(static_cast<double>(d));
  if (rope_scaling.yarn && rope_scaling.mscale_all_dim != 0.0) {
    double m = yarn_get_mscale(rope_scaling.factor, rope_scaling.mscale_all_dim);
    scale *= m * m;
  }
  return scale;
}

void ModelConfig::validate() const {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw FormatError(str("model config: ", what));
  };
  const ArchDef& a = arch_def(arch);  // throws for an architecture without a registry entry
  need(attention == a.attention,
       str("the ", arch, " architecture does not use ", is_mla() ? "MLA" : "GQA", " attention"));
  need(!qk_norm || !is_mla(), "qk_norm applies to grouped-query attention only");
  need(vocab_size > 0, str("vocab_size must be > 0, got ", vocab_size));
  need(hidden_size > 0, str("hidden_size must be > 0, got ", hidden_size));
  need(num_hidden_layers > 0 && num_hidden_layers < 100000, str("num_hidden_layers out of range: ", num_hidden_layers));
  need(num_attention_heads > 0, str("num_attention_heads must be > 0, got ", num_attention_heads));
  need(rms_norm_eps > 0, "rms_norm_eps must be > 0");
  need(rope_theta > 0, "rope_theta must be > 0");
  if (is_mla()) {
    need(kv_lora_rank > 0, str("kv_lora_rank must be > 0, got ", kv_lora_rank));
    need(qk_nope_head_dim > 0 && qk_rope_head_dim > 0 && v_head_dim > 0, "MLA head dims must be > 0");
    need(qk_rope_head_dim % 2 == 0, str("qk_rope_head_dim must be even, got ", qk_rope_head_dim));
    need(q_lora_rank >= 0, "q_lora_rank must be >= 0");
  } else {
    need(head_dim > 0 && head_dim % 2 == 0, str("head_dim must be even and > 0, got ", head_dim));
    need(num_key_value_heads > 0 && num_attention_heads % num_key_value_heads == 0,
         str("num_attention_heads ", num_attention_heads, " not a multiple of num_key_value_heads ",
             num_key_value_heads));
    need(intermediate_size > 0, "intermediate_size must be > 0");
  }
  if (n_routed_experts > 0) {
    need(num_experts_per_tok > 0 && num_experts_per_tok <= n_routed_experts,
         str("num_experts_per_tok ", num_experts_per_tok, " not in [1, n_routed_experts=", n_routed_experts, "]"));
    need(moe_intermediate_size > 0, "moe_intermediate_size must be > 0");
    need(n_group >= 1 && n_routed_experts % n_group == 0,
         str("n_routed_experts ", n_routed_experts, " not divisible by n_group ", n_group));
    need(n_group <= 256, str("n_group must be <= 256, got ", n_group));
    need(topk_group >= 1 && topk_group <= n_group, str("topk_group ", topk_group, " not in [1, n_group]"));
    need(topk_group * (n_routed_experts / n_group) >= num_experts_per_tok,
         "topk_group groups hold fewer experts than num_experts_per_tok");
    need(scoring_func == "softmax" || scoring_func == "sigmoid",
         str("scoring_func must be softmax or sigmoid, got '", scoring_func, "'"));
    need(topk_method == "greedy" || topk_method == "group_limited_greedy" || topk_method == "noaux_tc",
         str("topk_method must be greedy, group_limited_greedy or noaux_tc, got '", topk_method, "'"));
    need(n_shared_experts >= 0, str("n_shared_experts must be >= 0, got ", n_shared_experts));
    need(first_k_dense_replace >= 0, "first_k_dense_replace must be >= 0");
    if (first_k_dense_replace > 0) need(intermediate_size > 0, "dense leading layers need intermediate_size");
  }
  if (rope_scaling.yarn) {
    need(rope_scaling.factor >= 1.0, "rope_scaling.factor must be >= 1");
    need(rope_scaling.original_max_position_embeddings > 0,
         "rope_scaling.original_max_position_embeddings must be > 0");
  }
}

std::string ModelConfig::summary() const {
  std::string s = str(arch, ": ", num_hidden_layers, " layers, hidden ", hidden_size, ", ", num_attention_heads,
                      " heads, vocab ", vocab_size);
  if (is_mla())
    s += str(", MLA q_lora ", q_lora_rank, " kv_lora ", kv_lora_rank, " qk ", qk_nope_head_dim, "+", qk_rope_head_dim,
             " v ", v_head_dim);
  else s += str(", GQA ", num_key_value_heads, " kv heads of ", head_dim);
  if (n_routed_experts > 0)
    s += str(", MoE ", n_routed_experts, " routed + ", n_shared_experts, " shared, top-", num_experts_per_tok, " (",
             scoring_func, ", groups ", topk_group, "/", n_group, ")");
  if (num_nextn_predict_layers > 0) s += str(", MTP ", num_nextn_predict_layers);
  if (rope_scaling.yarn) s += str(", YaRN x", rope_scaling.factor);
  return s;
}

}  // namespace seek
