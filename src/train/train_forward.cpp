// TrainModel::forward and ::backward: the model recipe and its reverse. The MTP module
// (deepseek.md 2.3) runs on rows i < T-2 of each sequence: h_i (last block output, before the
// final norm) and the embedding of t_{i+1}, predicting t_{i+2} through the shared output head.
#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/numeric.h"
#include "train/train_impl.h"
#include "train/train_ops.h"

namespace seek {

namespace {

// MTP forward on the main model's last block output; fills the MTP activations, logits and the
// d(mean MTP CE)/d logits. Returns the CE sum.
double mtp_forward(TrainModel::Impl& s, const ModelConfig& c, ThreadPool& pool, int64_t* loads) {
  const int64_t B = s.B, T2 = s.T - 2, N2 = B * T2, D = c.hidden_size, V = c.vocab_size;
  const float eps = static_cast<float>(c.rms_norm_eps);
  const BlockParams& blk = s.p.layers[c.num_hidden_layers];
  const MtpT<ParamRef>& m = blk.mtp;
  s.mtp_next.resize(N2), s.mtp_target.resize(N2);
  grow(s.h_in, N2 * D), grow(s.e_raw, N2 * D), grow(s.e, N2 * D), grow(s.hh, N2 * D);
  grow(s.e_rstd, N2), grow(s.h_rstd, N2), grow(s.cat, N2 * 2 * D), grow(s.mtp_x, N2 * D);
  grow(s.mtp_out, N2 * D), grow(s.mtp_normed, N2 * D), grow(s.mtp_rstd, N2);
  grow(s.mtp_logits, N2 * V), grow(s.mtp_dlogits, N2 * V);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T2; ++t) {
      const int64_t n2 = b * T2 + t, n = b * s.T + t;
      s.mtp_next[n2] = s.tokens[n + 1], s.mtp_target[n2] = s.tokens[n + 2];
      std::memcpy(s.h_in.data() + n2 * D, s.x_last.data() + n * D, sizeof(float) * D);
    }
  embedding_forward(s.mtp_next.data(), s.p.tok_embd.w, s.e_raw.data(), N2, D);
  rmsnorm_forward(s.e_raw.data(), m.enorm.w, s.e.data(), s.e_rstd.data(), N2, D, eps, pool);
  rmsnorm_forward(s.h_in.data(), m.hnorm.w, s.hh.data(), s.h_rstd.data(), N2, D, eps, pool);
  for (int64_t n = 0; n < N2; ++n) {  // eh_proj input: [enorm(emb) ; hnorm(h)]
    std::memcpy(s.cat.data() + n * 2 * D, s.e.data() + n * D, sizeof(float) * D);
    std::memcpy(s.cat.data() + n * 2 * D + D, s.hh.data() + n * D, sizeof(float) * D);
  }
  linear_forward(s.cat.data(), m.eh_proj.w, s.mtp_x.data(), N2, 2 * D, D, &pool);
  BlockCtx ctx{c, s.rope, pool, B, T2, s.ep};
  block_forward(ctx, blk, s.mtp_x.data(), s.mtp_block, s.mtp_out.data(), loads);
  rmsnorm_forward(s.mtp_out.data(), m.head_norm.w, s.mtp_normed.data(), s.mtp_rstd.data(), N2, D, eps, pool);
  linear_forward(s.mtp_normed.data(), s.p.output.w, s.mtp_logits.data(), N2, D, V, &pool);
  return cross_entropy_forward_backward(s.mtp_logits.data(), s.mtp_target.data(), s.mtp_dlogits.data(), N2, V,
                                        1.0f / static_cast<float>(N2), pool);
}

// d(last block output) += MTP's gradient (lambda * MTP CE + balance of the MTP block).
void mtp_backward(TrainModel::Impl& s, const ModelConfig& c, ThreadPool& pool, float lambda, double bal_coef,
                  float* dx_last) {
  const int64_t B = s.B, T2 = s.T - 2, N2 = B * T2, D = c.hidden_size, V = c.vocab_size;
  const BlockParams& blk = s.p.layers[c.num_hidden_layers];
  const MtpT<ParamRef>& m = blk.mtp;
  BlockCtx ctx{c, s.rope, pool, B, T2, s.ep};
  std::vector<float> dn(N2 * D, 0.0f), dx(N2 * D, 0.0f);
  float* dl = s.mtp_dlogits.data();  // scaled in place: the forward writes it afresh each step
  pool.parallel_for(N2 * V, 1 << 16, [&](int64_t b0, int64_t e0) {
    for (int64_t i = b0; i < e0; ++i) dl[i] *= lambda;
  });
  linear_backward(dl, s.mtp_normed.data(), s.p.output.w, dn.data(), s.p.output.g, N2, D, V, &pool);
  rmsnorm_backward(dn.data(), s.mtp_out.data(), m.head_norm.w, s.mtp_rstd.data(), dx.data(), m.head_norm.g, N2, D,
                   pool);
  std::vector<float> d_scores;
  if (blk.is_moe && bal_coef != 0.0) {
    d_scores.assign(N2 * c.n_routed_experts, 0.0f);
    balance_loss_forward_backward(ctx, s.mtp_block.moe, bal_coef, d_scores.data());
  }
  block_backward(ctx, blk, s.mtp_block, d_scores.empty() ? nullptr : d_scores.data(), dx.data());
  std::vector<float> dcat(N2 * 2 * D, 0.0f), de(N2 * D), dh(N2 * D), de_raw(N2 * D, 0.0f), dh_in(N2 * D, 0.0f);
  linear_backward(dx.data(), s.cat.data(), m.eh_proj.w, dcat.data(), m.eh_proj.g, N2, 2 * D, D, &pool);
  for (int64_t n = 0; n < N2; ++n) {
    std::memcpy(de.data() + n * D, dcat.data() + n * 2 * D, sizeof(float) * D);
    std::memcpy(dh.data() + n * D, dcat.data() + n * 2 * D + D, sizeof(float) * D);
  }
  rmsnorm_backward(de.data(), s.e_raw.data(), m.enorm.w, s.e_rstd.data(), de_raw.data(), m.enorm.g, N2, D, pool);
  embedding_backward(s.mtp_next.data(), de_raw.data(), s.p.tok_embd.g, N2, D);
  rmsnorm_backward(dh.data(), s.h_in.data(), m.hnorm.w, s.h_rstd.data(), dh_in.data(), m.hnorm.g, N2, D, pool);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T2; ++t) {
      float* d = dx_last + (b * s.T + t) * D;
      const float* g = dh_in.data() + (b * T2 + t) * D;
      for (int64_t i = 0; i < D; ++i) d[i] += g[i];
    }
}

}  // namespace

