// Supervised fine-tuning on completions: the cold start of R1 (worked solutions in the R1-Zero
// format) and the distillation recipe DeepSeek used for R1-Distill (teacher traces, no RL).
// Loss: cross-entropy on completion tokens only, averaged over all completion tokens of the batch.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "reason/sequence_batch.h"
#include "reason/task.h"
#include "tokenizer/tokenizer.h"
#include "train/adamw.h"
#include "train/train_model.h"

namespace seek::reason {

// prompt tokens + completion tokens (+ EOS when the tokenizer has one): one SFT sequence.
void add_sft_sequence(SequenceBatch& b, const Tokenizer& tok, const std::vector<int32_t>& prompt,
                      const std::string& completion);

struct SftLoss {
  double loss = 0;  // mean CE over completion tokens
  int64_t n_tokens = 0;
};
// The loop both losses share: for each micro-batch of packed rows, with each completion token
// weighted 1 / (completion tokens of b) and prompt / padding rows 0, `step(rows, weights)` runs the
// forward passes, writes m's dlogits and returns the micro-batch's weighted loss; then m.backward.
using CompletionStep = std::function<double(const PackedRows&, const double*)>;
SftLoss accumulate_completion_loss(TrainModel& m, const SequenceBatch& b, int64_t micro_batch, ThreadPool& pool,
                                   int32_t pad_id, const CompletionStep& step);
// Adds d loss / d params to m.grads(); loss = mean CE over every completion token of b.
SftLoss sft_accumulate(TrainModel& m, const SequenceBatch& b, int64_t micro_batch, ThreadPool& pool,
                       int32_t pad_id = 0);

struct SftConfig {
  std::string task = "countdown";
  int difficulty = 0;  // 0: the task's default
  SplitConfig split;
  int64_t steps = 200;
  int64_t batch = 8;  // sequences per optimizer step
  int64_t micro_batch = 8;
  double lr = 1e-4;
  AdamWConfig adam;
  uint64_t seed = 1;
  void validate() const;
};

struct SftStepStats {
  int64_t step = 0;
  double loss = 0, grad_norm = 0, lr = 0, seconds = 0;
  int64_t tokens = 0;
};
nlohmann::json sft_stats_to_json(const SftStepStats& s);

// SFT on a fixed pool of sequences (teacher traces) or, when none are given, on freshly
// generated worked solutions of the task's train split.
class SftTrainer {
 public:
  SftTrainer(TrainModel& m, const Tokenizer& tok, const SftConfig& c, ThreadPool& pool, SequenceBatch data = {});
  ~SftTrainer();
  SftStepStats step();

 private:
  TrainModel& m_;
  const Tokenizer& tok_;
  SftConfig c_;
  ThreadPool& pool_;
  SequenceBatch data_;
  std::unique_ptr<Task> task_;
  std::unique_ptr<AdamW> adam_;
  int64_t step_ = 0;
};

}  // namespace seek::reason
