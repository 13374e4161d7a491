// Masked cross-entropy and temperature-scaled KL distillation with their logits gradients,
// accumulated in double per row.
#include "reason/token_losses.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/numeric.h"
#include "reason/for_rows.h"

namespace seek::reason {
namespace {

TokenLossStats reduce(const std::vector<double>& loss, const double* weight, int64_t N) {
  TokenLossStats s;
  for (int64_t i = 0; i < N; ++i) {
    if (weight[i] == 0) continue;
    s.loss += weight[i] * loss[i];
    s.mean_loss += loss[i];
    ++s.n_tokens;
  }
  if (s.n_tokens) s.mean_loss /= static_cast<double>(s.n_tokens);
  return s;
}

// Runs row_loss(i, d) on every row of nonzero weight (d: its dlogits row, or nullptr when no
// gradient is wanted), zeroes the dlogits of rows of weight 0, and reduces the losses.
template <class RowLoss>
TokenLossStats weighted_rows(int64_t N, int64_t V, const double* weight, float* dlogits, ThreadPool* pool,
                             const RowLoss& row_loss) {
  std::vector<double> loss(N, 0.0);
  for_rows(N, pool, [&](int64_t i) {
    float* d = dlogits ? dlogits + i * V : nullptr;
    if (weight[i] != 0) loss[i] = row_loss(i, d);
    else if (d) std::fill(d, d + V, 0.0f);
  });
  return reduce(loss, weight, N);
}

}  // namespace

TokenLossStats masked_ce_backward(const float* logits, int64_t N, int64_t V, const int32_t* target,
                                  const double* weight, float* dlogits, ThreadPool* pool) {
  for (int64_t i = 0; i < N; ++i)
    if (weight[i] != 0 && (target[i] < 0 || target[i] >= V))
      throw UsageError(str("cross-entropy row ", i, ": target id ", target[i], " outside the vocabulary [0, ", V, ")"));
  return weighted_rows(N, V, weight, dlogits, pool, [&](int64_t i, float* d) {
    const float* x = logits + i * V;
    const double lse = log_sum_exp_f64(x, V);
    if (d) {
      for (int64_t v = 0; v < V; ++v) d[v] = static_cast<float>(weight[i] * std::exp(x[v] - lse));
      d[target[i]] = static_cast<float>(weight[i] * (std::exp(x[target[i]] - lse) - 1.0));
    }
    return lse - x[target[i]];
  });
}

TokenLossStats distill_kl_backward(const float* student, const float* teacher, int64_t N, int64_t V, double T,
                                   const double* weight, float* dlogits, ThreadPool* pool) {
  if (!(T > 0)) throw UsageError(str("distillation temperature: expected > 0, got ", T));
  return weighted_rows(N, V, weight, dlogits, pool, [&](int64_t i, float* d) {
    const float* s = student + i * V;
    const float* t = teacher + i * V;
    const double ls = log_sum_exp_f64(s, V, T), lt = log_sum_exp_f64(t, V, T);
    double kl = 0;
    for (int64_t v = 0; v < V; ++v) {
      const double log_p = t[v] / T - lt, log_q = s[v] / T - ls, p = std::exp(log_p);
      kl += p * (log_p - log_q);
      if (d) d[v] = static_cast<float>(weight[i] * T * (std::exp(log_q) - p));
    }
    return T * T * kl;
  });
}

}  // namespace seek::reason
