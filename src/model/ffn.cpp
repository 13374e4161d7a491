// The dense SwiGLU FFN w2(silu(w1 x) * w3 x); DeepSeekMoE runs it per expert (moe.cpp).
#include <cstring>

#include "kernels/matmul.h"
#include "model/layers.h"
#include "model/ops.h"

namespace seek {

void ffn_forward(const ForwardCtx& ctx, const FfnWeights& w, const float* h, float* out, int64_t n_tokens) {
  Workspace& ws = ctx.ws;
  const int64_t F = w.w1.shape[0];
  matmul(w.w1, h, n_tokens, ws.ffn_g.data(), ctx.pool);
  matmul(w.w3, h, n_tokens, ws.ffn_u.data(), ctx.pool);
  silu_mul(ws.ffn_g.data(), ws.ffn_u.data(), n_tokens * F);
  matmul(w.w2, ws.ffn_g.data(), n_tokens, out, ctx.pool);
}

}  // namespace seek
