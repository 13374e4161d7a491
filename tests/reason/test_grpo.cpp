// GRPO maths by hand and by finite differences: advantages (GRPO, Dr. GRPO), DAPO's masks, the
// token weights of each aggregation, the k3 estimator (its expectation is exactly KL(pi||ref)),
// the clip branches, and d loss / d logits against central differences.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "reason/grpo.h"
#include "reason/rng.h"

using namespace seek::reason;

TEST(GrpoAdvantage, ByHand) {
  GrpoConfig c;
  c.group_size = 4;
  // mean 0.25; unbiased std sqrt((0.75^2 + 3 * 0.25^2) / 3) = 0.5
  auto a = group_advantages({1, 0, 0, 0, 2, 2, 2, 2}, c);
  EXPECT_NEAR(a[0], 0.75 / (0.5 + 1e-4), 1e-12);
  EXPECT_NEAR(a[1], -0.25 / (0.5 + 1e-4), 1e-12);
  for (int i = 4; i < 8; ++i) EXPECT_EQ(a[i], 0.0);  // all-equal group
  c.scale_by_std = false;                            // Dr. GRPO
  a = group_advantages({1, 0, 0, 0, 2, 2, 2, 2}, c);
  EXPECT_DOUBLE_EQ(a[0], 0.75);
  EXPECT_DOUBLE_EQ(a[3], -0.25);
  EXPECT_THROW(group_advantages({1, 2, 3}, c), seek::UsageError);
}

TEST(GrpoAdvantage, SumsToZeroPerGroup) {
  Rng rng(9);
  GrpoConfig c;
  c.group_size = 8;
  std::vector<double> r(64);
  for (auto& x : r) x = static_cast<double>(rng.uniform(0, 3));
  auto a = group_advantages(r, c);
  for (int g = 0; g < 64; g += 8) {
    double s = 0;
    for (int i = g; i < g + 8; ++i) s += a[i];
    EXPECT_NEAR(s, 0.0, 1e-12);
  }
}

TEST(GrpoAdvantage, InformativeSequences) {
  auto k = informative_sequences({1, 1, 1, 0, 1, 1, 0.5, 0.5, 0.5}, 3);
  EXPECT_EQ(k, (std::vector<uint8_t>{0, 0, 0, 1, 1, 1, 0, 0, 0}));
}

TEST(GrpoWeights, Aggregations) {
  const std::vector<int64_t> len = {3, 5, 0, 2};
  const std::vector<uint8_t> keep = {1, 1, 1, 0};
  GrpoConfig c;
  auto w = sequence_token_weights(len, keep, c);  // per-seq mean over the 2 live sequences
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 6);
  EXPECT_DOUBLE_EQ(w[1], 1.0 / 10);
  EXPECT_EQ(w[2], 0.0);
  EXPECT_EQ(w[3], 0.0);
  c.aggregation = LossAggregation::TokenMean;
  w = sequence_token_weights(len, keep, c);
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 8);
  EXPECT_DOUBLE_EQ(w[1], 1.0 / 8);
  c = GrpoConfig::dr_grpo(10);
  w = sequence_token_weights(len, keep, c);
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 20);
  EXPECT_DOUBLE_EQ(w[1], 1.0 / 20);
  EXPECT_EQ(sequence_token_weights({1}, {0}, c)[0], 0.0);
}

TEST(GrpoKL, K3ExpectationIsExactKL) {
  // E_{x~pi}[ref/pi - log(ref/pi) - 1] = 1 - 1 + KL(pi || ref), summed exactly over 6 outcomes.
  const double pi[6] = {0.05, 0.3, 0.1, 0.25, 0.2, 0.1}, ref[6] = {0.2, 0.1, 0.1, 0.3, 0.05, 0.25};
  double e = 0, kl = 0;
  for (int i = 0; i < 6; ++i) {
    e += pi[i] * k3_kl(std::log(pi[i]), std::log(ref[i]));
    kl += pi[i] * std::log(pi[i] / ref[i]);
    EXPECT_GE(k3_kl(std::log(pi[i]), std::log(ref[i])), 0.0);
  }
  EXPECT_NEAR(e, kl, 1e-14);
  EXPECT_EQ(k3_kl(-1.3, -1.3), 0.0);
  EXPECT_NEAR(k3_kl(-1.0, -1.0 + 1e-3), 0.5e-6, 1e-9);  // ~ d^2 / 2
}

