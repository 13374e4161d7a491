// Q2_K .. Q6_K under an importance matrix: llama-quantize's path with --imatrix (ggml's
// quantize_row_q2_K_impl .. quantize_row_q6_K_impl). Per super-block of 256, with qw the columns'
// importance, each sub-block is fitted under weights
//   w = qw * sqrt(sigma2 + x^2),  sigma2 = mean x^2 (Q2_K) or twice it (Q3_K..Q5_K) over the block,
// (Q6_K weighs by qw alone), with searches wider than the reference ones (quant_k.cpp):
//   Q2_K / Q4_K / Q5_K: scale and min per sub-block over 37 trial scales (rmin -0.9, step 0.05);
//     the sub-block scales and mins are then themselves quantized to 4 / 6 bits by a weighted
//     search (fit_scale_positive, weights = the sub-block's total weight), not as fractions of the
//     largest.
//   Q3_K: symmetric codes -4..3 per 16 (fit_scale_symmetric), the 16 scales to 6 bits likewise.
//   Q6_K: the reference search with weights qw.
// The codes are then re-derived under the stored scales and packed as the reference quantizers
// do (quant_search.h's finishers). Without qw each is the reference quantizer, as in ggml.
#include <cstring>

#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_imatrix.h"
#include "kernels/quant/quant_impl.h"
#include "kernels/quant/quant_search.h"

namespace seek::quant {

namespace {

// The n weights qw * sqrt(sigma2 + x^2) of a sub-block; returns their sum.
float sub_block_weights(const float* x, const float* qw, float sigma2, int n, float* w) {
  importance_weights(x, qw, sigma2, n, w);
  float sum = 0;
  for (int l = 0; l < n; ++l) sum += w[l];
  return sum;
}

// Q4_K / Q5_K: per 32-element sub-block scale and min for codes 0..nmax, both to 6-bit codes of
// d / dmin by fit_scale_positive (clamped to 63 for Q5_K, as ggml does; not for Q4_K), then the
// block's codes by finish.
template <class Block>
void quantize_k4(const float* x, Block* y, int64_t n_per_row, const float* qw, int nmax, bool clamp_codes,
                 void (*finish)(const float*, Block&, uint8_t*)) {
  uint8_t L[kQKK], Ls[8], Lm[8];
  float w[32], sw[8], mins[8], scales[8];
  for (int64_t i = 0; i < n_per_row / kQKK; ++i, x += kQKK, qw += kQKK) {
    const float sigma2 = 2 * sum_squares(x, kQKK) / kQKK;
    for (int j = 0; j < 8; ++j) {
      sw[j] = sub_block_weights(x + 32 * j, qw + 32 * j, sigma2, 32, w);
      scales[j] = fit_scale_min(32, nmax, x + 32 * j, w, L + 32 * j, &mins[j], -0.9f, 0.05f, 36);
    }
    const float d_block = fit_scale_positive(8, 63, scales, Ls, sw);
    const float m_block = fit_scale_positive(8, 63, mins, Lm, sw);
    for (int j = 0; j < 8; ++j) {
      const uint8_t ls = clamp_codes && Ls[j] > 63 ? 63 : Ls[j];
      const uint8_t lm = clamp_codes && Lm[j] > 63 ? 63 : Lm[j];
      store_k4_scale_min(j, ls, lm, y[i].scales);
    }
    y[i].d = fp32_to_fp16(d_block);
    y[i].dmin = fp32_to_fp16(m_block);
    finish(x, y[i], L);
  }
}

}  // namespace

// ggml's make_qp_quants: x[i] ~ scale * L[i] for non-negative x, L in [0, nmax], Of the
// inverse scales nmax / max and (nmax + 0.1 is) / max, is = -4..4, the one with the least weighted
// squared error, then up to 5 passes moving one code at a time to the value the other codes' fit
// prefers while (sum w x l)^2 / sum w l^2 grows. Returns the least-squares scale of the codes.
// The codes are bytes as ggml's are (a negative code would wrap, and is compared as wrapped).
float fit_scale_positive(int n, int nmax, const float* x, uint8_t* L, const float* w) {
  float max = 0;
  for (int i = 0; i < n; ++i) max = max > x[i] ? max : x[i];
  if (max < kGroupMaxEps) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.0f;
  }
  float iscale = nmax / max;
  for (int i = 0; i < n; ++i) L[i] = static_cast<uint8_t>(nearest_int(iscale * x[i]));
  const float scale = 1 / iscale;
  float best_mse = 0;
  for (int i = 0; i < n; ++i) {
    const float diff = x[i] - scale * L[i];
    best_mse += w[i] * diff * diff;
  }
  auto code = [nmax](float v) {
    const int l = nearest_int(v);
    return l < nmax ? l : nmax;
  };
  for (int is = -4; is <= 4; ++is) {
    if (is == 0) continue;
    const float iscale_is = (0.1f * is + nmax) / max;
    const float scale_is = 1 / iscale_is;
    float mse = 0;
    for (int i = 0; i < n; ++i) {
      const float diff = x[i] - scale_is * code(iscale_is * x[i]);
      mse += w[i] * diff * diff;
    }
    if (mse < best_mse) {
      best_mse = mse;
      iscale = iscale_is;
    }
  }
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = code(iscale * x[i]);
    L[i] = static_cast<uint8_t>(l);
    sumlx += w[i] * x[i] * l;
    suml2 += w[i] * l * l;
  }
  for (int itry = 0; itry < 5; ++itry) {
    int n_changed = 0;
    for (int i = 0; i < n; ++i) {
      float slx = sumlx - w[i] * x[i] * L[i];
      float sl2 = suml2 - w[i] * L[i] * L[i];
      if (!(slx > 0 && sl2 > 0)) continue;
      const int new_l = code(x[i] * sl2 / slx);
      if (new_l == L[i]) continue;
      slx += w[i] * x[i] * new_l;
      sl2 += w[i] * new_l * new_l;
      if (slx * slx * suml2 > sumlx * sumlx * sl2) {
        L[i] = static_cast<uint8_t>(new_l);
        sumlx = slx;
        suml2 = sl2;
        ++n_changed;
      }
    }
    if (!n_changed) break;
  }
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

