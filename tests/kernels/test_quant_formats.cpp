// Quantize -> dequantize within each format's error bound; K-quant layouts decoded by an
// element-index reading of the spec (independent of dequantize_row's loops); bad sizes throw.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "core/float16.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/quant/activations.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant.h"

namespace seek {
namespace {

std::vector<float> gaussian(int64_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = nd(rng);
  return v;
}

std::vector<float> roundtrip(DType t, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(t, static_cast<int64_t>(x.size())));
  quantize_row(t, x.data(), q.data(), static_cast<int64_t>(x.size()));
  std::vector<float> y(x.size());
  dequantize_row(t, q.data(), y.data(), static_cast<int64_t>(x.size()));
  return y;
}

float amax_of(const float* x, int n) {
  float a = 0;
  for (int i = 0; i < n; ++i) a = std::fmax(a, std::fabs(x[i]));
  return a;
}

double rel_rms(const std::vector<float>& x, const std::vector<float>& y) {
  double e = 0, s = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    e += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
    s += double(x[i]) * x[i];
  }
  return std::sqrt(e / s);
}

// Per-element bound: half a step (d / 2) plus the fp16 rounding of d times the largest code.
TEST(QuantFormats, Q8_0Bound) {
  auto x = gaussian(32 * 40, 1);
  x[5] = 0;  // an all-zero block too
  for (int j = 64; j < 96; ++j) x[j] = 0;
  auto y = roundtrip(DType::Q8_0, x);
  for (size_t i = 0; i < x.size(); ++i) {
    const float d = amax_of(&x[i / 32 * 32], 32) / 127;
    ASSERT_LE(std::fabs(x[i] - y[i]), d * (0.5f + 127.0f / 2048)) << i;
  }
}

// Q4_0 / Q5_0 map the signed extreme to -8 / -16 exactly; the opposite side clamps at +7 / +15:
// error <= d = amax / 8 or / 16, plus the fp16 rounding of d times the largest code.
TEST(QuantFormats, Q4_0AndQ5_0Bound) {
  for (DType t : {DType::Q4_0, DType::Q5_0}) {
    const float half = t == DType::Q4_0 ? 8 : 16;
    auto x = gaussian(32 * 40, 2);
    auto y = roundtrip(t, x);
    for (size_t i = 0; i < x.size(); ++i) {
      const float d = amax_of(&x[i / 32 * 32], 32) / half;
      ASSERT_LE(std::fabs(x[i] - y[i]), d * (1.0f + 2 * half / 2048)) << dtype_name(t) << " " << i;
    }
    EXPECT_LT(rel_rms(x, y), t == DType::Q4_0 ? 0.12 : 0.06) << dtype_name(t);
  }
}

// Q4_1 / Q5_1 span [min, max] with 16 / 32 levels: half a step, plus the fp16 rounding of d (times
// the largest code) and of the min.
TEST(QuantFormats, Q4_1AndQ5_1Bound) {
  for (DType t : {DType::Q4_1, DType::Q5_1}) {
    const float levels = t == DType::Q4_1 ? 15 : 31;
    auto x = gaussian(32 * 40, 4);
    auto y = roundtrip(t, x);
    for (size_t i = 0; i < x.size(); ++i) {
      const float* b = &x[i / 32 * 32];
      float lo = b[0], hi = b[0];
      for (int j = 1; j < 32; ++j) lo = std::fmin(lo, b[j]), hi = std::fmax(hi, b[j]);
      const float d = (hi - lo) / levels;
      ASSERT_LE(std::fabs(x[i] - y[i]), d * (0.5f + levels / 2048) + std::fabs(lo) / 2048) << dtype_name(t) << " " << i;
    }
    EXPECT_LT(rel_rms(x, y), t == DType::Q4_1 ? 0.1 : 0.05) << dtype_name(t);
  }
}