void TrainModel::forward(const int32_t* tokens, int64_t B, int64_t T, ThreadPool& pool) {
  const ModelConfig& c = config_;
  if (B < 1 || T < 1) throw UsageError(str("forward: batch shape: expected [>=1, >=1], got [", B, ", ", T, "]"));
  const int64_t N = B * T, D = c.hidden_size, V = c.vocab_size, E = c.n_routed_experts;
  for (int64_t n = 0; n < N; ++n)
    if (tokens[n] < 0 || tokens[n] >= V)
      throw UsageError(str("forward: token ", n, ": expected an id in [0, ", V, "), got ", tokens[n]));
  Impl& s = *impl_;
  s.B = B, s.T = T;
  s.tokens.assign(tokens, tokens + N);
  s.layers.resize(c.num_hidden_layers);
  std::fill(expert_loads_.begin(), expert_loads_.end(), 0);
  std::vector<float> x(N * D);
  embedding_forward(tokens, s.p.tok_embd.w, x.data(), N, D);
  BlockCtx ctx{c, s.rope, pool, B, T, s.ep};
  grow(s.x_last, N * D);
  for (int64_t il = 0; il < c.num_hidden_layers; ++il) {
    const BlockParams& bp = s.p.layers[il];
    int64_t* loads = bp.is_moe ? expert_loads_.data() + c.moe_layer_index(il) * E : nullptr;
    block_forward(ctx, bp, x.data(), s.layers[il], s.x_last.data(), loads);
    std::memcpy(x.data(), s.x_last.data(), sizeof(float) * N * D);
  }
  grow(s.normed, N * D), grow(s.rstd, N), grow(s.logits, N * V), grow(s.dlogits, N * V);
  rmsnorm_forward(s.x_last.data(), s.p.output_norm.w, s.normed.data(), s.rstd.data(), N, D,
                  static_cast<float>(c.rms_norm_eps), pool);
  linear_forward(s.normed.data(), s.p.output.w, s.logits.data(), N, D, V, &pool);
  std::fill(s.dlogits.begin(), s.dlogits.begin() + N * V, 0.0f);

  const int64_t mtp_il = c.num_hidden_layers;  // the MTP block, when there is one
  s.mtp_on = c.num_nextn_predict_layers > 0 && T >= 3;
  s.mtp_ce = 0;
  if (s.mtp_on) {
    const BlockParams& bp = s.p.layers[mtp_il];
    int64_t* loads = bp.is_moe ? expert_loads_.data() + c.moe_layer_index(mtp_il) * E : nullptr;
    s.mtp_ce = mtp_forward(s, c, pool, loads) / double(B * (T - 2));
  }
  // balance: mean over sequences of the sum over MoE layers (the MTP layer included)
  s.balance = 0;
  for (int64_t il = 0; il < c.num_hidden_layers; ++il)
    if (s.p.layers[il].is_moe) s.balance += balance_loss_forward_backward(ctx, s.layers[il].moe, 0, nullptr);
  if (s.mtp_on && s.p.layers[mtp_il].is_moe) {
    BlockCtx ctx2{c, s.rope, pool, B, T - 2, s.ep};
    s.balance += balance_loss_forward_backward(ctx2, s.mtp_block.moe, 0, nullptr);
  }
  s.balance /= double(B);
}

