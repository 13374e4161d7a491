// MLA forward/backward for training (deepseek.md 2.1, DeepSeek-V2 paper 2.1): the naive path,
// which materialises per-head keys [W_UK c_kv | k_pe] and values W_UV c_kv from the latent so
// the backward is plain attention; equals the absorbed path the inference engine uses.
#include <algorithm>
#include <cstring>

#include "core/numeric.h"
#include "train/train_layers.h"
#include "train/train_ops.h"

namespace seek {

void mla_forward(const BlockCtx& ctx, const MlaParams& p, const float* h, MlaActs& a, float* out) {
  const ModelConfig& c = ctx.c;
  const int64_t N = ctx.N(), D = c.hidden_size, H = c.num_attention_heads, qk = c.qk_head_dim();
  const int64_t nope = c.qk_nope_head_dim, rope = c.qk_rope_head_dim, r = c.kv_lora_rank, vh = c.v_head_dim;
  const int64_t qr = c.q_lora_rank, kvw = H * (nope + vh);
  const float eps = static_cast<float>(c.rms_norm_eps);
  grow(a.q, N * H * qk);
  if (qr > 0) {
    grow(a.qa, N * qr), grow(a.qa_rstd, N), grow(a.qan, N * qr);
    linear_forward(h, p.wq_a.w, a.qa.data(), N, D, qr, &ctx.pool);
    rmsnorm_forward(a.qa.data(), p.q_norm.w, a.qan.data(), a.qa_rstd.data(), N, qr, eps, ctx.pool);
    linear_forward(a.qan.data(), p.wq_b.w, a.q.data(), N, qr, H * qk, &ctx.pool);
  } else {
    linear_forward(h, p.wq.w, a.q.data(), N, D, H * qk, &ctx.pool);
  }
  rope_forward(ctx.rope, a.q.data() + nope, ctx.B, ctx.T, H * qk, H, qk, ctx.pool);

  std::vector<float> kv(N * (r + rope));  // [N, kv_lora + rope]
  linear_forward(h, p.wkv_a.w, kv.data(), N, D, r + rope, &ctx.pool);
  grow(a.kv_lat, N * r), grow(a.k_pe, N * rope), grow(a.ckv, N * r), grow(a.ckv_rstd, N);
  for (int64_t n = 0; n < N; ++n) {
    std::memcpy(a.kv_lat.data() + n * r, kv.data() + n * (r + rope), sizeof(float) * r);
    std::memcpy(a.k_pe.data() + n * rope, kv.data() + n * (r + rope) + r, sizeof(float) * rope);
  }
  rmsnorm_forward(a.kv_lat.data(), p.kv_norm.w, a.ckv.data(), a.ckv_rstd.data(), N, r, eps, ctx.pool);
  rope_forward(ctx.rope, a.k_pe.data(), ctx.B, ctx.T, rope, 1, rope, ctx.pool);

  grow(a.kvb, N * kvw), grow(a.k, N * H * qk), grow(a.v, N * H * vh);
  linear_forward(a.ckv.data(), p.wkv_b.w, a.kvb.data(), N, r, kvw, &ctx.pool);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t hd = 0; hd < H; ++hd) {
      const float* src = a.kvb.data() + n * kvw + hd * (nope + vh);
      float* k = a.k.data() + (n * H + hd) * qk;
      std::memcpy(k, src, sizeof(float) * nope);
      std::memcpy(k + nope, a.k_pe.data() + n * rope, sizeof(float) * rope);
      std::memcpy(a.v.data() + (n * H + hd) * vh, src + nope, sizeof(float) * vh);
    }
  grow(a.probs, ctx.B * H * ctx.T * ctx.T), grow(a.o, N * H * vh);
  attention_forward(a.q.data(), a.k.data(), a.v.data(), a.o.data(), a.probs.data(), ctx.B, ctx.T, H, qk, vh,
                    static_cast<float>(c.softmax_scale()), ctx.pool);
  linear_forward(a.o.data(), p.wo.w, out, N, H * vh, D, &ctx.pool);
}

void mla_backward(const BlockCtx& ctx, const MlaParams& p, const float* h, MlaActs& a, const float* dout, float* dh) {
  const ModelConfig& c = ctx.c;
  const int64_t N = ctx.N(), D = c.hidden_size, H = c.num_attention_heads, qk = c.qk_head_dim();
  const int64_t nope = c.qk_nope_head_dim, rope = c.qk_rope_head_dim, r = c.kv_lora_rank, vh = c.v_head_dim;
  const int64_t qr = c.q_lora_rank, kvw = H * (nope + vh);
  std::vector<float> d_o(N * H * vh, 0.0f);
  linear_backward(dout, a.o.data(), p.wo.w, d_o.data(), p.wo.g, N, H * vh, D, &ctx.pool);
  std::vector<float> dq(N * H * qk, 0.0f), dk(N * H * qk, 0.0f), dv(N * H * vh, 0.0f);
  attention_backward(d_o.data(), a.q.data(), a.k.data(), a.v.data(), a.probs.data(), dq.data(), dk.data(), dv.data(),
                     ctx.B, ctx.T, H, qk, vh, static_cast<float>(c.softmax_scale()), ctx.pool);

  // keys and values back onto the latent; the shared k_pe collects every head's gradient
  std::vector<float> dkvb(N * kvw), dkv(N * (r + rope), 0.0f), dckv(N * r, 0.0f), dlat(N * r, 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t hd = 0; hd < H; ++hd) {
      float* dst = dkvb.data() + n * kvw + hd * (nope + vh);
      const float* gk = dk.data() + (n * H + hd) * qk;
      std::memcpy(dst, gk, sizeof(float) * nope);
      std::memcpy(dst + nope, dv.data() + (n * H + hd) * vh, sizeof(float) * vh);
      float* gpe = dkv.data() + n * (r + rope) + r;
      for (int64_t i = 0; i < rope; ++i) gpe[i] += gk[nope + i];
    }
  linear_backward(dkvb.data(), a.ckv.data(), p.wkv_b.w, dckv.data(), p.wkv_b.g, N, r, kvw, &ctx.pool);
  rmsnorm_backward(dckv.data(), a.kv_lat.data(), p.kv_norm.w, a.ckv_rstd.data(), dlat.data(), p.kv_norm.g, N, r,
                   ctx.pool);
  for (int64_t n = 0; n < N; ++n) std::memcpy(dkv.data() + n * (r + rope), dlat.data() + n * r, sizeof(float) * r);
  rope_backward(ctx.rope, dkv.data() + r, ctx.B, ctx.T, r + rope, 1, rope, ctx.pool);
  linear_backward(dkv.data(), h, p.wkv_a.w, dh, p.wkv_a.g, N, D, r + rope, &ctx.pool);

  rope_backward(ctx.rope, dq.data() + nope, ctx.B, ctx.T, H * qk, H, qk, ctx.pool);
  if (qr > 0) {
    std::vector<float> dqan(N * qr, 0.0f), dqa(N * qr, 0.0f);
    linear_backward(dq.data(), a.qan.data(), p.wq_b.w, dqan.data(), p.wq_b.g, N, qr, H * qk, &ctx.pool);
    rmsnorm_backward(dqan.data(), a.qa.data(), p.q_norm.w, a.qa_rstd.data(), dqa.data(), p.q_norm.g, N, qr, ctx.pool);
    linear_backward(dqa.data(), h, p.wq_a.w, dh, p.wq_a.g, N, D, qr, &ctx.pool);
  } else {
    linear_backward(dq.data(), h, p.wq.w, dh, p.wq.g, N, D, H * qk, &ctx.pool);
  }
}

}  // namespace seek