// K-quants: the fitted scale/min are themselves quantized (6 or 8 bits), so bound the Q4_K / Q5_K
// error by one step of the sub-block's range, and check typical accuracy by RMS (4.5 / 5.5 bits);
// Q2_K (4 levels per 16) and Q3_K (8 signed levels per 16) by RMS only. Their bytes are compared
// with llama-quantize's in test_quant_llama_bytes.cpp. An all-zero super-block stays exactly zero.
TEST(QuantFormats, Q2_KToQ5_KBound) {
  auto x = gaussian(256 * 12, 3);
  for (int j = 256; j < 512; ++j) x[j] = std::fabs(x[j]) + 0.5f;  // all-positive super-block
  for (int j = 512; j < 768; ++j) x[j] = 0;                       // all-zero super-block
  for (auto [t, levels, rms] : {std::tuple{DType::Q4_K, 15.0f, 0.10}, std::tuple{DType::Q5_K, 31.0f, 0.05},
                                std::tuple{DType::Q3_K, 0.0f, 0.25}, std::tuple{DType::Q2_K, 0.0f, 0.45}}) {
    auto y = roundtrip(t, x);
    for (size_t i = 0; i < x.size() && levels > 0; ++i) {
      const float* s = &x[i / 32 * 32];
      float lo = 0, hi = 0;
      for (int l = 0; l < 32; ++l) lo = std::fmin(lo, s[l]), hi = std::fmax(hi, s[l]);
      ASSERT_LE(std::fabs(x[i] - y[i]), (hi - lo) / levels + 1e-6f) << dtype_name(t) << " " << i;
    }
    EXPECT_LT(rel_rms(x, y), rms) << dtype_name(t);
    for (int j = 512; j < 768; ++j) ASSERT_EQ(y[j], 0.0f) << dtype_name(t) << " " << j;
  }
}

TEST(QuantFormats, Q6_KBound) {
  auto x = gaussian(256 * 12, 4);
  for (int j = 512; j < 768; ++j) x[j] = 0;
  auto y = roundtrip(DType::Q6_K, x);
  for (size_t i = 0; i < x.size(); ++i) {
    const float a = amax_of(&x[i / 16 * 16], 16);
    ASSERT_LE(std::fabs(x[i] - y[i]), a / 16 + 1e-6f) << i;
  }
  EXPECT_LT(rel_rms(x, y), 0.03);
}

TEST(QuantFormats, Q8_KBoundAndSums) {
  auto x = gaussian(256 * 4, 5);
  std::vector<BlockQ8_K> b(4);
  quantize_row(DType::Q8_K, x.data(), b.data(), 1024);
  std::vector<float> y(1024);
  dequantize_row(DType::Q8_K, b.data(), y.data(), 1024);
  for (int i = 0; i < 1024; ++i) {
    const float d = amax_of(&x[i / 256 * 256], 256) / 127;
    ASSERT_LE(std::fabs(x[i] - y[i]), d * 0.5001f) << i;
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 16; ++j) {
      int s = 0;
      for (int l = 0; l < 16; ++l) s += b[i].qs[16 * j + l];
      ASSERT_EQ(s, b[i].bsums[j]);
    }
}

TEST(QuantFormats, HalfFormats) {
  auto x = gaussian(1000, 6, 10.0f);
  auto h = roundtrip(DType::F16, x);
  auto bf = roundtrip(DType::BF16, x);
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_LE(std::fabs(x[i] - h[i]), std::fabs(x[i]) * 0x1p-11f + 0x1p-24f);
    ASSERT_LE(std::fabs(x[i] - bf[i]), std::fabs(x[i]) * 0x1p-8f);
  }
  auto f8 = roundtrip(DType::F8_E4M3, gaussian(1000, 7, 20.0f));
  EXPECT_EQ(f8.size(), 1000u);
}

// Q4_K spec read element by element: element e sits in chunk e / 64, byte (e % 32) of it,
// low nibble when e % 64 < 32; sub-block j = e / 32 with 6-bit (scale, min) packed as
// bytes 0-3: scale j (j < 4) + 2 high bits of scale j+4; bytes 4-7: min j + 2 high bits of
// min j+4; bytes 8-11: low 4 bits of scale j+4 (low nibble) and min j+4 (high nibble).
TEST(QuantFormats, Q4_KLayoutBySpec) {
  auto x = gaussian(512, 8);
  std::vector<BlockQ4_K> b(2);
  quantize_row(DType::Q4_K, x.data(), b.data(), 512);
  std::vector<float> y(512);
  dequantize_row(DType::Q4_K, b.data(), y.data(), 512);
  for (int e = 0; e < 512; ++e) {
    const BlockQ4_K& q = b[e / 256];
    const int r = e % 256, j = r / 32;
    const uint8_t byte = q.qs[(r / 64) * 32 + r % 32];
    const int v = (r % 64) < 32 ? (byte & 15) : (byte >> 4);
    int sc, m;
    if (j < 4) {
      sc = q.scales[j] & 63;
      m = q.scales[j + 4] & 63;
    } else {
      sc = (q.scales[j + 4] & 15) | ((q.scales[j - 4] >> 6) << 4);
      m = (q.scales[j + 4] >> 4) | ((q.scales[j] >> 6) << 4);
    }
    const float want = fp16_to_fp32(q.d) * sc * v - fp16_to_fp32(q.dmin) * m;
    ASSERT_NEAR(y[e], want, 1e-6f * (1 + std::fabs(want))) << e;
  }
}

