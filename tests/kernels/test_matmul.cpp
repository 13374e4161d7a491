// matvec / matmul for every weight type x every kernel level on awkward shapes, checked
// against (1) a float64 dot of dequantize_row(W) with the dequantized activation quantization
// (independent of the row-dot code) and (2) the scalar reference; batched == single and
// 1 thread == 2 threads bit for bit; sgemm against its triple loop.
//
// Tolerance: reference and SIMD sum the same products in different orders. Each float sum of
// n terms is off by at most (n - 1) u sum|t| (u = 2^-24), and forming each term rounds at most
// 3 times, so |a - b| <= 2 (n + 3) u S with S = sum_k |w_k x_k| (Q4_K: |d sc q x| + |dmin m x|);
// we use n = K, which covers every level's term count (lanes or blocks <= K).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/float16.h"
#include "core/tensor.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/matmul.h"
#include "kernels/quant/activations.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant.h"
#include "kernels/quant/random_blocks.h"
#include "random_iq2.h"
#include "random_iq3_iq1.h"
#include "random_lowbit.h"

namespace seek {
namespace {

struct Weight {
  DType t;
  int64_t M, K;
  std::vector<uint8_t> bytes;
  std::vector<float> scales;  // F8 block scales
  TensorView view() {
    TensorView v = TensorView::contiguous(t, {M, K}, bytes.data());
    if (t == DType::F8_E4M3) v.block_scale = scales.data();
    return v;
  }
};

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

Weight make_weight(DType t, int64_t M, int64_t K, uint32_t seed) {
  Weight w{t, M, K, {}, {}};
  const size_t rb = row_bytes(t, K);
  w.bytes.resize(rb * M);
  if (t == DType::F8_E4M3) {
    std::mt19937 rng(seed);
    for (auto& b : w.bytes) {
      b = static_cast<uint8_t>(rng());
      if ((b & 0x7F) == 0x7F) b ^= 1;  // no NaN codes
    }
    w.scales = gaussian(((M + 127) / 128) * ((K + 127) / 128), seed + 1);
    return w;
  }
  // The grid types (IQ1 / IQ2 / IQ3) get random valid blocks: every code and sign pattern, not
  // only the ones a quantizer picks for Gaussian rows (and no importance matrix needed).
  if (random_blocks_iq2(t, w.bytes, seed) || random_blocks_iq3_iq1(t, w.bytes, seed)) return w;
  if (!can_quantize(t)) {  // types seek reads but does not write: random valid blocks
    if (random_blocks_lowbit(t, w.bytes, seed)) return w;
    random_valid_blocks(t, w.bytes.data(), static_cast<int64_t>(w.bytes.size()) / dtype_info(t).type_size, seed);
    return w;
  }
  auto f = gaussian(M * K, seed);
  for (int64_t r = 0; r < M; ++r) quantize_row(t, f.data() + r * K, w.bytes.data() + r * rb, K);
  return w;
}

// Activations as the kernels see them, dequantized through the block formats' own decoders;
// for Q8_1 (Q4_1 / Q5_1 weights) also each block's s by ggml's block_q8_1 definition:
// fp16(d * sum of qs) with the unrounded d = amax / 127.
struct Activation {
  std::vector<float> v;
  std::vector<double> s;
  float operator[](int64_t k) const { return v[k]; }
};
Activation dequantized_activation(DType wt, const float* x, int64_t K) {
  DType a = activation_type(wt);
  Activation out{std::vector<float>(x, x + K), {}};
  if (a == DType::F32) return out;
  if (a == DType::Q8_1) {
    a = DType::Q8_0;  // the same d and qs
    for (int64_t b = 0; b < K / 32; ++b) {
      float amax = 0;
      for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * b + j]));
      const float d = amax / 127, id = d ? 1.0f / d : 0.0f;
      int sum = 0;
      for (int j = 0; j < 32; ++j) sum += static_cast<int>(std::round(x[32 * b + j] * id));
      out.s.push_back(fp16_to_fp32(fp32_to_fp16(static_cast<float>(sum) * d)));
    }
  }
  std::vector<uint8_t> q(row_bytes(a, K));
  quantize_row(a, x, q.data(), K);
  dequantize_row(a, q.data(), out.v.data(), K);
  return out;
}

