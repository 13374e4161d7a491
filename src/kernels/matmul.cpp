// matvec / matmul drivers: validate the weight view, pack the activations once (quantized to
// the weight's partner format), then hand out chunks of weight rows to the threads dynamically.
// Each weight row is read from memory once and dotted with up to kColTile activation columns
// while it sits in L1, so N decode sequences cost about one weight stream (batching).
#include "kernels/matmul.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/numeric.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/activations.h"

namespace seek {

namespace {

constexpr int64_t kColTile = 64;  // columns per pass over a weight row (activations stay in L2)

void check_weight(const TensorView& W, const char* what) {
  if (W.ndim < 1 || !W.data)
    throw FormatError(str(what, ": weight must be a non-empty matrix, got shape ", W.shape_str()));
  if (!dtype_computable(W.dtype) || W.dtype == DType::Q8_K)
    throw FormatError(str(what, ": weight type ", dtype_name(W.dtype),
                          " has no matmul kernel (expected f32, f16, bf16, f8_e4m3, q4_0, q4_1, q5_0, q5_1, q8_0, "
                          "q2_K, q3_K, q4_K, q5_K, q6_K, iq4_nl, iq4_xs)"));
  row_bytes(W.dtype, W.cols());  // throws unless whole blocks
  if (W.dtype == DType::F8_E4M3 && !W.block_scale)
    throw FormatError(str(what, ": f8_e4m3 weight ", W.shape_str(), " has no block_scale (weight_scale_inv)"));
  if (W.ndim >= 2 && W.stride[W.ndim - 2] < static_cast<int64_t>(row_bytes(W.dtype, W.cols())))
    throw FormatError(str(what, ": weight row stride ", W.stride[W.ndim - 2], " is shorter than a row (",
                          row_bytes(W.dtype, W.cols()), " bytes)"));
}

// Grows only: after the first call of a given size the decode loop allocates nothing. Slot 0
// serves matmul(); matmul_group() packs each distinct input into its own slot 1, 2, ...
uint8_t* scratch(size_t bytes, size_t slot = 0) {
  thread_local std::vector<std::vector<uint8_t>> bufs;
  if (bufs.size() <= slot) bufs.resize(slot + 1);
  std::vector<uint8_t>& buf = bufs[slot];
  grow(buf, static_cast<int64_t>(bytes + 64));
  uintptr_t p = reinterpret_cast<uintptr_t>(buf.data());
  return reinterpret_cast<uint8_t*>((p + 63) & ~static_cast<uintptr_t>(63));
}

kern::ActPack pack(const TensorView& W, const float* X, int64_t N, ThreadPool* pool, const kern::AuxPack& aux,
                   size_t slot = 0) {
  kern::ActPack x;
  const int64_t K = W.cols();
  x.K = K;
  x.N = N;
  x.kind = activation_type(W.dtype);
  const bool in_place = x.kind == DType::F32;
  x.col_bytes = in_place ? static_cast<size_t>(K) * 4 : activation_col_bytes(W.dtype, K);
  // One scratch buffer: the packed columns, then the kernel's aux form of each (if it has one).
  const size_t main_bytes = in_place ? 0 : x.col_bytes * static_cast<size_t>(N);
  const size_t ab = aux.pack ? (aux.col_bytes(K) + 63) & ~static_cast<size_t>(63) : 0;
  uint8_t* buf = main_bytes + ab ? scratch(main_bytes + ab * static_cast<size_t>(N), slot) : nullptr;
  x.data = in_place ? reinterpret_cast<const uint8_t*>(X) : buf;
  if (ab) {
    x.aux = buf + main_bytes;
    x.aux_col_bytes = ab;
  }
  const size_t cb = x.col_bytes;
  auto run = [&](int64_t b, int64_t e) {
    if (!in_place) quantize_activations(W.dtype, X + b * K, e - b, K, buf + b * cb);
    if (ab)
      for (int64_t n = b; n < e; ++n) aux.pack(X + n * K, x.col(n), K, buf + main_bytes + n * ab);
  };
  if (main_bytes + ab == 0) return x;
  if (pool && N > 1) {
    pool->parallel_for(N, 1, run);
  } else {
    run(0, N);
  }
  return x;
}

void run_rows(const TensorView& W, const kern::ActPack& x, kern::RowDotFn fn, int64_t r0, int64_t r1, float* Y) {
  const int64_t M = W.rows(), K = W.cols();
  const int64_t kblocks = (K + 127) / 128;
  for (int64_t c0 = 0; c0 < x.N; c0 += kColTile) {
    kern::RowDotArgs a;
    a.x = &x;
    a.c0 = c0;
    a.c1 = std::min(x.N, c0 + kColTile);
    a.out_stride = M;
    for (int64_t r = r0; r < r1; ++r) {
      a.out = Y + c0 * M + r;
      if (W.block_scale) a.fp8_scale = W.block_scale + (r / 128) * kblocks;
      fn(W.row(r), a);
    }
  }
}

// Rows per dynamic chunk: about 8 chunks per thread over `rows`, whole 16-row groups.
int64_t row_chunk(int64_t rows, int64_t threads) {
  return std::max<int64_t>(16, (rows + threads * 8 - 1) / (threads * 8) + 15) / 16 * 16;
}

void matmul_impl(const TensorView& W, const float* X, int64_t N, float* Y, ThreadPool* pool, kern::Kernel kernel,
                 const char* what) {
  check_weight(W, what);
  if (N <= 0) return;
  const kern::ActPack x = pack(W, X, N, pool, kernel.aux);
  const kern::RowDotFn fn = kernel.fn;
  const int64_t M = W.rows();
  if (!pool || pool->size() == 1) {
    run_rows(W, x, fn, 0, M, Y);
    return;
  }
  // Dynamic chunks of rows (about 8 per thread, whole 16-row groups): a thread that is
  // descheduled on a shared machine leaves its chunks to the others instead of stalling the
  // region; each chunk does all column tiles, so every weight row is still read once.
  const int64_t chunk = row_chunk(M, pool->size());
  std::atomic<int64_t> next{0};
  pool->run_dynamic([&](int, int) {
    for (int64_t b; (b = next.fetch_add(chunk, std::memory_order_relaxed)) < M;)
      run_rows(W, x, fn, b, std::min(M, b + chunk), Y);
  });
}

CBLAS_TRANSPOSE tr(bool t) { return t ? CblasTrans : CblasNoTrans; }

std::atomic<MatmulObserver*> g_observer{nullptr};

}  // namespace

MatmulObserver* set_matmul_observer(MatmulObserver* observer) { return g_observer.exchange(observer); }

void observe_product(const TensorView& W, const float* X, int64_t N) {
  if (MatmulObserver* o = g_observer.load(std::memory_order_relaxed)) o->on_product(W, X, N);
}

void matvec(const TensorView& W, const float* x, float* y, ThreadPool& pool) { matmul(W, x, 1, y, pool); }

void matvec_here(const TensorView& W, const float* x, float* y) {
  observe_product(W, x, 1);
  matmul_impl(W, x, 1, y, nullptr, kern::kernel_for(W.dtype), "matvec_here");
}

void matmul(const TensorView& W, const float* X, int64_t N, float* Y, ThreadPool& pool) {
  observe_product(W, X, N);
  matmul_impl(W, X, N, Y, &pool, kern::kernel_for(W.dtype), "matmul");
}

void matmul_group(const MatmulJob* jobs, int n_jobs, ThreadPool& pool) {
  if (n_jobs <= 0) return;
  // Pack each distinct input once (same X, N and weight type, e.g. an expert's gate and up
  // projections share one); per-job kernels as matmul() picks them, so results are bit-identical.
  struct Prepared {
    kern::Kernel kernel;
    const kern::ActPack* x = nullptr;
    int64_t rows = 0, chunk = 0, first_chunk = 0;
  };
  // The caller's buffers (grown only); the workers reach them through these references, never
  // through the thread_locals, which would name each worker's own (empty) copies.
  thread_local std::vector<Prepared> prep_buf;
  thread_local std::vector<kern::ActPack> pack_buf;
  thread_local std::vector<int> pack_of_buf;
  std::vector<Prepared>& prep = prep_buf;
  std::vector<kern::ActPack>& packs = pack_buf;
  std::vector<int>& pack_of = pack_of_buf;
  prep.assign(n_jobs, Prepared{});
  packs.clear();
  packs.reserve(n_jobs);  // pointers into it stay valid
  pack_of.assign(n_jobs, -1);
  const int64_t nt = pool.size();
  int64_t total_chunks = 0;
  for (int j = 0; j < n_jobs; ++j) {
    const MatmulJob& job = jobs[j];
    check_weight(*job.W, "matmul_group");
    observe_product(*job.W, job.X, job.N);
    Prepared& p = prep[j];
    p.kernel = kern::kernel_for(job.W->dtype);
    for (int i = 0; i < j && pack_of[j] < 0; ++i)
      if (jobs[i].X == job.X && jobs[i].N == job.N && jobs[i].W->dtype == job.W->dtype &&      // the packing is the
          jobs[i].W->cols() == job.W->cols() && prep[i].kernel.aux.pack == p.kernel.aux.pack)  // weight type's
        pack_of[j] = pack_of[i];
    if (pack_of[j] < 0) {
      pack_of[j] = static_cast<int>(packs.size());
      packs.push_back(pack(*job.W, job.X, job.N, &pool, p.kernel.aux, packs.size() + 1));
    }
    p.x = &packs[pack_of[j]];
    p.rows = job.N > 0 ? job.W->rows() : 0;
    p.chunk = row_chunk(p.rows, nt);
    p.first_chunk = total_chunks;
    total_chunks += (p.rows + p.chunk - 1) / p.chunk;
  }
  auto run_chunk = [&](int64_t c) {
    int j = 0;
    while (j + 1 < n_jobs && prep[j + 1].first_chunk <= c) ++j;
    const Prepared& p = prep[j];
    const int64_t b = (c - p.first_chunk) * p.chunk;
    run_rows(*jobs[j].W, *p.x, p.kernel.fn, b, std::min(p.rows, b + p.chunk), jobs[j].Y);
  };
  if (nt == 1) {
    for (int64_t c = 0; c < total_chunks; ++c) run_chunk(c);
    return;
  }
  std::atomic<int64_t> next{0};
  pool.run_dynamic([&](int, int) {
    for (int64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < total_chunks;) run_chunk(c);
  });
}

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  SEEK_ASSERT(M >= 0 && N >= 0 && K >= 0);
  if (M == 0 || N == 0) return;
  cblas_sgemm(CblasRowMajor, tr(trans_a), tr(trans_b), static_cast<int>(M), static_cast<int>(N), static_cast<int>(K),
              alpha, A, static_cast<int>(lda), B, static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

void blas_set_threads(int n) { openblas_set_num_threads(std::max(1, n)); }

void sgemm(ThreadPool* pool, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  static const bool single = (blas_set_threads(1), true);
  (void)single;
  const int64_t nt = pool ? pool->size() : 1;
  // below ~4 MFLOP a second thread costs more (a wake-up, B packed twice) than it saves
  if (nt == 1 || M * N * K < (int64_t(1) << 21) || std::max(M, N) < 32) {
    sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  const bool by_rows = M >= N;
  const int64_t len = by_rows ? M : N, slab = ((len + nt - 1) / nt + 15) / 16 * 16;
  pool->parallel_for((len + slab - 1) / slab, 1, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t b = s * slab, n = std::min(len, b + slab) - b;
      if (by_rows)  // rows b.. of C and of op(A)
        sgemm(trans_a, trans_b, n, N, K, alpha, trans_a ? A + b : A + b * lda, lda, B, ldb, beta, C + b * ldc, ldc);
      else  // columns b.. of C and of op(B)
        sgemm(trans_a, trans_b, M, n, K, alpha, A, lda, trans_b ? B + b * ldb : B + b, ldb, beta, C + b, ldc);
    }
  });
}

namespace ref {

void matvec(const TensorView& W, const float* x, float* y) { matmul(W, x, 1, y); }

void matmul(const TensorView& W, const float* X, int64_t N, float* Y) {
  check_weight(W, "ref::matmul");
  matmul_impl(W, X, N, Y, nullptr, {kern::kernels_scalar().get(W.dtype), {}}, "ref::matmul");
}

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      float s = 0;
      for (int64_t k = 0; k < K; ++k) {
        const float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        s += a * b;
      }
      C[i * ldc + j] = alpha * s + (beta == 0.0f ? 0.0f : beta * C[i * ldc + j]);
    }
  }
}

}  // namespace ref

}  // namespace seek