// Q6_K spec: element e of half h = e / 128, r = e % 128: low 4 bits from ql[64 h + r % 64]
// (low nibble when r < 64), high 2 bits from qh[32 h + r % 32] at bit 2 (r / 32); scale e / 16.
TEST(QuantFormats, Q6_KLayoutBySpec) {
  auto x = gaussian(512, 9);
  std::vector<BlockQ6_K> b(2);
  quantize_row(DType::Q6_K, x.data(), b.data(), 512);
  std::vector<float> y(512);
  dequantize_row(DType::Q6_K, b.data(), y.data(), 512);
  for (int e = 0; e < 512; ++e) {
    const BlockQ6_K& q = b[e / 256];
    const int i = e % 256, h = i / 128, r = i % 128;
    const uint8_t lb = q.ql[64 * h + r % 64];
    const int lo = r < 64 ? (lb & 15) : (lb >> 4);
    const int hi = (q.qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
    const float want = fp16_to_fp32(q.d) * q.scales[i / 16] * ((lo | (hi << 4)) - 32);
    ASSERT_NEAR(y[e], want, 1e-6f * (1 + std::fabs(want))) << e;
  }
}

TEST(QuantFormats, RejectsPartialBlocks) {
  std::vector<float> x(40);
  std::vector<uint8_t> q(100);
  EXPECT_THROW(quantize_row(DType::Q4_0, x.data(), q.data(), 40), FormatError);
  EXPECT_THROW(dequantize_row(DType::Q6_K, q.data(), x.data(), 40), FormatError);
  EXPECT_THROW(quantize_row(DType::I32, x.data(), q.data(), 32), FormatError);  // not a weight format
  EXPECT_THROW(quantize_row(DType::Q5_1, x.data(), q.data(), 40), FormatError);
}

// The Q8_0 lanes form carries the block of llama.cpp's x86 activation quantizer: d = amax / 127
// as fp16, q = x * (127 / amax) rounded half to even. A block whose amax is 127 has 127 / amax = 1
// exactly, so its halves are ties: they go to even, where the weights' reference rule (roundf)
// goes away from zero; the other blocks are random. Also checked at every kernel level.
TEST(QuantFormats, ActivationLanesFollowLlamaCppX86Rounding) {
  const KernelLevel saved = kernel_level();
  auto x = gaussian(96, 10);
  for (int j = 32; j < 64; ++j) x[j] = j == 32 ? 127.0f : static_cast<float>(j % 17) - 8.5f;
  for (KernelLevel level : {KernelLevel::Scalar, detected_kernel_level()}) {
    set_kernel_level(level);
    std::vector<uint8_t> a(activation_col_bytes(DType::Q4_0, 96));
    quantize_activations(DType::Q4_0, x.data(), 1, 96, a.data());
    for (int i = 0; i < 3; ++i) {
      float amax = 0;
      for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(x[32 * i + j]));
      for (int j = 0; j < 32; ++j)
        ASSERT_EQ(static_cast<int8_t>(a[32 * i + j]), static_cast<int>(std::nearbyint(x[32 * i + j] * (127.f / amax))))
            << kernel_level_name(level) << " " << 32 * i + j;
      float ds;
      std::memcpy(&ds, a.data() + 96 + 4 * (8 * i), 4);
      ASSERT_EQ(ds, fp16_to_fp32(fp32_to_fp16(amax / 127.f)));
    }
    EXPECT_EQ(static_cast<int8_t>(a[34]), -8);  // -8.5 -> -8 (roundf: -9)
    EXPECT_EQ(static_cast<int8_t>(a[36]), -6);  // -6.5 -> -6 (roundf: -7)
  }
  set_kernel_level(saved);
}

