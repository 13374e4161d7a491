// The whole GRPO gradient through a tiny DeepSeek-V3 TrainModel against PyTorch autograd through
// the reference model (tools/ref/grpo_ref.py --model-fixture, deepseek.py forward in float64):
// completion log-probs, the loss, and every parameter's gradient for a fixed batch of prompt +
// completion sequences (micro-batched so padding and batch splits are exercised). Run by
// tests/scripts/reason.cmake with SEEK_GRPO_MODEL_FIXTURE (checkpoint dir) and SEEK_GRPO_MODEL_REF.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "formats/safetensors.h"
#include "reason/grpo_step.h"
#include "train/train_model.h"

using namespace seek;
using namespace seek::reason;

namespace {

template <typename T>
std::vector<T> read(const SafetensorsFile& f, const std::string& name) {
  TensorView v = f.find(name);
  const T* p = v.as<T>();
  return std::vector<T>(p, p + v.numel());
}

// ||a - b|| / ||b|| (absolute when b is all zeros), as the trainer's golden test measures.
double rel_l2(const float* a, const float* b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    den += double(b[i]) * b[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

}  // namespace

TEST(GrpoModelReference, WholeModelGradientMatchesPyTorch) {
  const char* fixture = std::getenv("SEEK_GRPO_MODEL_FIXTURE");
  const char* ref_path = std::getenv("SEEK_GRPO_MODEL_REF");
  if (!fixture || !ref_path) GTEST_SKIP() << "SEEK_GRPO_MODEL_FIXTURE / SEEK_GRPO_MODEL_REF not set";
  SafetensorsFile f = SafetensorsFile::open(ref_path);
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

  const auto tokens = read<int32_t>(f, "tokens");
  const auto lengths = read<int32_t>(f, "lengths");
  const auto plen = read<int32_t>(f, "prompt_len");
  const auto rewards = read<double>(f, "rewards");
  const auto old_flat = read<float>(f, "logp_old");
  const auto ref_flat = read<float>(f, "logp_ref");
  const auto want_logp = read<double>(f, "expected.logp");
  const int64_t S = f.find("tokens").shape[0], L = f.find("tokens").shape[1], C = f.find("logp_old").shape[1];

  SequenceBatch b;
  TokenLogprobs old(S), ref(S);
  std::vector<int64_t> comp_len(S);
  for (int64_t s = 0; s < S; ++s) {
    b.add(std::vector<int32_t>(tokens.begin() + s * L, tokens.begin() + s * L + lengths[s]), plen[s]);
    comp_len[s] = lengths[s] - plen[s];
    old[s].assign(old_flat.begin() + s * C, old_flat.begin() + s * C + comp_len[s]);
    ref[s].assign(ref_flat.begin() + s * C, ref_flat.begin() + s * C + comp_len[s]);
  }
  std::unique_ptr<TrainModel> tm = TrainModel::from_pretrained(fixture);
  ThreadPool pool(2);
  const int64_t micro = 4;  // 6 sequences: a full and a partial micro-batch

  const TokenLogprobs lp = completion_logprobs(*tm, b, micro, pool);
  double worst_lp = 0;
  for (int64_t s = 0; s < S; ++s)
    for (int64_t k = 0; k < comp_len[s]; ++k) worst_lp = std::max(worst_lp, std::abs(lp[s][k] - want_logp[s * C + k]));
  EXPECT_LE(worst_lp, 1e-4) << "completion log-probs";

  GrpoBatch gb;
  gb.seqs = &b;
  gb.advantage = group_advantages(rewards, c);
  std::vector<uint8_t> keep(S, 1);
  if (c.drop_equal_groups) keep = informative_sequences(rewards, c.group_size);
  gb.weight = sequence_token_weights(comp_len, keep, c);
  gb.logp_old = &old;
  gb.logp_ref = &ref;
  tm->zero_grad();
  const GrpoStats st = grpo_accumulate(*tm, gb, c, micro, pool);
  const double want_loss = read<double>(f, "expected.loss")[0];
  EXPECT_LE(std::abs(st.loss - want_loss), 1e-5 * std::max(1.0, std::abs(want_loss))) << st.loss << " vs " << want_loss;
  EXPECT_NEAR(st.clip_frac, read<double>(f, "expected.clip_frac")[0], 1e-9);
  EXPECT_GT(st.clip_frac, 0.0) << "the fixture should exercise the clipped branch";

  double worst = 0;
  std::string worst_name;
  int64_t n_checked = 0;
  for (const ParamInfo& p : tm->param_info()) {
    const std::string key = "expected.grad." + p.name;
    if (!f.has(key)) {
      // the MTP block's shared copies of embed/head are not separate reference parameters
      continue;
    }
    const auto want = read<float>(f, key);
    ASSERT_EQ(want.size(), p.numel) << p.name;
    const double e = rel_l2(tm->grads() + p.offset, want.data(), p.numel);
    EXPECT_LE(e, 1e-4) << p.name;
    if (e > worst) worst = e, worst_name = p.name;
    ++n_checked;
  }
  EXPECT_GE(n_checked, 20);
  std::printf("GRPO whole-model gradient: %lld tensors, worst rel err %.3g (%s)\n", static_cast<long long>(n_checked),
              worst, worst_name.c_str());
}
