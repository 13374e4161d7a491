// DeepSeekMoE (deepseek.md 2.2): route each token, then run every selected expert once over all
// the tokens that chose it (its weights streamed once per step), scatter-add the weighted
// outputs, and add the shared experts.
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/matmul.h"
#include "model/layers.h"
#include "model/moe_gate.h"
#include "model/ops.h"

namespace seek {

namespace {

// How far the routing choice was from flipping: the lowest selection score among the chosen
// experts minus the highest among the others (sel: moe_route's biased, group-masked scores).
float selection_margin(const float* sel, int64_t E, const int32_t* idx, int64_t K) {
  float chosen = sel[idx[0]], other = -std::numeric_limits<float>::infinity();
  for (int64_t j = 1; j < K; ++j) chosen = std::min(chosen, sel[idx[j]]);
  for (int64_t e = 0; e < E; ++e)
    if (std::find(idx, idx + K, static_cast<int32_t>(e)) == idx + K) other = std::max(other, sel[e]);
  return chosen - other;
}

// The routed and shared experts of a small batch in two parallel regions: every selected
// expert's gate and up projections (and the shared expert's) together, then every down
// projection. Same products and summation order as the per-expert loop below, so the same bits;
// a decode step then waits on 2 regions per MoE layer instead of 3 per expert.
void experts_grouped(const ForwardCtx& ctx, const MoeWeights& w, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  Workspace& ws = ctx.ws;
  const int64_t N = ctx.batch.size(), D = c.hidden_size, E = c.n_routed_experts, K = c.num_experts_per_tok;
  struct Used {
    int64_t e, off, m, F;
  };
  thread_local std::vector<Used> used_buf;
  thread_local std::vector<MatmulJob> jobs_buf;
  std::vector<Used>& used = used_buf;
  std::vector<MatmulJob>& jobs = jobs_buf;
  used.clear();
  jobs.clear();
  int64_t off = 0, goff = 0;  // rows so far; gate / up values so far
  for (int64_t e = 0; e < E; ++e) {
    int64_t m = 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < K; ++j)
        if (ws.expert_idx[n * K + j] == e) ws.expert_rows[off + m++] = static_cast<int32_t>(n * K + j);
    if (m == 0) continue;
    const FfnWeights& f = w.experts[e];
    const int64_t F = f.w1.shape[0];
    float* x = ws.moe_x.data() + off * D;
    for (int64_t i = 0; i < m; ++i) std::memcpy(x + i * D, h + (ws.expert_rows[off + i] / K) * D, sizeof(float) * D);
    jobs.push_back({&f.w1, x, m, ws.moe_g.data() + goff});
    jobs.push_back({&f.w3, x, m, ws.moe_u.data() + goff});
    used.push_back({e, off, m, F});
    off += m;
    goff += m * F;
  }
  const bool shared = c.n_shared_experts > 0;
  if (shared) {
    jobs.push_back({&w.shared.w1, h, N, ws.ffn_g.data()});
    jobs.push_back({&w.shared.w3, h, N, ws.ffn_u.data()});
  }
  matmul_group(jobs.data(), static_cast<int>(jobs.size()), ctx.pool);
  silu_mul(ws.moe_g.data(), ws.moe_u.data(), goff);
  if (shared) silu_mul(ws.ffn_g.data(), ws.ffn_u.data(), N * w.shared.w1.shape[0]);
  jobs.clear();
  goff = 0;
  for (const Used& u : used) {
    jobs.push_back({&w.experts[u.e].w2, ws.moe_g.data() + goff, u.m, ws.moe_y.data() + u.off * D});
    goff += u.m * u.F;
  }
  if (shared) jobs.push_back({&w.shared.w2, ws.ffn_g.data(), N, out});
  matmul_group(jobs.data(), static_cast<int>(jobs.size()), ctx.pool);
  if (!shared) std::memset(out, 0, sizeof(float) * N * D);
  for (const Used& u : used)
    for (int64_t i = 0; i < u.m; ++i) {
      const int32_t row = ws.expert_rows[u.off + i];
      axpy(ws.expert_w[row], ws.moe_y.data() + (u.off + i) * D, out + (row / K) * D, D);
    }
}

}  // namespace

void moe_forward(const ForwardCtx& ctx, const MoeWeights& w, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  Workspace& ws = ctx.ws;
  const int64_t N = ctx.batch.size(), D = c.hidden_size, E = c.n_routed_experts, K = c.num_experts_per_tok;

  // Router in f32, then exact routing per token.
  matmul(w.gate, h, N, ws.router.data(), ctx.pool);
  const float* bias = w.gate_bias.ndim ? w.gate_bias.as<float>() : nullptr;
  float* scratch = ws.router.data() + N * E;
  for (int64_t n = 0; n < N; ++n) {
    float route_scratch[1024];
    float* rs = 2 * E <= 1024 ? route_scratch : scratch;  // E > 512 is not a DeepSeek config
    moe_route(ws.router.data() + n * E, bias, c, ws.expert_idx.data() + n * K, ws.expert_w.data() + n * K, rs);
    if (ws.route_margin_log)
      ws.route_margin_log->push_back(selection_margin(rs + E, E, ws.expert_idx.data() + n * K, K));
  }
  if (ws.route_log) ws.route_log->insert(ws.route_log->end(), ws.expert_idx.begin(), ws.expert_idx.begin() + N * K);

  if (N <= kGroupedMoeTokens && static_cast<int64_t>(ws.moe_x.size()) >= N * K * D) {
    experts_grouped(ctx, w, h, out);
    return;
  }

  // Shared experts first: out = shared(h), or zero.
  if (c.n_shared_experts > 0) ffn_forward(ctx, w.shared, h, out, N);
  else std::memset(out, 0, sizeof(float) * N * D);

  // Group (token, slot-in-top-k) pairs by expert, in token order within each expert.
  for (int64_t e = 0; e < E; ++e) {
    int64_t m = 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < K; ++j)
        if (ws.expert_idx[n * K + j] == e) ws.expert_rows[m++] = static_cast<int32_t>(n * K + j);
    if (m == 0) continue;
    for (int64_t i = 0; i < m; ++i)
      std::memcpy(ws.expert_x.data() + i * D, h + (ws.expert_rows[i] / K) * D, sizeof(float) * D);
    ffn_forward(ctx, w.experts[e], ws.expert_x.data(), ws.expert_y.data(), m);
    for (int64_t i = 0; i < m; ++i) {
      const int32_t row = ws.expert_rows[i];
      axpy(ws.expert_w[row], ws.expert_y.data() + i * D, out + (row / K) * D, D);
    }
  }
}

}  // namespace seek