// float64 reference dot and the magnitude S for the tolerance.
void dot_f64(Weight& w, int64_t r, const Activation& xh, double* dot, double* S) {
  const int64_t K = w.K;
  const uint8_t* row = w.bytes.data() + r * row_bytes(w.t, K);
  if (w.t == DType::Q4_1 || w.t == DType::Q5_1) {  // sum (d q) x per element, then + m s per block
    const bool q5 = w.t == DType::Q5_1;
    const size_t bs = q5 ? 24 : 20;
    *dot = *S = 0;
    for (int64_t b = 0; b < K / 32; ++b) {
      const uint8_t* blk = row + b * bs;
      uint16_t dh, mh;
      std::memcpy(&dh, blk, 2);
      std::memcpy(&mh, blk + 2, 2);
      const uint8_t* qs = blk + (q5 ? 8 : 4);
      uint32_t qh = 0;
      if (q5) std::memcpy(&qh, blk + 4, 4);
      for (int j = 0; j < 32; ++j) {
        int q = j < 16 ? qs[j] & 0xF : qs[j - 16] >> 4;
        if (q5) q |= ((qh >> j) & 1) << 4;
        const double t = double(fp16_to_fp32(dh)) * q * xh[32 * b + j];
        *dot += t;
        *S += std::fabs(t);
      }
      const double mt = double(fp16_to_fp32(mh)) * xh.s[b];
      *dot += mt;
      *S += std::fabs(mt);
    }
    return;
  }
  std::vector<float> wh(K);
  dequantize_row(w.t, row, wh.data(), K);
  *dot = 0;
  *S = 0;
  for (int64_t k = 0; k < K; ++k) {
    double wk = wh[k];
    if (w.t == DType::F8_E4M3) wk *= w.scales[(r / 128) * ((K + 127) / 128) + k / 128];
    *dot += wk * xh[k];
    *S += std::fabs(wk * xh[k]);
    if (w.t == DType::Q4_K || w.t == DType::Q5_K) {  // the min term is summed separately: count it too
      const uint8_t* blk = row + (k / 256) * dtype_info(w.t).type_size;  // d, dmin, scales[12] lead both
      uint16_t dmin;
      std::memcpy(&dmin, blk + 2, 2);
      uint8_t sc, m;
      q4_K_scale_min(static_cast<int>(k % 256) / 32, blk + 4, &sc, &m);
      *S += 2 * std::fabs(double(fp16_to_fp32(dmin)) * m * xh[k]);
    }
    if (w.t == DType::Q2_K) {
      const BlockQ2_K& b = reinterpret_cast<const BlockQ2_K*>(row)[k / 256];
      *S += 2 * std::fabs(double(fp16_to_fp32(b.dmin)) * (b.scales[(k % 256) / 16] >> 4) * xh[k]);
    }
  }
}

double tol(int64_t K, double S) { return 2.0 * (K + 3) * 0x1p-24 * S + 1e-30; }

struct TypeCase {
  DType t;
  std::vector<int64_t> Ks;
};

const std::vector<TypeCase>& cases() {
  static const std::vector<TypeCase> c = {
      {DType::F32, {1, 7, 16, 33, 100, 261}},  {DType::F16, {1, 7, 16, 33, 100, 261}},
      {DType::BF16, {1, 7, 16, 33, 100, 261}}, {DType::F8_E4M3, {5, 128, 200, 384, 1000}},
      {DType::Q8_0, {32, 64, 96, 192, 288}},   {DType::Q4_0, {32, 64, 96, 128, 192, 288, 416}},
      {DType::Q4_K, {256, 512, 768, 1280}},    {DType::Q6_K, {256, 768, 1280}},
      {DType::Q4_1, {32, 64, 96, 288}},        {DType::Q5_0, {32, 64, 96, 288}},
      {DType::Q5_1, {32, 64, 96, 288}},        {DType::Q2_K, {256, 512, 768}},
      {DType::Q3_K, {256, 512, 768}},          {DType::Q5_K, {256, 512, 768}},
      {DType::IQ4_NL, {32, 64, 96, 288}},      {DType::IQ4_XS, {256, 512, 768}},
      {DType::IQ2_XXS, {256, 512, 768}},       {DType::IQ2_XS, {256, 512, 768}},
      {DType::IQ2_S, {256, 512, 768}},         {DType::IQ3_XXS, {256, 512, 768}},
      {DType::IQ3_S, {256, 512, 768}},         {DType::IQ1_S, {256, 512, 768}},
      {DType::IQ1_M, {256, 512, 768}},         {DType::TQ1_0, {256, 512, 768}},
      {DType::TQ2_0, {256, 512, 768}},         {DType::MXFP4, {32, 64, 96, 288}},
      {DType::NVFP4, {64, 128, 192, 320}},     {DType::Q1_0, {128, 256, 384}},
      {DType::Q2_0, {64, 128, 192, 320}},
  };
  return c;
}

