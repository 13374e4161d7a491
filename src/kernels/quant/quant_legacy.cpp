// The 32-element block formats: quantize and dequantize, rounding as ggml's reference quantizers
// (quantize_row_*_ref) do:
//   Q4_0 d = max / -8 (max = the signed value of largest magnitude), q = min(15, trunc(x / d + 8.5))
//   Q5_0 d = max / -16, q = min(31, trunc(x / d + 16.5))
//   Q4_1 / Q5_1 d = (max - min) / 15 or 31, m = min, q = trunc((x - min) / d + 0.5) (Q4_1: at most 15)
//   Q8_0 d = amax / 127, q = roundf(x / d)
// Dequantization multiplies in the order ggml's to_float does, so values are bit-identical.
#include <algorithm>
#include <cmath>

#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"
#include "kernels/quant/quant_search.h"

namespace seek::quant {

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    const float d = signed_absmax(x, kQK) / -8;
    const float id = d ? 1.0f / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const float x0 = x[j] * id;
      const float x1 = x[j + kQK / 2] * id;
      int q0 = static_cast<int8_t>(x0 + 8.5f);
      int q1 = static_cast<int8_t>(x1 + 8.5f);
      q0 = q0 < 15 ? q0 : 15;
      q1 = q1 < 15 ? q1 : 15;
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void dequantize_q4_0(const BlockQ4_0* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>((x[i].qs[j] & 0x0F) - 8) * d;
      y[j + kQK / 2] = static_cast<float>((x[i].qs[j] >> 4) - 8) * d;
    }
  }
}

namespace {

// Q4_1 / Q5_1: stores d = (max - min) / levels and m = min; returns 1 / d (0 for a flat block).
template <class Block>
float affine_scale(const float* x, int levels, Block& y, float& lo) {
  float hi = lo = x[0];
  for (int j = 1; j < kQK; ++j) lo = std::fmin(lo, x[j]), hi = std::fmax(hi, x[j]);
  const float d = (hi - lo) / levels;
  y.d = fp32_to_fp16(d);
  y.m = fp32_to_fp16(lo);
  return d ? 1.0f / d : 0.0f;
}

}  // namespace

void pack_q5_codes(const uint8_t* L, uint8_t* qs, uint8_t* qh) {
  uint32_t h = 0;
  for (int j = 0; j < kQK / 2; ++j) {
    const int q0 = L[j], q1 = L[j + kQK / 2];
    qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
    h |= static_cast<uint32_t>((q0 & 0x10) >> 4) << j;
    h |= static_cast<uint32_t>((q1 & 0x10) >> 4) << (j + kQK / 2);
  }
  for (int b = 0; b < 4; ++b) qh[b] = static_cast<uint8_t>(h >> (8 * b));
}

void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float lo;
    const float id = affine_scale(x, 15, y[i], lo);
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>((x[j] - lo) * id + 0.5f)));
      const int q1 = std::min(15, static_cast<int>(static_cast<int8_t>((x[j + kQK / 2] - lo) * id + 0.5f)));
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void dequantize_q4_1(const BlockQ4_1* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d), m = fp16_to_fp32(x[i].m);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(x[i].qs[j] & 0x0F) * d + m;
      y[j + kQK / 2] = static_cast<float>(x[i].qs[j] >> 4) * d + m;
    }
  }
}

void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    const float d = signed_absmax(x, kQK) / -16;
    const float id = d ? 1.0f / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    uint8_t L[kQK];
    for (int j = 0; j < kQK; ++j)
      L[j] = static_cast<uint8_t>(std::min(31, static_cast<int>(static_cast<int8_t>(x[j] * id + 16.5f))));
    pack_q5_codes(L, y[i].qs, y[i].qh);
  }
}

void dequantize_q5_0(const BlockQ5_0* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    const uint32_t qh = q5_high_bits(x[i].qh);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(q5_lo(x[i].qs, qh, j) - 16) * d;
      y[j + kQK / 2] = static_cast<float>(q5_hi(x[i].qs, qh, j) - 16) * d;
    }
  }
}

void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float lo;
    const float id = affine_scale(x, 31, y[i], lo);
    uint8_t L[kQK];
    for (int j = 0; j < kQK; ++j) L[j] = static_cast<uint8_t>((x[j] - lo) * id + 0.5f);
    pack_q5_codes(L, y[i].qs, y[i].qh);
  }
}

void dequantize_q5_1(const BlockQ5_1* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d), m = fp16_to_fp32(x[i].m);
    const uint32_t qh = q5_high_bits(x[i].qh);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(q5_lo(x[i].qs, qh, j)) * d + m;
      y[j + kQK / 2] = static_cast<float>(q5_hi(x[i].qs, qh, j)) * d + m;
    }
  }
}

void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d ? 1.0f / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    for (int j = 0; j < kQK; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
  }
}

void dequantize_q8_0(const BlockQ8_0* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

}  // namespace seek::quant
