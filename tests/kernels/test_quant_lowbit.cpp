// The ternary (TQ1_0, TQ2_0), FP4 (MXFP4, NVFP4) and 1- / 2-bit (Q1_0, Q2_0) types: (a) the scalar
// row-dot of random valid blocks (random_lowbit.h) against their activation form (Q8_K for TQ*, Q8_0
// lanes for the rest) equals a float64 dot of dequantize_row(w) with the dequantized activation
// within the rounding bound 2 (K + 3) 2^-24 sum|w_k x_k| (test_matmul.cpp says why); (b) one
// hand-built block per type decodes to the values the format definition gives, worked out in the
// comments without reference to the decoders' code.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/float16.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/activations.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant.h"
#include "kernels/random_lowbit.h"

namespace seek {
namespace {

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

// The activation values a packed column holds: Q8_K blocks through dequantize_row; Q8_0 lanes
// as q_k times the fp16-rounded scale of k's 32-block (lane scales at K bytes, block b's at [8 b]).
std::vector<double> activation_values(DType a, const uint8_t* col, int64_t K) {
  std::vector<double> x(K);
  if (a == DType::Q8_K) {
    std::vector<float> f(K);
    dequantize_row(DType::Q8_K, col, f.data(), K);
    for (int64_t k = 0; k < K; ++k) x[k] = f[k];
  } else {
    const int8_t* q = reinterpret_cast<const int8_t*>(col);
    const float* ds = reinterpret_cast<const float*>(col + K);
    for (int64_t k = 0; k < K; ++k) x[k] = double(ds[8 * (k / 32)]) * q[k];
  }
  return x;
}

struct Case {
  DType t;
  std::vector<int64_t> Ks;
};

TEST(QuantLowbit, RowDotMatchesFloat64Dot) {
  const std::vector<Case> cases = {
      {DType::TQ1_0, {256, 512, 768}},          {DType::TQ2_0, {256, 512, 768}},
      {DType::MXFP4, {32, 96, 256, 512, 768}},  {DType::NVFP4, {64, 256, 320, 512, 768}},
      {DType::Q1_0, {128, 256, 384, 512, 768}}, {DType::Q2_0, {64, 192, 256, 512, 768}},
  };
  for (const Case& c : cases) {
    const kern::RowDotFn fn = kern::kernels_scalar().get(c.t);
    ASSERT_NE(fn, nullptr) << dtype_name(c.t);
    for (int64_t K : c.Ks) {
      for (uint32_t seed = 1; seed <= 4; ++seed) {
        std::vector<uint8_t> w(row_bytes(c.t, K));
        ASSERT_TRUE(random_blocks_lowbit(c.t, w, seed * 1000 + static_cast<uint32_t>(K)));
        std::vector<float> wh(K);
        dequantize_row(c.t, w.data(), wh.data(), K);

        const int64_t N = 3;
        const auto X = gaussian(N * K, seed + static_cast<uint32_t>(K));
        kern::ActPack x;
        x.kind = activation_type(c.t);
        x.K = K;
        x.N = N;
        x.col_bytes = activation_col_bytes(c.t, K);
        std::vector<uint8_t> packed(x.col_bytes * N);
        quantize_activations(c.t, X.data(), N, K, packed.data());
        x.data = packed.data();
        std::vector<float> y(N);
        kern::RowDotArgs a;
        a.x = &x;
        a.c0 = 0;
        a.c1 = N;
        a.out = y.data();
        fn(w.data(), a);

        for (int64_t n = 0; n < N; ++n) {
          const auto xh = activation_values(x.kind, x.col(n), K);
          double d = 0, S = 0;
          for (int64_t k = 0; k < K; ++k) {
            d += double(wh[k]) * xh[k];
            S += std::fabs(double(wh[k]) * xh[k]);
          }
          ASSERT_LE(std::fabs(y[n] - d), 2.0 * (K + 3) * 0x1p-24 * S + 1e-30)
              << dtype_name(c.t) << " K=" << K << " seed=" << seed << " n=" << n;
        }
      }
    }
  }
}

std::vector<float> decode(DType t, const void* block) {
  std::vector<float> y(dtype_info(t).block_size);
  dequantize_row(t, block, y.data(), static_cast<int64_t>(y.size()));
  return y;
}

// E2M1 by its definition: bit 3 sign, bits 2..1 exponent e (bias 1), bit 0 mantissa m:
// e = 0: m * 0.5 (subnormal), else 2^(e - 1) * (1 + m / 2).
double e2m1(int code) {
  const int e = (code >> 1) & 3, m = code & 1;
  const double v = e == 0 ? 0.5 * m : std::ldexp(1.0 + 0.5 * m, e - 1);
  return code & 8 ? -v : v;
}

// TQ1_0, d = 0.5 (fp16 0x3800). A qs / qh byte stores 5 base-3 digits c_0..c_4 (c_0 first) as
// ceil(v * 256 / 243), v = sum c_n 3^(4-n); value = (c - 1) d.
//   128 = ceil(121 * 256 / 243) = ceil(127.47): digits 1,1,1,1,1 -> all 0 (used for every other qs byte)
//   127 = ceil(120 * 256 / 243) = ceil(126.42): digits 1,1,1,1,(0) -> all 0 (every other qh byte)
//   qs[0]  = 106 = ceil(100 * 256 / 243) = ceil(105.35), 100 = 81 + 18 + 1: digits 1,0,2,0,1
//            -> elements 0, 32, 64, 96, 128 (32 n + 0) = 0, -0.5, +0.5, -0.5, 0
//   qs[37] = 255 = ceil(242 * 256 / 243): digits 2,2,2,2,2 -> elements 160 + 16 n + 5 = +0.5
//   qh[2]  = 187 = ceil(177 * 256 / 243) = ceil(186.47), 177 = 162 + 9 + 6: digits 2,0,1,2,(0)
//            -> elements 240 + 4 n + 2 = 242: +0.5, 246: -0.5, 250: 0, 254: +0.5
TEST(QuantLowbit, TQ1_0ByHand) {
  BlockTQ1_0 b;
  std::memset(b.qs, 128, sizeof b.qs);
  std::memset(b.qh, 127, sizeof b.qh);
  b.qs[0] = 106;
  b.qs[37] = 255;
  b.qh[2] = 187;
  b.d = 0x3800;
  std::vector<float> want(256, 0.0f);
  want[32] = want[96] = -0.5f;
  want[64] = 0.5f;
  for (int n = 0; n < 5; ++n) want[160 + 16 * n + 5] = 0.5f;
  want[242] = want[254] = 0.5f;
  want[246] = -0.5f;
  const auto got = decode(DType::TQ1_0, &b);
  for (int e = 0; e < 256; ++e) EXPECT_EQ(got[e], want[e]) << e;
}

// TQ2_0, d = 0.25 (fp16 0x3400): element 128 h + 32 l + m is bits 2 l..2 l + 1 of qs[32 h + m],
// value (c - 1) d. Every other byte 0x55 (codes 1) -> 0.
//   qs[0]  = 0xE4 = codes 0,1,2,3 (l = 0..3) -> elements 0: -0.25, 32: 0, 64: +0.25, 96: +0.5
//   qs[39] = 0x02 = codes 2,0,0,0 -> elements 135: +0.25, 167, 199, 231: -0.25
TEST(QuantLowbit, TQ2_0ByHand) {
  BlockTQ2_0 b;
  std::memset(b.qs, 0x55, sizeof b.qs);
  b.qs[0] = 0xE4;
  b.qs[39] = 0x02;
  b.d = 0x3400;
  std::vector<float> want(256, 0.0f);
  want[0] = -0.25f;
  want[64] = 0.25f;
  want[96] = 0.5f;
  want[135] = 0.25f;
  want[167] = want[199] = want[231] = -0.25f;
  const auto got = decode(DType::TQ2_0, &b);
  for (int e = 0; e < 256; ++e) EXPECT_EQ(got[e], want[e]) << e;
}

// MXFP4: value = E2M1(code) * 2^(e - 127); qs[j] low nibble = element j, high = element j + 16.
// With qs[j] = j | (15 - j) << 4 every code occurs: element j = E2M1(j) s, j + 16 = E2M1(15 - j) s.
// Scales: e = 126 -> 0.5; e = 0 -> 2^-127 (ggml reads e = 0 as the subnormal 2^-127); e = 200 -> 2^73.
TEST(QuantLowbit, MXFP4ByHand) {
  for (int e : {126, 0, 200}) {
    BlockMXFP4 b;
    b.e = static_cast<uint8_t>(e);
    for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | (15 - j) << 4);
    const double s = std::ldexp(1.0, e - 127);
    const auto got = decode(DType::MXFP4, &b);
    for (int j = 0; j < 16; ++j) {
      EXPECT_EQ(got[j], e2m1(j) * s) << "e=" << e << " j=" << j;
      EXPECT_EQ(got[j + 16], e2m1(15 - j) * s) << "e=" << e << " j=" << j;
    }
  }
}

// NVFP4: sub-block s (elements 16 s..16 s + 15) has UE4M3 scale d[s] (bits 6..3 exponent, bias 7;
// bits 2..0 mantissa m: exponent 0 -> m 2^-9, else 2^(exp - 7) (1 + m / 8)); qs[8 s + j] low nibble
// = element 16 s + j, high = 16 s + 8 + j. With qs[8 s + j] = j | (j + 8) << 4 every code occurs.
//   block 1: d = 0x38 (exp 7, m 0) = 1, 0x3C (exp 7, m 4) = 1.5, 0x03 (subnormal) = 3 * 2^-9,
//            0x7E (exp 15, m 6) = 2^8 * 1.75 = 448
//   block 2: d = 0x00 = 0, 0x7F (E4M3's NaN: ggml reads it as 0) = 0, 0x08 (exp 1, m 0) = 2^-6,
//            0x51 (exp 10, m 1) = 2^3 * 1.125 = 9
TEST(QuantLowbit, NVFP4ByHand) {
  const uint8_t codes[2][4] = {{0x38, 0x3C, 0x03, 0x7E}, {0x00, 0x7F, 0x08, 0x51}};
  const double scales[2][4] = {{1.0, 1.5, 3 * 0x1p-9, 448.0}, {0.0, 0.0, 0x1p-6, 9.0}};
  for (int blk = 0; blk < 2; ++blk) {
    BlockNVFP4 b;
    std::memcpy(b.d, codes[blk], 4);
    for (int s = 0; s < 4; ++s)
      for (int j = 0; j < 8; ++j) b.qs[8 * s + j] = static_cast<uint8_t>(j | (j + 8) << 4);
    const auto got = decode(DType::NVFP4, &b);
    for (int s = 0; s < 4; ++s)
      for (int j = 0; j < 8; ++j) {
        EXPECT_EQ(got[16 * s + j], e2m1(j) * scales[blk][s]) << blk << " " << s << " " << j;
        EXPECT_EQ(got[16 * s + 8 + j], e2m1(j + 8) * scales[blk][s]) << blk << " " << s << " " << j;
      }
  }
}

// Q1_0, d = 2 (fp16 0x4000): element j is bit j % 8 of qs[j / 8], 1 -> +d, 0 -> -d. Every other
// byte 0xFF -> +2.  qs[0] = 0x05: elements 0, 2 = +2, 1, 3..7 = -2;  qs[15] = 0x80: element 127
// = +2, 120..126 = -2.
TEST(QuantLowbit, Q1_0ByHand) {
  BlockQ1_0 b;
  std::memset(b.qs, 0xFF, sizeof b.qs);
  b.qs[0] = 0x05;
  b.qs[15] = 0x80;
  b.d = 0x4000;
  std::vector<float> want(128, 2.0f);
  for (int j : {1, 3, 4, 5, 6, 7}) want[j] = -2.0f;
  for (int j = 120; j < 127; ++j) want[j] = -2.0f;
  const auto got = decode(DType::Q1_0, &b);
  for (int e = 0; e < 128; ++e) EXPECT_EQ(got[e], want[e]) << e;
}

// Q2_0, d = 0.5 (fp16 0x3800): element j is bits 2 (j % 4)..2 (j % 4) + 1 of qs[j / 4], value
// (c - 1) d. Every other byte 0x55 (codes 1) -> 0.  qs[0] = 0xE4 = codes 0,1,2,3: elements 0..3 =
// -0.5, 0, 0.5, 1;  qs[15] = 0x1B = codes 3,2,1,0: elements 60..63 = 1, 0.5, 0, -0.5.
TEST(QuantLowbit, Q2_0ByHand) {
  BlockQ2_0 b;
  std::memset(b.qs, 0x55, sizeof b.qs);
  b.qs[0] = 0xE4;
  b.qs[15] = 0x1B;
  b.d = 0x3800;
  std::vector<float> want(64, 0.0f);
  want[0] = -0.5f;
  want[2] = 0.5f;
  want[3] = 1.0f;
  want[60] = 1.0f;
  want[61] = 0.5f;
  want[63] = -0.5f;
  const auto got = decode(DType::Q2_0, &b);
  for (int e = 0; e < 64; ++e) EXPECT_EQ(got[e], want[e]) << e;
}

}  // namespace
}  // namespace seek
