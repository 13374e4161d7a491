// The sampling chain. Each stage narrows the candidate list (sorted by logit, descending).
#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace seek {

void SamplingParams::validate() const {
  if (!(temperature >= 0.0f) || temperature > 100.0f)
    throw UsageError(str("temperature must be in [0, 100], got ", temperature));
  if (top_k < 0) throw UsageError(str("top_k must be >= 0, got ", top_k));
  if (!(top_p > 0.0f && top_p <= 1.0f)) throw UsageError(str("top_p must be in (0, 1], got ", top_p));
  if (!(min_p >= 0.0f && min_p <= 1.0f)) throw UsageError(str("min_p must be in [0, 1], got ", min_p));
  if (!(repeat_penalty > 0.0f && repeat_penalty <= 10.0f))
    throw UsageError(str("repeat_penalty must be in (0, 10], got ", repeat_penalty));
  if (repeat_last_n < -1) throw UsageError(str("repeat_last_n must be >= -1, got ", repeat_last_n));
  if (!(presence_penalty >= -2.0f && presence_penalty <= 2.0f))
    throw UsageError(str("presence_penalty must be in [-2, 2], got ", presence_penalty));
  if (!(frequency_penalty >= -2.0f && frequency_penalty <= 2.0f))
    throw UsageError(str("frequency_penalty must be in [-2, 2], got ", frequency_penalty));
}

Sampler::Sampler(const SamplingParams& p, int64_t n_vocab) : p_(p), n_vocab_(n_vocab), rng_(p.seed) {
  p_.validate();
  cand_.resize(static_cast<size_t>(n_vocab));
  probs_.reserve(static_cast<size_t>(n_vocab));
  counts_.assign(static_cast<size_t>(n_vocab), 0);
}

int32_t argmax(const float* logits, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (logits[i] > logits[best]) best = i;
  return static_cast<int32_t>(best);
}

void Sampler::apply_penalties(float* logits, const std::vector<int32_t>& history) {
  if (p_.repeat_penalty == 1.0f && p_.presence_penalty == 0.0f && p_.frequency_penalty == 0.0f) return;
  const size_t n = history.size();
  const size_t window = p_.repeat_last_n < 0 ? n : std::min(n, static_cast<size_t>(p_.repeat_last_n));
  for (size_t i = n - window; i < n; ++i)
    if (history[i] >= 0 && history[i] < n_vocab_) ++counts_[history[i]];
  for (size_t i = n - window; i < n; ++i) {
    const int32_t t = history[i];
    if (t < 0 || t >= n_vocab_ || counts_[t] == 0) continue;
    float& l = logits[t];
    if (p_.repeat_penalty != 1.0f) l = l > 0 ? l / p_.repeat_penalty : l * p_.repeat_penalty;
    l -= static_cast<float>(counts_[t]) * p_.frequency_penalty + p_.presence_penalty;
    counts_[t] = 0;  // each distinct token penalised once; also resets for the next call
  }
}

int32_t Sampler::sample(float* logits, const std::vector<int32_t>& history) {
  apply_penalties(logits, history);
  if (p_.temperature == 0.0f) return argmax(logits, n_vocab_);

  size_t n = static_cast<size_t>(n_vocab_);
  for (size_t i = 0; i < n; ++i) cand_[i] = {logits[i], static_cast<int32_t>(i)};
  auto by_logit = [](const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  size_t k = p_.top_k > 0 ? std::min(n, static_cast<size_t>(p_.top_k)) : n;
  std::partial_sort(cand_.begin(), cand_.begin() + k, cand_.begin() + n, by_logit);
  n = k;
  // Softmax at temperature 1 for top-p / min-p (as llama.cpp orders them: before temperature).
  const float mx = cand_[0].first;
  std::vector<float>& probs = scratch_probs();
  probs.resize(n);
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += (probs[i] = std::exp(cand_[i].first - mx));
  if (p_.top_p < 1.0f) {
    double acc = 0.0;
    size_t keep = n;
    for (size_t i = 0; i < n; ++i) {
      acc += probs[i] / sum;
      if (acc >= p_.top_p) {
        keep = i + 1;
        break;
      }
    }
    n = keep;
  }
  if (p_.min_p > 0.0f) {
    size_t keep = 1;
    while (keep < n && probs[keep] >= p_.min_p * probs[0]) ++keep;  // probs[0] is the max
    n = keep;
  }
  // Temperature, then draw.
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) total += (probs[i] = std::exp((cand_[i].first - mx) / p_.temperature));
  std::uniform_real_distribution<double> u(0.0, total);
  double r = u(rng_), acc = 0.0;
  for (size_t i = 0; i < n; ++i) {
    acc += probs[i];
    if (r < acc) return cand_[i].second;
  }
  return cand_[n - 1].second;
}

}  // namespace seek
