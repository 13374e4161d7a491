// Per-op forward and backward kernels of the trainer, llm.c style: plain functions over row-major
// f32 buffers, gradients accumulated with += (callers zero them). Shapes in PyTorch order;
// N = rows (tokens), matrices are nn.Linear weights [out, in]. Heavy products go through sgemm.
#pragma once
#include <cstdint>

#include "core/threadpool.h"
#include "model/rope.h"

namespace seek {

// y[N, out] = x[N, in] W[out, in]^T. The products split across pool's threads (null: this
// thread only, as inside a region that already runs one expert per thread).
void linear_forward(const float* x, const float* W, float* y, int64_t N, int64_t in, int64_t out,
                    ThreadPool* pool = nullptr);
// dx[N, in] += dy W (skipped when dx is null); dW[out, in] += dy^T x
void linear_backward(const float* dy, const float* x, const float* W, float* dx, float* dW, int64_t N, int64_t in,
                     int64_t out, ThreadPool* pool = nullptr);

// y[N, D] = x / sqrt(mean(x^2) + eps) * w; rstd[N] keeps 1/sqrt(mean(x^2) + eps). x may alias y
// only if the caller keeps no copy of x (backward needs it).
void rmsnorm_forward(const float* x, const float* w, float* y, float* rstd, int64_t N, int64_t D, float eps,
                     ThreadPool& pool);
// dx[N, D] += d/dx, dw[D] += d/dw (x: the forward input, rstd as saved).
void rmsnorm_backward(const float* dy, const float* x, const float* w, const float* rstd, float* dx, float* dw,
                      int64_t N, int64_t D, ThreadPool& pool);

// out[N, D] = table[tokens[n]]; backward: dtable[tokens[n]] += dout[n].
void embedding_forward(const int32_t* tokens, const float* table, float* out, int64_t N, int64_t D);
void embedding_backward(const int32_t* tokens, const float* dout, float* dtable, int64_t N, int64_t D);

// a[n] = silu(g[n]) * u[n]; backward: dg += da * u * silu'(g), du += da * silu(g).
// With a pool the n elements are cut into chunks across its threads.
void swiglu_forward(const float* g, const float* u, float* a, int64_t n, ThreadPool* pool = nullptr);
void swiglu_backward(const float* da, const float* g, const float* u, float* dg, float* du, int64_t n,
                     ThreadPool* pool = nullptr);

// Rotates the rope part of B*T rows in place: row (b, t) at x + (b*T + t) * row_stride holds
// n_heads vectors `head_stride` apart; position t. Backward applies the transposed rotation.
void rope_forward(const Rope& rope, float* x, int64_t B, int64_t T, int64_t row_stride, int64_t n_heads,
                  int64_t head_stride, ThreadPool& pool);
void rope_backward(const Rope& rope, float* dx, int64_t B, int64_t T, int64_t row_stride, int64_t n_heads,
                   int64_t head_stride, ThreadPool& pool);

// Causal softmax attention per sequence and head. q, k [B*T, H, dk], v [B*T, H, dv] ->
// o [B*T, H, dv]; probs [B, H, T, T] (row t holds the softmax over keys 0..t, zeros after).
void attention_forward(const float* q, const float* k, const float* v, float* o, float* probs, int64_t B, int64_t T,
                       int64_t H, int64_t dk, int64_t dv, float scale, ThreadPool& pool);
// dq, dk, dv += gradients (same layouts as q, k, v).
void attention_backward(const float* d_o, const float* q, const float* k, const float* v, const float* probs, float* dq,
                        float* dk, float* dv, int64_t B, int64_t T, int64_t H, int64_t dkh, int64_t dvh, float scale,
                        ThreadPool& pool);
// The same two as plain loops over the causal half (the fast pair above is sgemm per head).
void attention_forward_ref(const float* q, const float* k, const float* v, float* o, float* probs, int64_t B, int64_t T,
                           int64_t H, int64_t dk, int64_t dv, float scale, ThreadPool& pool);
void attention_backward_ref(const float* d_o, const float* q, const float* k, const float* v, const float* probs,
                            float* dq, float* dk, float* dv, int64_t B, int64_t T, int64_t H, int64_t dkh, int64_t dvh,
                            float scale, ThreadPool& pool);

// Mean cross-entropy: logits [N, V], targets [N] (-1 = row ignored). Returns the sum of
// -log p(target) over used rows (double); when dlogits is non-null writes
// dlogits[n] = (softmax - onehot) * scale for used rows and 0 for ignored ones.
double cross_entropy_forward_backward(const float* logits, const int32_t* targets, float* dlogits, int64_t N, int64_t V,
                                      float scale, ThreadPool& pool);

}  // namespace seek
