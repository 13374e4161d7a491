// Mean cross-entropy over the vocabulary with its logit gradient (train_ops.h), one row at a
// time: max, exp, sum, scale. The row work is written as plain loops the compiler vectorizes,
// cloned for AVX-512 / AVX2 / baseline and picked at load time; exp is a branch-free
// Cody-Waite + degree-6 polynomial (within 2 ulp of expf over the range it is used on), since
// libm's expf is a call per element. The sum stays in double, as before.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "train/train_ops.h"

namespace seek {

namespace {

// e^x for x <= 0 (softmax after the max is taken out); x below -87 gives e^-87 (~1.6e-38),
// which is 0 next to the row's largest term, 1.
inline float exp_nonpositive(float x) {
  x = x < -87.0f ? -87.0f : x;
  const float n = __builtin_floorf(x * 1.44269504089f + 0.5f);                // round(x / ln 2)
  const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;  // x - n ln2, |r| <= ln2/2
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;  // 2^n, n in [-126, 0]
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// d = exp(x - max x) for a row of V; returns (max, sum of d in double).
__attribute__((target_clones("avx512f", "avx2", "default"))) void softmax_numerator(const float* x, float* d, int64_t V,
                                                                                    float* max_out, double* sum_out) {
  float m[16];
  std::fill(m, m + 16, -INFINITY);
  int64_t i = 0;
  for (; i + 16 <= V; i += 16)
    for (int j = 0; j < 16; ++j) m[j] = m[j] < x[i + j] ? x[i + j] : m[j];
  float mx = -INFINITY;
  for (; i < V; ++i) mx = std::max(mx, x[i]);
  for (int j = 0; j < 16; ++j) mx = std::max(mx, m[j]);
  for (i = 0; i < V; ++i) d[i] = exp_nonpositive(x[i] - mx);
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (i = 0; i + 8 <= V; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += double(d[i + j]);
  double sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < V; ++i) sum += d[i];
  *max_out = mx, *sum_out = sum;
}

}  // namespace

double cross_entropy_forward_backward(const float* logits, const int32_t* targets, float* dlogits, int64_t N, int64_t V,
                                      float scale, ThreadPool& pool) {
  std::vector<double> row_loss(N, 0.0);
  pool.parallel_for(N, 4, [&](int64_t b, int64_t e) {
    std::vector<float> scratch(dlogits ? 0 : V);  // the exponentials when no gradient is wanted
    for (int64_t n = b; n < e; ++n) {
      const float* x = logits + n * V;
      float* d = dlogits ? dlogits + n * V : scratch.data();
      const int32_t y = targets[n];
      if (y < 0) {
        if (dlogits) std::fill(d, d + V, 0.0f);
        continue;
      }
      SEEK_ASSERT_MSG(y < V, "target ", y, " >= vocab ", V);
      float mx;
      double sum;
      softmax_numerator(x, d, V, &mx, &sum);
      row_loss[n] = mx + std::log(sum) - x[y];
      if (!dlogits) continue;
      const float k = static_cast<float>(double(scale) / sum);  // d = e / sum * scale - scale [i == y]
      for (int64_t i = 0; i < V; ++i) d[i] *= k;
      d[y] -= scale;
    }
  });
  double total = 0;
  for (double l : row_loss) total += l;
  return total;
}

}  // namespace seek
