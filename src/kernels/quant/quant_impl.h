// Per-format quantize / dequantize entry points behind quant.h's dtype switch (nb = blocks).
// Internal to kernels/: other layers call quantize_row / dequantize_row.
#pragma once
#include <cstdint>

#include "kernels/quant/blocks.h"

namespace seek::quant {

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t nb);
void dequantize_q4_0(const BlockQ4_0* x, float* y, int64_t nb);
void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t nb);
void dequantize_q4_1(const BlockQ4_1* x, float* y, int64_t nb);
void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t nb);
void dequantize_q5_0(const BlockQ5_0* x, float* y, int64_t nb);
void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t nb);
void dequantize_q5_1(const BlockQ5_1* x, float* y, int64_t nb);
void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nb);

void dequantize_q8_0(const BlockQ8_0* x, float* y, int64_t nb);
void quantize_q2_K(const float* x, BlockQ2_K* y, int64_t nb);
void dequantize_q2_K(const BlockQ2_K* x, float* y, int64_t nb);
void quantize_q3_K(const float* x, BlockQ3_K* y, int64_t nb);
void dequantize_q3_K(const BlockQ3_K* x, float* y, int64_t nb);
void quantize_q5_K(const float* x, BlockQ5_K* y, int64_t nb);
void dequantize_q5_K(const BlockQ5_K* x, float* y, int64_t nb);
void quantize_q4_K(const float* x, BlockQ4_K* y, int64_t nb);
void dequantize_q4_K(const BlockQ4_K* x, float* y, int64_t nb);
void quantize_q6_K(const float* x, BlockQ6_K* y, int64_t nb);
void dequantize_q6_K(const BlockQ6_K* x, float* y, int64_t nb);
void quantize_q8_K(const float* x, BlockQ8_K* y, int64_t nb);
void quantize_iq4_nl(const float* x, BlockIQ4_NL* y, int64_t nb);
void dequantize_iq4_nl(const BlockIQ4_NL* x, float* y, int64_t nb);
void quantize_iq4_xs(const float* x, BlockIQ4_XS* y, int64_t nb);
void dequantize_iq4_xs(const BlockIQ4_XS* x, float* y, int64_t nb);
void dequantize_q8_K(const BlockQ8_K* x, float* y, int64_t nb);
// The grid types: IQ2 (quant_iq2.cpp), IQ3 (quant_iq3.cpp), IQ1 (quant_iq1.cpp); decode only.
void dequantize_iq2_xxs(const BlockIQ2_XXS* x, float* y, int64_t nb);
void dequantize_iq2_xs(const BlockIQ2_XS* x, float* y, int64_t nb);
void dequantize_iq2_s(const BlockIQ2_S* x, float* y, int64_t nb);
void dequantize_iq3_xxs(const BlockIQ3_XXS* x, float* y, int64_t nb);
void dequantize_iq3_s(const BlockIQ3_S* x, float* y, int64_t nb);
void dequantize_iq1_s(const BlockIQ1_S* x, float* y, int64_t nb);
void dequantize_iq1_m(const BlockIQ1_M* x, float* y, int64_t nb);
// Ternary (quant_ternary.cpp), FP4 (quant_fp4.cpp) and 1- / 2-bit linear types (quant_lowbit.cpp).
void quantize_tq1_0(const float* x, BlockTQ1_0* y, int64_t nb);
void dequantize_tq1_0(const BlockTQ1_0* x, float* y, int64_t nb);
void quantize_tq2_0(const float* x, BlockTQ2_0* y, int64_t nb);
void dequantize_tq2_0(const BlockTQ2_0* x, float* y, int64_t nb);
void quantize_mxfp4(const float* x, BlockMXFP4* y, int64_t nb);
void dequantize_mxfp4(const BlockMXFP4* x, float* y, int64_t nb);
void quantize_nvfp4(const float* x, BlockNVFP4* y, int64_t nb);
void dequantize_nvfp4(const BlockNVFP4* x, float* y, int64_t nb);
void quantize_q1_0(const float* x, BlockQ1_0* y, int64_t nb);
void dequantize_q1_0(const BlockQ1_0* x, float* y, int64_t nb);
void quantize_q2_0(const float* x, BlockQ2_0* y, int64_t nb);
void dequantize_q2_0(const BlockQ2_0* x, float* y, int64_t nb);

// The signed value of largest magnitude among x[0..n) (the first of equal magnitudes; 0 when all
// are zero): the extreme that ggml's symmetric quantizers map to their most negative code.
inline float signed_absmax(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int i = 0; i < n; ++i)
    if (__builtin_fabsf(x[i]) > amax) amax = __builtin_fabsf(x[i]), max = x[i];
  return max;
}

// Round to nearest, ties to even, for |f| < 2^22 (ggml's nearest_int: add 1.5 * 2^23).
inline int nearest_int(float f) {
  float v = f + 12582912.0f;
  int32_t i;
  __builtin_memcpy(&i, &v, 4);
  return (i & 0x007fffff) - 0x00400000;
}

}  // namespace seek::quant
