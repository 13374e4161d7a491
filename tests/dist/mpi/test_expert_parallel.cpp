// Expert parallelism under mpirun: an MoE layer whose experts are split over the ranks (dispatch,
// local experts, combine, and the backward through the same exchanges) must equal the same MoE
// computed by one rank over every rank's tokens with every expert (the reference below, which
// knows nothing of ranks). Every rank regenerates all tokens and experts from seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "dist/comm.h"
#include "dist/expert_parallel.h"

namespace seek {
namespace {

constexpr int64_t D = 8, F = 6, K = 2;

struct Expert {
  std::vector<float> w1, w3, w2;  // [F, D], [F, D], [D, F]
  std::vector<float> g1, g3, g2;  // gradients, same shapes
};

Expert make_expert(int64_t e) {
  std::mt19937 rng(1000 + unsigned(e));
  std::normal_distribution<float> nd(0.0f, 0.4f);
  Expert x;
  for (auto* v : {&x.w1, &x.w3}) v->resize(F * D);
  x.w2.resize(D * F);
  for (auto* v : {&x.w1, &x.w3, &x.w2})
    for (float& f : *v) f = nd(rng);
  x.g1.assign(F * D, 0), x.g3.assign(F * D, 0), x.g2.assign(D * F, 0);
  return x;
}

float silu(float a) { return a / (1 + std::exp(-a)); }

// y = W2 (silu(W1 x) * W3 x)
void expert_forward(const Expert& p, const float* x, float* y) {
  float h[F];
  for (int64_t f = 0; f < F; ++f) {
    float a = 0, b = 0;
    for (int64_t d = 0; d < D; ++d) a += p.w1[f * D + d] * x[d], b += p.w3[f * D + d] * x[d];
    h[f] = silu(a) * b;
  }
  for (int64_t d = 0; d < D; ++d) {
    float s = 0;
    for (int64_t f = 0; f < F; ++f) s += p.w2[d * F + f] * h[f];
    y[d] = s;
  }
}

// dx += d/dx, parameter gradients accumulated into p.g*
void expert_backward(Expert& p, const float* x, const float* dy, float* dx) {
  for (int64_t f = 0; f < F; ++f) {
    float a = 0, b = 0, dh = 0;
    for (int64_t d = 0; d < D; ++d) a += p.w1[f * D + d] * x[d], b += p.w3[f * D + d] * x[d];
    for (int64_t d = 0; d < D; ++d) dh += p.w2[d * F + f] * dy[d];
    const float sg = 1 / (1 + std::exp(-a)), h = a * sg * b;
    for (int64_t d = 0; d < D; ++d) p.g2[d * F + f] += dy[d] * h;
    const float da = dh * b * (sg * (1 + a * (1 - sg))), db = dh * a * sg;
    for (int64_t d = 0; d < D; ++d) {
      p.g1[f * D + d] += da * x[d];
      p.g3[f * D + d] += db * x[d];
      dx[d] += da * p.w1[f * D + d] + db * p.w3[f * D + d];
    }
  }
}

struct Tokens {                 // a slice of the global token list
  std::vector<float> x, w, dy;  // [N, D], [N, K], [N, D]
  std::vector<int32_t> idx;     // [N, K]
};

void make_token(int64_t t, int64_t E, Tokens& out) {
  std::mt19937 rng(77 + unsigned(t));
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (int64_t d = 0; d < D; ++d) out.x.push_back(nd(rng));
  const int32_t a = int32_t(rng() % E), b = int32_t((a + 1 + rng() % (E - 1)) % E);  // distinct
  out.idx.insert(out.idx.end(), {a, b});
  out.w.insert(out.w.end(), {0.3f + 0.1f * float(rng() % 5), 0.6f});
  for (int64_t d = 0; d < D; ++d) out.dy.push_back(nd(rng));
}

struct MoeResult {
  std::vector<float> y, dx, dw;  // [N, D], [N, D], [N, K]
};

// One rank, every token, every expert: y_n = sum_j w_nj E_idx(x_n).
MoeResult reference_moe(const Tokens& t, std::vector<Expert>& experts) {
  const int64_t N = int64_t(t.x.size()) / D;
  MoeResult r;
  r.y.assign(N * D, 0), r.dx.assign(N * D, 0), r.dw.assign(N * K, 0);
  std::vector<float> o(D), dyj(D);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < K; ++j) {
      Expert& e = experts[t.idx[n * K + j]];
      const float w = t.w[n * K + j];
      expert_forward(e, &t.x[n * D], o.data());
      for (int64_t d = 0; d < D; ++d) {
        r.y[n * D + d] += w * o[d];
        r.dw[n * K + j] += t.dy[n * D + d] * o[d];
        dyj[d] = w * t.dy[n * D + d];
      }
      expert_backward(e, &t.x[n * D], dyj.data(), &r.dx[n * D]);
    }
  return r;
}

// This rank's tokens, experts split over ranks.
MoeResult ep_moe(ExpertParallel& ep, const Tokens& t, std::vector<Expert>& experts) {
  const int64_t N = int64_t(t.x.size()) / D;
  EpRoute route;
  std::vector<float> xg;
  ep.dispatch(t.x.data(), t.idx.data(), N, K, D, route, xg);
  const int64_t M = route.rows();
  std::vector<float> yg(M * D);
  for (int64_t i = 0; i < M; ++i) expert_forward(experts[route.group_expert[i]], &xg[i * D], &yg[i * D]);
  std::vector<float> out(N * K * D), d_out(N * K * D);
  ep.combine(route, yg.data(), out.data());
  MoeResult r;
  r.y.assign(N * D, 0), r.dx.assign(N * D, 0), r.dw.assign(N * K, 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < K; ++j)
      for (int64_t d = 0; d < D; ++d) {
        const float w = t.w[n * K + j], o = out[(n * K + j) * D + d], dy = t.dy[n * D + d];
        r.y[n * D + d] += w * o;
        r.dw[n * K + j] += dy * o;
        d_out[(n * K + j) * D + d] = w * dy;
      }
  std::vector<float> dyg(M * D), dxg(M * D, 0.0f);
  ep.combine_backward(route, d_out.data(), dyg.data());
  for (int64_t i = 0; i < M; ++i) {
    const int32_t e = route.group_expert[i];
    EXPECT_EQ(ep.owner(e), Comm::world().rank());
    expert_backward(experts[e], &xg[i * D], &dyg[i * D], &dxg[i * D]);
  }
  ep.dispatch_backward(route, dxg.data(), r.dx.data());
  return r;
}

void expect_near(const std::vector<float>& a, const std::vector<float>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], 1e-5f * (1 + std::fabs(b[i]))) << what << " [" << i << "]";
}

