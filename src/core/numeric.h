// Numerically stable row helpers shared by every layer: softmax, log-sum-exp, log-softmax, and
// the grow-only scratch buffer. Each one fixes its arithmetic (which parts run in float, which
// in double, in what order), because tests compare the callers with references closely; where
// callers need different precisions there are explicitly named variants instead of one blend.
// Max semantics everywhere: the running max starts at x[0] and takes x[i] when x[i] > max (the
// first of equal values wins; a NaN is kept only in x[0], and any NaN makes the result NaN).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace seek {

// Grows v to at least n elements and never shrinks it, so a buffer reused across calls
// allocates only when a larger shape arrives. n <= 0 leaves v alone.
template <class T>
inline void grow(std::vector<T>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
}

// In-place softmax over x[0..n), n >= 1: m = max x (float), x_i = expf(x_i - m) (float), their
// sum in double, then x_i *= float(1 / sum).
void softmax_inplace(float* x, int64_t n);

// A row's max (float) and sum_i exp(double(x_i - max)), the subtraction in float, the exp and
// the sum in double; n >= 1. log_sum_exp is max + log(sum).
struct MaxExpSum {
  float max;
  double sum;
};
MaxExpSum max_exp_sum(const float* x, int64_t n);

// log(sum exp(x)) of one row from max_exp_sum (float shift, double exp and sum):
// log-softmax(x)_i = x_i - log_sum_exp(x). The sampler's and the server's logprobs use it.
double log_sum_exp(const float* x, int64_t n);
// log-softmax of one entry: float(x[id] - log_sum_exp(x)).
float log_softmax_at(const float* x, int64_t n, int32_t id);

// log(sum exp(x)) of one row entirely in double: max of double(x_i), sum of
// exp(double(x_i) - max), max + log(sum). The trainer's evaluation and the RL losses use it.
double log_sum_exp_f64(const float* x, int64_t n);
// The same of x / T (each double(x_i) / T; T = 1 gives log_sum_exp_f64(x, n) exactly).
double log_sum_exp_f64(const float* x, int64_t n, double T);

}  // namespace seek