void TrainModel::backward(const LossWeights& w, ThreadPool& pool, float grad_scale) {
  const ModelConfig& c = config_;
  Impl& s = *impl_;
  const int64_t B = s.B, T = s.T, N = B * T, D = c.hidden_size, V = c.vocab_size;
  if (N == 0) throw UsageError("backward: no forward to differentiate");
  if (grad_scale != 1.0f)
    pool.parallel_for(N * V, 1 << 16, [&](int64_t b0, int64_t e0) {
      for (int64_t i = b0; i < e0; ++i) s.dlogits[i] *= grad_scale;
    });
  std::vector<float> dn(N * D, 0.0f), dx(N * D, 0.0f);
  linear_backward(s.dlogits.data(), s.normed.data(), s.p.output.w, dn.data(), s.p.output.g, N, D, V, &pool);
  rmsnorm_backward(dn.data(), s.x_last.data(), s.p.output_norm.w, s.rstd.data(), dx.data(), s.p.output_norm.g, N, D,
                   pool);
  const double bal_coef = w.alpha * grad_scale / double(B);
  if (s.mtp_on && (w.lambda_mtp != 0.0 || bal_coef != 0.0))
    mtp_backward(s, c, pool, static_cast<float>(w.lambda_mtp * grad_scale), bal_coef, dx.data());
  auto ready = [&](std::pair<size_t, size_t> r) {
    if (grad_ready_) grad_ready_(r.first, r.second);
  };
  ready(s.head_range);  // the output head's last use was the MTP head
  for (size_t k = s.layer_range.size(); k-- > size_t(c.num_hidden_layers);) ready(s.layer_range[k]);
  BlockCtx ctx{c, s.rope, pool, B, T, s.ep};
  std::vector<float> d_scores;
  for (int64_t il = c.num_hidden_layers - 1; il >= 0; --il) {
    const BlockParams& bp = s.p.layers[il];
    const float* ds = nullptr;
    if (bp.is_moe && bal_coef != 0.0) {
      d_scores.assign(N * c.n_routed_experts, 0.0f);
      balance_loss_forward_backward(ctx, s.layers[il].moe, bal_coef, d_scores.data());
      ds = d_scores.data();
    }
    block_backward(ctx, bp, s.layers[il], ds, dx.data());
    ready(s.layer_range[il]);
  }
  embedding_backward(s.tokens.data(), dx.data(), s.p.tok_embd.g, N, D);
  ready(s.embed_range);
}

}  // namespace seek
