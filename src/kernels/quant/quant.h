// GGUF block formats, bit-exact with ggml's layouts: quantize a row of floats into blocks and
// dequantize back. Reference (scalar) implementations; the SIMD dot products in kernels/cpu
// are tested against these. Every ggml weight type llama.cpp de3ff81 writes is decoded, plus Q8_K
// (the activation format paired with the K-quants) and FP8 E4M3 elementwise. Quantizers, byte-identical
// to llama-quantize's without an importance matrix: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q2_K..Q6_K, IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0, Q2_0; decode only (no quantizer
// yet): IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S (llama.cpp requires an imatrix for most).
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace seek {

// dst[0..n) = the values stored in src (n a whole number of blocks; throws FormatError if not).
void dequantize_row(DType t, const void* src, float* dst, int64_t n);
// Writes row_bytes(t, n) bytes of blocks for src[0..n), rounding as ggml's reference quantizers do.
void quantize_row(DType t, const float* src, void* dst, int64_t n);
// True if quantize_row supports t (the others are read-only here: IQ1, IQ2, IQ3).
bool can_quantize(DType t);

}  // namespace seek
