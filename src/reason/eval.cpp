// Greedy decoding of the test split in batches, scored with reward.h.
#include "reason/eval.h"

#include <algorithm>

#include "core/error.h"
#include "reason/grpo_trainer.h"
#include "reason/rollout.h"

namespace seek::reason {

nlohmann::json eval_to_json(const EvalResult& r) {
  nlohmann::json ex = nlohmann::json::array();
  for (const EvalExample& e : r.examples)
    ex.push_back({{"question", e.question}, {"completion", e.completion}, {"accuracy", e.accuracy}});
  return {{"task", r.task},
          {"difficulty", r.difficulty},
          {"phrasing", phrasing_name(r.phrasing)},
          {"n", r.n},
          {"samples", r.samples},
          {"accuracy", r.accuracy},
          {"pass_at_k", r.pass_at_k},
          {"format", r.format},
          {"response_length", r.response_length},
          {"examples", ex}};
}

EvalResult evaluate_task(Model& m, const Tokenizer& tok, const Task& task, const EvalOptions& opt, ThreadPool& pool) {
  if (opt.n_problems < 1) throw UsageError(str("eval problems: expected >= 1, got ", opt.n_problems));
  if (opt.batch < 1) throw UsageError(str("eval batch: expected >= 1, got ", opt.batch));
  if (opt.samples < 1) throw UsageError(str("eval samples: expected >= 1, got ", opt.samples));
  EvalResult r;
  r.task = task.name();
  r.difficulty = opt.difficulty ? opt.difficulty : task.default_difficulty();
  r.phrasing = opt.phrasing;
  std::vector<Problem> problems = test_set(task, opt.split, opt.n_problems, r.difficulty);
  for (size_t i = 0; i < problems.size(); ++i)
    problems[i] = rephrase(task, std::move(problems[i]), opt.phrasing, mix_seed(opt.split.seed ^ 0x3E0Bull, i));
  RolloutOptions ro;
  const int64_t k = opt.samples;
  r.samples = k;
  ro.group_size = k;
  ro.max_new_tokens = opt.max_new_tokens;
  ro.sampling.temperature = k > 1 ? opt.temperature : 0.0f;
  for (size_t begin = 0; begin < problems.size(); begin += static_cast<size_t>(opt.batch)) {
    const size_t end = std::min(problems.size(), begin + static_cast<size_t>(opt.batch));
    std::vector<std::vector<int32_t>> prompts;
    for (size_t i = begin; i < end; ++i) prompts.push_back(encode_prompt(tok, problems[i]));
    if (k > 1) ro.sampling.seed = mix_seed(opt.seed, begin);
    const std::vector<Completion> comps = rollout(m, tok, prompts, ro, pool);
    for (size_t i = begin; i < end; ++i) {
      bool any = false;
      for (int64_t j = 0; j < k; ++j) {
        const Completion& c = comps[(i - begin) * static_cast<size_t>(k) + static_cast<size_t>(j)];
        const Reward rw = score_completion(task, problems[i], c.text, opt.reward);
        any = any || rw.accuracy >= 1;
        r.accuracy += rw.accuracy;
        r.format += rw.format;
        r.response_length += static_cast<double>(c.tokens.size());
        if (j == 0 && static_cast<int64_t>(r.examples.size()) < opt.keep_examples)
          r.examples.push_back({problems[i].question, c.text, rw.accuracy});
      }
      r.pass_at_k += any ? 1 : 0;
    }
  }
  r.n = static_cast<int64_t>(problems.size());
  if (r.n) {
    const double total = static_cast<double>(r.n * k);
    r.accuracy /= total;
    r.format /= total;
    r.response_length /= total;
    r.pass_at_k /= static_cast<double>(r.n);
  }
  return r;
}

}  // namespace seek::reason
