// IQ3_XXS, IQ3_S, IQ1_S, IQ1_M: the scalar row-dots against Q8_K agree with a float64 dot of the
// decoded weights and the decoded activations on random valid blocks (random_iq3_iq1.h), and one
// hand-built block per type decodes to values derived by hand from the format (ggml-common.h's
// block layouts and codebook entries), independently of the decoders' code.
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
#include "kernels/ref/rowdot_ref.h"
#include "random_iq3_iq1.h"

namespace seek {
namespace {

struct Case {
  DType t;
  kern::RowDotFn fn;
};

std::vector<Case> cases() {
  return {{DType::IQ3_XXS, kern::dot_iq3_xxs},
          {DType::IQ3_S, kern::dot_iq3_s},
          {DType::IQ1_S, kern::dot_iq1_s},
          {DType::IQ1_M, kern::dot_iq1_m}};
}

std::vector<float> decode(DType t, const std::vector<uint8_t>& bytes, int64_t n) {
  std::vector<float> y(n);
  dequantize_row(t, bytes.data(), y.data(), n);
  return y;
}

// (a) M rows x N columns at K = 256, 512, 768. 64 rows give at least 64 * 32 = 2048 consecutive
// groups, so every codebook index occurs (random_iq3_iq1.h). Bound: the float64 dot's rounding
// bound for K terms, 2 (K + 3) 2^-24 sum |w_k x_k|.
TEST(QuantIq3Iq1, RowDotMatchesDecodedDot) {
  constexpr int64_t M = 64, N = 3;
  for (const Case& c : cases()) {
    for (int64_t K : {256, 512, 768}) {
      const size_t rb = row_bytes(c.t, K);
      std::vector<uint8_t> w(rb * M);
      ASSERT_TRUE(random_blocks_iq3_iq1(c.t, w, static_cast<uint32_t>(K + static_cast<int>(c.t))));
      const std::vector<float> wf = decode(c.t, w, M * K);

      std::mt19937 rng(static_cast<uint32_t>(K * 7 + 1));
      std::normal_distribution<float> nd(0.0f, 1.0f);
      std::vector<float> X(N * K);
      for (float& v : X) v = nd(rng);
      ASSERT_EQ(activation_type(c.t), DType::Q8_K);
      kern::ActPack x;
      x.kind = DType::Q8_K;
      x.K = K;
      x.N = N;
      x.col_bytes = activation_col_bytes(c.t, K);
      std::vector<uint8_t> packed(x.col_bytes * N);
      quantize_activations(c.t, X.data(), N, K, packed.data());
      x.data = packed.data();

      for (int64_t r = 0; r < M; ++r) {
        std::vector<float> y(N);
        kern::RowDotArgs a;
        a.x = &x;
        a.c0 = 0;
        a.c1 = N;
        a.out = y.data();
        c.fn(w.data() + r * rb, a);
        for (int64_t n = 0; n < N; ++n) {
          std::vector<float> xh(K);
          dequantize_row(DType::Q8_K, x.col(n), xh.data(), K);  // the activation the kernel reads
          double d = 0, S = 0;
          for (int64_t k = 0; k < K; ++k) {
            d += double(wf[r * K + k]) * xh[k];
            S += std::fabs(double(wf[r * K + k]) * xh[k]);
          }
          ASSERT_LE(std::fabs(y[n] - d), 2.0 * static_cast<double>(K + 3) * std::ldexp(1.0, -24) * S)
              << dtype_name(c.t) << " K=" << K << " r=" << r << " n=" << n;
        }
      }
    }
  }
}

// The sub-range / stride form of RowDotArgs: columns [1, 3) into every other output.
TEST(QuantIq3Iq1, RowDotColumnRange) {
  constexpr int64_t K = 512, N = 3;
  for (const Case& c : cases()) {
    std::vector<uint8_t> w(row_bytes(c.t, K));
    ASSERT_TRUE(random_blocks_iq3_iq1(c.t, w, 5));
    std::vector<float> X(N * K);
    std::mt19937 rng(9);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (float& v : X) v = nd(rng);
    kern::ActPack x;
    x.kind = DType::Q8_K;
    x.K = K;
    x.N = N;
    x.col_bytes = activation_col_bytes(c.t, K);
    std::vector<uint8_t> packed(x.col_bytes * N);
    quantize_activations(c.t, X.data(), N, K, packed.data());
    x.data = packed.data();
    std::vector<float> all(N), part(4, -1.0f);
    kern::RowDotArgs a;
    a.x = &x;
    a.c0 = 0;
    a.c1 = N;
    a.out = all.data();
    c.fn(w.data(), a);
    a.c0 = 1;
    a.out = part.data();
    a.out_stride = 2;
    c.fn(w.data(), a);
    EXPECT_EQ(part[0], all[1]) << dtype_name(c.t);
    EXPECT_EQ(part[2], all[2]) << dtype_name(c.t);
    EXPECT_EQ(part[1], -1.0f) << dtype_name(c.t);
  }
}

// Random bytes of the wrong type are left alone.
TEST(QuantIq3Iq1, RandomBlocksOnlyForItsFamily) {
  std::vector<uint8_t> b(row_bytes(DType::IQ2_XXS, 256), 7);
  EXPECT_FALSE(random_blocks_iq3_iq1(DType::IQ2_XXS, b, 1));
  EXPECT_FALSE(random_blocks_iq3_iq1(DType::Q4_K, b, 1));
  for (uint8_t v : b) ASSERT_EQ(v, 7);
}

template <class Block>
std::vector<float> decode_block(DType t, const Block& b) {
  std::vector<uint8_t> bytes(sizeof b);
  std::memcpy(bytes.data(), &b, sizeof b);
  return decode(t, bytes, kQKK);
}

void expect_values(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(got[k], want[k]) << what << " element " << k;
}

// (b) IQ3_XXS, d = 1 (fp16 0x3C00). Codebook (ggml-common.h iq3xxs_grid, element 0 in the low
// byte): entry 0 = 0x04040404 -> 4 4 4 4, entry 1 = 0x04040414 -> 20 4 4 4, entry 5 = 0x04040c3e ->
// 62 12 4 4. Sub-block 0: indices qs[0..8) = 0, 1, 5, 0, 0, 0, 0, 0; its word qs[64..68) =
// 0x30000083: scale s = 3 (bits 28..31) -> db = 1 * (0.5 + 3) * 0.5 = 1.75; group 0 signs = 0b0000011
// (even count, 8th bit clear): elements 0, 1 negative; group 1 signs = 0b0000001 (odd count, so the
// 8th bit is set): elements 8 and 15 negative; groups 2, 3: no signs.
//   elements 0..7:   -4 -4 4 4 20 4 4 4 times 1.75  = -7 -7 7 7 35 7 7 7
//   elements 8..15:  -62 12 4 4 4 4 4 -4 times 1.75 = -108.5 21 7 7 7 7 7 -7
//   elements 16..31: 4 * 1.75 = 7
// Sub-blocks 1..7: word 0 -> s = 0, db = 0.25; index 0 -> 4 * 0.25 = 1.
TEST(QuantIq3Iq1, HandBuiltIq3Xxs) {
  BlockIQ3_XXS b;
  std::memset(&b, 0, sizeof b);
  b.d = 0x3C00;
  b.qs[1] = 1;
  b.qs[2] = 5;
  b.qs[64] = 0x83;
  b.qs[67] = 0x30;
  std::vector<float> want(kQKK, 1.0f);
  const float sb0[32] = {-7, -7, 7, 7, 35, 7, 7, 7, -108.5f, 21, 7, 7, 7, 7, 7, -7,
                         7,  7,  7, 7, 7,  7, 7, 7, 7,       7,  7, 7, 7, 7, 7, 7};
  for (int k = 0; k < 32; ++k) want[k] = sb0[k];
  expect_values(decode_block(DType::IQ3_XXS, b), want, "IQ3_XXS");
}

// (b) IQ3_S, d = 0.5 (fp16 0x3800). Codebook (iq3s_grid): entry 0 = 0x01010101 -> 1 1 1 1, entry 1 =
// 0x01010103 -> 3 1 1 1, entry 256 = 0x05090507 -> 7 5 9 5. scales[0] = 0x12: sub-block 0 s = 2 ->
// db = 0.5 * 5 = 2.5, sub-block 1 s = 1 -> db = 1.5; sub-blocks 2..7 s = 0 -> db = 0.5.
//   Sub-block 0: index 0 = qs[0] | (qh[0] bit 0) << 8 = 256, index 1 = qs[1] = 1; signs[0] = 0x81:
//     elements 0, 7 negative -> -7 5 9 5 3 1 1 -1 times 2.5 = -17.5 12.5 22.5 12.5 7.5 2.5 2.5 -2.5;
//     elements 8..31: entry 0 -> 2.5.
//   Sub-block 1 (elements 32..63): signs[4] = 0xFF -> elements 32..39 = -1.5; index 7 = qs[15] |
//     (qh[1] bit 7) << 8 = 256 -> elements 60..63 = 7 5 9 5 times 1.5 = 10.5 7.5 13.5 7.5; others 1.5.
//   Elements 64..255: 0.5.
TEST(QuantIq3Iq1, HandBuiltIq3S) {
  BlockIQ3_S b;
  std::memset(&b, 0, sizeof b);
  b.d = 0x3800;
  b.qs[1] = 1;
  b.qh[0] = 0x01;
  b.qh[1] = 0x80;
  b.signs[0] = 0x81;
  b.signs[4] = 0xFF;
  b.scales[0] = 0x12;
  std::vector<float> want(kQKK, 0.5f);
  const float g0[8] = {-17.5f, 12.5f, 22.5f, 12.5f, 7.5f, 2.5f, 2.5f, -2.5f};
  for (int k = 0; k < 32; ++k) want[k] = k < 8 ? g0[k] : 2.5f;
  for (int k = 32; k < 64; ++k) want[k] = k < 40 ? -1.5f : 1.5f;
  want[60] = 10.5f;
  want[61] = 7.5f;
  want[62] = 13.5f;
  want[63] = 7.5f;
  expect_values(decode_block(DType::IQ3_S, b), want, "IQ3_S");
}

// (b) IQ1_S, d = 0.25 (fp16 0x3400). Codebook (iq1s_grid, int8 bytes, element 0 lowest): entry 0 =
// all -1, entry 1 = 0xffffffffffffff01 -> +1 then seven -1, entry 1024 = 0x0000000000ff0100 ->
// 0 +1 -1 0 0 0 0 0, entry 2047 = all +1. Value = d (2 s + 1) (grid + delta).
//   Sub-block 0: qh[0] = 0x1138: s = 1 (bits 12..14) -> dl = 0.75, bit 15 clear -> delta = +0.125;
//     group 0: qs[0] = 1, high bits 0 -> entry 1: 1.125 * 0.75 = 0.84375, then -0.875 * 0.75 = -0.65625;
//     group 1: qs[1] = 0xFF, high bits (bits 3..5) = 7 -> entry 2047: all 0.84375;
//     group 2: qs[2] = 0, high bits (bits 6..8) = 4 -> entry 1024: 0.09375 0.84375 -0.65625 0.09375 x5;
//     group 3: entry 0: all -0.65625.
//   Sub-block 1: qh[1] = 0x8000 -> dl = 0.25, delta = -0.125; entry 0: -1.125 * 0.25 = -0.28125.
//   Sub-blocks 2..7: dl = 0.25, delta = +0.125, entry 0: -0.875 * 0.25 = -0.21875.
TEST(QuantIq3Iq1, HandBuiltIq1S) {
  BlockIQ1_S b;
  std::memset(&b, 0, sizeof b);
  b.d = 0x3400;
  b.qs[0] = 1;
  b.qs[1] = 0xFF;
  b.qh[0] = 0x1138;
  b.qh[1] = 0x8000;
  std::vector<float> want(kQKK, -0.21875f);
  want[0] = 0.84375f;
  for (int k = 1; k < 8; ++k) want[k] = -0.65625f;
  for (int k = 8; k < 16; ++k) want[k] = 0.84375f;
  const float g2[8] = {0.09375f, 0.84375f, -0.65625f, 0.09375f, 0.09375f, 0.09375f, 0.09375f, 0.09375f};
  for (int k = 0; k < 8; ++k) want[16 + k] = g2[k];
  for (int k = 24; k < 32; ++k) want[k] = -0.65625f;
  for (int k = 32; k < 64; ++k) want[k] = -0.28125f;
  expect_values(decode_block(DType::IQ1_S, b), want, "IQ1_S");
}

// (b) IQ1_M, d = 0.5 = fp16 0x3800, whose nibbles (lowest first) 0, 0, 8, 3 are the top nibbles of
// the scale words w0..w3. w0 = 0x0611: sub-block 0 s1 = 1 (bits 0..2) -> dl1 = 1.5, s2 = 2 (bits
// 3..5) -> dl2 = 2.5; sub-block 1 s1 = 0 (bits 6..8) -> 0.5, s2 = 3 (bits 9..11) -> 3.5. w1 = 0,
// w2 = 0x8000, w3 = 0x3000: sub-blocks 2..7 have dl = 0.5. Codebook entries as IQ1_S's test, plus
// entry 1025 = 0x000000000000ffff -> -1 -1 0 0 0 0 0 0.
//   Sub-block 0, qh[0] = 0x87, qh[1] = 0x84:
//     group 0 (nibble 0x7: high bits 7, delta +): qs[0] = 0xFF -> entry 2047: 1.5 * 1.125 = 1.6875;
//     group 1 (nibble 0x8: high bits 0, delta -): qs[1] = 1 -> entry 1: 1.5 * 0.875 = 1.3125, then
//       1.5 * -1.125 = -1.6875;
//     group 2 (nibble 0x4: high bits 4, delta +): qs[2] = 1 -> entry 1025: 2.5 * -0.875 = -2.1875 x2,
//       then 2.5 * 0.125 = 0.3125 x6;
//     group 3 (nibble 0x8): qs[3] = 0 -> entry 0, delta -: 2.5 * -1.125 = -2.8125.
//   Sub-block 1: entry 0, delta +: -0.875 times 0.5 (groups 0, 1) = -0.4375, times 3.5 (groups 2, 3)
//     = -3.0625.
//   Sub-blocks 2..7: -0.875 * 0.5 = -0.4375.
TEST(QuantIq3Iq1, HandBuiltIq1M) {
  BlockIQ1_M b;
  std::memset(&b, 0, sizeof b);
  b.qs[0] = 0xFF;
  b.qs[1] = 1;
  b.qs[2] = 1;
  b.qh[0] = 0x87;
  b.qh[1] = 0x84;
  b.scales[0] = 0x11;
  b.scales[1] = 0x06;
  b.scales[5] = 0x80;
  b.scales[7] = 0x30;
  std::vector<float> want(kQKK, -0.4375f);
  for (int k = 0; k < 8; ++k) want[k] = 1.6875f;
  want[8] = 1.3125f;
  for (int k = 9; k < 16; ++k) want[k] = -1.6875f;
  for (int k = 16; k < 24; ++k) want[k] = k < 18 ? -2.1875f : 0.3125f;
  for (int k = 24; k < 32; ++k) want[k] = -2.8125f;
  for (int k = 48; k < 64; ++k) want[k] = -3.0625f;
  expect_values(decode_block(DType::IQ1_M, b), want, "IQ1_M");
}

}  // namespace
}  // namespace seek
