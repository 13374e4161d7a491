// Weight-times-activation products, the hot loop of inference. W is a [M, K] weight view of any
// computable type (rows are whole blocks); activations are f32 and are converted on the fly to
// the type the weight format pairs with (Q4_0/Q8_0 -> Q8_0 blocks, K-quants -> Q8_K, as llama.cpp
// does), so results match llama.cpp's arithmetic. Row n of matmul() equals matvec() on X[n]
// bit for bit (batched == single); fast paths are chosen at run time (AVX-512, AVX2+FMA, scalar).
#pragma once
#include <cstdint>

#include "core/tensor.h"
#include "core/threadpool.h"

namespace seek {

// y[M] = W[M, K] x[K]
void matvec(const TensorView& W, const float* x, float* y, ThreadPool& pool);
// The same on the calling thread only (for small products inside a pool region, e.g. one
// attention head's absorbed projection); same kernels and numerics as matvec.
void matvec_here(const TensorView& W, const float* x, float* y);
// Y[N, M] = X[N, K] W[M, K]^T   (X and Y row-major, contiguous)
void matmul(const TensorView& W, const float* X, int64_t N, float* Y, ThreadPool& pool);

// Several independent products in one parallel region: Y_j[N_j, M_j] = X_j W_j^T for each job,
// each bit-identical to matmul(W_j, X_j, N_j, Y_j). A decode step's small products (an MoE
// layer's selected experts, the gate and up projections, q_a and kv_a) then cost one wake-up and
// one wait instead of one each; jobs with the same input and weight type pack it once.
struct MatmulJob {
  const TensorView* W = nullptr;
  const float* X = nullptr;
  int64_t N = 0;
  float* Y = nullptr;
};
void matmul_group(const MatmulJob* jobs, int n_jobs, ThreadPool& pool);

// Watching the weight products (the importance-matrix collector, model/imatrix_collector.h):
// while an observer is set, matvec, matvec_here, matmul and each job of matmul_group report
// their weight view and f32 input to it before computing, from whichever thread runs them (the
// observer synchronizes itself). With none set a product costs one relaxed atomic load more.
class MatmulObserver {
 public:
  virtual ~MatmulObserver() = default;
  virtual void on_product(const TensorView& W, const float* X, int64_t N) = 0;
};
// Installs the process-wide observer (nullptr: none); returns the one it replaces.
MatmulObserver* set_matmul_observer(MatmulObserver* observer);
// For a product the model computes in another form: MLA's absorbed attention never multiplies
// wkv_b by the latent, yet the latent is what a plain forward would feed it.
void observe_product(const TensorView& W, const float* X, int64_t N);

// f32 GEMM, row-major, through BLAS (OpenBLAS): C[M, N] = alpha * op(A) * op(B) + beta * C,
// op(A) is [M, K], op(B) is [K, N]. Runs on OpenBLAS's threads as currently set: one after any
// pooled sgemm below has run; blas_set_threads() sets it (the sgemm benchmarks do).
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The same product with seek's pool doing the threading: C is cut into one slab of rows or
// columns (the longer side) per thread and each slab is a single-threaded OpenBLAS call. The
// first call switches OpenBLAS to one thread for the process (seek owns its threads), so
// OpenBLAS's workers never spin beside the pool's on the same cores and calls from inside a
// pool region (one expert per thread) run on their own thread. pool == nullptr: this thread only.
void sgemm(ThreadPool* pool, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// OpenBLAS's own thread count (the sgemm benchmark compares its threading with the pool's).
void blas_set_threads(int n);

namespace ref {
// Scalar, single-threaded references with the same numerics (same activation quantization).
void matvec(const TensorView& W, const float* x, float* y);
void matmul(const TensorView& W, const float* X, int64_t N, float* Y);
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
}  // namespace ref

}  // namespace seek
