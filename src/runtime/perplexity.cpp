// Chunked perplexity (llama-perplexity semantics; see perplexity.h).
#include "runtime/perplexity.h"

#include <cmath>

#include "core/error.h"
#include "core/numeric.h"
#include "model/kv_cache.h"

namespace seek {

PerplexityResult perplexity(Model& model, const std::vector<int32_t>& tokens, int64_t n_ctx, ThreadPool& pool,
                            const std::function<void(int64_t, int64_t, double)>& on_chunk, DType cache_type) {
  const ModelConfig& c = model.config();
  if (n_ctx < 4) throw UsageError(str("context must be at least 4 tokens, got ", n_ctx));
  const int64_t n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (n_chunks == 0) throw UsageError(str("the text has ", tokens.size(), " tokens, fewer than one chunk of ", n_ctx));
  const int64_t first = n_ctx / 2, V = c.vocab_size;
  PerplexityResult res;
  res.n_ctx = n_ctx;
  res.n_chunks = n_chunks;
  KVCache cache(c, 1, n_ctx, cache_type);
  std::vector<float> logits(static_cast<size_t>((n_ctx - first) * V));
  double nll_sum = 0.0;
  Batch batch;
  for (int64_t k = 0; k < n_chunks; ++k) {
    batch.clear();
    for (int64_t j = 0; j < n_ctx; ++j) {
      int32_t t = tokens[k * n_ctx + j];
      if (j == 0 && c.bos_token_id >= 0) t = c.bos_token_id;
      batch.add(t, static_cast<int32_t>(j), 0, j >= first);
    }
    model.forward(batch, cache, pool, logits.data());
    // Row i of logits is position first + i, predicting token first + i + 1.
    for (int64_t j = first; j < n_ctx - 1; ++j) {
      const float* l = logits.data() + (j - first) * V;
      const MaxExpSum m = max_exp_sum(l, V);
      const int32_t target = tokens[k * n_ctx + j + 1];
      nll_sum += -(static_cast<double>(l[target] - m.max) - std::log(m.sum));
      ++res.scored_tokens;
    }
    res.cumulative.push_back(std::exp(nll_sum / static_cast<double>(res.scored_tokens)));
    if (on_chunk) on_chunk(k + 1, n_chunks, res.cumulative.back());
  }
  res.mean_nll = nll_sum / static_cast<double>(res.scored_tokens);
  res.final_ppl = std::exp(res.mean_nll);
  return res;
}

}  // namespace seek
