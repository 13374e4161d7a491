// generate_speculative_mtp(): prefill (also filling the MTP block's cache for every prompt
// position), then decode: main forward on [current, draft] -> accept the draft when it is the
// greedy token at `current`'s row, and then also take the bonus token from the draft's row.
#include "runtime/speculative.h"

#include <algorithm>

#include "core/error.h"

namespace seek {

namespace {
void check_greedy(const SamplingParams& s) {
  if (s.temperature != 0.0f)
    throw UsageError(str("speculative decoding supports greedy decoding only (temperature 0), got temperature ",
                         s.temperature));
  if (s.repeat_penalty != 1.0f || s.presence_penalty != 0.0f || s.frequency_penalty != 0.0f)
    throw UsageError("speculative decoding supports plain greedy decoding only (no repeat, presence or frequency "
                     "penalty)");
}
}  // namespace

SpeculativeResult generate_speculative_mtp(Model& model, const Tokenizer& tok, KVCache& cache,
                                           const std::vector<int32_t>& prompt, const GenerateOptions& opt,
                                           ThreadPool& pool, const std::function<bool(const std::string&)>& on_text) {
  const ModelConfig& c = model.config();
  const int64_t V = c.vocab_size;
  check_greedy(opt.sampling);
  if (c.num_nextn_predict_layers < 1)
    throw UsageError("speculative decoding with MTP needs a model with an MTP module, but this one has "
                     "num_nextn_predict_layers = 0");
  check_generate_request(prompt, opt, cache);
  SpeculativeResult res;
  res.n_prompt = static_cast<int64_t>(prompt.size());
  std::vector<float> logits(static_cast<size_t>(2 * V));  // [2, V]: the verify batch
  std::vector<float> mtp_logits(static_cast<size_t>(V));
  Batch batch;
  model.reserve(std::max<int64_t>(2, std::min<int64_t>(opt.n_batch, res.n_prompt)), cache.max_seq(), pool.size());
  const int32_t slot = opt.slot;
  auto draft_from = [&](int64_t row, int32_t next, int64_t pos) {
    model.mtp_forward(row, next, static_cast<int32_t>(pos), slot, cache, pool, mtp_logits.data());
    return argmax(mtp_logits.data(), V);
  };
  // Only the MTP block's cache entry is wanted: no output head.
  auto fill_mtp_cache = [&](int64_t row, int32_t next, int64_t pos) {
    model.mtp_forward(row, next, static_cast<int32_t>(pos), slot, cache, pool, nullptr);
  };

  // Prefill. After each chunk the MTP block runs on every row (hidden h_i, token t_{i+1}) so its
  // cache holds every position; the last row's run is the first draft.
  auto t0 = std::chrono::steady_clock::now();
  int64_t pos = opt.n_past;
  int32_t cur = -1, draft = -1;
  const size_t P = prompt.size();
  for (size_t i = 0; i < P; i += static_cast<size_t>(opt.n_batch)) {
    batch.clear();
    const size_t end = std::min(P, i + static_cast<size_t>(opt.n_batch));
    for (size_t j = i; j < end; ++j) batch.add(prompt[j], static_cast<int32_t>(pos + (j - i)), slot, j + 1 == P);
    model.forward(batch, cache, pool, logits.data());
    if (end == P) cur = argmax(logits.data(), V);
    for (size_t j = i; j < end; ++j) {
      const int64_t row = static_cast<int64_t>(j - i);
      if (j + 1 < P) fill_mtp_cache(row, prompt[j + 1], pos + row);
      else draft = draft_from(row, cur, pos + row);
    }
    pos += static_cast<int64_t>(end - i);
  }
  res.prefill_seconds = seconds_since(t0);

  TokenOutput out(tok, opt, res, on_text, prompt);
  auto t1 = std::chrono::steady_clock::now();
  // `cur` is the next token to emit and sits at `pos`; `draft` guesses the token at pos + 1.
  auto done = [&](int64_t p) {
    return static_cast<int64_t>(res.tokens.size()) >= opt.max_tokens || p + 1 >= cache.max_seq();
  };
  while (opt.max_tokens > 0) {
    if (!out.push(cur) || done(pos)) break;
    // A draft is only worth checking when a token after `cur`'s successor may still be emitted.
    const bool use_draft = static_cast<int64_t>(res.tokens.size()) + 1 < opt.max_tokens;
    batch.clear();
    batch.add(cur, static_cast<int32_t>(pos), slot, true);
    if (use_draft) batch.add(draft, static_cast<int32_t>(pos + 1), slot, true);  // pos + 1 < max_seq: done()
    model.forward(batch, cache, pool, logits.data());
    ++res.n_forward;
    const int32_t next = argmax(logits.data(), V);
    if (use_draft) ++res.drafted;
    if (use_draft && next == draft) {
      ++res.accepted;
      fill_mtp_cache(0, next, pos);  // the MTP cache entry at pos; its draft is already verified
      ++pos;                         // `next` sits at pos now, and the main cache already holds it
      if (!out.push(next) || done(pos)) break;
      cur = argmax(logits.data() + V, V);  // bonus token, from the draft's row
      draft = draft_from(1, cur, pos);
      ++pos;
    } else {
      // Rejected (or none): the draft's main-cache entry at pos + 1 is overwritten by the next
      // forward, and the MTP entry there by the next draft_from().
      cur = next;
      draft = draft_from(0, cur, pos);
      ++pos;
    }
  }
  out.finish();
  res.decode_seconds = seconds_since(t1);
  return res;
}

}  // namespace seek
