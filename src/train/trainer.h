// The pretraining loop (llm.c's train loop, DeepSeek-V3's recipe scaled down): micro-batches
// from the packing loader, forward/backward, data-parallel gradient all-reduce (bucketed and
// overlapped with backward) with optional expert parallelism, AdamW with clipping, the
// auxiliary-loss-free router-bias update (deepseek.md 2.4), evaluation, metrics, checkpoints that
// resume bit-identically, and the GGUF export at the end.
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "dist/grad_allreduce.h"
#include "train/adamw.h"
#include "train/checkpoint.h"
#include "train/data.h"
#include "train/expert_shard.h"
#include "train/lr_schedule.h"
#include "train/metrics.h"
#include "train/train_config.h"
#include "train/train_model.h"

namespace seek {

class ProgressBar;

struct TrainResult {
  int64_t steps = 0;      // the step the run ended at
  int64_t steps_run = 0;  // optimizer steps taken by this call (0: the checkpoint was already at the end)
  int64_t end = 0;        // the step this call trained to (--stop-at, else --steps)
  double loss = 0, val_loss = -1, tokens_per_s = 0;
  // means per step of this run's StepMetrics (< 0: no such communication)
  double allreduce_s = -1, allreduce_wait_s = -1, alltoall_s = -1;
  std::string checkpoint, exported;  // last checkpoint written, GGUF written ("" when none)
};

// The configuration a resumed run starts from: the checkpoint's own training config, with its
// `resume` pointing at the checkpoint. `stop_at` is not part of a run (it says where one call
// stops), so it starts at 0 here: a resumed run goes on to --steps unless --stop-at is given again. Apply a --config
// file and flags on top, then construct.
TrainConfig resume_base_config(const std::string& checkpoint_file_or_dir);

class Trainer {
 public:
  // Builds the model from c.preset (or restores c.resume), the optimizer and the loaders of
  // c.data. Rank and world size come from dist's Comm. Throws UsageError when a resumed run
  // changes a field that fixes the model or data order (is_run_shape_key).
  explicit Trainer(const TrainConfig& c);
  ~Trainer();

  // Steps until c.steps, evaluating every eval_every, saving every save_every and at the end,
  // then exports (rank 0). Writes OUT/metrics.jsonl.
  TrainResult run();
  // One optimizer step (grad_accum micro-batches); returns its metrics (val_loss unset).
  StepMetrics step();
  // Mean next-token cross-entropy over eval_batches validation batches (same batches each time).
  // Collective under mpirun: every rank calls it.
  double evaluate();
  // With expert parallelism rank 0 holds current weights of its own experts only: every rank
  // must call gather_experts() first (collective), then rank 0 may save or export. Without
  // expert parallelism gather_experts() does nothing.
  void gather_experts();
  void save_checkpoint_to(const std::string& path) const;
  void export_to(const std::string& path) const;

  TrainModel& model() { return *model_; }
  const TrainConfig& config() const { return cfg_; }
  int64_t steps_done() const { return step_; }
  int rank() const { return rank_; }
  int world() const { return world_; }
  bool expert_parallel() const { return experts_ != nullptr; }

 private:
  void restore(const LoadedCheckpoint& ck);
  void require_full_model(const char* what) const;
  std::string progress_text(const StepMetrics& m) const;

  TrainConfig cfg_;
  DataManifest manifest_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<TrainModel> model_;
  std::unique_ptr<AdamW> adam_;
  std::unique_ptr<TokenLoader> train_, val_;
  LrSchedule schedule_;
  std::mt19937_64 rng_;
  int64_t step_ = 0, tokens_ = 0;
  int rank_ = 0, world_ = 1;
  std::vector<int32_t> batch_;                // [B, seq + 1]
  std::vector<int64_t> loads_;                // [n_moe, E] summed over micro-batches and ranks
  std::vector<double> eval_logp_;             // scratch
  std::unique_ptr<ExpertShard> experts_;      // expert parallelism (null: every expert everywhere)
  std::unique_ptr<GradAllReduce> grad_sync_;  // world > 1: the replicated gradients' all-reduce
  int64_t gathered_step_ = -1;                // step of the last gather_experts()
};

}  // namespace seek
