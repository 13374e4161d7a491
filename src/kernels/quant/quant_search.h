// The scale searches and block finishers that the reference quantizers (quant_k.cpp,
// quant_legacy.cpp) share with the importance-weighted ones (quant_imatrix_k.cpp,
// quant_imatrix_legacy.cpp). Each search is one of ggml's (named below) done with the same float
// operations in the same order, so every caller gets llama-quantize's bytes. Internal to the
// quantizers.
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/quant/blocks.h"

namespace seek::quant {

constexpr float kGroupMaxEps = 1e-15f;  // ggml's GROUP_MAX_EPS: a group below it is all zero

// The sum of x^2 over x[0..n), in order: the basis of the per-row or per-super-block sigma2 that
// the importance-weighted quantizers add to x^2 (ggml computes it by the same loop).
inline float sum_squares(const float* x, int64_t n) {
  float s = 0;
  for (int64_t j = 0; j < n; ++j) s += x[j] * x[j];
  return s;
}

// The importance-weighted quantizers' weights w = qw * sqrt(sigma2 + x^2) over x[0..n): the
// column's importance, with sigma2 keeping the small values of a group from counting for nothing.
inline void importance_weights(const float* x, const float* qw, float sigma2, int n, float* w) {
  for (int j = 0; j < n; ++j) w[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
}

// ggml's make_qkx2_quants (and make_qkx3_quants, which is the same given weights): fits
// x[i] ~ scale * L[i] - the_min, L in [0, nmax], n <= 32, minimising sum w * err^2 (sum w |err|
// with use_mad) over trial inverse scales (rmin + rdelta * is + nmax) / (max - min), is = 0..nstep.
// Returns the scale; *the_min gets the (non-negative) offset.
float fit_scale_min(int n, int nmax, const float* x, const float* w, uint8_t* L, float* the_min, float rmin,
                    float rdelta, int nstep, bool use_mad = false);

// ggml's make_qx_quants with rmse_type 1: the symmetric fit x[i] ~ scale * (L[i] - nmax),
// L in [0, 2 nmax), trying inverse scales -(nmax + 0.1 is) / max for is = -9..9 and keeping the
// weighted least-squares scale that fits best. Weights w (x^2 where w is null). Returns the scale.
float fit_scale_symmetric(int n, int nmax, const float* x, int8_t* L, const float* w = nullptr);
// ggml's make_qp_quants (quant_imatrix_k.cpp): x[i] ~ scale * L[i] for non-negative x, L in
// [0, nmax], weighted by w; returns the scale. The codes are bytes as ggml's are (a negative x
// rounds to a code that wraps, and later refinement reads it wrapped; only the scale changes).
float fit_scale_positive(int n, int nmax, const float* x, uint8_t* L, const float* w);

// Packing the per-sub-block scales once they are codes.
// Q4_K / Q5_K sub-block j: 6-bit scale code ls and min code lm, in the layout q4_K_scale_min
// reads (j < 4 first: the codes of j >= 4 or into the entries those wrote).
void store_k4_scale_min(int j, uint8_t ls, uint8_t lm, uint8_t* scales);
// Q3_K sub-block j: 6-bit code l (scale + 32) into scales[12], which must start zeroed.
void store_q3_K_scale(int j, int l, uint8_t* scales);

// The block finishers: with the super-block's d (and dmin) and scale codes stored, every element's
// code under the stored values (elements of a sub-block whose scale is 0 keep the code in L from
// the fit), packed into the block. L: scratch of kQKK codes holding the fit's.
void finish_q2_K(const float* x, BlockQ2_K& b, uint8_t* L);
void finish_q3_K(const float* x, BlockQ3_K& b, int8_t* L);
void finish_q4_K(const float* x, BlockQ4_K& b, uint8_t* L);
void finish_q5_K(const float* x, BlockQ5_K& b, uint8_t* L);
// Q6_K from its 16 fitted sub-block scales: d = -(scale of largest magnitude) / 128, 8-bit scale
// codes, then the codes as above; an all-but-zero super-block is stored as zeros.
void finish_q6_K(const float* x, const float* scales, BlockQ6_K& b, int8_t* L);

// Q5_0 / Q5_1: the 32 5-bit codes L, low nibbles into qs[16] as Q4_0's, 5th bits into qh[4].
void pack_q5_codes(const uint8_t* L, uint8_t* qs, uint8_t* qh);

}  // namespace seek::quant
