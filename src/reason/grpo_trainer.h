// `seek rl`: the R1-Zero loop (deepseek.md 7). Each step samples prompts from a task's train
// split, generates G completions per prompt with the current policy (an inference Model rebuilt
// from the TrainModel after every update), scores them by rule, forms group advantages, takes
// reference log-probs from a frozen copy of the starting weights, and runs `inner_epochs`
// clipped-surrogate updates (AdamW) on the same rollouts.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/threadpool.h"
#include "model/model.h"
#include "reason/grpo.h"
#include "reason/reward.h"
#include "reason/task.h"
#include "tokenizer/tokenizer.h"
#include "train/adamw.h"
#include "train/train_model.h"

namespace seek::reason {

struct RlConfig {
  std::string task = "countdown";
  int difficulty = 0;  // 0: the task's default
  // A share of each step's prompts drawn at another difficulty (e.g. the easy one the cold start
  // taught), so the policy keeps being rewarded there while RL works on `difficulty`. 0: off.
  int replay_difficulty = 0;
  double replay_share = 0;
  SplitConfig split;
  Phrasing phrasing = Phrasing::Canonical;  // wording of the prompts (task.h): train varies it
  int64_t steps = 50;
  int64_t prompts_per_step = 4;  // groups per step; G = grpo.group_size completions each
  int64_t max_new_tokens = 128;
  double temperature = 1.0;  // rollout temperature (R1-Zero: 1)
  int64_t inner_epochs = 1;  // PPO epochs over each step's rollouts
  int64_t micro_batch = 8;   // sequences per forward/backward
  double lr = 1e-6;
  AdamWConfig adam{0.9, 0.99, 1e-8, 0.0, 1.0};
  GrpoConfig grpo;
  RewardConfig reward;
  uint64_t seed = 1;
  void validate() const;  // UsageError naming the bad field
};

struct RlStepStats {
  int64_t step = 0;                             // 1-based
  double reward = 0, accuracy = 0, format = 0;  // means over the step's completions
  double response_length = 0;                   // mean completion tokens
  double kl = 0, clip_frac = 0, loss = 0, grad_norm = 0, lr = 0;
  int64_t n_sequences = 0, n_kept = 0;  // completions, and those with a nonzero loss weight
  double rollout_s = 0, update_s = 0;
};
// The JSONL row `seek plot` reads: step, reward, accuracy, response_length, kl, clip_frac, ...
nlohmann::json rl_stats_to_json(const RlStepStats& s);

class GrpoTrainer {
 public:
  // `policy` is trained in place; the reference is a frozen copy of it taken here (none if beta == 0).
  GrpoTrainer(TrainModel& policy, const Tokenizer& tok, const RlConfig& c, ThreadPool& pool);
  ~GrpoTrainer();
  RlStepStats step();
  int64_t steps_done() const { return step_; }

 private:
  TrainModel& policy_;
  const Tokenizer& tok_;
  RlConfig c_;
  ThreadPool& pool_;
  std::unique_ptr<Task> task_;
  std::unique_ptr<TrainModel> ref_;
  std::unique_ptr<AdamW> adam_;
  int64_t step_ = 0;
};

// A frozen copy of a TrainModel's weights (the KL reference, a distillation teacher).
std::unique_ptr<TrainModel> clone_weights(TrainModel& m);
// A Tokenizer for a model path: the GGUF's own, or tokenizer.json of an HF directory.
std::unique_ptr<Tokenizer> load_tokenizer_for(const std::string& model_path);
// The tokens of the R1-Zero prompt of a problem.
std::vector<int32_t> encode_prompt(const Tokenizer& tok, const Problem& p);

}  // namespace seek::reason
