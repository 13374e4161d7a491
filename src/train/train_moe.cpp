// Dense SwiGLU FFN and DeepSeekMoE forward/backward for training (deepseek.md 2.2, 2.4).
// Routing reuses model/moe_gate.h (the bias and group mask only choose experts); the gating
// weights are recomputed here from the unbiased scores so they carry the gradient back to the
// router: w_j = rsf * s_j (/ sum_k s_k with norm_topk_prob and k > 1, as train_ref.py).
// The routed experts run here (every expert local) or, with MoeParams.ep, on their owner ranks
// through dist's all-to-all (expert parallelism); routing, gating and the weighted sum stay home.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "core/numeric.h"
#include "model/moe_gate.h"
#include "train/train_layers.h"
#include "train/train_ops.h"

namespace seek {

namespace {

// SwiGLU on n rows with caller-owned activations g, u, a [n, F]; y [n, D] overwritten. pool:
// products and element-wise work split across its threads; null: all on this thread.
void swiglu_rows_forward(const FfnParams& p, int64_t F, const float* x, int64_t n, int64_t D, float* g, float* u,
                         float* a, float* y, ThreadPool* pool) {
  linear_forward(x, p.w1.w, g, n, D, F, pool);
  linear_forward(x, p.w3.w, u, n, D, F, pool);
  swiglu_forward(g, u, a, n * F, pool);
  linear_forward(a, p.w2.w, y, n, F, D, pool);
}

void swiglu_rows_backward(const FfnParams& p, int64_t F, const float* x, int64_t n, int64_t D, const float* g,
                          const float* u, const float* a, const float* dy, float* dx, ThreadPool* pool) {
  if (n == 0) return;
  std::vector<float> da(n * F, 0.0f), dg(n * F, 0.0f), du(n * F, 0.0f);
  linear_backward(dy, a, p.w2.w, da.data(), p.w2.g, n, F, D, pool);
  swiglu_backward(da.data(), g, u, dg.data(), du.data(), n * F, pool);
  linear_backward(dg.data(), x, p.w1.w, dx, p.w1.g, n, D, F, pool);
  linear_backward(du.data(), x, p.w3.w, dx, p.w3.g, n, D, F, pool);
}

// fn(e) for each expert e < E with rows (start[e+1] > start[e]), whole experts handed out to the
// pool's threads (each expert's products single-threaded): its weight gradients and its rows of
// the grouped buffers belong to one thread, and a thread is never idle between small products.
// Largest experts first, so the last ones to finish are short.
void for_each_expert(ThreadPool& pool, int64_t E, const int64_t* start, const std::function<void(int64_t)>& fn) {
  std::vector<int64_t> order;
  for (int64_t e = 0; e < E; ++e)
    if (start[e + 1] > start[e]) order.push_back(e);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return start[x + 1] - start[x] > start[y + 1] - start[y]; });
  pool.parallel_for(int64_t(order.size()), 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) fn(order[i]);
  });
}

bool normalizes(const ModelConfig& c) { return c.norm_topk_prob && c.num_experts_per_tok > 1; }

// Every expert here: the N*K (token, choice) rows grouped by expert, one SwiGLU per expert,
// outputs scattered back to a.out [N, K, D].
void routed_forward_local(const MoeParams& p, const float* x, int64_t N, int64_t K, int64_t D, int64_t F, MoeActs& a,
                          ThreadPool& pool) {
  const int64_t E = int64_t(p.experts.size());
  a.start.assign(E + 1, 0);
  for (int64_t i = 0; i < N * K; ++i) ++a.start[a.idx[i] + 1];
  for (int64_t e = 0; e < E; ++e) a.start[e + 1] += a.start[e];
  a.row_token.resize(N * K), a.row_slot.resize(N * K);
  std::vector<int64_t> fill(a.start.begin(), a.start.end() - 1);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < K; ++j) {
      const int64_t row = fill[a.idx[n * K + j]]++;
      a.row_token[row] = static_cast<int32_t>(n), a.row_slot[row] = static_cast<int32_t>(j);
    }
  grow(a.xg, N * K * D), grow(a.experts.g, N * K * F), grow(a.experts.u, N * K * F), grow(a.experts.a, N * K * F);
  grow(a.out, N * K * D);
  for (int64_t row = 0; row < N * K; ++row)
    std::memcpy(a.xg.data() + row * D, x + int64_t(a.row_token[row]) * D, sizeof(float) * D);
  std::vector<float> ye(N * K * D);
  for_each_expert(pool, E, a.start.data(), [&](int64_t e) {
    const int64_t r0 = a.start[e], n = a.start[e + 1] - r0;
    swiglu_rows_forward(p.experts[e], F, a.xg.data() + r0 * D, n, D, a.experts.g.data() + r0 * F,
                        a.experts.u.data() + r0 * F, a.experts.a.data() + r0 * F, ye.data() + r0 * D, nullptr);
  });
  for (int64_t row = 0; row < N * K; ++row)
    std::memcpy(a.out.data() + (int64_t(a.row_token[row]) * K + a.row_slot[row]) * D, ye.data() + row * D,
                sizeof(float) * D);
}

