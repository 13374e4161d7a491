// Activation buffers for forward passes, sized once for a maximum batch so that decoding
// allocates nothing (house style rule 8). Grows only when a larger batch arrives.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "model/config.h"

namespace seek {

// Batches up to this many tokens take the grouped MoE path (one region per projection stage).
constexpr int64_t kGroupedMoeTokens = 8;

struct Workspace {
  int64_t max_tokens = 0;
  std::vector<float> x;      // [N, D] residual stream
  std::vector<float> h;      // [N, D] normed input of the current sub-block
  std::vector<float> out;    // [N, D] sub-block output
  std::vector<float> q;      // [N, H*qk] queries (MLA: nope|rope per head; GQA: H*hd)
  std::vector<float> q_a;    // [N, q_lora]
  std::vector<float> kv;     // [N, kv_lora + rope] (GQA: [N, 2*KV*hd])
  std::vector<float> attn;   // [N, H*v] attention output before wo
  std::vector<float> ffn_g;  // [N, F] gate / up for dense and shared FFN, [N, F_exp] for experts
  std::vector<float> ffn_u;
  std::vector<float> router;         // [N, E]
  std::vector<int32_t> expert_idx;   // [N, k]
  std::vector<float> expert_w;       // [N, k]
  std::vector<int32_t> expert_rows;  // [N*k] token rows grouped by expert
  std::vector<float> expert_x;       // [N, D] gathered inputs of one expert
  std::vector<float> expert_y;       // [N, D]
  // Small batches (decode) run all selected experts in one parallel region (moe.cpp): their
  // gathered inputs, gate / up and outputs side by side, [min(N, kGroupedMoeTokens) * k, ...].
  std::vector<float> moe_x, moe_g, moe_u, moe_y;
  std::vector<float> scratch;  // per-thread attention scratch
  int64_t scratch_per_thread = 0;
  std::vector<std::vector<float>> kv_rows;           // decoded cache entries per slot (quantized caches)
  std::vector<const float*> kv_hist;                 // [N] each token's cache entries (cache_history)
  std::vector<std::pair<int32_t, int64_t>> kv_need;  // (slot, entries) read by the batch
  std::vector<float> kv_entry;                       // one cache entry before it is stored
  std::vector<float> final_h;                        // [N, D] last hidden state before the final norm (MTP input)
  // Debug hook (tests): when set, every MoE layer appends its chosen experts [N, k] (best first).
  std::vector<int32_t>* route_log = nullptr;
  std::vector<float>* route_margin_log = nullptr;  // per token and MoE layer: see Model::set_route_log

  void reserve(const ModelConfig& c, int64_t n_tokens, int64_t max_seq, int n_threads);
};

}  // namespace seek
