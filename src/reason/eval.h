// Held-out evaluation: greedy completions of a task's test split, scored by the same rules as
// training (deepseek.md 7). Reports accuracy, format rate and mean response length.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "model/model.h"
#include "reason/reward.h"
#include "reason/task.h"
#include "tokenizer/tokenizer.h"

namespace seek::reason {

struct EvalOptions {
  int64_t n_problems = 100;
  int difficulty = 0;  // 0: the task's default
  SplitConfig split;
  int64_t max_new_tokens = 256;
  int64_t batch = 16;  // problems decoded together
  RewardConfig reward;
  int64_t keep_examples = 3;                // completions kept for the report
  int64_t samples = 1;                      // k > 1: k sampled completions per problem (pass@k), at `temperature`
  float temperature = 1.0f;                 // used only when samples > 1 (one sample is always greedy)
  uint64_t seed = 1;                        // sampling seed when samples > 1
  Phrasing phrasing = Phrasing::Canonical;  // wording of the questions (task.h); the problems stay the same
};

// One kept completion with its accuracy reward (reward.h), so reports can be broken down without
// scoring the text again.
struct EvalExample {
  std::string question, completion;
  double accuracy = 0;
};

struct EvalResult {
  std::string task;
  int difficulty = 0;
  Phrasing phrasing = Phrasing::Canonical;
  int64_t n = 0;
  int64_t samples = 1;                                   // completions per problem
  double accuracy = 0, format = 0, response_length = 0;  // means over all completions
  double pass_at_k = 0;               // share of problems with at least one correct completion (= accuracy when k = 1)
  std::vector<EvalExample> examples;  // the first completion of the first keep_examples problems
};
nlohmann::json eval_to_json(const EvalResult& r);

EvalResult evaluate_task(Model& m, const Tokenizer& tok, const Task& task, const EvalOptions& opt, ThreadPool& pool);

}  // namespace seek::reason