// Expert parallelism (DeepSeek-V3 EP): dispatch sends each row to its expert's rank, which runs
// the M rows it received grouped by its own experts; combine brings the outputs home to a.out.
void routed_forward_ep(ExpertParallel& ep, const MoeParams& p, const float* x, int64_t N, int64_t K, int64_t D,
                       int64_t F, MoeActs& a, ThreadPool& pool) {
  ep.dispatch(x, a.idx.data(), N, K, D, a.route, a.xg);
  const int64_t M = a.route.rows();
  grow(a.experts.g, M * F), grow(a.experts.u, M * F), grow(a.experts.a, M * F), grow(a.out, N * K * D);
  std::vector<float> ye(M * D);
  for_each_expert(pool, ep.n_local(), a.route.expert_start.data(), [&](int64_t e) {
    const int64_t r0 = a.route.expert_start[e], n = a.route.expert_start[e + 1] - r0;
    swiglu_rows_forward(p.experts[ep.first_local() + e], F, a.xg.data() + r0 * D, n, D, a.experts.g.data() + r0 * F,
                        a.experts.u.data() + r0 * F, a.experts.a.data() + r0 * F, ye.data() + r0 * D, nullptr);
  });
  ep.combine(a.route, ye.data(), a.out.data());
}

// d out_(n,j) = w_nj dy_n, gathered in expert order; dx += the experts' input gradients.
void routed_backward_local(const MoeParams& p, const float* dy, int64_t N, int64_t K, int64_t D, int64_t F,
                           const MoeActs& a, float* dx, ThreadPool& pool) {
  const int64_t E = int64_t(p.experts.size());
  std::vector<float> dye(N * K * D), dxg(N * K * D, 0.0f);
  for (int64_t row = 0; row < N * K; ++row) {
    const int64_t n = a.row_token[row], j = a.row_slot[row];
    const float wj = a.w[n * K + j];
    for (int64_t i = 0; i < D; ++i) dye[row * D + i] = wj * dy[n * D + i];
  }
  for_each_expert(pool, E, a.start.data(), [&](int64_t e) {
    const int64_t r0 = a.start[e], n = a.start[e + 1] - r0;
    swiglu_rows_backward(p.experts[e], F, a.xg.data() + r0 * D, n, D, a.experts.g.data() + r0 * F,
                         a.experts.u.data() + r0 * F, a.experts.a.data() + r0 * F, dye.data() + r0 * D,
                         dxg.data() + r0 * D, nullptr);
  });
  for (int64_t row = 0; row < N * K; ++row) {
    float* d = dx + int64_t(a.row_token[row]) * D;
    for (int64_t i = 0; i < D; ++i) d[i] += dxg[row * D + i];
  }
}