// F16 / BF16 weights: the activations rounded through f16 / bf16, the same at every level, for any
// length (the SIMD loop's tail included), ties and overflow to infinity included.
TEST(QuantFormats, HalfActivationsRoundAsTheScalarConversions) {
  const KernelLevel saved = kernel_level();
  std::vector<float> x = gaussian(1001, 12, 3.0f);
  x[0] = 1.0f + 0x1p-11f;            // an f16 tie: rounds to even (1.0)
  x[1] = 1.0f + 0x1p-8f;             // a bf16 tie
  x[2] = 70000.0f;                   // beyond f16: infinity
  x[1000] = -(1.0f + 3 * 0x1p-11f);  // a tie in the tail, rounds away to even
  for (DType w : {DType::F16, DType::BF16}) {
    std::vector<float> want(x);
    for (float& v : want) v = w == DType::F16 ? fp16_to_fp32(fp32_to_fp16(v)) : bf16_to_fp32(fp32_to_bf16(v));
    for (KernelLevel level : {KernelLevel::Scalar, detected_kernel_level()}) {
      set_kernel_level(level);
      std::vector<float> got(activation_col_bytes(w, 1001) / 4);
      quantize_activations(w, x.data(), 1, 1001, got.data());
      ASSERT_EQ(0, std::memcmp(got.data(), want.data(), 1001 * 4)) << dtype_name(w) << " " << kernel_level_name(level);
    }
  }
  set_kernel_level(saved);
}

// Every kernel level packs activations to the same bytes (the AVX-512 level has its own
// quantizers, activations_avx512.cpp): random data at several scales, and blocks built to hit
// the edges: all zero, rounding ties (x * id = k + 1/2), the largest magnitude twice with both
// signs (Q8_K keeps the first), tiny values (subnormal fp16 scale), values near 2^16.
TEST(QuantFormats, ActivationPackSameBytesAtEveryLevel) {
  const KernelLevel saved = kernel_level();
  std::vector<KernelLevel> levels = {KernelLevel::Scalar};
  if (detected_kernel_level() >= KernelLevel::AVX2) levels.push_back(KernelLevel::AVX2);
  if (detected_kernel_level() >= KernelLevel::AVX512) levels.push_back(KernelLevel::AVX512);
  for (int64_t K : {256, 512, 1280}) {
    std::vector<std::vector<float>> inputs;
    for (float scale : {1.0f, 1e-6f, 3e4f}) inputs.push_back(gaussian(K, static_cast<uint32_t>(K + scale), scale));
    std::vector<float> edge(K, 0.0f);
    // Blocks whose largest magnitude is 127 (scale exactly 1): the others are exact halves.
    for (int64_t k = 32; k < K; ++k) edge[k] = k % 32 == 0 ? 127.0f : static_cast<float>(k % 61) - 30.5f;
    if (K > 300) {
      for (int64_t k = 256; k < 512; ++k) edge[k] = static_cast<float>(k % 9) * 0.5f;
      edge[258] = -5.0f;  // first max magnitude negative, the same magnitude positive later
      edge[262] = edge[300] = 5.0f;
    }
    for (int64_t k = 0; k < 16; ++k) edge[k] = 1e-9f * static_cast<float>(k);
    inputs.push_back(edge);
    for (DType w :
         {DType::Q4_0, DType::Q5_0, DType::Q8_0, DType::Q4_1, DType::Q4_K, DType::Q6_K, DType::F16, DType::BF16}) {
      for (const auto& x : inputs) {
        std::vector<std::vector<uint8_t>> packed;
        for (KernelLevel level : levels) {
          set_kernel_level(level);
          packed.emplace_back(activation_col_bytes(w, K));
          quantize_activations(w, x.data(), 1, K, packed.back().data());
        }
        for (size_t l = 1; l < packed.size(); ++l)
          ASSERT_EQ(0, std::memcmp(packed[0].data(), packed[l].data(), packed[0].size()))
              << kernel_level_name(levels[l]) << " " << dtype_name(w) << " K=" << K;
      }
    }
  }
  set_kernel_level(saved);
}

}  // namespace
}  // namespace seek
