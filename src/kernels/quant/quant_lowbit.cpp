// The 1- and 2-bit linear types seek reads (decode only), each with one fp16 scale d per block:
//
//   Q1_0: 128 elements; element j is bit j % 8 of qs[j / 8]: 1 -> +d, 0 -> -d.
//   Q2_0: 64 elements; element j is bits 2 (j % 4), 2 (j % 4) + 1 of qs[j / 4]: code c -> (c - 1) * d,
//         i.e. 0, 1, 2, 3 -> -d, 0, +d, +2d.
//
// Quantizing (ggml's quantize_row_q1_0_ref / quantize_row_q2_0_ref, which llama-quantize runs
// without an importance matrix), the float operations in ggml's order, so the bytes equal
// llama-quantize's:
//   Q1_0: d = (sum of |x| in block order) / 128; bit = x >= 0 (so -0 and +0 give +d).
//   Q2_0: d = the largest magnitude; c = clamp(roundf(x * (1 / d)) + 1, 0, 3) (0 for a zero block),
//         so codes are 0..2 in practice.
//
// Each value is formed with the float operations of ggml's to_float (Q1_0: d or its negation;
// Q2_0: (float)(c - 1) * d), so results are bit-identical to llama.cpp's.
#include <cmath>

#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

void quantize_q1_0(const float* x, BlockQ1_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK1_0) {
    float sum = 0.0f;
    for (int j = 0; j < kQK1_0; ++j) sum += std::fabs(x[j]);
    y[i].d = fp32_to_fp16(sum / kQK1_0);
    for (int b = 0; b < kQK1_0 / 8; ++b) {
      int byte = 0;
      for (int k = 0; k < 8; ++k) byte |= (x[8 * b + k] >= 0.0f) << k;
      y[i].qs[b] = static_cast<uint8_t>(byte);
    }
  }
}

void quantize_q2_0(const float* x, BlockQ2_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQK2_0) {
    float amax = 0.0f;
    for (int j = 0; j < kQK2_0; ++j)
      if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]);
    const float id = amax > 0.0f ? 1.0f / amax : 0.0f;
    y[i].d = fp32_to_fp16(amax);
    for (int b = 0; b < kQK2_0 / 4; ++b) {
      int byte = 0;
      for (int k = 0; k < 4; ++k) {
        int c = static_cast<int>(std::round(x[4 * b + k] * id)) + 1;
        c = c < 0 ? 0 : c > 3 ? 3 : c;
        byte |= c << (2 * k);
      }
      y[i].qs[b] = static_cast<uint8_t>(byte);
    }
  }
}

void dequantize_q1_0(const BlockQ1_0* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK1_0) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK1_0; ++j) y[j] = (x[i].qs[j / 8] >> (j % 8)) & 1 ? d : -d;
  }
}

void dequantize_q2_0(const BlockQ2_0* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK2_0) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK2_0; ++j) {
      const int c = (x[i].qs[j / 4] >> (2 * (j % 4))) & 3;
      y[j] = static_cast<float>(c - 1) * d;
    }
  }
}

}  // namespace seek::quant
