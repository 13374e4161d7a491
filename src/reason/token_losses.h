// Per-token losses on a TrainModel's logits besides GRPO: masked cross-entropy (SFT on worked
// solutions or filtered teacher traces: only completion tokens count) and logit distillation
// KL(teacher_T || student_T) * T^2 (Hinton et al. 2015, deepseek.md 7). Each writes d loss /
// d logits for TrainModel::dlogits(); weight-0 rows get zero gradient.
#pragma once
#include <cstdint>

#include "core/threadpool.h"

namespace seek::reason {

struct TokenLossStats {
  double loss = 0;       // sum_i w_i * loss_i
  double mean_loss = 0;  // unweighted mean over scored rows
  int64_t n_tokens = 0;  // rows with w != 0
};

// CE: loss_i = -log softmax(logits_i)[target_i]. logits/dlogits [N, V], target/weight [N].
TokenLossStats masked_ce_backward(const float* logits, int64_t N, int64_t V, const int32_t* target,
                                  const double* weight, float* dlogits, ThreadPool* pool = nullptr);

// KD: loss_i = T^2 * sum_v p_v (log p_v - log q_v), p = softmax(teacher_i / T), q = softmax(student_i / T);
// d loss_i / d student_iv = T (q_v - p_v). student/teacher/dlogits [N, V], weight [N].
TokenLossStats distill_kl_backward(const float* student, const float* teacher, int64_t N, int64_t V, double temperature,
                                   const double* weight, float* dlogits, ThreadPool* pool = nullptr);

}  // namespace seek::reason