void quantize_q2_K_imatrix(const float* x, BlockQ2_K* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q2_K(x, y, n_per_row / kQKK);
  uint8_t L[kQKK], Ls[16], Lm[16];
  float w[16], sw[16], mins[16], scales[16];
  for (int64_t i = 0; i < n_per_row / kQKK; ++i, x += kQKK, qw += kQKK) {
    const float sigma2 = sum_squares(x, kQKK) / kQKK;
    for (int j = 0; j < 16; ++j) {
      sw[j] = sub_block_weights(x + 16 * j, qw + 16 * j, sigma2, 16, w);
      scales[j] = fit_scale_min(16, 3, x + 16 * j, w, L + 16 * j, &mins[j], -0.9f, 0.05f, 36);
    }
    y[i].d = fp32_to_fp16(fit_scale_positive(16, 15, scales, Ls, sw));
    y[i].dmin = fp32_to_fp16(fit_scale_positive(16, 15, mins, Lm, sw));
    for (int j = 0; j < 16; ++j) y[i].scales[j] = static_cast<uint8_t>(Ls[j] | (Lm[j] << 4));
    finish_q2_K(x, y[i], L);
  }
}

void quantize_q3_K_imatrix(const float* x, BlockQ3_K* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q3_K(x, y, n_per_row / kQKK);
  int8_t L[kQKK], Ls[16];
  float w[16], sw[16], scales[16];
  for (int64_t i = 0; i < n_per_row / kQKK; ++i, x += kQKK, qw += kQKK) {
    const float sigma2 = 2 * sum_squares(x, kQKK) / kQKK;
    for (int j = 0; j < 16; ++j) {
      sw[j] = sub_block_weights(x + 16 * j, qw + 16 * j, sigma2, 16, w);
      scales[j] = fit_scale_symmetric(16, 4, x + 16 * j, L + 16 * j, w);
    }
    // The 16 signed scales as 6-bit codes (stored + 32) of d by the same symmetric search.
    std::memset(y[i].scales, 0, sizeof y[i].scales);
    const float d_block = fit_scale_symmetric(16, 32, scales, Ls, sw);
    for (int j = 0; j < 16; ++j) store_q3_K_scale(j, Ls[j], y[i].scales);
    y[i].d = fp32_to_fp16(d_block);
    finish_q3_K(x, y[i], L);
  }
}

void quantize_q4_K_imatrix(const float* x, BlockQ4_K* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q4_K(x, y, n_per_row / kQKK);
  quantize_k4(x, y, n_per_row, qw, 15, false, finish_q4_K);
}

void quantize_q5_K_imatrix(const float* x, BlockQ5_K* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q5_K(x, y, n_per_row / kQKK);
  quantize_k4(x, y, n_per_row, qw, 31, true, finish_q5_K);
}

void quantize_q6_K_imatrix(const float* x, BlockQ6_K* y, int64_t n_per_row, const float* qw) {
  if (!qw) return quantize_q6_K(x, y, n_per_row / kQKK);
  int8_t L[kQKK];
  float scales[16];
  for (int64_t i = 0; i < n_per_row / kQKK; ++i, x += kQKK, qw += kQKK) {
    for (int ib = 0; ib < 16; ++ib) scales[ib] = fit_scale_symmetric(16, 32, x + 16 * ib, L + 16 * ib, qw + 16 * ib);
    finish_q6_K(x, scales, y[i], L);
  }
}

}  // namespace seek::quant
