// The trainer's building blocks (deepseek.md 2.1-2.3): parameter handles into TrainModel's flat
// buffers, the activations each block keeps for its backward, and the forward/backward pairs of
// MLA (train_mla.cpp), dense SwiGLU FFN and DeepSeekMoE (train_moe.cpp), and the pre-norm block.
// A block runs on B sequences of T tokens (rows n = b*T + t, position t).
#pragma once
#include <cstdint>
#include <vector>

#include "core/threadpool.h"
#include "dist/expert_parallel.h"
#include "model/config.h"
#include "model/rope.h"
#include "model/weights.h"

namespace seek {

// The trainer's parameters are the inference model's structure (model/weights.h) over ParamRef
// handles into TrainModel's flat buffers, so training and inference name every tensor alike
// (wq_a, q_norm, wkv_a, kv_norm, wkv_b, wo, w1/w3/w2, gate; docs/architecture.md).
using MlaParams = MlaT<ParamRef>;
using FfnParams = FfnT<ParamRef>;
using MoeParams = MoeT<ParamRef>;  // gate_bias.w: the router bias row (noaux_tc), no gradient
using BlockParams = LayerT<ParamRef>;

struct MlaActs {
  std::vector<float> qa, qa_rstd, qan;  // [N, q_lora], [N], [N, q_lora]
  std::vector<float> q;                 // [N, H, qk] rope applied
  std::vector<float> kv_lat;            // [N, kv_lora] latent part of wkv_a (before kv_norm)
  std::vector<float> k_pe;              // [N, rope] shared rope key, roped
  std::vector<float> ckv, ckv_rstd;     // [N, kv_lora], [N] after kv_a_layernorm
  std::vector<float> kvb;               // [N, H*(nope+v)]
  std::vector<float> k, v;              // [N, H, qk], [N, H, v]
  std::vector<float> probs;             // [B, H, T, T]
  std::vector<float> o;                 // [N, H*v]
};

struct FfnActs {
  std::vector<float> g, u, a;  // [n, F]
};

struct MoeActs {
  std::vector<float> scores;       // [N, E] unbiased affinities
  std::vector<int32_t> idx;        // [N, K] chosen experts (best first)
  std::vector<float> w;            // [N, K] gating weights (differentiable part)
  std::vector<int64_t> start;      // [E + 1] expert e owns rows start[e]..start[e+1] (without ep)
  std::vector<int32_t> row_token;  // [N*K] token of each expert row
  std::vector<int32_t> row_slot;   // [N*K] which of the token's k choices
  std::vector<float> xg;           // [N*K, D] gathered inputs ([M, D] received rows with ep)
  FfnActs experts;                 // [N*K, F] rows grouped by expert ([M, F] with ep)
  std::vector<float> out;          // [N, K, D] expert outputs before weighting
  FfnActs shared;                  // [N, F_shared]
  EpRoute route;                   // with ep: this micro-batch's dispatch, reused by combine and backward
};

struct BlockActs {
  std::vector<float> x_in;       // [N, D] block input (residual)
  std::vector<float> h1, rstd1;  // [N, D], [N] attn_norm
  MlaActs attn;
  std::vector<float> x_mid;      // [N, D] after attention residual
  std::vector<float> h2, rstd2;  // [N, D], [N] ffn_norm
  FfnActs mlp;
  MoeActs moe;
};

// What a block needs besides its parameters: B sequences of T tokens, rope, pool, and for MoE
// layers the expert parallelism (null: every expert runs here; else only the experts this rank
// owns are read and get gradients, tokens reaching them through ep's all-to-all).
struct BlockCtx {
  const ModelConfig& c;
  const Rope& rope;
  ThreadPool& pool;
  int64_t B = 0, T = 0;
  ExpertParallel* ep = nullptr;
  int64_t N() const { return B * T; }
};

// MLA (deepseek.md 2.1, naive path: per-head K/V materialised from the latent).
// h [N, D] (normed input) -> out [N, D].
void mla_forward(const BlockCtx& ctx, const MlaParams& p, const float* h, MlaActs& a, float* out);
// dout [N, D] -> dh [N, D] (+=), parameter gradients (+=).
void mla_backward(const BlockCtx& ctx, const MlaParams& p, const float* h, MlaActs& a, const float* dout, float* dh);

// SwiGLU FFN of width F on n rows: y = w2(silu(w1 x) * w3 x). y is overwritten. pool: threads
// for the products and element-wise work (null: this thread).
void ffn_forward(const FfnParams& p, int64_t F, const float* x, int64_t n, int64_t D, FfnActs& a, float* y,
                 ThreadPool* pool = nullptr);
void ffn_backward(const FfnParams& p, int64_t F, const float* x, int64_t n, int64_t D, const FfnActs& a,
                  const float* dy, float* dx, ThreadPool* pool = nullptr);

// DeepSeekMoE (deepseek.md 2.2): routed experts weighted by the gate plus shared experts.
// x [N, D] -> y [N, D] (overwritten). `loads` [E] += tokens routed to each expert.
void moe_forward(const BlockCtx& ctx, const MoeParams& p, const float* x, MoeActs& a, float* y, int64_t* loads);
// d_scores [N, E] is an extra gradient on the scores (the balance loss) or null.
void moe_backward(const BlockCtx& ctx, const MoeParams& p, const float* x, MoeActs& a, const float* dy,
                  const float* d_scores, float* dx);

// Sequence-wise balance loss (deepseek.md 2.4) of one MoE layer's last forward: returns
// sum over the B sequences of sum_i f_i P_i, f_i = E/(K T) * #tokens of the sequence routed to i
// (a constant), P_i = mean_t s_ti / sum_j s_tj; d_scores [N, E] += coef * d(that sum)/d scores.
double balance_loss_forward_backward(const BlockCtx& ctx, const MoeActs& a, double coef, float* d_scores);

// Pre-norm block: x_out = x_mid + FFN(norm(x_mid)), x_mid = x_in + MLA(norm(x_in)).
void block_forward(const BlockCtx& ctx, const BlockParams& p, const float* x_in, BlockActs& a, float* x_out,
                   int64_t* loads);
// dx [N, D]: on entry d x_out, on return d x_in (residual gradient, in place).
void block_backward(const BlockCtx& ctx, const BlockParams& p, BlockActs& a, const float* d_scores, float* dx);

}  // namespace seek
