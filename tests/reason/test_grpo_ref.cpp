// GRPO loss and d loss / d logits against the PyTorch autograd reference (tools/ref/grpo_ref.py).
// Run by the CTest script tests/scripts/reason.cmake with SEEK_GRPO_FIXTURE set to a fixture the
// reference just wrote; skipped when the variable is unset. Tolerance: rel err <= 1e-5.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "formats/safetensors.h"
#include "reason/grpo.h"

using namespace seek;
using namespace seek::reason;

namespace {

template <typename T>
std::vector<T> read(const SafetensorsFile& f, const std::string& name) {
  TensorView v = f.find(name);
  const T* p = v.as<T>();
  return std::vector<T>(p, p + v.numel());
}

double rel_err(const std::vector<double>& got, const std::vector<double>& want) {
  double num = 0, den = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    num = std::max(num, std::abs(got[i] - want[i]));
    den = std::max(den, std::abs(want[i]));
  }
  return den == 0 ? num : num / den;
}

}  // namespace

TEST(GrpoReference, LossAndGradientMatchPyTorch) {
  const char* path = std::getenv("SEEK_GRPO_FIXTURE");
  if (!path) GTEST_SKIP() << "SEEK_GRPO_FIXTURE not set (run through ctest -R reason_grpo_ref)";
  SafetensorsFile f = SafetensorsFile::open(path);
  const auto& m = f.metadata();
  GrpoConfig c;
  c.group_size = std::stoll(m.at("group_size"));
  c.eps_low = std::stod(m.at("eps_low"));
  c.eps_high = std::stod(m.at("eps_high"));
  c.beta = std::stod(m.at("beta"));
  c.scale_by_std = m.at("scale_by_std") == "1";
  c.std_eps = std::stod(m.at("std_eps"));
  c.aggregation = parse_aggregation(m.at("aggregation"));
  c.constant_length = std::stoll(m.at("constant_length"));
  c.drop_equal_groups = m.at("drop_equal_groups") == "1";
  SCOPED_TRACE(m.at("variant"));

  const auto rewards = read<double>(f, "rewards");
  const auto len32 = read<int32_t>(f, "lengths");
  const auto targets = read<int32_t>(f, "targets");
  const auto logits = read<float>(f, "logits");
  const auto logits_old = read<float>(f, "logits_old");
  const auto logits_ref = read<float>(f, "logits_ref");
  const TensorView lv = f.find("logits");
  const int64_t S = lv.shape[0], L = lv.shape[1], V = lv.shape[2], N = S * L;

  const auto adv = group_advantages(rewards, c);
  EXPECT_LE(rel_err(adv, read<double>(f, "expected.advantages")), 1e-12);
  std::vector<uint8_t> keep(S, 1);
  if (c.drop_equal_groups) keep = informative_sequences(rewards, c.group_size);
  const auto want_keep = read<int32_t>(f, "expected.keep");
  for (int64_t i = 0; i < S; ++i) EXPECT_EQ(keep[i], want_keep[i]) << "sequence " << i;

  std::vector<float> lp_old(N), lp_ref(N);
  token_logprobs(logits_old.data(), N, V, targets.data(), lp_old.data());
  token_logprobs(logits_ref.data(), N, V, targets.data(), lp_ref.data());
  EXPECT_LE(rel_err(std::vector<double>(lp_old.begin(), lp_old.end()), read<double>(f, "expected.logp_old")), 1e-6);
  EXPECT_LE(rel_err(std::vector<double>(lp_ref.begin(), lp_ref.end()), read<double>(f, "expected.logp_ref")), 1e-6);

  const std::vector<int64_t> lengths(len32.begin(), len32.end());
  const auto seq_w = sequence_token_weights(lengths, keep, c);
  std::vector<double> tok_adv(N), tok_w(N);
  for (int64_t s = 0; s < S; ++s)
    for (int64_t t = 0; t < L; ++t) {
      tok_adv[s * L + t] = adv[s];
      tok_w[s * L + t] = t < lengths[s] ? seq_w[s] : 0.0;
    }
  std::vector<float> d(N * V);
  ThreadPool pool(2);
  GrpoTokenBatch b{logits.data(), N, V, targets.data(), lp_old.data(), lp_ref.data(), tok_adv.data(), tok_w.data()};
  const GrpoStats st = grpo_loss_backward(b, c, d.data(), &pool);

  const double want_loss = read<double>(f, "expected.loss")[0];
  EXPECT_LE(std::abs(st.loss - want_loss) / std::abs(want_loss), 1e-5) << st.loss << " vs " << want_loss;
  EXPECT_LE(rel_err(std::vector<double>(d.begin(), d.end()), read<double>(f, "expected.dlogits")), 1e-5);
  EXPECT_NEAR(st.kl, read<double>(f, "expected.kl")[0], 1e-6);
  EXPECT_NEAR(st.clip_frac, read<double>(f, "expected.clip_frac")[0], 1e-12);
  EXPECT_GT(st.clip_frac, 0.0) << "the fixture should exercise the clipped branch";
}