TEST(GrpoToken, ClipBranches) {
  GrpoConfig c;
  c.beta = 0;
  c.eps_low = 0.2;
  c.eps_high = 0.28;
  const double lo = std::log(0.5), hi = std::log(2.0);  // rho = 0.5 or 2
  TokenTerms t = grpo_token(hi, 0.0, 0.0, 1.0, c);      // A > 0 and rho above 1 + eps_high: clipped
  EXPECT_TRUE(t.clipped);
  EXPECT_DOUBLE_EQ(t.pg, -1.28);
  EXPECT_EQ(t.dlogp, 0.0);
  t = grpo_token(lo, 0.0, 0.0, 1.0, c);  // A > 0, rho low: the unclipped (smaller) term
  EXPECT_FALSE(t.clipped);
  EXPECT_DOUBLE_EQ(t.pg, -0.5);
  EXPECT_DOUBLE_EQ(t.dlogp, -0.5);
  t = grpo_token(lo, 0.0, 0.0, -1.0, c);  // A < 0 and rho below 1 - eps_low: clipped
  EXPECT_TRUE(t.clipped);
  EXPECT_DOUBLE_EQ(t.pg, 0.8);
  t = grpo_token(hi, 0.0, 0.0, -1.0, c);  // A < 0, rho high: unclipped, pushes down
  EXPECT_FALSE(t.clipped);
  EXPECT_DOUBLE_EQ(t.pg, 2.0);
  EXPECT_DOUBLE_EQ(t.dlogp, 2.0);
  t = grpo_token(-0.7, -0.7, 0.0, 0.0, c);  // A == 0: no signal, not counted as clipped
  EXPECT_FALSE(t.clipped);
  EXPECT_EQ(t.dlogp, 0.0);
  c.beta = 0.5;  // KL gradient: beta (1 - exp(ref - logp))
  t = grpo_token(-1.0, -1.0, -2.0, 0.0, c);
  EXPECT_NEAR(t.dlogp, 0.5 * (1 - std::exp(-1.0)), 1e-15);
  EXPECT_NEAR(t.kl, std::exp(-1.0) + 1 - 1, 1e-15);
}

TEST(GrpoLoss, GradientMatchesFiniteDifferences) {
  const int64_t N = 7, V = 11;
  Rng rng(21);
  auto randn = [&] { return static_cast<float>((rng.uniform01() - 0.5) * 4); };
  std::vector<float> logits(N * V), old(N), ref(N), d(N * V);
  std::vector<int32_t> tgt(N);
  std::vector<double> adv(N), w(N);
  for (auto& x : logits) x = randn();
  for (int64_t i = 0; i < N; ++i) {
    tgt[i] = static_cast<int32_t>(rng.uniform(0, V - 1));
    adv[i] = (rng.uniform01() - 0.5) * 3;
    w[i] = i == 2 ? 0.0 : 0.1 + rng.uniform01();
  }
  token_logprobs(logits.data(), N, V, tgt.data(), old.data());
  for (int64_t i = 0; i < N; ++i) {
    // keep every ratio a safe distance from the clip edges so the loss is smooth there
    old[i] += (i % 3 == 0) ? 0.5f : (i % 3 == 1 ? -0.05f : 0.03f);
    ref[i] = old[i] - 0.3f;
  }
  GrpoConfig c;
  c.beta = 0.3;
  c.eps_high = 0.28;
  GrpoTokenBatch b{logits.data(), N, V, tgt.data(), old.data(), ref.data(), adv.data(), w.data()};
  grpo_loss_backward(b, c, d.data());
  const double h = 1e-3;
  for (int64_t k = 0; k < N * V; ++k) {
    const float x0 = logits[k];
    logits[k] = static_cast<float>(x0 + h);
    const double lp = grpo_loss_backward(b, c, nullptr).loss;
    logits[k] = static_cast<float>(x0 - h);
    const double lm = grpo_loss_backward(b, c, nullptr).loss;
    logits[k] = x0;
    EXPECT_NEAR(d[k], (lp - lm) / (2 * h), 2e-4) << "logit " << k;
  }
  for (int64_t v = 0; v < V; ++v) EXPECT_EQ(d[2 * V + v], 0.0f);  // weight-0 row
}

TEST(GrpoLoss, BadInputThrows) {
  float logits[4] = {0, 0, 0, 0}, lp[2] = {0, 0};
  int32_t tgt[2] = {0, 5};
  double adv[2] = {1, 1}, w[2] = {1, 1};
  GrpoTokenBatch b{logits, 2, 2, tgt, lp, lp, adv, w};
  EXPECT_THROW(grpo_loss_backward(b, GrpoConfig{}, nullptr), seek::UsageError);
  tgt[1] = 1;
  b.logp_ref = nullptr;
  EXPECT_THROW(grpo_loss_backward(b, GrpoConfig{}, nullptr), seek::UsageError);  // beta > 0, no ref
  EXPECT_NO_THROW(grpo_loss_backward(b, GrpoConfig::dapo(), nullptr));
  GrpoConfig bad;
  bad.eps_low = 1.5;
  EXPECT_THROW(bad.validate(), seek::UsageError);
  EXPECT_THROW(GrpoConfig::dr_grpo(0).validate(), seek::UsageError);
  EXPECT_THROW(parse_aggregation("mean"), seek::UsageError);
}
