// The GRPO loss over a batch of rollouts on a TrainModel: per-token log-probs of the completions
// (old policy, frozen reference) by forward passes, then loss + backward in micro-batches with
// d loss / d logits fed to TrainModel::dlogits(). Gradients accumulate into policy.grads().
#pragma once
#include <cstdint>
#include <vector>

#include "core/threadpool.h"
#include "reason/grpo.h"
#include "reason/sequence_batch.h"
#include "train/train_model.h"

namespace seek::reason {

using TokenLogprobs = std::vector<std::vector<float>>;  // [S][completion_len(s)]

// log pi(token) of every completion token under m (forward only; m's grads untouched).
TokenLogprobs completion_logprobs(TrainModel& m, const SequenceBatch& b, int64_t micro_batch, ThreadPool& pool,
                                  int32_t pad_id = 0);

struct GrpoBatch {
  const SequenceBatch* seqs = nullptr;
  std::vector<double> advantage;            // [S] group-normalised (group_advantages)
  std::vector<double> weight;               // [S] weight of each completion token (sequence_token_weights)
  const TokenLogprobs* logp_old = nullptr;  // null: the current policy itself (first PPO epoch, ratio 1)
  const TokenLogprobs* logp_ref = nullptr;  // null only when beta == 0
};

// Adds grad_scale * d loss / d params to policy.grads() (call zero_grad first) and returns the
// loss and its statistics over the whole batch. Sequences with weight 0 are skipped.
GrpoStats grpo_accumulate(TrainModel& policy, const GrpoBatch& in, const GrpoConfig& c, int64_t micro_batch,
                          ThreadPool& pool, float grad_scale = 1.0f, int32_t pad_id = 0);

}  // namespace seek::reason