// The forward's route reversed: d out travels to the experts' ranks (combine_backward), their
// backward gives d x_grouped and the owned experts' weight gradients (complete here: every row
// that chose them came here), and dispatch_backward brings d x home, summing each token's K slots.
void routed_backward_ep(ExpertParallel& ep, const MoeParams& p, const float* dy, int64_t N, int64_t K, int64_t D,
                        int64_t F, MoeActs& a, float* dx, ThreadPool& pool) {
  const int64_t M = a.route.rows();
  std::vector<float> d_out(N * K * D), dyg(M * D), dxg(M * D, 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < K; ++j) {
      const float wj = a.w[n * K + j];
      float* d = d_out.data() + (n * K + j) * D;
      for (int64_t i = 0; i < D; ++i) d[i] = wj * dy[n * D + i];
    }
  ep.combine_backward(a.route, d_out.data(), dyg.data());
  for_each_expert(pool, ep.n_local(), a.route.expert_start.data(), [&](int64_t e) {
    const int64_t r0 = a.route.expert_start[e], n = a.route.expert_start[e + 1] - r0;
    swiglu_rows_backward(p.experts[ep.first_local() + e], F, a.xg.data() + r0 * D, n, D, a.experts.g.data() + r0 * F,
                         a.experts.u.data() + r0 * F, a.experts.a.data() + r0 * F, dyg.data() + r0 * D,
                         dxg.data() + r0 * D, nullptr);
  });
  ep.dispatch_backward(a.route, dxg.data(), dx);
}

}  // namespace

void ffn_forward(const FfnParams& p, int64_t F, const float* x, int64_t n, int64_t D, FfnActs& a, float* y,
                 ThreadPool* pool) {
  grow(a.g, n * F), grow(a.u, n * F), grow(a.a, n * F);
  swiglu_rows_forward(p, F, x, n, D, a.g.data(), a.u.data(), a.a.data(), y, pool);
}

void ffn_backward(const FfnParams& p, int64_t F, const float* x, int64_t n, int64_t D, const FfnActs& a,
                  const float* dy, float* dx, ThreadPool* pool) {
  swiglu_rows_backward(p, F, x, n, D, a.g.data(), a.u.data(), a.a.data(), dy, dx, pool);
}

void moe_forward(const BlockCtx& ctx, const MoeParams& p, const float* x, MoeActs& a, float* y, int64_t* loads) {
  const ModelConfig& c = ctx.c;
  const int64_t N = ctx.N(), D = c.hidden_size, E = c.n_routed_experts, K = c.num_experts_per_tok;
  std::vector<float> logits(N * E);
  linear_forward(x, p.gate.w, logits.data(), N, D, E, &ctx.pool);
  grow(a.scores, N * E), grow(a.w, N * K);
  a.idx.resize(N * K);
  ctx.pool.parallel_for(N, 8, [&](int64_t b, int64_t e) {
    std::vector<float> scratch(2 * E), unused(K);
    for (int64_t n = b; n < e; ++n) {
      const float* l = logits.data() + n * E;
      float* s = a.scores.data() + n * E;
      int32_t* idx = a.idx.data() + n * K;
      moe_route(l, p.gate_bias.w, c, idx, unused.data(), scratch.data());
      std::memcpy(s, scratch.data(), sizeof(float) * E);  // moe_route leaves the unbiased scores first
      double sum = 0;
      for (int64_t j = 0; j < K; ++j) sum += s[idx[j]];
      for (int64_t j = 0; j < K; ++j) {
        const double wj = normalizes(c) ? s[idx[j]] / sum : s[idx[j]];
        a.w[n * K + j] = static_cast<float>(wj * c.routed_scaling_factor);
      }
    }
  });
  for (int64_t i = 0; i < N * K; ++i) ++loads[a.idx[i]];
  if (ctx.ep) {
    routed_forward_ep(*ctx.ep, p, x, N, K, D, c.moe_intermediate_size, a, ctx.pool);
  } else {
    routed_forward_local(p, x, N, K, D, c.moe_intermediate_size, a, ctx.pool);
  }
  const int64_t F_shared = c.n_shared_experts * c.moe_intermediate_size;
  if (F_shared > 0) {
    ffn_forward(p.shared, F_shared, x, N, D, a.shared, y, &ctx.pool);
  } else {
    std::memset(y, 0, sizeof(float) * N * D);
  }
  ctx.pool.parallel_for(N, 16, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n)
      for (int64_t j = 0; j < K; ++j) {
        const float wj = a.w[n * K + j];
        const float* o = a.out.data() + (n * K + j) * D;
        for (int64_t i = 0; i < D; ++i) y[n * D + i] += wj * o[i];
      }
  });
}

