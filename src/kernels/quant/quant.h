// GGUF block formats, bit-exact with ggml's layouts: quantize a row of floats into blocks and
// dequantize back. Reference (scalar) implementations; the SIMD dot products in kernels/cpu
// are tested against these. Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K,
// Q4_K, Q5_K, Q6_K, Q8_K (the activation format paired with the K-quants) and FP8 E4M3 elementwise;
// dequantize only (no quantizer yet): the IQ types, TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0, Q2_0.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace seek {

// dst[0..n) = the values stored in src (n a whole number of blocks; throws FormatError if not).
void dequantize_row(DType t, const void* src, float* dst, int64_t n);
// Writes row_bytes(t, n) bytes of blocks for src[0..n), rounding as ggml's reference quantizers do.
void quantize_row(DType t, const float* src, void* dst, int64_t n);
// True if quantize_row supports t (the others are read-only here: IQ, ternary, FP4, Q1_0, Q2_0).
bool can_quantize(DType t);

}  // namespace seek
