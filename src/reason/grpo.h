// GRPO maths (DeepSeekMath; R1-Zero, deepseek.md 7) and its later fixes as options:
//   A_i = (r_i - mean_g r) / (std_g r + eps)          group-normalised advantage (Dr. GRPO: no std)
//   rho = exp(logp - logp_old);  pg = -min(rho A, clip(rho, 1 - eps_low, 1 + eps_high) A)
//   kl  = exp(r - p) - (r - p) - 1  (k3 estimator, r/p = reference/policy log-prob)
//   loss = sum_tokens w_t (pg_t + beta kl_t)
// with w_t from the aggregation: per-sequence mean (GRPO), token mean over the batch (DAPO), or a
// constant length (Dr. GRPO). The gradient goes to the policy logits (softmax backward), in the
// [N, V] layout of TrainModel::dlogits().
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/threadpool.h"

namespace seek::reason {

enum class LossAggregation {
  SequenceMean,    // 1 / (n_seqs * |o_i|): GRPO as published
  TokenMean,       // 1 / sum_i |o_i|: DAPO token-level averaging
  ConstantLength,  // 1 / (n_seqs * L): Dr. GRPO, L = constant_length (the generation budget)
};

struct GrpoConfig {
  int64_t group_size = 16;   // G completions per prompt
  double eps_low = 0.2;      // ratio clip below 1
  double eps_high = 0.2;     // ratio clip above 1 (DAPO clip-higher: 0.28)
  double beta = 0.04;        // KL weight to the reference; 0 needs no reference model
  bool scale_by_std = true;  // false: Dr. GRPO
  double std_eps = 1e-4;     // added to the std (torch.std: unbiased, N - 1)
  LossAggregation aggregation = LossAggregation::SequenceMean;
  int64_t constant_length = 0;     // ConstantLength's L
  bool drop_equal_groups = false;  // DAPO dynamic sampling: groups with all-equal rewards get weight 0

  static GrpoConfig grpo();  // DeepSeekMath: the defaults above
  static GrpoConfig dr_grpo(int64_t budget);
  static GrpoConfig dapo();  // eps_high 0.28, token mean, drop equal groups, beta 0
  void validate() const;     // throws UsageError naming the field out of range
};

// rewards [S], S = n_groups * G, each group's G sequences consecutive -> advantages [S].
// A group whose rewards are all equal gets advantage 0 (nothing to learn from it).
std::vector<double> group_advantages(const std::vector<double>& rewards, const GrpoConfig& c);
// [S]: 1 where the sequence's group has at least two different rewards.
std::vector<uint8_t> informative_sequences(const std::vector<double>& rewards, int64_t group_size);
// Per-token weight of each sequence [S] (every token of sequence i gets weights[i]); sequences with
// keep[i] == 0 or length 0 get 0 and do not count in the normalisers.
std::vector<double> sequence_token_weights(const std::vector<int64_t>& lengths, const std::vector<uint8_t>& keep,
                                           const GrpoConfig& c);

// k3 estimator of KL(pi || pi_ref) for one token, and its derivative in logp.
double k3_kl(double logp, double logp_ref);

struct TokenTerms {
  double pg = 0;         // -min(rho A, clip(rho) A)
  double kl = 0;         // k3
  double dlogp = 0;      // d (pg + beta kl) / d logp
  bool clipped = false;  // the clipped branch was taken (no policy-gradient signal)
};
TokenTerms grpo_token(double logp, double logp_old, double logp_ref, double advantage, const GrpoConfig& c);

// log softmax(logits[i])[target[i]] for each row, accumulated in double: logp [N].
void token_logprobs(const float* logits, int64_t N, int64_t V, const int32_t* target, float* logp,
                    ThreadPool* pool = nullptr);

// N rows of policy logits and what the loss needs for each. Rows with weight 0 (prompt, padding,
// dropped groups) contribute nothing and get zero gradient.
struct GrpoTokenBatch {
  const float* logits = nullptr;  // [N, V]
  int64_t N = 0, V = 0;
  const int32_t* target = nullptr;    // [N] the token each row predicts
  const float* logp_old = nullptr;    // [N] behaviour policy (rollout) log-probs
  const float* logp_ref = nullptr;    // [N] frozen reference log-probs; may be null when beta == 0
  const double* advantage = nullptr;  // [N] the row's sequence advantage
  const double* weight = nullptr;     // [N] aggregation weight
};

struct GrpoStats {
  double loss = 0;       // sum w (pg + beta kl)
  double pg_loss = 0;    // sum w pg
  double kl = 0;         // mean k3 over scored tokens
  double clip_frac = 0;  // fraction of scored tokens on the clipped branch
  double ratio_mean = 0;
  int64_t n_tokens = 0;  // scored tokens (weight != 0)
};

// The loss and, when dlogits != null, d loss / d logits written to dlogits [N, V] (overwritten).
GrpoStats grpo_loss_backward(const GrpoTokenBatch& b, const GrpoConfig& c, float* dlogits, ThreadPool* pool = nullptr);

std::string aggregation_name(LossAggregation a);
LossAggregation parse_aggregation(const std::string& s);  // "seq-mean", "token-mean", "constant"

}  // namespace seek::reason
