// The K-quant weight types seek reads but does not write: Q2_K, Q3_K, Q5_K (llama-quantize's
// Q2_K, Q3_K_M / Q3_K_L and Q5_K_M files). Element by element as blocks.h lays them out; each
// value is formed with the float operations of ggml's to_float in the same order (scale first,
// then code, then min), so results are bit-identical to llama.cpp's.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

void dequantize_q2_K(const BlockQ2_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
    for (int e = 0; e < kQKK; ++e) {
      const uint8_t sc = x[i].scales[e / 16];
      const float dl = d * static_cast<float>(sc & 0xF), ml = dmin * static_cast<float>(sc >> 4);
      y[e] = dl * static_cast<float>(k_quant_2bit(x[i].qs, e)) - ml;
    }
  }
}

void dequantize_q3_K(const BlockQ3_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int e = 0; e < kQKK; ++e) {
      const float dl = d * static_cast<float>(q3_K_scale(e / 16, x[i].scales));
      const bool high = (x[i].hmask[e % 32] >> (4 * (e / 128) + (e % 128) / 32)) & 1;
      y[e] = dl * static_cast<float>(k_quant_2bit(x[i].qs, e) - (high ? 0 : 4));
    }
  }
}

void dequantize_q5_K(const BlockQ5_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
    for (int e = 0; e < kQKK; ++e) {
      const int j = e / 32, l = e % 32;  // sub-block j: chunk j / 2, low nibbles for even j
      uint8_t sc, m;
      q4_K_scale_min(j, x[i].scales, &sc, &m);
      const uint8_t byte = x[i].qs[32 * (j / 2) + l];
      const int q = ((j & 1) ? byte >> 4 : byte & 0xF) + (((x[i].qh[l] >> j) & 1) << 4);
      const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
      y[e] = d1 * static_cast<float>(q) - m1;
    }
  }
}

}  // namespace seek::quant
