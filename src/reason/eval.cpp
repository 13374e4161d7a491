// Greedy decoding of the test split in batches, scored with reward.h.
#include "reason/eval.h"

#include <algorithm>

#include "core/error.h"
#include "reason/grpo_trainer.h"
#include "reason/rollout.h"

namespace seek::reason {

nlohmann::json eval_to_json(const EvalResult& r) {
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& [q, c] : r.examples) ex.push_back({{"question", q}, {"completion", c}});
  return {{"task", r.task},           {"difficulty", r.difficulty}, {"n", r.n},
          {"accuracy", r.accuracy},   {"format", r.format},         {"response_length", r.response_length},
          {"examples", ex}};
}

EvalResult evaluate_task(Model& m, const Tokenizer& tok, const Task& task, const EvalOptions& opt, ThreadPool& pool) {
  if (opt.n_problems < 1) throw UsageError(str("eval problems: expected >= 1, got ", opt.n_problems));
  if (opt.batch < 1) throw UsageError(str("eval batch: expected >= 1, got ", opt.batch));
  EvalResult r;
  r.task = task.name();
  r.difficulty = opt.difficulty ? opt.difficulty : task.default_difficulty();
  const std::vector<Problem> problems = test_set(task, opt.split, opt.n_problems, r.difficulty);
  RolloutOptions ro;
  ro.group_size = 1;
  ro.max_new_tokens = opt.max_new_tokens;
  ro.sampling.temperature = 0.0f;
  for (size_t begin = 0; begin < problems.size(); begin += static_cast<size_t>(opt.batch)) {
    const size_t end = std::min(problems.size(), begin + static_cast<size_t>(opt.batch));
    std::vector<std::vector<int32_t>> prompts;
    for (size_t i = begin; i < end; ++i) prompts.push_back(encode_prompt(tok, problems[i]));
    const std::vector<Completion> comps = rollout(m, tok, prompts, ro, pool);
    for (size_t i = begin; i < end; ++i) {
      const Completion& c = comps[i - begin];
      const Reward rw = score_completion(task, problems[i], c.text, opt.reward);
      r.accuracy += rw.accuracy;
      r.format += rw.format;
      r.response_length += static_cast<double>(c.tokens.size());
      if (static_cast<int64_t>(r.examples.size()) < opt.keep_examples) r.examples.emplace_back(problems[i].question, c.text);
    }
  }
  r.n = static_cast<int64_t>(problems.size());
  if (r.n) {
    r.accuracy /= r.n;
    r.format /= r.n;
    r.response_length /= r.n;
  }
  return r;
}

}  // namespace seek::reason
