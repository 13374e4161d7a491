// Token sampling: a fixed chain as llama.cpp and the OpenAI API define the knobs:
// penalties (repetition, presence, frequency) -> top-k -> top-p -> min-p -> temperature -> draw.
// Temperature 0 is greedy (argmax, lowest id on ties). Buffers are sized once: no allocation
// per token.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace seek {

struct SamplingParams {
  float temperature = 0.0f;     // 0: greedy
  int32_t top_k = 0;            // 0: off
  float top_p = 1.0f;           // 1: off
  float min_p = 0.0f;           // 0: off
  float repeat_penalty = 1.0f;  // 1: off (divides positive logits, multiplies negative ones)
  int32_t repeat_last_n = 64;   // window of the penalties; -1: the whole history
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  uint64_t seed = 0xC0FFEE;

  // Throws UsageError naming a value out of range.
  void validate() const;
};

class Sampler {
 public:
  Sampler(const SamplingParams& p, int64_t n_vocab);
  const SamplingParams& params() const { return p_; }

  // Picks the next token from logits [n_vocab] (modified in place by the penalties), given the
  // tokens generated so far (history, oldest first) for the penalties.
  int32_t sample(float* logits, const std::vector<int32_t>& history);

 private:
  void apply_penalties(float* logits, const std::vector<int32_t>& history);

  SamplingParams p_;
  int64_t n_vocab_;
  std::mt19937_64 rng_;
  std::vector<std::pair<float, int32_t>> cand_;  // [n_vocab]
  std::vector<int32_t> counts_;                  // [n_vocab], zero between calls
  std::vector<float> probs_;                     // [n_vocab]
  std::vector<float>& scratch_probs() { return probs_; }
};

// Greedy pick: index of the largest logit, lowest index on ties.
int32_t argmax(const float* logits, int64_t n);
// log_sum_exp / log_softmax_at (for logprobs): core/numeric.h.

}  // namespace seek
