// Batched sampling: prefill each prompt in its first slot, copy the prefix to its group's other
// slots, then decode every unfinished sequence one token per step in a shared Batch.
#include "reason/rollout.h"

#include <algorithm>
#include <memory>

#include "core/error.h"

namespace seek::reason {

std::vector<Completion> rollout(Model& model, const Tokenizer& tok, const std::vector<std::vector<int32_t>>& prompts,
                                const RolloutOptions& opt, ThreadPool& pool) {
  opt.sampling.validate();
  if (opt.group_size < 1) throw UsageError(str("rollout group size: expected >= 1, got ", opt.group_size));
  if (opt.max_new_tokens < 1) throw UsageError(str("rollout max new tokens: expected >= 1, got ", opt.max_new_tokens));
  const int64_t P = static_cast<int64_t>(prompts.size()), G = opt.group_size, S = P * G;
  const int64_t V = model.config().vocab_size;
  int64_t max_prompt = 0;
  for (const auto& p : prompts) {
    if (p.empty()) throw UsageError("rollout: a prompt has no tokens");
    max_prompt = std::max<int64_t>(max_prompt, static_cast<int64_t>(p.size()));
  }
  std::vector<Completion> out(S);
  if (S == 0) return out;
  const int64_t max_seq = max_prompt + opt.max_new_tokens + 1;
  KVCache cache(model.config(), S, max_seq);
  model.reserve(std::max<int64_t>(std::min(opt.n_batch, max_prompt), S), max_seq, pool.size());
  std::vector<float> logits(static_cast<size_t>(S * V));  // [S, V]
  std::vector<std::unique_ptr<Sampler>> samplers(S);
  std::vector<std::vector<int32_t>> history(S);
  std::vector<int64_t> pos(S);
  Batch batch;

  for (int64_t p = 0; p < P; ++p) {
    const auto& prompt = prompts[p];
    const int32_t slot = static_cast<int32_t>(p * G);
    for (size_t i = 0; i < prompt.size(); i += static_cast<size_t>(opt.n_batch)) {
      batch.clear();
      const size_t end = std::min(prompt.size(), i + static_cast<size_t>(opt.n_batch));
      for (size_t j = i; j < end; ++j) batch.add(prompt[j], static_cast<int32_t>(j), slot, j + 1 == prompt.size());
      model.forward(batch, cache, pool, logits.data() + slot * V);
    }
    for (int64_t g = 0; g < G; ++g) {
      const int64_t s = p * G + g;
      if (g > 0) {
        cache.copy_prefix(slot, s, static_cast<int64_t>(prompt.size()));
        std::copy(logits.begin() + slot * V, logits.begin() + (slot + 1) * V, logits.begin() + s * V);
      }
      SamplingParams sp = opt.sampling;
      sp.seed = opt.sampling.seed + static_cast<uint64_t>(s);
      samplers[s] = std::make_unique<Sampler>(sp, V);
      history[s] = prompt;
      pos[s] = static_cast<int64_t>(prompt.size());
      out[s].prompt_index = p;
    }
  }

  // Every sequence has logits for its next token in logits[s]; sample, then run the survivors.
  std::vector<int64_t> active(S);
  for (int64_t s = 0; s < S; ++s) active[s] = s;
  std::vector<float> step_logits;
  while (!active.empty()) {
    std::vector<int64_t> next_active;
    batch.clear();
    for (int64_t s : active) {
      const int32_t id = samplers[s]->sample(logits.data() + s * V, history[s]);
      out[s].tokens.push_back(id);
      history[s].push_back(id);
      if (tok.is_eog(id)) {
        out[s].stopped = true;
        continue;
      }
      if (static_cast<int64_t>(out[s].tokens.size()) >= opt.max_new_tokens || pos[s] + 1 >= max_seq) continue;
      batch.add(id, static_cast<int32_t>(pos[s]++), static_cast<int32_t>(s), true);
      next_active.push_back(s);
    }
    if (next_active.empty()) break;
    step_logits.resize(next_active.size() * static_cast<size_t>(V));
    model.forward(batch, cache, pool, step_logits.data());
    for (size_t k = 0; k < next_active.size(); ++k)
      std::copy(step_logits.begin() + k * V, step_logits.begin() + (k + 1) * V, logits.begin() + next_active[k] * V);
    active.swap(next_active);
  }
  for (auto& c : out) {
    std::vector<int32_t> ids = c.tokens;
    if (c.stopped) ids.pop_back();
    c.text = tok.decode(ids, false);
  }
  return out;
}

}  // namespace seek::reason
