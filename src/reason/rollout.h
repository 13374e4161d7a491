// Rollouts for GRPO, distillation and evaluation: G completions of each prompt generated together
// in one KVCache (one slot per completion) and one Batch per decode step. Each prompt is
// prefilled once and its cache prefix copied to the other G - 1 slots.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "model/model.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace seek::reason {

struct RolloutOptions {
  int64_t group_size = 1;        // completions per prompt (G)
  int64_t max_new_tokens = 256;  // per completion
  SamplingParams sampling;       // temperature 1 for GRPO rollouts, 0 (greedy) for evaluation
  int64_t n_batch = 512;         // prefill chunk
};

struct Completion {
  int64_t prompt_index = 0;
  std::vector<int32_t> tokens;  // generated ids; the end-of-generation id included when stopped
  bool stopped = false;         // ended by an end-of-generation token (else by the budget)
  std::string text;             // decoded, the end-of-generation token left out
};

// Completions in prompt order, G consecutive per prompt; sequence i samples with seed
// sampling.seed + i. Throws UsageError for an empty prompt or bad sampling values.
std::vector<Completion> rollout(Model& model, const Tokenizer& tok, const std::vector<std::vector<int32_t>>& prompts,
                                const RolloutOptions& opt, ThreadPool& pool);

}  // namespace seek::reason