std::vector<KernelLevel> levels() {
  std::vector<KernelLevel> l = {KernelLevel::Scalar};
  if (detected_kernel_level() >= KernelLevel::AVX2) l.push_back(KernelLevel::AVX2);
  if (detected_kernel_level() >= KernelLevel::AVX512) l.push_back(KernelLevel::AVX512);
  return l;
}

struct LevelGuard {
  KernelLevel saved = kernel_level();
  ~LevelGuard() { set_kernel_level(saved); }
};

TEST(Matmul, ReferenceMatchesDequantizedFloat64) {
  for (const TypeCase& tc : cases()) {
    for (int64_t M : {1, 3, 17, 33}) {
      for (int64_t K : tc.Ks) {
        Weight w = make_weight(tc.t, M, K, static_cast<uint32_t>(M * 1000 + K));
        const int64_t N = 3;
        auto X = gaussian(N * K, 77);
        std::vector<float> Y(N * M);
        ref::matmul(w.view(), X.data(), N, Y.data());
        for (int64_t n = 0; n < N; ++n) {
          auto xh = dequantized_activation(tc.t, X.data() + n * K, K);
          for (int64_t r = 0; r < M; ++r) {
            double d, S;
            dot_f64(w, r, xh, &d, &S);
            ASSERT_LE(std::fabs(Y[n * M + r] - d), tol(K, S))
                << dtype_name(tc.t) << " M=" << M << " K=" << K << " n=" << n << " r=" << r;
          }
        }
      }
    }
  }
}

TEST(Matmul, EveryLevelAgreesWithReference) {
  LevelGuard guard;
  ThreadPool pool(2);
  for (KernelLevel level : levels()) {
    set_kernel_level(level);
    for (const TypeCase& tc : cases()) {
      for (int64_t M : {1, 3, 17, 33}) {
        for (int64_t K : tc.Ks) {
          Weight w = make_weight(tc.t, M, K, static_cast<uint32_t>(M * 7 + K));
          const int64_t N = 5;
          auto X = gaussian(N * K, static_cast<uint32_t>(K));
          std::vector<float> Y(N * M), R(N * M);
          matmul(w.view(), X.data(), N, Y.data(), pool);
          ref::matmul(w.view(), X.data(), N, R.data());
          for (int64_t n = 0; n < N; ++n) {
            auto xh = dequantized_activation(tc.t, X.data() + n * K, K);
            for (int64_t r = 0; r < M; ++r) {
              double d, S;
              dot_f64(w, r, xh, &d, &S);
              const float y = Y[n * M + r], ref = R[n * M + r];
              const bool same_steps = tc.t == DType::Q4_K || tc.t == DType::Q6_K || tc.t == DType::Q2_K ||
                                      tc.t == DType::Q3_K || tc.t == DType::Q5_K || tc.t == DType::IQ4_XS ||
                                      tc.t == DType::IQ3_XXS || tc.t == DType::IQ3_S || tc.t == DType::IQ1_S ||
                                      tc.t == DType::IQ1_M || tc.t == DType::TQ1_0 || tc.t == DType::TQ2_0 ||
                                      tc.t == DType::IQ2_XXS || tc.t == DType::IQ2_XS || tc.t == DType::IQ2_S;
              if (same_steps && level != KernelLevel::AVX512) {
                // Same integer sums, same float steps per super-block: bit for bit (the AVX-512
                // K-quant kernels sum the scaled lanes in vector accumulators instead, so they are
                // held to the rounding bound below, rowdot_kquant_avx512.cpp).
                ASSERT_EQ(y, ref) << kernel_level_name(level) << " " << dtype_name(tc.t) << " M=" << M << " K=" << K;
              }
              ASSERT_LE(std::fabs(y - ref), tol(K, S)) << kernel_level_name(level) << " " << dtype_name(tc.t)
                                                       << " M=" << M << " K=" << K << " n=" << n << " r=" << r;
            }
          }
        }
      }
    }
  }
}

