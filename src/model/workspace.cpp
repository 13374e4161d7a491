// Workspace sizing from the config.
#include "model/workspace.h"

#include <algorithm>

namespace seek {

void Workspace::reserve(const ModelConfig& c, int64_t n_tokens, int64_t max_seq, int n_threads) {
  const int64_t D = c.hidden_size, H = c.num_attention_heads;
  const int64_t qw = c.is_mla() ? H * c.qk_head_dim() : H * c.head_dim;
  const int64_t kvw = c.is_mla() ? c.kv_lora_rank + c.qk_rope_head_dim : 2 * c.num_key_value_heads * c.head_dim;
  const int64_t aw = c.is_mla() ? H * c.v_head_dim : H * c.head_dim;
  const int64_t F = std::max({c.intermediate_size, c.moe_intermediate_size * std::max<int64_t>(1, c.n_shared_experts),
                              c.moe_intermediate_size});
  const int64_t K = std::max<int64_t>(1, c.num_experts_per_tok);
  const int64_t per_thread = max_seq + 2 * (c.kv_lora_rank + c.qk_rope_head_dim + c.head_dim + c.v_head_dim) +
                             c.qk_nope_head_dim * max_seq + c.v_head_dim * max_seq + 64;
  if (n_tokens <= max_tokens && per_thread <= scratch_per_thread &&
      static_cast<int64_t>(scratch.size()) >= per_thread * n_threads)
    return;
  max_tokens = std::max(n_tokens, max_tokens);
  const size_t N = static_cast<size_t>(max_tokens);
  x.resize(N * D);
  h.resize(N * D);
  out.resize(N * D);
  final_h.resize(N * D);
  q.resize(N * qw);
  q_a.resize(N * std::max<int64_t>(1, c.q_lora_rank));
  kv.resize(N * kvw);
  attn.resize(N * aw);
  ffn_g.resize(N * F);
  ffn_u.resize(N * F);
  router.resize(N * std::max<int64_t>(1, c.n_routed_experts) * 2);
  expert_idx.resize(N * K);
  expert_w.resize(N * K);
  expert_rows.resize(N * K);
  expert_x.resize(N * D);
  expert_y.resize(N * D);
  const size_t G = static_cast<size_t>(std::min(max_tokens, kGroupedMoeTokens) * K);
  moe_x.resize(G * D);
  moe_y.resize(G * D);
  moe_g.resize(G * std::max<int64_t>(1, c.moe_intermediate_size));
  moe_u.resize(G * std::max<int64_t>(1, c.moe_intermediate_size));
  scratch_per_thread = per_thread;
  scratch.resize(static_cast<size_t>(per_thread) * n_threads);
}

}  // namespace seek
