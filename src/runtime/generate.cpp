// generate(): prefill in n_batch chunks (logits only for the last prompt token), then sample,
// decode, stream. TokenOutput is the output side every generation loop shares.
#include "runtime/generate.h"

#include "core/error.h"

namespace seek {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void check_generate_request(const std::vector<int32_t>& prompt, const GenerateOptions& opt, const KVCache& cache) {
  if (prompt.empty()) throw UsageError("the prompt is empty (no tokens to start from)");
  const int64_t total = opt.n_past + static_cast<int64_t>(prompt.size());
  if (total >= cache.max_seq())
    throw UsageError(str("the prompt needs ", total, " tokens but the context holds ", cache.max_seq(),
                         " (raise --ctx or shorten the prompt)"));
  if (opt.max_tokens < 0) throw UsageError(str("max tokens must be >= 0, got ", opt.max_tokens));
  if (opt.n_batch < 1) throw UsageError(str("the prefill batch must be >= 1, got ", opt.n_batch));
}

TokenOutput::TokenOutput(const Tokenizer& tok, const GenerateOptions& opt, GenerateResult& res,
                         const std::function<bool(const std::string&)>& on_text, const std::vector<int32_t>& prompt)
    : tok_(tok), opt_(opt), res_(res), on_text_(on_text), stops_(opt.stop), decoder_(tok) {
  res_.finish_reason = "length";
  decoder_.continue_after(prompt);
}

bool TokenOutput::emit(const std::string& piece) {
  if (piece.empty()) return true;
  res_.text += piece;
  return on_text_ ? on_text_(piece) : true;
}

bool TokenOutput::push(int32_t id) {
  if (!opt_.ignore_eos && tok_.is_eog(id)) {
    res_.finish_reason = "stop";
    return false;
  }
  res_.tokens.push_back(id);
  if (!emit(stops_.push(decoder_.push(id))) || stops_.stopped()) {
    res_.finish_reason = "stop";
    return false;
  }
  return true;
}

void TokenOutput::finish() {
  if (!stops_.stopped()) emit(stops_.push(decoder_.flush()) + stops_.flush());
}

GenerateResult generate(Model& model, const Tokenizer& tok, KVCache& cache, const std::vector<int32_t>& prompt,
                        const GenerateOptions& opt, ThreadPool& pool,
                        const std::function<bool(const std::string&)>& on_text) {
  check_generate_request(prompt, opt, cache);
  const int64_t V = model.config().vocab_size;
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
    for (size_t j = i; j < end; ++j)
      batch.add(prompt[j], static_cast<int32_t>(pos++), opt.slot, j + 1 == prompt.size());
    model.forward(batch, cache, pool, logits.data());
  }
  res.prefill_seconds = seconds_since(t0);

  Sampler sampler(opt.sampling, V);
  std::vector<int32_t> history(prompt.begin(), prompt.end());
  history.reserve(prompt.size() + static_cast<size_t>(opt.max_tokens));
  TokenOutput out(tok, opt, res, on_text, prompt);
  auto t1 = std::chrono::steady_clock::now();
  for (int64_t n = 0; n < opt.max_tokens; ++n) {
    const int32_t id = sampler.sample(logits.data(), history);
    if (!out.push(id)) break;
    history.push_back(id);
    if (n + 1 == opt.max_tokens || pos + 1 >= cache.max_seq()) break;
    batch.clear();
    batch.add(id, static_cast<int32_t>(pos++), opt.slot, true);
    model.forward(batch, cache, pool, logits.data());
  }
  out.finish();
  res.decode_seconds = seconds_since(t1);
  return res;
}

}  // namespace seek
