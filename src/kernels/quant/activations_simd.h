// SIMD activation quantizers (activations_avx512.cpp), bit-identical to the scalar ones;
// call only at the AVX-512 kernel level (kernels/cpu/dispatch.h).
#pragma once
#include <cstdint>

#include "kernels/quant/blocks.h"

namespace seek::simd {

// One column in Q8_0 lanes form (activations.h), K a multiple of 32.
void pack_q8_0_lanes_avx512(const float* x, int64_t K, int32_t offset, uint8_t* dst);
// quant::quantize_q8_K.
void quantize_q8_K_avx512(const float* x, BlockQ8_K* y, int64_t nb);
// dst[i] = x[i] rounded through fp16 (f16) or bfloat16 (!f16), to nearest, ties to even, as
// fp32_to_fp16 / fp32_to_bf16 (NaN stays NaN).
void round_half_avx512(const float* x, int64_t n, bool f16, float* dst);

}  // namespace seek::simd
