// The trainer's distributed hooks without mpirun. (1) The expert-parallel code path of
// train_moe.cpp (MoeParams.ep: dispatch, the owner's experts, combine, and the backward through
// them) on a 1-rank group, where every expert is local, must equal the ordinary path: losses,
// expert loads, every gradient. (2) The grad-ready calls that start the all-reduce during
// backward tile the buffer once, and each stretch is final when announced. (3) AdamW's expert
// shard: Other tensors untouched, the Own part's squared norm summed over "ranks".
// The multi-rank runs are the mpi_train_ep_* tests (tests/dist/mpi/train_trajectory.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "dist/comm.h"
#include "dist/expert_parallel.h"
#include "train/adamw.h"
#include "train/train_model.h"

namespace seek {
namespace {

ModelConfig moe_config() {
  ModelConfig c;
  c.arch = "deepseek2";
  c.vocab_size = 37, c.hidden_size = 16, c.num_hidden_layers = 3, c.num_attention_heads = 2;
  c.q_lora_rank = 12, c.kv_lora_rank = 8, c.qk_nope_head_dim = 4, c.qk_rope_head_dim = 4;
  c.v_head_dim = 4, c.intermediate_size = 24, c.moe_intermediate_size = 8, c.n_routed_experts = 8;
  c.n_shared_experts = 1, c.num_experts_per_tok = 3, c.first_k_dense_replace = 1;
  c.scoring_func = "sigmoid", c.topk_method = "noaux_tc", c.n_group = 4, c.topk_group = 2;
  c.norm_topk_prob = true, c.routed_scaling_factor = 2.5, c.num_nextn_predict_layers = 1;
  return c;
}

std::vector<int32_t> tokens(int64_t n, int64_t V) {
  std::vector<int32_t> t(n);
  for (int64_t i = 0; i < n; ++i) t[i] = int32_t((i * 11 + 3) % V);
  return t;
}

TEST(TrainExpertParallel, OneRankPathEqualsTheLocalPath) {
  if (std::getenv("OMPI_COMM_WORLD_SIZE")) GTEST_SKIP() << "launched by mpirun";
  const ModelConfig c = moe_config();
  TrainModel local(c, 5, 0.3), ep_model(c, 5, 0.3);
  for (TrainModel* m : {&local, &ep_model})
    for (size_t i = 0; i < m->router_bias().size(); ++i) m->router_bias()[i] = 0.02f * float(i % 5);
  ExpertParallel ep(Comm::world(), c.n_routed_experts);
  ep_model.set_expert_parallel(&ep);
  ThreadPool pool(2);
  const int64_t B = 3, T = 9;
  const std::vector<int32_t> toks = tokens(B * T, c.vocab_size);
  const LossWeights w{0.3, 0.5};
  for (int rep = 0; rep < 2; ++rep) {  // twice: the second forward reuses the activations' buffers
    local.zero_grad(), ep_model.zero_grad();
    const LossParts a = local.forward_backward(toks.data(), B, T, w, pool, 0.5f);
    const LossParts b = ep_model.forward_backward(toks.data(), B, T, w, pool, 0.5f);
    EXPECT_NEAR(b.total, a.total, 1e-6 * std::fabs(a.total));
    EXPECT_NEAR(b.mtp, a.mtp, 1e-6 * std::fabs(a.mtp));
    EXPECT_NEAR(b.balance, a.balance, 1e-6 * std::fabs(a.balance));
    EXPECT_EQ(ep_model.expert_loads(), local.expert_loads());
    EXPECT_EQ(ep_model.routes(), local.routes());
    for (const ParamInfo& p : local.param_info()) {
      double worst = 0, scale = 0;
      for (size_t i = p.offset; i < p.offset + p.numel; ++i) {
        worst = std::max(worst, double(std::fabs(ep_model.grads()[i] - local.grads()[i])));
        scale = std::max(scale, double(std::fabs(local.grads()[i])));
      }
      EXPECT_LE(worst, 1e-5 * scale + 1e-12) << p.name;
    }
  }
  EXPECT_EQ(ep.last_bytes_sent(), 0);  // one rank: nothing leaves it
  ExpertParallel wrong(Comm::world(), 4);
  EXPECT_THROW(ep_model.set_expert_parallel(&wrong), UsageError);
}

TEST(TrainExpertParallel, GradReadyStretchesTileTheBufferAndAreFinal) {
  const ModelConfig c = moe_config();
  TrainModel m(c, 7, 0.3);
  ThreadPool pool(2);
  const int64_t B = 2, T = 8;
  const std::vector<int32_t> toks = tokens(B * T, c.vocab_size);
  struct Call {
    size_t offset, n;
    std::vector<float> snapshot;  // the stretch's gradient when announced
  };
  std::vector<Call> calls;
  m.set_grad_ready([&](size_t offset, size_t n) {
    calls.push_back({offset, n, std::vector<float>(m.grads() + offset, m.grads() + offset + n)});
  });
  m.zero_grad();
  m.forward_backward(toks.data(), B, T, LossWeights{0.3, 0.5}, pool);
  m.set_grad_ready(nullptr);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front().offset + calls.front().n, m.n_params());  // lm_head + norm first
  EXPECT_EQ(calls.back().offset, 0u);                               // the embedding last
  std::vector<std::pair<size_t, size_t>> ranges;
  for (const Call& k : calls) {
    ranges.push_back({k.offset, k.n});
    for (size_t i = 0; i < k.n; ++i)
      ASSERT_EQ(k.snapshot[i], m.grads()[k.offset + i]) << "changed after announced: element " << k.offset + i;
  }
  std::sort(ranges.begin(), ranges.end());
  size_t at = 0;
  for (auto [offset, n] : ranges) {
    EXPECT_EQ(offset, at);
    at = offset + n;
  }
  EXPECT_EQ(at, m.n_params());
  EXPECT_EQ(calls.size(), size_t(c.num_hidden_layers + c.num_nextn_predict_layers + 2));
}

TEST(TrainExpertParallel, AdamWShardSkipsOtherTensorsAndSumsOwnNorms) {
  const ModelConfig c = moe_config();
  TrainModel plain(c, 9, 0.3), shard_m(c, 9, 0.3);
  ThreadPool pool(2);
  const size_t n = plain.n_params();
  for (size_t i = 0; i < n; ++i) plain.grads()[i] = shard_m.grads()[i] = float(std::sin(0.1 * double(i)));
  // tensors of routed expert 0 are "another rank's" (zero gradient here); expert 1's are "own"
  // and the fake second rank holds the same own norm again: the global |g|^2 counts it twice
  AdamWShard shard;
  double own_sq = 0, other_sq = 0, all_sq = 0;
  for (const ParamInfo& p : plain.param_info()) {
    TensorShare s = TensorShare::Replicated;
    if (p.name.find(".mlp.experts.0.") != std::string::npos) s = TensorShare::Other;
    if (p.name.find(".mlp.experts.1.") != std::string::npos) s = TensorShare::Own;
    shard.share.push_back(s);
    for (size_t i = p.offset; i < p.offset + p.numel; ++i) {
      const double g2 = double(plain.grads()[i]) * plain.grads()[i];
      all_sq += g2;
      if (s == TensorShare::Own) own_sq += g2;
      if (s == TensorShare::Other) other_sq += g2;
    }
  }
  shard.sum_over_ranks = [](double x) { return 2 * x; };
  AdamWConfig ac;
  ac.clip = 0.5;
  AdamW a(n), b(n);
  const double norm_plain = a.step(plain, 0.01, ac, pool);
  std::vector<float> before(shard_m.params(), shard_m.params() + n);
  const double norm_shard = b.step(shard_m, 0.01, ac, pool, &shard);
  EXPECT_NEAR(norm_plain, std::sqrt(all_sq), 1e-9 * norm_plain);
  EXPECT_NEAR(norm_shard, std::sqrt(all_sq - other_sq + own_sq), 1e-9 * norm_shard);
  for (size_t k = 0; k < shard.share.size(); ++k) {
    const ParamInfo& p = shard_m.param_info()[k];
    bool changed = false;
    for (size_t i = p.offset; i < p.offset + p.numel; ++i) changed |= shard_m.params()[i] != before[i];
    EXPECT_EQ(changed, shard.share[k] != TensorShare::Other) << p.name;
  }
  shard.share.pop_back();
  EXPECT_THROW(b.step(shard_m, 0.01, ac, pool, &shard), UsageError);
}

}  // namespace
}  // namespace seek
