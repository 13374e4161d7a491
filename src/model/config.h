// One model configuration for every architecture seek runs, with HF config.json field names
// (deepseek.md section 1). Filled from GGUF keys or config.json by the registry's tables
// (model/config_io.cpp, model/arch/); behaviour comes only from these explicit fields and
// feature properties, never from the architecture's name or magic sizes.
#pragma once
#include <cstdint>
#include <string>

namespace seek {

// Which attention the layers run: Multi-head Latent Attention (DeepSeek) or grouped-query.
enum class AttentionKind { Mla, Gqa };

// How RoPE pairs dimensions (deepseek.md 2.1 trap): DeepSeek and GGUF-llama rotate adjacent
// pairs (x[2i], x[2i+1]); HF Llama/Qwen2 and GGUF qwen2 rotate split halves (x[i], x[i+d/2]).
enum class RopeStyle { Adjacent, SplitHalf };

struct RopeScaling {
  bool yarn = false;
  double factor = 1.0;
  int64_t original_max_position_embeddings = 4096;
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  double mscale = 1.0;
  double mscale_all_dim = 0.0;  // 0 = no attention-scale correction
  // Llama-3.1 "llama3" rope_type (uses factor and original_max_position_embeddings too): wavelengths
  // above orig/low_freq_factor divided by factor, below orig/high_freq_factor kept, smooth between.
  bool llama3 = false;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
};

struct ModelConfig {
  std::string arch = "deepseek2";  // registry entry, GGUF's general.architecture (model/arch/registry.h);
                                   // the layers read the features below, never this name
  AttentionKind attention = AttentionKind::Mla;
  std::string name;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;  // dense GQA
  int64_t head_dim = 0;             // dense GQA
  int64_t intermediate_size = 0;    // dense FFN width
  int64_t max_position_embeddings = 4096;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  RopeStyle rope_style = RopeStyle::Adjacent;
  RopeScaling rope_scaling;
  bool attention_bias = false;  // qwen2: biases on q/k/v
  bool qk_norm = false;         // qwen3: per-head RMSNorm of q and k before RoPE
  bool tie_word_embeddings = false;

  // MLA (DeepSeek-V2/V3)
  int64_t q_lora_rank = 0;  // 0: plain wq (V2-Lite)
  int64_t kv_lora_rank = 0;
  int64_t qk_nope_head_dim = 0;
  int64_t qk_rope_head_dim = 0;
  int64_t v_head_dim = 0;

  // DeepSeekMoE
  int64_t moe_intermediate_size = 0;
  int64_t n_routed_experts = 0;  // 0: every layer dense
  int64_t n_shared_experts = 0;
  int64_t num_experts_per_tok = 0;
  int64_t first_k_dense_replace = 0;
  std::string scoring_func = "softmax";  // "softmax" | "sigmoid"
  std::string topk_method = "greedy";    // "greedy" | "group_limited_greedy" | "noaux_tc"
  int64_t n_group = 1;
  int64_t topk_group = 1;
  bool norm_topk_prob = false;
  double routed_scaling_factor = 1.0;
  int64_t num_nextn_predict_layers = 0;  // MTP depth

  int32_t bos_token_id = -1;
  int32_t eos_token_id = -1;

  bool is_mla() const { return attention == AttentionKind::Mla; }
  bool is_moe_layer(int64_t layer) const { return n_routed_experts > 0 && layer >= first_k_dense_replace; }
  // Index of a MoE layer among the MoE layers (MTP blocks last), e.g. its row of router biases.
  int64_t moe_layer_index(int64_t layer) const { return layer - first_k_dense_replace; }
  int64_t qk_head_dim() const { return qk_nope_head_dim + qk_rope_head_dim; }
  // Rotary dimensions: qk_rope_head_dim for MLA, head_dim for dense models.
  int64_t rope_dim() const { return is_mla() ? qk_rope_head_dim : head_dim; }
  // Values cached per token per layer: MLA's latent + shared rope key, or K and V for GQA.
  int64_t cache_width() const;
  // Attention scale: 1/sqrt(qk head dim), times mscale^2 when YaRN with mscale_all_dim is on.
  double softmax_scale() const;
  // Throws FormatError naming the first inconsistent field.
  void validate() const;
  std::string summary() const;  // one line for logs
};

// YaRN's attention magnitude correction: 0.1 * m * ln(factor) + 1 for factor > 1 (else 1).
double yarn_get_mscale(double factor, double m);

}  // namespace seek