void moe_backward(const BlockCtx& ctx, const MoeParams& p, const float* x, MoeActs& a, const float* dy,
                  const float* d_scores, float* dx) {
  const ModelConfig& c = ctx.c;
  const int64_t N = ctx.N(), D = c.hidden_size, E = c.n_routed_experts, K = c.num_experts_per_tok;
  const int64_t F = c.moe_intermediate_size;
  const int64_t F_shared = c.n_shared_experts * c.moe_intermediate_size;
  if (F_shared > 0) ffn_backward(p.shared, F_shared, x, N, D, a.shared, dy, dx, &ctx.pool);
  if (ctx.ep) {
    routed_backward_ep(*ctx.ep, p, dy, N, K, D, F, a, dx, ctx.pool);
  } else {
    routed_backward_local(p, dy, N, K, D, F, a, dx, ctx.pool);
  }
  // gate: weights -> scores -> router logits
  std::vector<float> dlogits(N * E);
  const double rsf = c.routed_scaling_factor;
  ctx.pool.parallel_for(N, 8, [&](int64_t b, int64_t e) {
    std::vector<double> ds(E), dw(K);
    for (int64_t n = b; n < e; ++n) {
      const float* s = a.scores.data() + n * E;
      const int32_t* idx = a.idx.data() + n * K;
      for (int64_t i = 0; i < E; ++i) ds[i] = d_scores ? d_scores[n * E + i] : 0.0;
      for (int64_t j = 0; j < K; ++j) {
        const float* o = a.out.data() + (n * K + j) * D;
        double acc = 0;
        for (int64_t i = 0; i < D; ++i) acc += double(dy[n * D + i]) * o[i];
        dw[j] = acc;
      }
      if (normalizes(c)) {  // w_j = rsf s_j / S: ds_j = rsf (dw_j / S - sum_k dw_k s_k / S^2)
        double S = 0, dot = 0;
        for (int64_t j = 0; j < K; ++j) S += s[idx[j]], dot += dw[j] * s[idx[j]];
        for (int64_t j = 0; j < K; ++j) ds[idx[j]] += rsf * (dw[j] / S - dot / (S * S));
      } else {
        for (int64_t j = 0; j < K; ++j) ds[idx[j]] += rsf * dw[j];
      }
      float* dl = dlogits.data() + n * E;
      if (c.scoring_func == "sigmoid") {
        for (int64_t i = 0; i < E; ++i) dl[i] = static_cast<float>(ds[i] * s[i] * (1.0 - s[i]));
      } else {
        double dot = 0;
        for (int64_t i = 0; i < E; ++i) dot += ds[i] * s[i];
        for (int64_t i = 0; i < E; ++i) dl[i] = static_cast<float>(s[i] * (ds[i] - dot));
      }
    }
  });
  linear_backward(dlogits.data(), x, p.gate.w, dx, p.gate.g, N, D, E, &ctx.pool);
}

double balance_loss_forward_backward(const BlockCtx& ctx, const MoeActs& a, double coef, float* d_scores) {
  const ModelConfig& c = ctx.c;
  const int64_t T = ctx.T, E = c.n_routed_experts, K = c.num_experts_per_tok;
  double total = 0;
  std::vector<double> f(E), P(E);
  for (int64_t b = 0; b < ctx.B; ++b) {
    std::fill(f.begin(), f.end(), 0.0), std::fill(P.begin(), P.end(), 0.0);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < K; ++j) f[a.idx[(b * T + t) * K + j]] += double(E) / double(K * T);
    for (int64_t t = 0; t < T; ++t) {
      const float* s = a.scores.data() + (b * T + t) * E;
      double Z = 0;
      for (int64_t i = 0; i < E; ++i) Z += s[i];
      for (int64_t i = 0; i < E; ++i) P[i] += s[i] / Z / double(T);
      if (!d_scores) continue;
      // s^_i = s_i / Z: ds_j = (ds^_j - sum_i ds^_i s^_i) / Z, with ds^_i = coef f_i / T
      double dot = 0;
      for (int64_t i = 0; i < E; ++i) dot += coef * f[i] / double(T) * s[i] / Z;
      float* d = d_scores + (b * T + t) * E;
      for (int64_t i = 0; i < E; ++i) d[i] += static_cast<float>((coef * f[i] / double(T) - dot) / Z);
    }
    for (int64_t i = 0; i < E; ++i) total += f[i] * P[i];
  }
  return total;
}

}  // namespace seek
