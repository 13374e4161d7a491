// core/numeric against the loops its callers carried before it existed (the model's and the
// trainer's attention softmax, the sampler's and perplexity's log-sum-exp, the trainer's
// evaluation and the RL losses' double log-sum-exp): equal bit for bit, ties and NaN included.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/numeric.h"

using namespace seek;

namespace {

std::vector<float> row(int64_t n, uint64_t seed, float spread) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, spread);
  std::vector<float> x(n);
  for (float& v : x) v = d(rng);
  return x;
}

// The rows every comparison runs on: random at several scales, ties, a single entry, signed
// zeros, -inf entries, and a NaN first and later.
std::vector<std::vector<float>> rows() {
  std::vector<std::vector<float>> r;
  for (int64_t n : {1, 2, 7, 64, 1000, 32000})
    for (float spread : {0.01f, 1.0f, 30.0f}) r.push_back(row(n, static_cast<uint64_t>(n) * 31 + 7, spread));
  r.push_back({3.0f, 3.0f, 3.0f, -1.0f});
  r.push_back({-0.0f, 0.0f, -0.0f});
  r.push_back({-INFINITY, 2.0f, -INFINITY, 1.0f});
  r.push_back({NAN, 1.0f, 2.0f});
  r.push_back({1.0f, NAN, 2.0f});
  r.push_back({-80.0f, 80.0f, 0.5f});
  return r;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }
bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

// model/ops.cpp softmax_inplace as it was.
void softmax_model_before(float* x, int64_t n) {
  float mx = *std::max_element(x, x + n);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

// train/train_ops.cpp attention_forward's causal row softmax as it was (max from -inf).
void softmax_attention_before(float* p, int64_t n) {
  float mx = -INFINITY;
  for (int64_t s = 0; s < n; ++s) mx = std::max(mx, p[s]);
  double sum = 0;
  for (int64_t s = 0; s < n; ++s) sum += (p[s] = std::exp(p[s] - mx));
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t s = 0; s < n; ++s) p[s] *= inv;
}

// runtime/sampler.cpp log_sum_exp as it was (max through argmax).
double lse_sampler_before(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  const float mx = x[best];
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i] - mx));
  return mx + std::log(sum);
}

// runtime/perplexity.cpp's per-token NLL as it was.
double nll_perplexity_before(const float* l, int64_t V, int32_t target) {
  float mx = l[0];
  for (int64_t v = 1; v < V; ++v) mx = std::max(mx, l[v]);
  double sum = 0.0;
  for (int64_t v = 0; v < V; ++v) sum += std::exp(static_cast<double>(l[v] - mx));
  return -(static_cast<double>(l[target] - mx) - std::log(sum));
}

// reason/token_losses.cpp row_lse(x, V, T) as it was (reason/grpo.cpp's row_lse and the trainer's
// evaluation are the same loops without the division).
double lse_temperature_before(const float* x, int64_t V, double T) {
  double mx = x[0] / T;
  for (int64_t v = 1; v < V; ++v) mx = std::max(mx, x[v] / T);
  double s = 0;
  for (int64_t v = 0; v < V; ++v) s += std::exp(x[v] / T - mx);
  return mx + std::log(s);
}
double lse_double_before(const float* x, int64_t V) {
  double mx = x[0];
  for (int64_t v = 1; v < V; ++v) mx = std::max(mx, static_cast<double>(x[v]));
  double s = 0;
  for (int64_t v = 0; v < V; ++v) s += std::exp(static_cast<double>(x[v]) - mx);
  return mx + std::log(s);
}

}  // namespace

TEST(Numeric, SoftmaxMatchesBothFormerCopies) {
  for (const auto& r : rows()) {
    const int64_t n = static_cast<int64_t>(r.size());
    std::vector<float> got = r, model = r, attn = r;
    softmax_inplace(got.data(), n);
    softmax_model_before(model.data(), n);
    softmax_attention_before(attn.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_TRUE(same_bits(got[i], model[i])) << "n " << n << " i " << i;
      EXPECT_TRUE(same_bits(got[i], attn[i])) << "n " << n << " i " << i;
    }
  }
}

TEST(Numeric, SoftmaxSumsToOne) {
  std::vector<float> x = row(1000, 3, 5.0f);
  softmax_inplace(x.data(), 1000);
  double s = 0;
  for (float v : x) s += v;
  EXPECT_NEAR(s, 1.0, 1e-5);
}

TEST(Numeric, FloatShiftLogSumExpMatchesSamplerAndPerplexity) {
  for (const auto& r : rows()) {
    const int64_t n = static_cast<int64_t>(r.size());
    EXPECT_TRUE(same_bits(log_sum_exp(r.data(), n), lse_sampler_before(r.data(), n))) << "n " << n;
    EXPECT_TRUE(same_bits(log_softmax_at(r.data(), n, 0), static_cast<float>(r[0] - lse_sampler_before(r.data(), n))));
    const MaxExpSum m = max_exp_sum(r.data(), n);
    const int32_t t = static_cast<int32_t>(n - 1);
    EXPECT_TRUE(same_bits(-(static_cast<double>(r[t] - m.max) - std::log(m.sum)),
                          nll_perplexity_before(r.data(), n, t)));
  }
}

TEST(Numeric, DoubleLogSumExpMatchesTrainerAndRlLosses) {
  for (const auto& r : rows()) {
    const int64_t n = static_cast<int64_t>(r.size());
    EXPECT_TRUE(same_bits(log_sum_exp_f64(r.data(), n), lse_double_before(r.data(), n))) << "n " << n;
    EXPECT_TRUE(same_bits(log_sum_exp_f64(r.data(), n, 1.0), log_sum_exp_f64(r.data(), n))) << "n " << n;
    for (double T : {0.5, 1.0, 2.0, 3.7})
      EXPECT_TRUE(same_bits(log_sum_exp_f64(r.data(), n, T), lse_temperature_before(r.data(), n, T)))
          << "n " << n << " T " << T;
  }
}

TEST(Numeric, LogSumExpIsStableAndExact) {
  const float x[3] = {1000.0f, 1000.0f, -1000.0f};  // exp(1000) overflows without the shift
  EXPECT_NEAR(log_sum_exp(x, 3), 1000.0 + std::log(2.0), 1e-9);
  EXPECT_NEAR(log_sum_exp_f64(x, 3), 1000.0 + std::log(2.0), 1e-9);
  EXPECT_NEAR(log_sum_exp_f64(x, 3, 2.0), 500.0 + std::log(2.0), 1e-9);
  EXPECT_NEAR(log_softmax_at(x, 3, 0), -std::log(2.0), 1e-6);
}

TEST(Numeric, GrowOnlyGrows) {
  std::vector<float> v;
  grow(v, 10);
  EXPECT_EQ(v.size(), 10u);
  v[3] = 7.0f;
  grow(v, 4);  // smaller: untouched
  EXPECT_EQ(v.size(), 10u);
  EXPECT_EQ(v[3], 7.0f);
  grow(v, -1);
  EXPECT_EQ(v.size(), 10u);
  grow(v, 20);
  EXPECT_EQ(v.size(), 20u);
  EXPECT_EQ(v[3], 7.0f);
  std::vector<uint8_t> b;
  grow(b, 64);
  EXPECT_EQ(b.size(), 64u);
}