void run_case(const std::vector<int64_t>& tokens_per_rank) {
  Comm& c = Comm::world();
  const int R = c.size();
  ASSERT_EQ(int64_t(tokens_per_rank.size()), int64_t(R));
  const int64_t E = 2 * R;
  ExpertParallel ep(c, E);
  EXPECT_EQ(ep.n_local(), 2);
  Tokens all, mine;
  int64_t t0 = 0, g = 0;  // t0: this rank's first global token
  for (int q = 0; q < R; ++q) {
    if (q == c.rank()) t0 = g;
    for (int64_t i = 0; i < tokens_per_rank[q]; ++i, ++g) {
      make_token(g, E, all);
      if (q == c.rank()) make_token(g, E, mine);
    }
  }
  std::vector<Expert> ref_experts, ep_experts;
  for (int64_t e = 0; e < E; ++e) ref_experts.push_back(make_expert(e)), ep_experts.push_back(make_expert(e));
  const MoeResult want_all = reference_moe(all, ref_experts);
  const MoeResult got = ep_moe(ep, mine, ep_experts);
  const int64_t N = tokens_per_rank[c.rank()];
  auto slice = [&](const std::vector<float>& v, int64_t w) {
    return std::vector<float>(v.begin() + t0 * w, v.begin() + (t0 + N) * w);
  };
  expect_near(got.y, slice(want_all.y, D), "y");
  expect_near(got.dx, slice(want_all.dx, D), "d_x");
  expect_near(got.dw, slice(want_all.dw, K), "d_w");
  // an owned expert's gradient is complete on its rank: every token that chose it came here
  for (int64_t e = ep.first_local(); e < ep.first_local() + ep.n_local(); ++e) {
    expect_near(ep_experts[e].g1, ref_experts[e].g1, "expert w1 grad");
    expect_near(ep_experts[e].g2, ref_experts[e].g2, "expert w2 grad");
    expect_near(ep_experts[e].g3, ref_experts[e].g3, "expert w3 grad");
  }
}

TEST(ExpertParallel, ForwardBackwardEqualsOneRankMoe) {
  std::vector<int64_t> n;
  for (int q = 0; q < Comm::world().size(); ++q) n.push_back(5 + 4 * q);
  run_case(n);
}

TEST(ExpertParallel, RankWithNoTokens) {
  std::vector<int64_t> n;
  for (int q = 0; q < Comm::world().size(); ++q) n.push_back(q == 1 ? 0 : 9);
  run_case(n);
}

TEST(ExpertParallel, BadInputThrows) {
  Comm& c = Comm::world();
  EXPECT_THROW(ExpertParallel(c, 2 * c.size() + 1), UsageError);
  ExpertParallel ep(c, 2 * c.size());
  EpRoute r;
  std::vector<float> x(D), xg;
  std::vector<int32_t> bad = {0, int32_t(2 * c.size())};
  EXPECT_THROW(ep.dispatch(x.data(), bad.data(), 1, K, D, r, xg), Error);  // before any exchange
}

}  // namespace
}  // namespace seek
