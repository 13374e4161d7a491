// Activation quantization: the form f32 activations take before they meet a weight type
// (as llama.cpp pairs them): Q4_0/Q5_0/Q8_0 weights -> Q8_0 (rounded as llama.cpp's CPU backend
// does on x86: q = round-half-even(x * 127 / amax)), Q4_1/Q5_1 -> Q8_1, the K-quants -> Q8_K, F32/F16/BF16/F8_E4M3 ->
// f32 unchanged. matmul() uses these; so can a training or serving engine that wants to quantize once and reuse (e.g.
// the same x for q/k/v).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace seek {

// The activation format weight type w pairs with: Q8_0, Q8_1, Q8_K, F16, BF16 or F32.
DType activation_type(DType w);
// Bytes of one packed column of K activations for weight type w (a multiple of 64; the Q8_0
// form is "lanes": int8 qs[K], then float ds[K/4], the block scale repeated for each 4 elements,
// fp16-rounded as the Q8_0 block stores it, then int32 corr[K/4] = -c * (sum of the lane's 4 qs)
// with c = 8 for Q4_0, 16 for Q5_0 and 128 for Q8_0 weights: the term that turns a dot with
// unsigned weight codes (w + c, as VNNI's u8 x s8 product wants them) back into the dot with w).
// Q4_1 / Q5_1 weights pair with Q8_1, the same lanes with float s[K/4] in place of corr: the
// block's s = d * sum(qs) as ggml's block_q8_1 stores it.
// Throws FormatError if K is not whole blocks.
size_t activation_col_bytes(DType w, int64_t K);
// X [N, K] row-major -> dst [N, activation_col_bytes(w, K)]. dst should be 64-byte aligned.
void quantize_activations(DType w, const float* X, int64_t N, int64_t K, void* dst);

// x[0..n) replaced by the values activation type a (activation_type of a weight type) holds for
// it: what a matmul with such a weight multiplies. n whole blocks.
void round_through_activation(DType a, float* x, int64_t n);

// Per-row symmetric int8 quantization (scale = amax / 127, q = round-half-away(x / scale)):
// the cheap form for caching activations (training, KV) where blocks are not wanted. Returns scale.
float quantize_row_int8(const float* x, int64_t n, int8_t* q);

}  // namespace seek
