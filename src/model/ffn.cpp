// The dense SwiGLU FFN w2(silu(w1 x) * w3 x); DeepSeekMoE runs it per expert (moe.cpp).
#include <cstring>

#include "kernels/matmul.h"
#include "model/layers.h"
#include "model/ops.h"

namespace seek {

void ffn_forward(const ForwardCtx& ctx, const FfnWeights& w, const float* h, float* out, int64_t n_tokens) {
  Workspace& ws = ctx.ws;
  const int64_t F = w.w1.shape[0];
  const MatmulJob gate_up[2] = {{&w.w1, h, n_tokens, ws.ffn_g.data()}, {&w.w3, h, n_tokens, ws.ffn_u.data()}};
  matmul_group(gate_up, 2, ctx.pool);  // one region, h packed once
  silu_mul(ws.ffn_g.data(), ws.ffn_u.data(), n_tokens * F);
  matmul(w.w2, ws.ffn_g.data(), n_tokens, out, ctx.pool);
}

}  // namespace seek
