// Multi-head Latent Attention (deepseek.md 2.1, DeepSeek-V2 paper section 2.1).
// Cache only c_kv = kv_norm(latent) and rope(k_pe); attend either through the absorbed
// projections (q_lat = W_UK^T q_nope, score against c_kv, o = W_UV (sum p c_kv)) or, as an
// oracle, by materialising each head's K and V from the latent. Both use 1/sqrt(192)*mscale^2.
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/numeric.h"
#include "kernels/matmul.h"
#include "kernels/quant/activations.h"
#include "model/layers.h"
#include "model/ops.h"

namespace seek {

namespace {

// Queries [N, H*(nope+rope)] with rope applied; writes the new latent cache entries.
void mla_project(const ForwardCtx& ctx, const MlaWeights& w, const float* h) {
  const ModelConfig& c = ctx.config;
  Workspace& ws = ctx.ws;
  const int64_t N = ctx.batch.size(), H = c.num_attention_heads, qk = c.qk_head_dim();
  const int64_t r = c.kv_lora_rank, rope = c.qk_rope_head_dim;
  const float eps = static_cast<float>(c.rms_norm_eps);
  // The two projections of h in one region: q_a (or q) and the kv latent.
  const bool lora = c.q_lora_rank > 0;
  const MatmulJob from_h[2] = {{lora ? &w.wq_a : &w.wq, h, N, lora ? ws.q_a.data() : ws.q.data()},
                               {&w.wkv_a, h, N, ws.kv.data()}};
  matmul_group(from_h, 2, ctx.pool);
  if (lora) {
    for (int64_t n = 0; n < N; ++n) {
      float* qa = ws.q_a.data() + n * c.q_lora_rank;
      rmsnorm(qa, w.q_norm.as<float>(), qa, c.q_lora_rank, eps);
    }
    matmul(w.wq_b, ws.q_a.data(), N, ws.q.data(), ctx.pool);
  }
  std::vector<float>& entry = ws.kv_entry;  // one cache entry before it is stored
  entry.resize(static_cast<size_t>(r + rope));
  for (int64_t n = 0; n < N; ++n) {
    const int64_t pos = ctx.batch.positions[n];
    ctx.rope.apply(ws.q.data() + n * H * qk + c.qk_nope_head_dim, H, qk, pos);
    float* kv = ws.kv.data() + n * (r + rope);
    rmsnorm(kv, w.kv_norm.as<float>(), entry.data(), r, eps);     // kv_norm on the latent only
    if (w.wkv_b.ndim) observe_product(w.wkv_b, entry.data(), 1);  // the latent is wkv_b's input (imatrix)
    if (w.latent_round != DType::F32) round_through_activation(w.latent_round, entry.data(), r);
    std::memcpy(entry.data() + r, kv + r, sizeof(float) * rope);
    ctx.rope.apply(entry.data() + r, 1, rope, pos);  // one k_pe shared by every head
    ctx.cache.store(ctx.cache_layer, ctx.batch.slots[n], pos, entry.data());
  }
}

void attend_absorbed(const ForwardCtx& ctx, const MlaWeights& w, int64_t n, int64_t hd, float* scratch,
                     const float* hist) {
  const ModelConfig& c = ctx.config;
  const int64_t H = c.num_attention_heads, qk = c.qk_head_dim(), nope = c.qk_nope_head_dim;
  const int64_t r = c.kv_lora_rank, rope = c.qk_rope_head_dim, v = c.v_head_dim;
  const int64_t pos = ctx.batch.positions[n];
  const float scale = static_cast<float>(c.softmax_scale());
  const float* q = ctx.ws.q.data() + (n * H + hd) * qk;
  float* q_lat = scratch;      // [r]
  float* o_lat = scratch + r;  // [r]
  float* p = scratch + 2 * r;  // [pos + 1]
  // The split layout's W_UK / W_UV as stored (quantized: their products take quantized
  // activations, as in llama.cpp); else the f32 halves of wkv_b.
  const bool split = w.wk_b.ndim != 0;
  if (split) {
    matvec_here(w.wk_b.slice0(hd), q, q_lat);
  } else {
    const float* uk = w.w_uk_t.as<float>() + hd * r * nope;  // [r, nope]
    for (int64_t j = 0; j < r; ++j) q_lat[j] = dot(uk + j * nope, q, nope);
  }
  for (int64_t t = 0; t <= pos; ++t) {
    const float* e = hist + t * (r + rope);
    p[t] = (dot(q_lat, e, r) + dot(q + nope, e + r, rope)) * scale;
  }
  softmax_inplace(p, pos + 1);
  std::memset(o_lat, 0, sizeof(float) * r);
  for (int64_t t = 0; t <= pos; ++t) axpy(p[t], hist + t * (r + rope), o_lat, r);
  float* o = ctx.ws.attn.data() + (n * H + hd) * v;
  if (split) {
    matvec_here(w.wv_b.slice0(hd), o_lat, o);
  } else {
    const float* uv = w.w_uv.as<float>() + hd * v * r;  // [v, r]
    for (int64_t i = 0; i < v; ++i) o[i] = dot(uv + i * r, o_lat, r);
  }
}

void attend_naive(const ForwardCtx& ctx, const MlaWeights& w, int64_t n, int64_t hd, float* scratch,
                  const float* hist) {
  const ModelConfig& c = ctx.config;
  const int64_t H = c.num_attention_heads, qk = c.qk_head_dim(), nope = c.qk_nope_head_dim;
  const int64_t r = c.kv_lora_rank, rope = c.qk_rope_head_dim, v = c.v_head_dim;
  const int64_t pos = ctx.batch.positions[n];
  const float scale = static_cast<float>(c.softmax_scale());
  const float* q = ctx.ws.q.data() + (n * H + hd) * qk;
  const float* uk = w.w_uk_t.as<float>() + hd * r * nope;  // [r, nope]
  const float* uv = w.w_uv.as<float>() + hd * v * r;       // [v, r]
  float* p = scratch;                                      // [pos + 1]
  float* k = scratch + (pos + 1);                          // [nope]
  float* vals = k + nope;                                  // [pos + 1, v]
  for (int64_t t = 0; t <= pos; ++t) {
    const float* e = hist + t * (r + rope);
    for (int64_t i = 0; i < nope; ++i) {  // k_nope = W_UK c_kv
      float s = 0;
      for (int64_t j = 0; j < r; ++j) s += uk[j * nope + i] * e[j];
      k[i] = s;
    }
    for (int64_t i = 0; i < v; ++i) vals[t * v + i] = dot(uv + i * r, e, r);  // v = W_UV c_kv
    p[t] = (dot(q, k, nope) + dot(q + nope, e + r, rope)) * scale;
  }
  softmax_inplace(p, pos + 1);
  float* o = ctx.ws.attn.data() + (n * H + hd) * v;
  std::memset(o, 0, sizeof(float) * v);
  for (int64_t t = 0; t <= pos; ++t) axpy(p[t], vals + t * v, o, v);
}

}  // namespace

void mla_forward(const ForwardCtx& ctx, const MlaWeights& w, const float* h, float* out) {
  mla_project(ctx, w, h);
  const std::vector<const float*>& hist = cache_history(ctx);
  if (ctx.mla_mode == MlaMode::Absorbed) {
    for_each_token_head(ctx, ctx.config.num_attention_heads,
                        [&](int64_t n, int64_t hd, float* s) { attend_absorbed(ctx, w, n, hd, s, hist[n]); });
  } else {
    for_each_token_head(ctx, ctx.config.num_attention_heads,
                        [&](int64_t n, int64_t hd, float* s) { attend_naive(ctx, w, n, hd, s, hist[n]); });
  }
  matmul(w.wo, ctx.ws.attn.data(), ctx.batch.size(), out, ctx.pool);
}

}  // namespace seek
