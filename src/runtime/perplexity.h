// Perplexity exactly as llama.cpp's llama-perplexity counts it, so numbers compare directly:
// the text (tokenized with BOS) is cut into chunks of n_ctx tokens, each chunk's first token is
// replaced by BOS, and only the second half of each chunk is scored (the first half is context);
// the estimate after chunk k is exp(mean NLL over all tokens scored so far).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/threadpool.h"
#include "model/model.h"

namespace seek {

struct PerplexityResult {
  int64_t n_ctx = 0;
  int64_t n_chunks = 0;
  int64_t scored_tokens = 0;
  double mean_nll = 0.0;
  double final_ppl = 0.0;
  std::vector<double> cumulative;  // running estimate after each chunk
};

// on_chunk(k, n_chunks, running_ppl) is called after each chunk (progress display).
// cache_type: the KV cache's (kv_cache.h); f32 by default here, the exact reference.
PerplexityResult perplexity(Model& model, const std::vector<int32_t>& tokens, int64_t n_ctx, ThreadPool& pool,
                            const std::function<void(int64_t, int64_t, double)>& on_chunk = {},
                            DType cache_type = DType::F32);

}  // namespace seek
