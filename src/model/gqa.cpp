// Grouped-query attention of the dense distill models (Qwen2: q/k/v biases; Llama: none; Qwen3:
// per-head RMSNorm of q and k before RoPE).
// Cache row per token: K of every KV head, then V of every KV head.
#include <cmath>
#include <cstring>
#include <vector>

#include "core/numeric.h"
#include "kernels/matmul.h"
#include "model/layers.h"
#include "model/ops.h"

namespace seek {

void gqa_forward(const ForwardCtx& ctx, const GqaWeights& w, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  Workspace& ws = ctx.ws;
  const int64_t N = ctx.batch.size(), H = c.num_attention_heads, KV = c.num_key_value_heads, hd = c.head_dim;
  const int64_t kvw = KV * hd;
  const MatmulJob qkv[3] = {
      {&w.wq, h, N, ws.q.data()}, {&w.wk, h, N, ws.kv.data()}, {&w.wv, h, N, ws.kv.data() + N * kvw}};
  matmul_group(qkv, 3, ctx.pool);           // one region, h packed once
  std::vector<float>& entry = ws.kv_entry;  // one cache entry before it is stored
  entry.resize(static_cast<size_t>(2 * kvw));
  for (int64_t n = 0; n < N; ++n) {
    float* q = ws.q.data() + n * H * hd;
    float* k = ws.kv.data() + n * kvw;
    const float* v = ws.kv.data() + N * kvw + n * kvw;
    if (w.bq.ndim != 0) {
      add_inplace(q, w.bq.as<float>(), H * hd);
      add_inplace(k, w.bk.as<float>(), kvw);
    }
    if (c.qk_norm) {
      const float eps = static_cast<float>(c.rms_norm_eps);
      for (int64_t h = 0; h < H; ++h) rmsnorm(q + h * hd, w.q_norm.as<float>(), q + h * hd, hd, eps);
      for (int64_t h = 0; h < KV; ++h) rmsnorm(k + h * hd, w.k_norm.as<float>(), k + h * hd, hd, eps);
    }
    const int64_t pos = ctx.batch.positions[n];
    ctx.rope.apply(q, H, hd, pos);
    ctx.rope.apply(k, KV, hd, pos);
    std::memcpy(entry.data(), k, sizeof(float) * kvw);
    std::memcpy(entry.data() + kvw, v, sizeof(float) * kvw);
    if (w.bv.ndim != 0) add_inplace(entry.data() + kvw, w.bv.as<float>(), kvw);
    ctx.cache.store(ctx.cache_layer, ctx.batch.slots[n], pos, entry.data());
  }
  const std::vector<const float*>& hist = cache_history(ctx);
  const float scale = static_cast<float>(c.softmax_scale());
  const int64_t group = H / KV;
  for_each_token_head(ctx, H, [&](int64_t n, int64_t head, float* p) {
    const int64_t pos = ctx.batch.positions[n], kvh = head / group;
    const float* q = ws.q.data() + (n * H + head) * hd;
    const float* e = hist[n];  // [pos + 1, 2 * kvw]
    for (int64_t t = 0; t <= pos; ++t) p[t] = dot(q, e + t * 2 * kvw + kvh * hd, hd) * scale;
    softmax_inplace(p, pos + 1);
    float* o = ws.attn.data() + (n * H + head) * hd;
    std::memset(o, 0, sizeof(float) * hd);
    for (int64_t t = 0; t <= pos; ++t) axpy(p[t], e + t * 2 * kvw + kvw + kvh * hd, o, hd);
  });
  matmul(w.wo, ws.attn.data(), N, out, ctx.pool);
}

}  // namespace seek
