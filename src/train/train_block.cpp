// The pre-norm transformer block of DeepSeek-V2/V3 for training: x + MLA(norm x), then
// + FFN or MoE(norm x) (deepseek.md 2.x; tools/ref/deepseek.py block()).
#include <algorithm>
#include <cstring>

#include "core/numeric.h"
#include "train/train_layers.h"
#include "train/train_ops.h"

namespace seek {

void block_forward(const BlockCtx& ctx, const BlockParams& p, const float* x_in, BlockActs& a, float* x_out,
                   int64_t* loads) {
  const int64_t N = ctx.N(), D = ctx.c.hidden_size;
  const float eps = static_cast<float>(ctx.c.rms_norm_eps);
  grow(a.x_in, N * D), grow(a.h1, N * D), grow(a.rstd1, N), grow(a.x_mid, N * D), grow(a.h2, N * D);
  grow(a.rstd2, N);
  std::memcpy(a.x_in.data(), x_in, sizeof(float) * N * D);
  rmsnorm_forward(a.x_in.data(), p.attn_norm.w, a.h1.data(), a.rstd1.data(), N, D, eps, ctx.pool);
  std::vector<float> y(N * D);
  mla_forward(ctx, p.mla, a.h1.data(), a.attn, y.data());
  for (int64_t i = 0; i < N * D; ++i) a.x_mid[i] = a.x_in[i] + y[i];
  rmsnorm_forward(a.x_mid.data(), p.ffn_norm.w, a.h2.data(), a.rstd2.data(), N, D, eps, ctx.pool);
  if (p.is_moe) {
    moe_forward(ctx, p.moe, a.h2.data(), a.moe, y.data(), loads);
  } else {
    ffn_forward(p.ffn, ctx.c.intermediate_size, a.h2.data(), N, D, a.mlp, y.data(), &ctx.pool);
  }
  for (int64_t i = 0; i < N * D; ++i) x_out[i] = a.x_mid[i] + y[i];
}

void block_backward(const BlockCtx& ctx, const BlockParams& p, BlockActs& a, const float* d_scores, float* dx) {
  const int64_t N = ctx.N(), D = ctx.c.hidden_size;
  std::vector<float> dh(N * D, 0.0f);
  if (p.is_moe) {
    moe_backward(ctx, p.moe, a.h2.data(), a.moe, dx, d_scores, dh.data());
  } else {
    ffn_backward(p.ffn, ctx.c.intermediate_size, a.h2.data(), N, D, a.mlp, dx, dh.data(), &ctx.pool);
  }
  rmsnorm_backward(dh.data(), a.x_mid.data(), p.ffn_norm.w, a.rstd2.data(), dx, p.ffn_norm.g, N, D, ctx.pool);
  std::fill(dh.begin(), dh.end(), 0.0f);
  mla_backward(ctx, p.mla, a.h1.data(), a.attn, dx, dh.data());
  rmsnorm_backward(dh.data(), a.x_in.data(), p.attn_norm.w, a.rstd1.data(), dx, p.attn_norm.g, N, D, ctx.pool);
}

}  // namespace seek
