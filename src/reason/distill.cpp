// Teacher traces filtered by reward, and the logit-distillation loss over packed sequences.
#include "reason/distill.h"

#include <algorithm>

#include "core/error.h"
#include "reason/grpo_trainer.h"
#include "reason/rollout.h"
#include "reason/token_losses.h"

namespace seek::reason {

TraceSet generate_traces(Model& teacher, const Tokenizer& tok, const Task& task, const TraceOptions& opt,
                         ThreadPool& pool) {
  if (opt.n_prompts < 1) throw UsageError(str("trace prompts: expected >= 1, got ", opt.n_prompts));
  if (opt.prompts_per_batch < 1) throw UsageError(str("prompts per batch: expected >= 1, got ", opt.prompts_per_batch));
  const int difficulty = opt.difficulty ? opt.difficulty : task.default_difficulty();
  TraceSet out;
  RolloutOptions ro;
  ro.group_size = opt.samples_per_prompt;
  ro.max_new_tokens = opt.max_new_tokens;
  ro.sampling.temperature = static_cast<float>(opt.temperature);
  for (int64_t begin = 0; begin < opt.n_prompts; begin += opt.prompts_per_batch) {
    const int64_t end = std::min(opt.n_prompts, begin + opt.prompts_per_batch);
    std::vector<Problem> problems;
    std::vector<std::vector<int32_t>> prompts;
    for (int64_t j = begin; j < end; ++j) {
      problems.push_back(sample_problem(task, Split::Train, opt.split, mix_seed(opt.seed, j), difficulty));
      prompts.push_back(encode_prompt(tok, problems.back()));
    }
    ro.sampling.seed = mix_seed(opt.seed ^ 0x7EAC4Eull, static_cast<uint64_t>(begin));
    const std::vector<Completion> comps = rollout(teacher, tok, prompts, ro, pool);
    for (const Completion& c : comps) {
      const Reward r = score_completion(task, problems[c.prompt_index], c.text, opt.reward);
      ++out.n_generated;
      out.teacher_accuracy += r.accuracy;
      if (opt.keep_only_correct && !(r.accuracy == 1.0 && r.format == 1.0)) continue;
      std::vector<int32_t> seq = prompts[c.prompt_index];
      seq.insert(seq.end(), c.tokens.begin(), c.tokens.end());
      out.seqs.add(std::move(seq), static_cast<int64_t>(prompts[c.prompt_index].size()));
      ++out.n_kept;
    }
  }
  if (out.n_generated) out.teacher_accuracy /= static_cast<double>(out.n_generated);
  return out;
}

SftLoss kd_accumulate(TrainModel& student, TrainModel& teacher, const SequenceBatch& b, double temperature,
                      int64_t micro_batch, ThreadPool& pool, int32_t pad_id) {
  const int64_t V = student.config().vocab_size;
  if (teacher.config().vocab_size != V)
    throw UsageError(str("distillation: the teacher's vocabulary has ", teacher.config().vocab_size,
                         " tokens, the student's ", V, " (they must share a tokenizer)"));
  return accumulate_completion_loss(student, b, micro_batch, pool, pad_id, [&](const PackedRows& r, const double* w) {
    teacher.forward(r.tokens.data(), r.B, r.T, pool);
    student.forward(r.tokens.data(), r.B, r.T, pool);
    return distill_kl_backward(student.logits(), teacher.logits(), r.B * r.T, V, temperature, w, student.dlogits(),
                               &pool)
        .loss;
  });
}

}  // namespace seek::reason
