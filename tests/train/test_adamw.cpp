// AdamW and the learning-rate schedule against their defining formulas (Loshchilov & Hutter
// 2019; torch.optim.AdamW + clip_grad_norm_ semantics as docs/reference.md states them), written
// out here in double precision independently of adamw.cpp. The 10-step replay against PyTorch
// is in test_train_golden.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "train/adamw.h"
#include "train/lr_schedule.h"
#include "train/train_model.h"

namespace seek {
namespace {

ModelConfig tiny() {
  ModelConfig c;
  c.arch = "deepseek2";
  c.vocab_size = 11, c.hidden_size = 8, c.num_hidden_layers = 1, c.num_attention_heads = 1;
  c.kv_lora_rank = 4, c.qk_nope_head_dim = 2, c.qk_rope_head_dim = 2, c.v_head_dim = 2, c.intermediate_size = 6;
  return c;
}

TEST(AdamW, MatchesTheFormulaWithClippingAndSelectiveDecay) {
  TrainModel m(tiny(), 1, 0.5);
  ThreadPool pool(2);
  const size_t n = m.n_params();
  std::vector<double> p(m.params(), m.params() + n), mom(n, 0), vel(n, 0);
  AdamWConfig c;
  c.clip = 0.5, c.weight_decay = 0.2;
  AdamW opt(n);
  for (int step = 1; step <= 3; ++step) {
    double sq = 0;
    for (size_t i = 0; i < n; ++i) {
      m.grads()[i] = static_cast<float>(std::sin(0.37 * double(i) + step) * 0.3);
      sq += double(m.grads()[i]) * m.grads()[i];
    }
    const double lr = 0.01 * step;
    const double norm = opt.step(m, lr, c, pool);
    EXPECT_NEAR(norm, std::sqrt(sq), 1e-9 * std::sqrt(sq));
    const double coef = std::min(1.0, c.clip / (std::sqrt(sq) + 1e-6));
    for (const ParamInfo& pi : m.param_info())
      for (size_t i = pi.offset; i < pi.offset + pi.numel; ++i) {
        const double g = double(m.grads()[i]) * coef;
        mom[i] = c.beta1 * mom[i] + (1 - c.beta1) * g;
        vel[i] = c.beta2 * vel[i] + (1 - c.beta2) * g * g;
        const double mh = mom[i] / (1 - std::pow(c.beta1, step)), vh = vel[i] / (1 - std::pow(c.beta2, step));
        p[i] -= lr * (mh / (std::sqrt(vh) + c.eps) + (pi.shape.size() >= 2 ? c.weight_decay * p[i] : 0.0));
      }
    double worst = 0;
    for (size_t i = 0; i < n; ++i) worst = std::max(worst, std::fabs(p[i] - m.params()[i]));
    EXPECT_LE(worst, 1e-6) << "step " << step;
  }
  EXPECT_EQ(opt.t(), 3);
  // norms (1-D) are not decayed: with a zero gradient they stay put
  m.zero_grad();
  const ParamInfo& norm = m.info("model.norm.weight");
  const ParamInfo& head = m.info("lm_head.weight");
  AdamW fresh(n);
  const float norm0 = m.params()[norm.offset], head0 = m.params()[head.offset];
  fresh.step(m, 0.1, c, pool);
  EXPECT_EQ(m.params()[norm.offset], norm0);
  EXPECT_NEAR(m.params()[head.offset], head0 * (1 - 0.1 * c.weight_decay), 1e-7);
  EXPECT_THROW(AdamW(n + 1).step(m, 0.1, c, pool), Error);
}

TEST(LrSchedule, WarmupThenCosine) {
  LrSchedule s{1e-3, 1e-4, 10, 110};
  EXPECT_NEAR(s.at(0), 1e-4, 1e-12);  // (0 + 1) / 10 of lr_max
  EXPECT_NEAR(s.at(4), 5e-4, 1e-12);
  EXPECT_NEAR(s.at(10), 1e-3, 1e-12);    // warmup done: the cosine starts at lr_max
  EXPECT_NEAR(s.at(60), 5.5e-4, 1e-12);  // halfway: the mean of lr_max and lr_min
  EXPECT_NEAR(s.at(110), 1e-4, 1e-12);
  EXPECT_NEAR(s.at(500), 1e-4, 1e-12);
  for (int64_t t = 10; t < 110; ++t) EXPECT_GE(s.at(t), s.at(t + 1));
  LrSchedule flat{2e-3, 2e-3, 0, 5};
  EXPECT_NEAR(flat.at(0), 2e-3, 1e-15);
}

}  // namespace
}  // namespace seek
