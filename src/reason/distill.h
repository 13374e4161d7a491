// Distillation (deepseek.md 7): (a) as DeepSeek made R1-Distill: a teacher samples reasoning
// traces on a task's train split, the ones the rule reward accepts are kept, and a smaller
// student is fine-tuned on them (reason/sft.h); (b) the classic alternative: the student
// matches the teacher's temperature-softened next-token distributions, KL(teacher_T || student_T) * T^2.
#pragma once
#include <cstdint>
#include <string>

#include "core/threadpool.h"
#include "model/model.h"
#include "reason/reward.h"
#include "reason/sequence_batch.h"
#include "reason/sft.h"
#include "reason/task.h"
#include "tokenizer/tokenizer.h"
#include "train/train_model.h"

namespace seek::reason {

struct TraceOptions {
  int64_t n_prompts = 64;
  int64_t samples_per_prompt = 4;
  int64_t max_new_tokens = 256;
  double temperature = 0.7;
  int difficulty = 0;  // 0: the task's default
  SplitConfig split;
  RewardConfig reward;
  bool keep_only_correct = true;  // accuracy 1 and format 1
  int64_t prompts_per_batch = 8;
  uint64_t seed = 1;
};

struct TraceSet {
  SequenceBatch seqs;  // prompt + kept completion (EOS included when it stopped)
  int64_t n_generated = 0, n_kept = 0;
  double teacher_accuracy = 0;  // over all generated
};

TraceSet generate_traces(Model& teacher, const Tokenizer& tok, const Task& task, const TraceOptions& opt,
                         ThreadPool& pool);

// Adds d loss / d params to student.grads(); loss = mean over completion tokens of T^2 KL.
// Teacher and student must share the vocabulary (UsageError otherwise).
SftLoss kd_accumulate(TrainModel& student, TrainModel& teacher, const SequenceBatch& b, double temperature,
                      int64_t micro_batch, ThreadPool& pool, int32_t pad_id = 0);

}  // namespace seek::reason
