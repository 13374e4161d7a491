// The FP4 (E2M1) types: quantize and dequantize, with the code table and scale conversions of
// quant/fp4.h (which hold E2M1 values doubled and half scales, so value = code2 * half_scale):
//
//   MXFP4: 32 elements; e: E8M0 block scale 2^(e - 127); qs[16]: qs[j] low nibble = element j,
//          high nibble = element j + 16.
//   NVFP4: 64 elements in 4 sub-blocks of 16; d[s]: UE4M3 scale of sub-block s; qs[32]: sub-block
//          s uses qs[8 s..8 s + 7], qs[8 s + j] low nibble = element 16 s + j, high nibble =
//          element 16 s + 8 + j.
//
// Quantizing (ggml's quantize_row_mxfp4_ref / quantize_row_nvfp4_ref, which llama-quantize runs with
// or without an importance matrix), with amax the largest magnitude of the block / sub-block:
//   MXFP4: e = floor(log2(amax)) - 2 + 127 (0 for an all-zero block); half_scale = 2^(e - 128).
//   NVFP4: scale byte = amax / 6 rounded to UE4M3 (ggml_fp32_to_ue4m3: mantissa rounded half up
//          on its 4th bit, clamped to 448, subnormals below 2^-6); half_scale its decoded value.
//   Each element takes the code whose kFp4Values[code] * half_scale is nearest to it (the lowest
//   code on ties, so +0 rather than -0). The float operations are ggml's, in ggml's order, so the
//   bytes equal llama-quantize's.
//
// Each value is (float)kFp4Values[code] * half_scale, the float operations of ggml's to_float, so
// results are bit-identical to llama.cpp's.
#include <cmath>
#include <cstring>

#include "kernels/quant/blocks.h"
#include "kernels/quant/fp4.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

namespace {

// The code whose value kFp4Values[code] * half_scale is nearest to v (the first of equals).
int nearest_fp4(float v, float half_scale) {
  int best = 0;
  float best_err = std::fabs(kFp4Values[0] * half_scale - v);
  for (int c = 1; c < 16; ++c) {
    const float err = std::fabs(kFp4Values[c] * half_scale - v);
    if (err < best_err) best = c, best_err = err;
  }
  return best;
}

// The largest magnitude among x[0..n).
float fp4_amax(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j)
    if (amax < std::fabs(x[j])) amax = std::fabs(x[j]);
  return amax;
}

// v > 0 rounded to a UE4M3 byte as ggml_fp32_to_ue4m3 does (0 for v <= 0 or NaN).
uint8_t fp32_to_ue4m3(float v) {
  if (!(v > 0.0f)) return 0;
  if (v > 448.0f) v = 448.0f;
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  int exp = static_cast<int>((bits >> 23) & 0xFF) - 127 + 7;
  if (exp <= 0) {  // subnormal: man * 2^-9
    const int man = static_cast<int>(v * 512.0f + 0.5f);
    return man < 1 ? 0 : static_cast<uint8_t>(man > 7 ? 7 : man);
  }
  if (exp >= 15) return 0x7E;
  int man = static_cast<int>((bits >> 20) & 7) + static_cast<int>((bits >> 19) & 1);
  if (man > 7) {
    man = 0;
    if (++exp >= 15) return 0x7E;
  }
  return static_cast<uint8_t>((exp << 3) | man);
}

}  // namespace

void quantize_mxfp4(const float* x, BlockMXFP4* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    const float amax = fp4_amax(x, kQK);
    const uint8_t e = amax > 0.0f ? static_cast<uint8_t>(static_cast<int>(std::floor(std::log2(amax)) - 2 + 127)) : 0;
    const float d = e8m0_half_to_fp32(e);
    y[i].e = e;
    for (int j = 0; j < kQK / 2; ++j)
      y[i].qs[j] = static_cast<uint8_t>(nearest_fp4(x[j], d) | (nearest_fp4(x[j + kQK / 2], d) << 4));
  }
}

void quantize_nvfp4(const float* x, BlockNVFP4* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    for (int s = 0; s < 4; ++s, x += 16) {
      const uint8_t ue = fp32_to_ue4m3(fp4_amax(x, 16) / 6.0f);
      const float d = ue4m3_half_to_fp32(ue);
      y[i].d[s] = ue;
      uint8_t* qs = y[i].qs + 8 * s;
      for (int j = 0; j < 8; ++j) qs[j] = static_cast<uint8_t>(nearest_fp4(x[j], d) | (nearest_fp4(x[j + 8], d) << 4));
    }
  }
}

void dequantize_mxfp4(const BlockMXFP4* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = e8m0_half_to_fp32(x[i].e);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(kFp4Values[x[i].qs[j] & 0xF]) * d;
      y[j + kQK / 2] = static_cast<float>(kFp4Values[x[i].qs[j] >> 4]) * d;
    }
  }
}

void dequantize_nvfp4(const BlockNVFP4* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    for (int s = 0; s < 4; ++s, y += 16) {
      const float d = ue4m3_half_to_fp32(x[i].d[s]);
      const uint8_t* qs = x[i].qs + 8 * s;
      for (int j = 0; j < 8; ++j) {
        y[j] = static_cast<float>(kFp4Values[qs[j] & 0xF]) * d;
        y[j + 8] = static_cast<float>(kFp4Values[qs[j] >> 4]) * d;
      }
    }
  }
}

}  // namespace seek::quant
