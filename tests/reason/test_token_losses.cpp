// SFT cross-entropy and logit distillation: values by definition, gradients against central
// differences, and the packing of prompt + completion rows that feeds them.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/error.h"
#include "reason/rng.h"
#include "reason/sequence_batch.h"
#include "reason/token_losses.h"

using namespace seek::reason;

namespace {

std::vector<float> random_logits(Rng& rng, int64_t n, double scale) {
  std::vector<float> x(n);
  for (auto& v : x) v = static_cast<float>((rng.uniform01() - 0.5) * 2 * scale);
  return x;
}

// Central differences of loss(x) against the analytic gradient d.
void check_gradient(std::vector<float>& x, const std::vector<float>& d, const std::function<double()>& loss) {
  const double h = 1e-3;
  for (size_t k = 0; k < x.size(); ++k) {
    const float x0 = x[k];
    x[k] = static_cast<float>(x0 + h);
    const double lp = loss();
    x[k] = static_cast<float>(x0 - h);
    const double lm = loss();
    x[k] = x0;
    EXPECT_NEAR(d[k], (lp - lm) / (2 * h), 1e-4) << "logit " << k;
  }
}

}  // namespace

TEST(MaskedCE, ValueAndGradient) {
  const int64_t N = 5, V = 7;
  Rng rng(1);
  auto x = random_logits(rng, N * V, 3);
  std::vector<int32_t> tgt = {0, 6, 3, 2, 1};
  std::vector<double> w = {0.5, 0.0, 0.25, 1.0, 0.1};
  std::vector<float> d(N * V);
  const TokenLossStats s = masked_ce_backward(x.data(), N, V, tgt.data(), w.data(), d.data());
  double want = 0;
  for (int64_t i = 0; i < N; ++i) {
    double z = 0;
    for (int64_t v = 0; v < V; ++v) z += std::exp(double(x[i * V + v]));
    want += w[i] * (std::log(z) - x[i * V + tgt[i]]);
  }
  EXPECT_NEAR(s.loss, want, 1e-9);
  EXPECT_EQ(s.n_tokens, 4);
  check_gradient(x, d, [&] { return masked_ce_backward(x.data(), N, V, tgt.data(), w.data(), nullptr).loss; });
  tgt[1] = 99;  // unscored rows may hold anything
  EXPECT_NO_THROW(masked_ce_backward(x.data(), N, V, tgt.data(), w.data(), nullptr));
  tgt[0] = 99;
  EXPECT_THROW(masked_ce_backward(x.data(), N, V, tgt.data(), w.data(), nullptr), seek::UsageError);
}

TEST(DistillKL, ZeroAtTheTeacherAndGradient) {
  const int64_t N = 4, V = 6;
  Rng rng(2);
  auto s = random_logits(rng, N * V, 2), t = random_logits(rng, N * V, 2);
  std::vector<double> w = {0.25, 0.25, 0.0, 0.5};
  std::vector<float> d(N * V);
  EXPECT_NEAR(distill_kl_backward(t.data(), t.data(), N, V, 2.0, w.data(), d.data()).loss, 0.0, 1e-12);
  for (float g : d) EXPECT_NEAR(g, 0.0f, 1e-7);
  for (double T : {1.0, 2.0, 0.5}) {
    const TokenLossStats st = distill_kl_backward(s.data(), t.data(), N, V, T, w.data(), d.data());
    EXPECT_GT(st.loss, 0.0);
    check_gradient(s, d, [&] { return distill_kl_backward(s.data(), t.data(), N, V, T, w.data(), nullptr).loss; });
  }
  EXPECT_THROW(distill_kl_backward(s.data(), t.data(), N, V, 0.0, w.data(), nullptr), seek::UsageError);
}

TEST(SequenceBatch, PackRowsMapsCompletionTokens) {
  SequenceBatch b;
  b.add({10, 11, 12, 13, 14}, 2);  // completion 12 13 14
  b.add({20, 21, 22}, 3);          // empty completion
  b.add({30, 31}, 1);              // completion 31
  const PackedRows r = pack_rows(b, 0, 3, -1);
  EXPECT_EQ(r.B, 3);
  EXPECT_EQ(r.T, 5);
  EXPECT_EQ(r.tokens, (std::vector<int32_t>{10, 11, 12, 13, 14, 20, 21, 22, -1, -1, 30, 31, -1, -1, -1}));
  // row (0, 1) predicts token 2 = the first completion token
  EXPECT_EQ(r.seq, (std::vector<int64_t>{-1, 0, 0, 0, -1, -1, -1, -1, -1, -1, 2, -1, -1, -1, -1}));
  EXPECT_EQ(r.target[1], 12);
  EXPECT_EQ(r.target[3], 14);
  EXPECT_EQ(r.k[3], 2);
  EXPECT_EQ(r.target[10], 31);
  EXPECT_EQ(b.completion_len(1), 0);
  const PackedRows tail = pack_rows(b, 2, 3, 0);  // a micro-batch keeps global sequence indices
  EXPECT_EQ(tail.T, 2);
  EXPECT_EQ(tail.seq[0], 2);
}
