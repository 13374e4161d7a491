// The 1- and 2-bit linear types seek reads (decode only), each with one fp16 scale d per block:
//
//   Q1_0: 128 elements; element j is bit j % 8 of qs[j / 8]: 1 -> +d, 0 -> -d.
//   Q2_0: 64 elements; element j is bits 2 (j % 4), 2 (j % 4) + 1 of qs[j / 4]: code c -> (c - 1) * d,
//         i.e. 0, 1, 2, 3 -> -d, 0, +d, +2d.
//
// Each value is formed with the float operations of ggml's to_float (Q1_0: d or its negation;
// Q2_0: (float)(c - 1) * d), so results are bit-identical to llama.cpp's.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

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
