// IQ2_XXS, IQ2_XS, IQ2_S: (1) the random blocks of random_iq2.h use every grid index, sign and
// scale; (2) the scalar row-dots against Q8_K equal a float64 dot of dequantize_row(W) with the
// dequantized Q8_K activation within the rounding bound 2 (K + 3) 2^-24 sum|w_k x_k| (see
// test_matmul.cpp); (3) hand-built blocks decode to values worked out from the format definition
// (llama.cpp de3ff81 ggml-common.h / dequantize_row_iq2_*), independently of the decoder's loops.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "core/dtype.h"
#include "core/float16.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/activations.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/quant/quant.h"
#include "kernels/random_iq2.h"
#include "kernels/ref/rowdot_ref.h"

namespace seek {
namespace {

constexpr DType kTypes[] = {DType::IQ2_XXS, DType::IQ2_XS, DType::IQ2_S};

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

kern::RowDotFn scalar_dot(DType t) {
  return t == DType::IQ2_XXS ? kern::dot_iq2_xxs : t == DType::IQ2_XS ? kern::dot_iq2_xs : kern::dot_iq2_s;
}

// The grid index, 8 sign bits and 4-bit scale of every group of 8 in blocks of type t, read from
// the layout as ggml-common.h defines it (the 8th IQ2_XXS / IQ2_XS sign bit is the parity of the 7).
struct Codes {
  std::set<int> index, scale;
  std::set<int> sign_bits_set, sign_bits_clear;  // the positions j some group had negative / positive
};
Codes codes_of(DType t, const std::vector<uint8_t>& bytes) {
  Codes c;
  auto signs8 = [&](int s7) {
    const int s = s7 | ((__builtin_popcount(s7) & 1) << 7);
    for (int j = 0; j < 8; ++j) ((s >> j) & 1 ? c.sign_bits_set : c.sign_bits_clear).insert(j);
  };
  const size_t bs = dtype_info(t).type_size;
  for (size_t off = 0; off < bytes.size(); off += bs) {
    const uint8_t* p = bytes.data() + off + 2;  // past d
    for (int ib = 0; ib < 8; ++ib) {
      if (t == DType::IQ2_XXS) {  // 8 bytes per sub-block: 4 index bytes, then a uint32 of signs / scale
        uint32_t aux;
        std::memcpy(&aux, p + 8 * ib + 4, 4);
        for (int l = 0; l < 4; ++l) {
          c.index.insert(p[8 * ib + l]);
          signs8((aux >> (7 * l)) & 127);
        }
        c.scale.insert(static_cast<int>(aux >> 28));
      } else if (t == DType::IQ2_XS) {  // uint16 qs[32], then scales[8]
        for (int l = 0; l < 4; ++l) {
          const int q = p[2 * (4 * ib + l)] | (p[2 * (4 * ib + l) + 1] << 8);
          c.index.insert(q & 511);
          signs8(q >> 9);
        }
        c.scale.insert(p[64 + ib] & 0xF);
        c.scale.insert(p[64 + ib] >> 4);
      } else {  // qs[32] low index bits, signs[32], qh[8], scales[8]
        for (int l = 0; l < 4; ++l) {
          const int g = 4 * ib + l;
          c.index.insert(p[g] | (((p[64 + ib] >> (2 * l)) & 3) << 8));
          for (int j = 0; j < 8; ++j) ((p[32 + g] >> j) & 1 ? c.sign_bits_set : c.sign_bits_clear).insert(j);
        }
        c.scale.insert(p[72 + ib] & 0xF);
        c.scale.insert(p[72 + ib] >> 4);
      }
    }
  }
  return c;
}

TEST(QuantIq2, RandomBlocksUseEveryCode) {
  std::vector<uint8_t> none(64);
  EXPECT_FALSE(random_blocks_iq2(DType::Q4_K, none, 1));
  for (DType t : kTypes) {
    const size_t n_grid = t == DType::IQ2_XXS ? 256 : t == DType::IQ2_XS ? 512 : 1024;
    std::vector<uint8_t> bytes(row_bytes(t, 256) * (n_grid / 32));  // 32 groups per block
    ASSERT_TRUE(random_blocks_iq2(t, bytes, 7));
    const Codes c = codes_of(t, bytes);
    EXPECT_EQ(c.index.size(), n_grid) << dtype_name(t);
    EXPECT_EQ(c.scale.size(), 16u) << dtype_name(t);
    EXPECT_EQ(c.sign_bits_set.size(), 8u) << dtype_name(t);
    EXPECT_EQ(c.sign_bits_clear.size(), 8u) << dtype_name(t);
    std::vector<float> y(256 * (n_grid / 32));
    dequantize_row(t, bytes.data(), y.data(), static_cast<int64_t>(y.size()));
    for (float v : y) ASSERT_TRUE(std::isfinite(v) && std::fabs(v) < 4.0f) << dtype_name(t);  // 0.02 * 15.5 / 4 * 43
  }
}

TEST(QuantIq2, ScalarRowDotMatchesFloat64) {
  const kern::KernelTable& table = kern::kernels_scalar();
  for (DType t : kTypes) {
    ASSERT_EQ(activation_type(t), DType::Q8_K);
    ASSERT_EQ(table.get(t), scalar_dot(t)) << dtype_name(t);
    for (int64_t K : {256, 512, 768}) {
      const int64_t M = 32, N = 3;  // 32 rows: every grid index at every K (see random_iq2.h)
      const size_t rb = row_bytes(t, K);
      std::vector<uint8_t> w(rb * M);
      ASSERT_TRUE(random_blocks_iq2(t, w, static_cast<uint32_t>(K + static_cast<int>(t))));
      const auto X = gaussian(N * K, static_cast<uint32_t>(3 * K));
      kern::ActPack x;
      x.kind = DType::Q8_K;
      x.K = K;
      x.N = N;
      x.col_bytes = activation_col_bytes(t, K);
      std::vector<uint8_t> packed(x.col_bytes * N);
      quantize_activations(t, X.data(), N, K, packed.data());
      x.data = packed.data();
      // The activation values the kernel multiplies: X through Q8_K and back.
      std::vector<float> xh(N * K);
      std::vector<uint8_t> q8(row_bytes(DType::Q8_K, K));
      for (int64_t n = 0; n < N; ++n) {
        quantize_row(DType::Q8_K, X.data() + n * K, q8.data(), K);
        dequantize_row(DType::Q8_K, q8.data(), xh.data() + n * K, K);
      }
      std::vector<float> wh(K);
      for (int64_t r = 0; r < M; ++r) {
        std::vector<float> y(2 * N, -1.0f);
        kern::RowDotArgs a;
        a.x = &x;
        a.c0 = 0;
        a.c1 = N;
        a.out = y.data();
        a.out_stride = 2;
        scalar_dot(t)(w.data() + r * rb, a);
        dequantize_row(t, w.data() + r * rb, wh.data(), K);
        for (int64_t n = 0; n < N; ++n) {
          double d = 0, S = 0;
          for (int64_t k = 0; k < K; ++k) {
            d += double(wh[k]) * xh[n * K + k];
            S += std::fabs(double(wh[k]) * xh[n * K + k]);
          }
          ASSERT_GT(S, 0);
          EXPECT_EQ(y[2 * n + 1], -1.0f);  // out_stride respected
          ASSERT_LE(std::fabs(y[2 * n] - d), 2.0 * (K + 3) * std::ldexp(1.0, -24) * S)
              << dtype_name(t) << " K=" << K << " r=" << r << " n=" << n;
        }
      }
      // A column range [c0, c1) writes out[c - c0] only, with the same values.
      std::vector<float> all(N), one(1);
      kern::RowDotArgs a;
      a.x = &x;
      a.c0 = 0;
      a.c1 = N;
      a.out = all.data();
      scalar_dot(t)(w.data(), a);
      a.c0 = N - 1;
      a.out = one.data();
      scalar_dot(t)(w.data(), a);
      EXPECT_EQ(one[0], all[N - 1]) << dtype_name(t);
    }
  }
}

// The codebook entries the hand-built blocks use, as listed in ggml-common.h (iq2xxs_grid,
// iq2xs_grid, iq2s_grid); entry bytes, lowest first, are the 8 magnitudes of a group.
TEST(QuantIq2, GridEntriesAsGgml) {
  EXPECT_EQ(quant::kIq2xxsGrid[0], 0x0808080808080808u);
  EXPECT_EQ(quant::kIq2xxsGrid[1], 0x080808080808082bu);
  EXPECT_EQ(quant::kIq2xxsGrid[255], 0x2b2b2b1908081908u);
  EXPECT_EQ(quant::kIq2xsGrid[1], 0x080808080808082bu);
  EXPECT_EQ(quant::kIq2xsGrid[511], 0x2b2b2b2b2b2b2b2bu);
  EXPECT_EQ(quant::kIq2sGrid[0], 0x0808080808080808u);
  EXPECT_EQ(quant::kIq2sGrid[517], 0x1908081919190808u);
  EXPECT_EQ(quant::kIq2sGrid[1023], 0x2b2b2b2b2b2b2b2bu);
}

std::vector<float> decode(DType t, const void* block) {
  std::vector<float> y(256);
  dequantize_row(t, block, y.data(), 256);
  return y;
}

// IQ2_XXS, d = 1 (fp16 0x3C00). A sub-block's multiplier is d (0.5 + s) / 4.
//  Sub-block 0, s = 3: db = 0.875. Index bytes (1, 0, 0, 0). Sign codes: group 0 = 0b0000001
//   (element 0 negative; odd count, so element 7 negative too), group 1 = 0b0000011 (elements 0, 1;
//   even, element 7 positive), groups 2, 3 = 0.
//   Entry 1 = (43, 8, 8, 8, 8, 8, 8, 8), entry 0 = eight 8s:
//   group 0: -37.625, 7, 7, 7, 7, 7, 7, -7;  group 1: -7, -7, 7, 7, 7, 7, 7, 7;  groups 2, 3: 7.
//  Sub-block 7, s = 15: db = 3.875. Index bytes (0, 0, 0, 255), group 3's sign code 0b1111111 (7
//   negatives, odd, so all 8 negative). Entry 255 = (8, 25, 8, 8, 25, 43, 43, 43):
//   groups 0..2: 31;  group 3: -31, -96.875, -31, -31, -96.875, -166.625, -166.625, -166.625.
//  Sub-blocks 1..6 all zero: s = 0, db = 0.125, entry 0, no signs: 1.
TEST(QuantIq2, Iq2xxsHandBlock) {
  BlockIQ2_XXS b{};
  b.d = 0x3C00;
  b.qs[0] = 0x0001;                                 // index bytes 1, 0
  b.qs[1] = 0x0000;                                 // index bytes 0, 0
  const uint32_t a0 = 1u | (3u << 7) | (3u << 28);  // signs of groups 0, 1; scale 3
  b.qs[2] = static_cast<uint16_t>(a0 & 0xFFFF);
  b.qs[3] = static_cast<uint16_t>(a0 >> 16);
  b.qs[28] = 0x0000;
  b.qs[29] = 0xFF00;                               // index bytes 0, 0, 0, 255
  const uint32_t a7 = (127u << 21) | (15u << 28);  // group 3 sign code 127; scale 15
  b.qs[30] = static_cast<uint16_t>(a7 & 0xFFFF);
  b.qs[31] = static_cast<uint16_t>(a7 >> 16);
  std::vector<float> want(256, 1.0f);
  const float g0[8] = {-37.625f, 7, 7, 7, 7, 7, 7, -7}, g1[8] = {-7, -7, 7, 7, 7, 7, 7, 7};
  const float g31[8] = {-31, -96.875f, -31, -31, -96.875f, -166.625f, -166.625f, -166.625f};
  for (int j = 0; j < 8; ++j) {
    want[j] = g0[j];
    want[8 + j] = g1[j];
    want[16 + j] = want[24 + j] = 7;
    want[224 + j] = want[232 + j] = want[240 + j] = 31;
    want[248 + j] = g31[j];
  }
  EXPECT_EQ(decode(DType::IQ2_XXS, &b), want);
}

// IQ2_XS, d = 0.5 (fp16 0x3800). Sub-block 0: scales[0] = 0x21, so groups 0, 1 have s = 1
//  (db = 0.5 * 1.5 / 4 = 0.1875) and groups 2, 3 have s = 2 (db = 0.3125).
//  group 0: qs = 1 | (0b1000000 << 9): entry 1 = (43, 8, ...), element 6 negative, odd count so
//   element 7 negative: 8.0625, 1.5, 1.5, 1.5, 1.5, 1.5, -1.5, -1.5.
//  group 1: qs = 0: eight 1.5.  group 2: qs = 511: entry 511 = eight 43s: 13.4375.
//  group 3: qs = 0: eight 2.5.
//  Other sub-blocks: scale 0 (db = 0.0625), entry 0: 0.5.
TEST(QuantIq2, Iq2xsHandBlock) {
  BlockIQ2_XS b{};
  b.d = 0x3800;
  b.qs[0] = static_cast<uint16_t>(1 | (0x40 << 9));
  b.qs[2] = 511;
  b.scales[0] = 0x21;
  std::vector<float> want(256, 0.5f);
  const float g0[8] = {8.0625f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f, -1.5f, -1.5f};
  for (int j = 0; j < 8; ++j) {
    want[j] = g0[j];
    want[8 + j] = 1.5f;
    want[16 + j] = 13.4375f;
    want[24 + j] = 2.5f;
  }
  EXPECT_EQ(decode(DType::IQ2_XS, &b), want);
}

// IQ2_S, d = 1. Sub-block 0: scales[0] = 0xF0: groups 0, 1 have s = 0 (db = 0.125), groups 2, 3
//  s = 15 (db = 3.875). qh[0] = 0xC8: group 1's index bits 8, 9 = 2 (bits 2, 3), group 3's = 3
//  (bits 6, 7). Signs are 8 explicit bits (qs[32 + g]).
//  group 0: index 0, signs 0: eight 1.
//  group 1: index 5 + 2 * 256 = 517 = (8, 8, 25, 25, 25, 8, 8, 25), signs 0x81 (elements 0, 7):
//   -1, 1, 3.125, 3.125, 3.125, 1, 1, -3.125.
//  group 2: index 0, signs 0xFF: eight -31.   group 3: index 255 + 3 * 256 = 1023 (eight 43s): 166.625.
//  Other sub-blocks all zero: 1.
TEST(QuantIq2, Iq2sHandBlock) {
  BlockIQ2_S b{};
  b.d = 0x3C00;
  b.qs[1] = 5;
  b.qs[3] = 0xFF;
  b.qs[32 + 1] = 0x81;
  b.qs[32 + 2] = 0xFF;
  b.qh[0] = 0xC8;
  b.scales[0] = 0xF0;
  std::vector<float> want(256, 1.0f);
  const float g1[8] = {-1, 1, 3.125f, 3.125f, 3.125f, 1, 1, -3.125f};
  for (int j = 0; j < 8; ++j) {
    want[8 + j] = g1[j];
    want[16 + j] = -31;
    want[24 + j] = 166.625f;
  }
  EXPECT_EQ(decode(DType::IQ2_S, &b), want);
}

}  // namespace
}  // namespace seek
