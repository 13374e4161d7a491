// Finite-difference checks of every hand-written backward of the trainer (house style rule 10):
// each op's loss is L = sum(out * R) for a fixed random R, computed in double from the f32
// outputs; central differences on sampled elements and along a random direction must match the
// analytic gradient to a relative tolerance that f32 forward noise allows.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <random>

#include "train/train_impl.h"
#include "train/train_layers.h"
#include "train/train_model.h"
#include "train/train_ops.h"
#include "train/train_params.h"

namespace seek {
namespace {

std::vector<float> randn(size_t n, uint64_t seed, float std = 1.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, std);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

double dot_loss(const float* out, const std::vector<float>& R) {
  double s = 0;
  for (size_t i = 0; i < R.size(); ++i) s += double(out[i]) * R[i];
  return s;
}

// What routing a forward chose (expert ids or loads); empty for ops without routing.
using RouteSig = std::function<std::vector<int64_t>()>;

// Compares grad [n] of x with central differences of loss(): up to 16 sampled elements, and the
// directional derivative along a random direction. Moving every element at once can cross a
// top-k boundary (a jump, not a derivative), so with `route` the step halves until the routing
// at both ends equals the routing at x.
void check_grad(const std::string& name, float* x, const float* grad, size_t n, const std::function<double()>& loss,
                double h = 1e-3, double tol = 2e-2, const RouteSig& route = nullptr) {
  SCOPED_TRACE(name);
  std::mt19937_64 rng(std::hash<std::string>()(name));
  double num = 0, den = 0;
  for (int s = 0; s < 16 && s < int(n); ++s) {
    const size_t i = n <= 16 ? size_t(s) : rng() % n;
    const float keep = x[i];
    x[i] = keep + float(h);
    const double lp = loss();
    x[i] = keep - float(h);
    const double lm = loss();
    x[i] = keep;
    const double fd = (lp - lm) / (double(keep + float(h)) - double(keep - float(h)));
    num += (fd - grad[i]) * (fd - grad[i]), den += double(grad[i]) * grad[i];
  }
  EXPECT_LE(std::sqrt(num), tol * std::sqrt(den) + 1e-4) << "elementwise, |grad| " << std::sqrt(den);
  std::vector<float> d = randn(n, 99), keep(x, x + n);
  double an = 0;
  for (size_t i = 0; i < n; ++i) an += double(grad[i]) * d[i];
  loss();
  const std::vector<int64_t> base = route ? route() : std::vector<int64_t>{};
  double fd = 0;
  bool smooth = false;
  for (double hd = h; hd >= h / 64 && !smooth; hd /= 2) {
    for (size_t i = 0; i < n; ++i) x[i] = keep[i] + float(hd) * d[i];
    const double lp = loss();
    smooth = !route || route() == base;
    for (size_t i = 0; i < n; ++i) x[i] = keep[i] - float(hd) * d[i];
    const double lm = loss();
    smooth = smooth && (!route || route() == base);
    fd = (lp - lm) / (2 * hd);
  }
  std::copy(keep.begin(), keep.end(), x);
  loss();
  EXPECT_TRUE(smooth) << "routing flips even at the smallest step";
  EXPECT_NEAR(fd, an, tol * std::fabs(an) + 1e-4) << "directional";
}

TEST(BackwardFD, Linear) {
  const int64_t N = 5, in = 7, out = 3;
  auto x = randn(N * in, 1), W = randn(out * in, 2), R = randn(N * out, 3);
  std::vector<float> y(N * out), dx(N * in, 0), dW(out * in, 0);
  auto loss = [&] {
    linear_forward(x.data(), W.data(), y.data(), N, in, out);
    return dot_loss(y.data(), R);
  };
  loss();
  linear_backward(R.data(), x.data(), W.data(), dx.data(), dW.data(), N, in, out);
  check_grad("x", x.data(), dx.data(), x.size(), loss);
  check_grad("W", W.data(), dW.data(), W.size(), loss);
}

TEST(BackwardFD, RmsNormAndEmbedding) {
  ThreadPool pool(2);
  const int64_t N = 4, D = 9;
  auto x = randn(N * D, 4), w = randn(D, 5), R = randn(N * D, 6);
  std::vector<float> y(N * D), rstd(N), dx(N * D, 0), dw(D, 0);
  auto loss = [&] {
    rmsnorm_forward(x.data(), w.data(), y.data(), rstd.data(), N, D, 1e-6f, pool);
    return dot_loss(y.data(), R);
  };
  loss();
  rmsnorm_backward(R.data(), x.data(), w.data(), rstd.data(), dx.data(), dw.data(), N, D, pool);
  check_grad("x", x.data(), dx.data(), x.size(), loss);
  check_grad("w", w.data(), dw.data(), w.size(), loss);

  std::vector<int32_t> tok = {3, 1, 3, 0};
  auto table = randn(5 * D, 7);
  std::vector<float> e(N * D), dt(5 * D, 0);
  auto eloss = [&] {
    embedding_forward(tok.data(), table.data(), e.data(), N, D);
    return dot_loss(e.data(), R);
  };
  eloss();
  embedding_backward(tok.data(), R.data(), dt.data(), N, D);
  check_grad("table", table.data(), dt.data(), dt.size(), eloss);
}

TEST(BackwardFD, SwiGluRopeCrossEntropy) {
  ThreadPool pool(2);
  const int64_t n = 11;
  auto g = randn(n, 8), u = randn(n, 9), R = randn(n, 10);
  std::vector<float> a(n), dg(n, 0), du(n, 0);
  auto sloss = [&] {
    swiglu_forward(g.data(), u.data(), a.data(), n);
    return dot_loss(a.data(), R);
  };
  swiglu_backward(R.data(), g.data(), u.data(), dg.data(), du.data(), n);
  check_grad("gate", g.data(), dg.data(), n, sloss);
  check_grad("up", u.data(), du.data(), n, sloss);

  ModelConfig c;
  c.qk_rope_head_dim = 6, c.rope_theta = 100.0;
  c.rope_scaling.yarn = true, c.rope_scaling.factor = 4, c.rope_scaling.original_max_position_embeddings = 8;
  c.rope_scaling.mscale = 1, c.rope_scaling.mscale_all_dim = 0.7;
  Rope rope(c);
  const int64_t B = 2, T = 5, H = 3, stride = 8;  // heads 8 apart, rope dims at offset 0
  auto x = randn(B * T * H * stride, 11), Rr = randn(x.size(), 12);
  std::vector<float> xr(x.size()), dx(x.size());
  auto rloss = [&] {
    xr = x;
    rope_forward(rope, xr.data(), B, T, H * stride, H, stride, pool);
    return dot_loss(xr.data(), Rr);
  };
  dx = Rr;
  rope_backward(rope, dx.data(), B, T, H * stride, H, stride, pool);
  check_grad("rope", x.data(), dx.data(), x.size(), rloss);

  const int64_t N = 6, V = 13;
  auto logits = randn(N * V, 13, 2.0f);
  std::vector<int32_t> tgt = {1, 12, -1, 0, 5, 5};
  std::vector<float> dl(N * V);
  auto closs = [&] {
    return cross_entropy_forward_backward(logits.data(), tgt.data(), nullptr, N, V, 1.0f, pool) / 5.0;
  };
  cross_entropy_forward_backward(logits.data(), tgt.data(), dl.data(), N, V, 1.0f / 5.0f, pool);
  check_grad("logits", logits.data(), dl.data(), dl.size(), closs);
}

// The vectorized row (polynomial exp, 16-lane max, 8 double partial sums) against the formula
// in double: a vocabulary that is not a multiple of 16, logits spread wide enough that most
// exponentials underflow below the clamp, an ignored row, and a row of equal logits.
TEST(CrossEntropy, MatchesDoubleFormula) {
  ThreadPool pool(2);
  const int64_t N = 5, V = 1000 + 7;
  auto logits = randn(N * V, 21, 30.0f);
  std::fill(logits.begin() + 4 * V, logits.end(), 0.25f);
  const std::vector<int32_t> tgt = {3, V - 1, -1, 500, 7};
  const float scale = 0.25f;
  std::vector<float> dl(N * V, 1.0f);
  const double total = cross_entropy_forward_backward(logits.data(), tgt.data(), dl.data(), N, V, scale, pool);
  EXPECT_NEAR(total, cross_entropy_forward_backward(logits.data(), tgt.data(), nullptr, N, V, scale, pool), 1e-9);
  double want_total = 0;
  for (int64_t n = 0; n < N; ++n) {
    const float* x = logits.data() + n * V;
    if (tgt[n] < 0) {
      for (int64_t i = 0; i < V; ++i) ASSERT_EQ(dl[n * V + i], 0.0f);
      continue;
    }
    double mx = -1e300, sum = 0;
    for (int64_t i = 0; i < V; ++i) mx = std::max(mx, double(x[i]));
    for (int64_t i = 0; i < V; ++i) sum += std::exp(double(x[i]) - mx);
    want_total += mx + std::log(sum) - x[tgt[n]];
    for (int64_t i = 0; i < V; ++i) {
      const double want = std::exp(double(x[i]) - mx) / sum * scale - (i == tgt[n] ? scale : 0.0);
      ASSERT_NEAR(dl[n * V + i], want, 4e-7 * std::fabs(want) + 1e-30) << n << " " << i;
    }
  }
  EXPECT_NEAR(total, want_total, 1e-6 * want_total);
}

TEST(BackwardFD, CausalAttention) {
  ThreadPool pool(2);
  const int64_t B = 2, T = 6, H = 2, dk = 5, dv = 3;
  auto q = randn(B * T * H * dk, 14), k = randn(B * T * H * dk, 15), v = randn(B * T * H * dv, 16);
  auto R = randn(B * T * H * dv, 17);
  std::vector<float> o(R.size()), P(B * H * T * T), dq(q.size(), 0), dk_(k.size(), 0), dv_(v.size(), 0);
  auto loss = [&] {
    attention_forward(q.data(), k.data(), v.data(), o.data(), P.data(), B, T, H, dk, dv, 0.6f, pool);
    return dot_loss(o.data(), R);
  };
  loss();
  attention_backward(R.data(), q.data(), k.data(), v.data(), P.data(), dq.data(), dk_.data(), dv_.data(), B, T, H, dk,
                     dv, 0.6f, pool);
  check_grad("q", q.data(), dq.data(), q.size(), loss);
  check_grad("k", k.data(), dk_.data(), k.size(), loss);
  check_grad("v", v.data(), dv_.data(), v.size(), loss);
}

// The sgemm attention (strided per-head products, masked full score block) equals the loops over
// the causal half, forward and backward, on awkward shapes.
TEST(BackwardFD, AttentionSgemmMatchesLoops) {
  ThreadPool pool(2);
  for (auto [B, T, H, dk, dv] : {std::array<int64_t, 5>{1, 1, 1, 1, 1}, {2, 7, 3, 5, 3}, {3, 33, 2, 17, 9}}) {
    auto q = randn(B * T * H * dk, 21), k = randn(B * T * H * dk, 22), v = randn(B * T * H * dv, 23);
    auto R = randn(B * T * H * dv, 24);
    std::vector<float> o1(R.size()), o2(R.size()), P1(B * H * T * T, 7.0f), P2(B * H * T * T, 9.0f);
    std::vector<float> dq1(q.size(), 0.5f), dq2(dq1), dk1(k.size(), 0.5f), dk2(dk1), dv1(v.size(), 0.5f), dv2(dv1);
    attention_forward(q.data(), k.data(), v.data(), o1.data(), P1.data(), B, T, H, dk, dv, 0.4f, pool);
    attention_forward_ref(q.data(), k.data(), v.data(), o2.data(), P2.data(), B, T, H, dk, dv, 0.4f, pool);
    attention_backward(R.data(), q.data(), k.data(), v.data(), P1.data(), dq1.data(), dk1.data(), dv1.data(), B, T, H,
                       dk, dv, 0.4f, pool);
    attention_backward_ref(R.data(), q.data(), k.data(), v.data(), P2.data(), dq2.data(), dk2.data(), dv2.data(), B, T,
                           H, dk, dv, 0.4f, pool);
    auto same = [&](const char* what, const std::vector<float>& a, const std::vector<float>& b) {
      for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5 * (1 + std::fabs(b[i]))) << what << " " << i;
    };
    same("probs", P1, P2), same("o", o1, o2), same("dq", dq1, dq2), same("dk", dk1, dk2), same("dv", dv1, dv2);
  }
}

ModelConfig small_config(bool v3) {
  ModelConfig c;
  c.arch = "deepseek2";
  c.vocab_size = 37, c.hidden_size = 16, c.num_hidden_layers = 2, c.num_attention_heads = 2;
  c.q_lora_rank = v3 ? 12 : 0, c.kv_lora_rank = 8, c.qk_nope_head_dim = 4, c.qk_rope_head_dim = 4;
  c.v_head_dim = 4, c.intermediate_size = 24, c.moe_intermediate_size = 8, c.n_routed_experts = 8;
  c.n_shared_experts = v3 ? 1 : 2, c.num_experts_per_tok = v3 ? 3 : 2, c.first_k_dense_replace = 1;
  c.scoring_func = v3 ? "sigmoid" : "softmax", c.topk_method = v3 ? "noaux_tc" : "greedy";
  c.n_group = v3 ? 4 : 1, c.topk_group = v3 ? 2 : 1, c.norm_topk_prob = v3, c.routed_scaling_factor = v3 ? 2.5 : 1.0;
  c.num_nextn_predict_layers = v3 ? 1 : 0;
  if (v3) {
    c.rope_scaling.yarn = true, c.rope_scaling.factor = 4, c.rope_scaling.original_max_position_embeddings = 16;
    c.rope_scaling.mscale = 1, c.rope_scaling.mscale_all_dim = 1;
  }
  return c;
}

// One block's parameters in a flat buffer (the TrainModel layout), randomly initialised.
struct Flat {
  std::vector<ParamInfo> info;
  std::vector<float> p, g, bias;
  ModelParams mp;
  explicit Flat(const ModelConfig& c) {
    info = train_param_layout(c);
    p = randn(info.back().offset + info.back().numel, 21, 0.3f);
    g.assign(p.size(), 0.0f);
    bias = randn(8 * 4, 22, 0.05f);
    mp = bind_params(c, info, p.data(), g.data(), bias.data());
  }
  void check_prefix(const std::string& prefix, const std::function<double()>& loss, const RouteSig& route = nullptr) {
    for (const ParamInfo& pi : info)
      if (pi.name.rfind(prefix, 0) == 0)
        check_grad(pi.name, p.data() + pi.offset, g.data() + pi.offset, pi.numel, loss, 1e-3, 2e-2, route);
  }
};

void mla_case(bool v3) {
  ModelConfig c = small_config(v3);
  Flat f(c);
  ThreadPool pool(2);
  Rope rope(c);
  BlockCtx ctx{c, rope, pool, 2, 5};
  const int64_t N = ctx.N(), D = c.hidden_size;
  auto h = randn(N * D, 23), R = randn(N * D, 24);
  std::vector<float> out(N * D), dh(N * D, 0);
  MlaActs a;
  const MlaParams& p = f.mp.layers[0].mla;
  auto loss = [&] {
    mla_forward(ctx, p, h.data(), a, out.data());
    return dot_loss(out.data(), R);
  };
  loss();
  mla_backward(ctx, p, h.data(), a, R.data(), dh.data());
  check_grad("h", h.data(), dh.data(), h.size(), loss);
  f.check_prefix("model.layers.0.self_attn.", loss);
}

TEST(BackwardFD, MlaWithQCompression) { mla_case(true); }
TEST(BackwardFD, MlaWithoutQCompression) { mla_case(false); }

void moe_case(bool v3) {
  ModelConfig c = small_config(v3);
  Flat f(c);
  ThreadPool pool(2);
  Rope rope(c);
  BlockCtx ctx{c, rope, pool, 2, 6};
  const int64_t N = ctx.N(), D = c.hidden_size, E = c.n_routed_experts;
  auto x = randn(N * D, 25), R = randn(N * D, 26);
  std::vector<float> y(N * D), dx(N * D, 0), ds(N * E, 0);
  std::vector<int64_t> loads(E);
  MoeActs a;
  const MoeParams& p = f.mp.layers[1].moe;
  const double bal = 0.7;  // weight of the balance loss in this test's objective
  auto loss = [&] {
    moe_forward(ctx, p, x.data(), a, y.data(), loads.data());
    return dot_loss(y.data(), R) + bal * balance_loss_forward_backward(ctx, a, 0, nullptr);
  };
  loss();
  balance_loss_forward_backward(ctx, a, bal, ds.data());
  moe_backward(ctx, p, x.data(), a, R.data(), ds.data(), dx.data());
  RouteSig route = [&] { return std::vector<int64_t>(a.idx.begin(), a.idx.end()); };
  check_grad("x", x.data(), dx.data(), x.size(), loss, 1e-3, 2e-2, route);
  f.check_prefix("model.layers.1.mlp.", loss, route);
}

TEST(BackwardFD, MoeSigmoidGroupsSharedNormalised) { moe_case(true); }
TEST(BackwardFD, MoeSoftmaxGreedy) { moe_case(false); }

TEST(BackwardFD, DenseFfn) {
  ModelConfig c = small_config(true);
  Flat f(c);
  const int64_t n = 7, D = c.hidden_size;
  auto x = randn(n * D, 27), R = randn(n * D, 28);
  std::vector<float> y(n * D), dx(n * D, 0);
  FfnActs a;
  const FfnParams& p = f.mp.layers[0].ffn;
  const int64_t F = c.intermediate_size;
  auto loss = [&] {
    ffn_forward(p, F, x.data(), n, D, a, y.data());
    return dot_loss(y.data(), R);
  };
  loss();
  ffn_backward(p, F, x.data(), n, D, a, R.data(), dx.data());
  check_grad("x", x.data(), dx.data(), x.size(), loss);
  f.check_prefix("model.layers.0.mlp.", loss);
}

// Whole model: loss(TrainModel) vs its gradient for every parameter tensor (directional and
// sampled elements). `part` chooses the objective: all of it, only MTP, only balance.
enum class Part { All, Mtp, Balance };

void model_case(bool v3, Part part) {
  ModelConfig c = small_config(v3);
  TrainModel m(c, 3, 0.3);
  for (size_t i = 0; i < m.router_bias().size(); ++i) m.router_bias()[i] = 0.02f * float(i % 5);
  ThreadPool pool(2);
  const int64_t B = 2, T = 7;
  std::vector<int32_t> toks(B * T);
  for (size_t i = 0; i < toks.size(); ++i) toks[i] = int32_t((i * 11 + 3) % c.vocab_size);
  const LossWeights w = part == Part::All   ? LossWeights{0.3, 0.5}
                        : part == Part::Mtp ? LossWeights{1.0, 0.0}
                                            : LossWeights{0.0, 1.0};
  auto loss = [&]() -> double {
    if (part == Part::All) {
      std::vector<float> keep(m.grads(), m.grads() + m.n_params());
      const double l = m.forward_backward(toks.data(), B, T, w, pool).total;
      std::copy(keep.begin(), keep.end(), m.grads());
      return l;
    }
    m.forward(toks.data(), B, T, pool);
    return part == Part::Mtp ? m.last_aux_losses().mtp : m.last_aux_losses().balance;
  };
  m.zero_grad();
  if (part == Part::All) {
    m.forward_backward(toks.data(), B, T, w, pool);
  } else {
    m.forward(toks.data(), B, T, pool);
    std::fill(m.dlogits(), m.dlogits() + B * T * c.vocab_size, 0.0f);  // only the auxiliary term
    m.backward(w, pool);
  }
  for (const ParamInfo& p : m.param_info())
    check_grad(p.name, m.params() + p.offset, m.grads() + p.offset, p.numel, loss, 2e-3, 3e-2, [&] {
      const std::vector<int32_t> r = m.routes();
      return std::vector<int64_t>(r.begin(), r.end());
    });
}

TEST(BackwardFD, WholeModelV3) { model_case(true, Part::All); }
TEST(BackwardFD, WholeModelV2Lite) { model_case(false, Part::All); }
TEST(BackwardFD, MtpLossOnly) { model_case(true, Part::Mtp); }
TEST(BackwardFD, BalanceLossOnly) { model_case(true, Part::Balance); }

}  // namespace
}  // namespace seek