// The AVX-512 level picks some kernels by further CPUID bits (GFNI, VBMI): check every variant this
// CPU can run, called directly on a packed column, against the scalar reference.
TEST(Matmul, EveryAvx512VariantAgreesWithReference) {
  if (detected_kernel_level() < KernelLevel::AVX512) GTEST_SKIP() << "no AVX-512";
  std::vector<const kern::KernelTable*> tables = {&kern::kernels_avx512_base()};
  if (__builtin_cpu_supports("gfni")) tables.push_back(&kern::kernels_gfni_avx512());
  if (__builtin_cpu_supports("avx512vbmi")) {
    tables.push_back(&kern::kernels_iq3_vbmi_avx512());
    if (__builtin_cpu_supports("gfni")) tables.push_back(&kern::kernels_iq2_vbmi_avx512());
  }
  for (const kern::KernelTable* table : tables) {
    for (const TypeCase& tc : cases()) {
      const kern::RowDotFn fn = table->get(tc.t);
      if (!fn) continue;
      for (int64_t K : tc.Ks) {
        Weight w = make_weight(tc.t, 3, K, static_cast<uint32_t>(K + 11));
        const int64_t N = 7;  // column groups of 4, 2 and 1
        auto X = gaussian(N * K, static_cast<uint32_t>(K + 3));
        std::vector<float> R(N * w.M);
        ref::matmul(w.view(), X.data(), N, R.data());
        kern::ActPack x;
        x.kind = activation_type(tc.t);
        x.K = K;
        x.N = N;
        std::vector<uint8_t> packed;
        std::vector<uint8_t> aux;
        if (x.kind == DType::F32) {
          x.data = reinterpret_cast<const uint8_t*>(X.data());
          x.col_bytes = static_cast<size_t>(K) * 4;
        } else {
          x.col_bytes = activation_col_bytes(tc.t, K);
          packed.resize(x.col_bytes * N);
          quantize_activations(tc.t, X.data(), N, K, packed.data());
          x.data = packed.data();
        }
        const kern::AuxPack ap = table->aux(tc.t);
        if (ap.pack) {  // the kernel's own form of each column, as matmul() builds it
          x.aux_col_bytes = (ap.col_bytes(K) + 63) / 64 * 64;
          aux.resize(x.aux_col_bytes * N);
          for (int64_t n = 0; n < N; ++n) ap.pack(X.data() + n * K, x.col(n), K, aux.data() + n * x.aux_col_bytes);
          x.aux = aux.data();
        }
        for (int64_t r = 0; r < w.M; ++r) {
          std::vector<float> y(N);
          kern::RowDotArgs a;
          a.x = &x;
          a.c0 = 0;
          a.c1 = N;
          a.out = y.data();
          if (tc.t == DType::F8_E4M3) a.fp8_scale = w.scales.data() + (r / 128) * ((K + 127) / 128);
          fn(w.bytes.data() + r * row_bytes(tc.t, K), a);
          for (int64_t n = 0; n < N; ++n) {
            auto xh = dequantized_activation(tc.t, X.data() + n * K, K);
            double d, S;
            dot_f64(w, r, xh, &d, &S);
            ASSERT_LE(std::fabs(y[n] - R[n * w.M + r]), tol(K, S)) << dtype_name(tc.t) << " K=" << K << " n=" << n;
          }
        }
      }
    }
  }
}

// F8_E4M3 kernels may decode a group of weights differently when it has no zero / subnormal
// code (e = 0; rowdot_gfni_avx512.cpp): random bytes have one in nearly every group, so check
// weights without any, and with a single one in some groups, at every level. In those the
// e = 0 terms are too small a share of the sum to show a wrong decode of them within the
// rounding bound, so variant 3 has nothing but zeros and subnormals, and variant 4 has them in
// the second 64 codes of every 128-block only (a kernel may test the block's groups together).
TEST(Matmul, F8WithAndWithoutSubnormalGroups) {
  LevelGuard guard;
  ThreadPool pool(2);
  for (int variant = 0; variant < 5; ++variant) {
    for (int64_t K : {128, 256, 300, 1024}) {
      for (int64_t M : {1, 3, 130}) {
        Weight w = make_weight(DType::F8_E4M3, M, K, static_cast<uint32_t>(K + M + variant));
        std::mt19937 rng(static_cast<uint32_t>(K * 3 + variant));
        for (size_t i = 0; i < w.bytes.size(); ++i) {
          uint8_t& b = w.bytes[i];
          if ((b & 0x78) == 0) b |= 0x08;                  // variant 0: no e = 0 code at all
          if (variant == 1 && rng() % 97 == 0) b &= 0x87;  // a few subnormals / zeros
          if (variant == 2 && i % 64 == 63) b &= 0x80;     // a zero at the end of every group
          if (variant == 3) b &= 0x87;                     // zeros and subnormals only
          if (variant == 4 && i % 128 >= 64) b &= 0x87;    // ... in every second group
        }
        const int64_t N = 5;
        auto X = gaussian(N * K, static_cast<uint32_t>(K + 1));
        std::vector<float> Y(N * M), R(N * M);
        ref::matmul(w.view(), X.data(), N, R.data());
        for (KernelLevel level : levels()) {
          set_kernel_level(level);
          matmul(w.view(), X.data(), N, Y.data(), pool);
          for (int64_t n = 0; n < N; ++n) {
            auto xh = dequantized_activation(DType::F8_E4M3, X.data() + n * K, K);
            for (int64_t r = 0; r < M; ++r) {
              double d, S;
              dot_f64(w, r, xh, &d, &S);
              ASSERT_LE(std::fabs(R[n * M + r] - d), tol(K, S)) << "ref variant " << variant << " K=" << K;
              ASSERT_LE(std::fabs(Y[n * M + r] - R[n * M + r]), tol(K, S))
                  << kernel_level_name(level) << " variant " << variant << " K=" << K << " M=" << M << " r=" << r;
            }
          }
        }
      }
    }
  }
}

