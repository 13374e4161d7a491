// generate(): prefill in n_batch chunks (logits only for the last prompt token), then sample,
// decode, stream.
#include "runtime/generate.h"

#include <chrono>

#include "core/error.h"
#include "runtime/stop_strings.h"

namespace seek {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

GenerateResult generate(Model& model, const Tokenizer& tok, KVCache& cache, const std::vector<int32_t>& prompt,
                        const GenerateOptions& opt, ThreadPool& pool,
                        const std::function<bool(const std::string&)>& on_text) {
  const ModelConfig& c = model.config();
  const int64_t V = c.vocab_size;
  if (prompt.empty()) throw UsageError("the prompt is empty (no tokens to start from)");
  const int64_t total = opt.n_past + static_cast<int64_t>(prompt.size());
  if (total >= cache.max_seq())
    throw UsageError(str("the prompt needs ", total, " tokens but the context holds ", cache.max_seq(),
                         " (raise --ctx or shorten the prompt)"));
  if (opt.max_tokens < 0) throw UsageError(str("max tokens must be >= 0, got ", opt.max_tokens));
  GenerateResult res;
  res.n_prompt = static_cast<int64_t>(prompt.size());
  std::vector<float> logits(static_cast<size_t>(V));
  Batch batch;
  model.reserve(std::min<int64_t>(opt.n_batch, res.n_prompt), cache.max_seq(), pool.size());

  auto t0 = std::chrono::steady_clock::now();
  int64_t pos = opt.n_past;
  for (size_t i = 0; i < prompt.size(); i += static_cast<size_t>(opt.n_batch)) {
    batch.clear();
    const size_t end = std::min(prompt.size(), i + static_cast<size_t>(opt.n_batch));
    for (size_t j = i; j < end; ++j) batch.add(prompt[j], static_cast<int32_t>(pos++), opt.slot, j + 1 == prompt.size());
    model.forward(batch, cache, pool, logits.data());
  }
  res.prefill_seconds = seconds_since(t0);

  Sampler sampler(opt.sampling, V);
  StopMatcher stops(opt.stop);
  StreamDecoder decoder(tok);
  std::vector<int32_t> history(prompt.begin(), prompt.end());
  res.finish_reason = "length";
  auto t1 = std::chrono::steady_clock::now();
  auto emit = [&](const std::string& piece) {
    if (piece.empty()) return true;
    res.text += piece;
    return on_text ? on_text(piece) : true;
  };
  for (int64_t n = 0; n < opt.max_tokens; ++n) {
    const int32_t id = sampler.sample(logits.data(), history);
    if (!opt.ignore_eos && tok.is_eog(id)) {
      res.finish_reason = "stop";
      break;
    }
    res.tokens.push_back(id);
    history.push_back(id);
    const std::string safe = stops.push(decoder.push(id));
    if (!emit(safe) || stops.stopped()) {
      res.finish_reason = "stop";
      break;
    }
    if (n + 1 == opt.max_tokens || pos + 1 >= cache.max_seq()) break;
    batch.clear();
    batch.add(id, static_cast<int32_t>(pos++), opt.slot, true);
    model.forward(batch, cache, pool, logits.data());
  }
  if (!stops.stopped()) emit(stops.push(decoder.flush()) + stops.flush());
  res.decode_seconds = seconds_since(t1);
  return res;
}

}  // namespace seek
