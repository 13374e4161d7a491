// The sub-blocks of a transformer layer as plain functions over a batch: MLA and GQA attention,
// the dense SwiGLU FFN and the DeepSeekMoE FFN. Each reads h [N, D] and writes out [N, D].
#pragma once
#include "core/threadpool.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/kv_cache.h"
#include "model/rope.h"
#include "model/weights.h"
#include "model/workspace.h"

namespace seek {

enum class MlaMode {
  Absorbed,  // score queries against the cached latent directly (the decode path)
  Naive,     // materialise per-head K and V from the latent (the paper's plain form; a test oracle)
};

struct ForwardCtx {
  const ModelConfig& config;
  const Rope& rope;
  const Batch& batch;
  KVCache& cache;
  int64_t cache_layer;  // which cache layer this block writes and reads
  Workspace& ws;
  ThreadPool& pool;
  MlaMode mla_mode = MlaMode::Absorbed;
};

void mla_forward(const ForwardCtx& ctx, const MlaWeights& w, const float* h, float* out);
void gqa_forward(const ForwardCtx& ctx, const GqaWeights& w, const float* h, float* out);
void ffn_forward(const ForwardCtx& ctx, const FfnWeights& w, const float* h, float* out, int64_t n_tokens);
void moe_forward(const ForwardCtx& ctx, const MoeWeights& w, const float* h, float* out);

// The cache entries each batch token attends over: hist[n] = entries [0, pos_n] of (cache_layer,
// slot_n) as f32 rows of cache width (the storage itself for an f32 cache; else decoded once per
// slot into ws.kv_rows). Call after the batch's own entries are stored.
// Filled into ctx.ws.kv_hist (reused: nothing is allocated once the workspace has grown).
const std::vector<const float*>& cache_history(const ForwardCtx& ctx);

// For each token n of the batch, calls fn(n, thread_scratch) over all tokens x heads items:
// fn(token, head, scratch) with a per-thread scratch of ws.scratch_per_thread floats.
template <typename Fn>
void for_each_token_head(const ForwardCtx& ctx, int64_t n_heads, Fn fn);

}  // namespace seek

#include "model/layers_inl.h"