TEST(Matmul, BatchedEqualsSingleAndThreadCountInvariant) {
  LevelGuard guard;
  ThreadPool pool1(1), pool2(2);
  for (KernelLevel level : levels()) {
    set_kernel_level(level);
    for (const TypeCase& tc : cases()) {
      const int64_t M = 19, K = tc.Ks.back();
      Weight w = make_weight(tc.t, M, K, 5);
      for (int64_t N : {2, 3, 5, 8, 17, 64, 67}) {
        auto X = gaussian(N * K, static_cast<uint32_t>(N));
        std::vector<float> Y(N * M), Y1(N * M), y(M);
        matmul(w.view(), X.data(), N, Y.data(), pool2);
        matmul(w.view(), X.data(), N, Y1.data(), pool1);
        ASSERT_EQ(0, std::memcmp(Y.data(), Y1.data(), Y.size() * 4)) << dtype_name(tc.t) << " N=" << N;
        for (int64_t n = 0; n < N; ++n) {
          matvec(w.view(), X.data() + n * K, y.data(), pool2);
          ASSERT_EQ(0, std::memcmp(y.data(), Y.data() + n * M, M * 4))
              << kernel_level_name(level) << " " << dtype_name(tc.t) << " N=" << N << " n=" << n;
        }
      }
    }
  }
}

TEST(Matmul, BadWeightsThrow) {
  ThreadPool pool(1);
  std::vector<uint8_t> buf(1024);
  std::vector<float> x(64), y(4);
  TensorView i32 = TensorView::contiguous(DType::I32, {2, 32}, buf.data());  // an integer tensor is no weight
  EXPECT_THROW(matvec(i32, x.data(), y.data(), pool), FormatError);
  TensorView f8 = TensorView::contiguous(DType::F8_E4M3, {2, 64}, buf.data());
  EXPECT_THROW(matvec(f8, x.data(), y.data(), pool), FormatError);
  EXPECT_THROW(set_kernel_level(kernel_level_from_name("avx9")), UsageError);
}

TEST(Sgemm, MatchesTripleLoop) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const int64_t M = 17, N = 33, K = 7;
      auto A = gaussian(M * K, 1), B = gaussian(K * N, 2), C0 = gaussian(M * N, 3);
      const int64_t lda = ta ? M : K, ldb = tb ? K : N;
      std::vector<float> C = C0, R = C0;
      sgemm(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.0f, C.data(), N);
      ref::sgemm(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.0f, R.data(), N);
      for (int64_t i = 0; i < M * N; ++i) ASSERT_NEAR(C[i], R[i], 1e-4f * (1 + std::fabs(R[i]))) << ta << tb << i;
    }
  }
}

// The pool's split (slabs of C's rows when M >= N, else of its columns, each a single-threaded
// BLAS call on offset views) against the triple loop, with strides wider than the matrices and
// sizes that leave a short last slab; both split directions, every transpose pair, 1-3 threads.
TEST(Sgemm, PoolSplitMatchesTripleLoop) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    // 301 x 67 x 120 splits rows, 67 x 301 x 120 columns (both above the ~4 MFLOP threshold);
    // 129^2 x 130 is just above it, 5 x 7 x 3 below (one serial call).
    for (auto [M, N, K] : {std::array<int64_t, 3>{301, 67, 120}, {67, 301, 120}, {129, 129, 130}, {5, 7, 3}}) {
      for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
          const int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 5, ldc = N + 2;
          auto A = gaussian((ta ? K : M) * lda, 1), B = gaussian((tb ? N : K) * ldb, 2), C0 = gaussian(M * ldc, 3);
          std::vector<float> C = C0, R = C0;
          sgemm(&pool, ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.0f, C.data(), ldc);
          ref::sgemm(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.0f, R.data(), ldc);
          for (int64_t i = 0; i < M * ldc; ++i)
            ASSERT_NEAR(C[i], R[i], 1e-4f * (1 + std::fabs(R[i])))
                << threads << ta << tb << " " << M << "x" << N << " " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace seek
