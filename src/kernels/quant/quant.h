// GGUF block formats, bit-exact with ggml's layouts: quantize a row of floats into blocks and
// dequantize back. Reference (scalar) implementations; the SIMD dot products in kernels/cpu
// are tested against these. Every ggml weight type llama.cpp de3ff81 writes is decoded, plus Q8_K
// (the activation format paired with the K-quants) and FP8 E4M3 elementwise, and every one is
// also written, byte-identical to llama-quantize's with or without an importance matrix.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace seek {

// dst[0..n) = the values stored in src (n a whole number of blocks; throws FormatError if not).
void dequantize_row(DType t, const void* src, float* dst, int64_t n);
// Writes row_bytes(t, n) bytes of blocks for src[0..n), as llama-quantize does without an
// importance matrix (ggml_quantize_chunk with none). Throws for the types that need one
// (quantize_needs_imatrix).
void quantize_row(DType t, const float* src, void* dst, int64_t n);
// The same for ONE row of a weight matrix with per-column importance imatrix[0..n) (llama-quantize's
// in_sum2 / count from an imatrix file; nullptr: none): ggml_quantize_chunk(t, src, dst, 0, 1, n,
// imatrix). Types whose quantizer has no use for it ignore it.
void quantize_row_imatrix(DType t, const float* src, void* dst, int64_t n, const float* imatrix);
// True if quantize_row / quantize_row_imatrix can write t.
bool can_quantize(DType t);
// True for the types ggml cannot quantize without importance (IQ2_XXS, IQ2_XS, IQ1_S).
bool quantize_needs_imatrix(DType t);

}  // namespace seek
