// The row helpers of numeric.h. The loops are the ones each caller used to carry; keep their
// arithmetic as it is (tests compare the callers with references bit-for-bit or closely).
#include "core/numeric.h"

#include <algorithm>
#include <cmath>

namespace seek {

void softmax_inplace(float* x, int64_t n) {
  float mx = *std::max_element(x, x + n);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

MaxExpSum max_exp_sum(const float* x, int64_t n) {
  float mx = x[0];
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > mx) mx = x[i];
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i] - mx));
  return {mx, sum};
}

double log_sum_exp(const float* x, int64_t n) {
  const MaxExpSum m = max_exp_sum(x, n);
  return m.max + std::log(m.sum);
}

float log_softmax_at(const float* x, int64_t n, int32_t id) { return static_cast<float>(x[id] - log_sum_exp(x, n)); }

double log_sum_exp_f64(const float* x, int64_t n) {
  double mx = x[0];
  for (int64_t i = 1; i < n; ++i) mx = std::max(mx, static_cast<double>(x[i]));
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(x[i]) - mx);
  return mx + std::log(s);
}

double log_sum_exp_f64(const float* x, int64_t n, double T) {
  double mx = x[0] / T;
  for (int64_t i = 1; i < n; ++i) mx = std::max(mx, x[i] / T);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += std::exp(x[i] / T - mx);
  return mx + std::log(s);
}

}  // namespace seek
