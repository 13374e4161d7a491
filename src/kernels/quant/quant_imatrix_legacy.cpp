// Q4_0, Q4_1, Q5_0 and Q5_1 under an importance matrix: llama-quantize's path with --imatrix
// (ggml's quantize_row_q4_0_impl and siblings). Where the reference quantizers (quant_legacy.cpp)
// take the block's extreme as the scale, these search for the scale that fits best under weights
//   w = qw * sqrt(sigma2 + x^2),  sigma2 = mean x^2 over the whole row,
// qw the column's importance: the sqrt term keeps small values from counting for nothing, and
// sigma2 spans the row because ggml computes it over all of n_per_row (hence the one-row API).
//   Q4_0 / Q5_0: symmetric codes -8..7 / -16..15, 19 trial scales (fit_scale_symmetric).
//   Q4_1 / Q5_1: scale and min for codes 0..15 / 0..31, 37 trial scales (fit_scale_min, ggml's
//   make_qkx3_quants with rmin -0.9, step 0.05).
// Without qw each is the reference quantizer, as in ggml.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_imatrix.h"
#include "kernels/quant/quant_impl.h"
#include "kernels/quant/quant_search.h"

namespace seek::quant {

namespace {

// sigma2 over the row: the mean square of all n_per_row values.
float row_sigma2(const float* x, int64_t n_per_row) {
  return sum_squares(x, n_per_row) / static_cast<float>(n_per_row);
}

// Q4_0 / Q5_0: per block the symmetric scale and codes 0..2 nmax - 1; pack(codes, block) stores them.
template <class Block, class Pack>
void quantize_symmetric(const float* x, Block* y, int64_t n_per_row, const float* qw, int nmax, Pack pack) {
  const float sigma2 = row_sigma2(x, n_per_row);
  float w[kQK];
  int8_t L[kQK];
  for (int64_t ib = 0; ib < n_per_row / kQK; ++ib) {
    importance_weights(x + kQK * ib, qw + kQK * ib, sigma2, kQK, w);
    y[ib].d = fp32_to_fp16(fit_scale_symmetric(kQK, nmax, x + kQK * ib, L, w));
    pack(reinterpret_cast<const uint8_t*>(L), y[ib]);
  }
}

// Q4_1 / Q5_1: per block scale d and min m (x ~ d * code + m) with codes 0..nmax.
template <class Block, class Pack>
void quantize_affine(const float* x, Block* y, int64_t n_per_row, const float* qw, int nmax, Pack pack) {
  const float sigma2 = row_sigma2(x, n_per_row);
  float w[kQK];
  uint8_t L[kQK];
  for (int64_t ib = 0; ib < n_per_row / kQK; ++ib) {
    importance_weights(x + kQK * ib, qw + kQK * ib, sigma2, kQK, w);
    float the_min;
    y[ib].d = fp32_to_fp16(fit_scale_min(kQK, nmax, x + kQK * ib, w, L, &the_min, -0.9f, 0.05f, 36));
    y[ib].m = fp32_to_fp16(-the_min);
    pack(L, y[ib]);
  }
}

// Codes 0..15: element j in the low nibble of qs[j], element j + 16 in the high one.
template <class Block>
void pack_q4(const uint8_t* L, Block& b) {
  for (int j = 0; j < kQK / 2; ++j) b.qs[j] = static_cast<uint8_t>(L[j] | (L[j + kQK / 2] << 4));
}

template <class Block>
void pack_q5(const uint8_t* L, Block& b) {
  pack_q5_codes(L, b.qs, b.qh);
}

}  // namespace

void quantize_q4_0_imatrix(const float* x, BlockQ4_0* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q4_0(x, y, n_per_row / kQK);
  quantize_symmetric(x, y, n_per_row, qw, 8, pack_q4<BlockQ4_0>);
}

void quantize_q5_0_imatrix(const float* x, BlockQ5_0* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q5_0(x, y, n_per_row / kQK);
  quantize_symmetric(x, y, n_per_row, qw, 16, pack_q5<BlockQ5_0>);
}

void quantize_q4_1_imatrix(const float* x, BlockQ4_1* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q4_1(x, y, n_per_row / kQK);
  quantize_affine(x, y, n_per_row, qw, 15, pack_q4<BlockQ4_1>);
}

void quantize_q5_1_imatrix(const float* x, BlockQ5_1* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q5_1(x, y, n_per_row / kQK);
  quantize_affine(x, y, n_per_row, qw, 31, pack_q5<BlockQ5_1>);
}

}  // namespace seek::quant
