// Quantizing to the 2-bit grid types IQ2_XXS, IQ2_XS and IQ2_S, as llama-quantize does (ggml
// de3ff81's quantize_iq2_xxs / quantize_iq2_xs / quantize_iq2_s) for one row, with per-column
// importance qw. Layouts: quant_iq2.cpp.
//
// Per 256-element super-block, with sigma2 = mean(x^2) (twice that for IQ2_S), every element gets
// the weight w = qw * sqrt(sigma2 + x^2) (IQ2_S without qw: sigma2 / 4 + x^2). Then per sub-block
// (32 elements for IQ2_XXS, 16 for the others; groups of 8):
//   1. Signs come off: xval = |x|. IQ2_XXS / IQ2_XS store 7 sign bits per group and derive the 8th
//      from parity, so a group with an odd number of negatives keeps the element of least w x^2
//      negative in xval (its sign bit is cleared), and the fit treats it as a negative value.
//   2. Each group is rounded at inverse scale id to levels l = 0..2 (the magnitude 2 l + 1 in
//      units of the scale); a point off the grid is replaced by the grid point of least weighted
//      error (weights sqrt(w)) in its neighbour list (iq2_search.h).
//   3. Trial scales: IQ2_XXS starts from make_qp_quants' 4-level fit and tries
//      id = (5 + t / 10) / (3 scale) for t = -6..6; IQ2_XS / IQ2_S try id = (5 + t / 10) / max
//      for t = -9..9. Each trial's least-squares scale sum(w x q) / sum(w q^2), q = 2 l + 1,
//      replaces the best when its sum(w x q)^2 / sum(w q^2) is strictly larger.
//   4. The groups are snapped again at the best scale (IQ2_XXS: all; the others: the groups whose
//      rounding at that trial was off the grid) and the scale refitted. A negative scale (possible
//      only through step 1's negative element) is stored positive with every sign bit flipped.
// The super-block scale is d = max scale / 31 (stored times 0.9875 for IQ2_S), and sub-block scale
// s gets the 4 bits round((s / d - 1) / 2). Every float operation is ggml's, in ggml's order
// (including make_qp_quants' levels kept in uint8), so the bytes equal llama-quantize's.
// ggml's reference build has no FMA; a build with -march=native must not fuse our products either
// (GCC contracts across statements in C++ even with -std=c++20), hence the pragma.
#pragma GCC optimize("fp-contract=off")
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/float16.h"
#include "kernels/quant/iq2_search.h"
#include "kernels/quant/quant_imatrix.h"
#include "kernels/quant/quant_impl.h"
#include "kernels/quant/quant_search.h"

namespace seek::quant {

namespace {

constexpr int kQK_K = 256;
constexpr int kMaxQ = 3;                   // levels 0..2, magnitudes 1, 3, 5 (step 2 above)
constexpr float kIq2sGroupMaxEps = 1e-8f;  // GROUP_MAX_EPS_IQ2_S
constexpr float kIq2sScaleShrink = 0.9875f;

inline float max_of(float a, float b) { return a > b ? a : b; }  // ggml's MAX, argument order kept

void require_weights(const float* qw, const char* type) {
  if (!qw)
    throw FormatError(str("quantize ", type, ": the type needs an importance matrix (ggml asserts one), none given"));
}

// Step 1 for one group of 8: xval = |x| and the sign bits (bit i = element i negative). With
// parity (IQ2_XXS / IQ2_XS) an odd count of negatives leaves the element of least w x^2 (the first
// of equals) negative in xval and clears its bit, so that the 8 bits have even parity.
uint8_t fold_signs(const float* x, const float* w, float* xval, bool parity) {
  uint8_t s = 0;
  int nflip = 0;
  for (int i = 0; i < 8; ++i) {
    if (x[i] >= 0) {
      xval[i] = x[i];
    } else {
      xval[i] = -x[i];
      s |= static_cast<uint8_t>(1 << i);
      ++nflip;
    }
  }
  if (parity && nflip % 2) {
    int imin = 0;
    float min = w[0] * x[0] * x[0];
    for (int i = 1; i < 8; ++i) {
      const float ax = w[i] * x[i] * x[i];
      if (ax < min) min = ax, imin = i;
    }
    xval[imin] = -xval[imin];
    s ^= static_cast<uint8_t>(1 << imin);
  }
  return s;
}

// The search key of 8 levels.
inline int key_of(const int8_t* L) {
  int u = 0;
  for (int i = 0; i < 8; ++i) u |= L[i] << (2 * i);
  return u;
}

// Step 2 for one group: levels of xval at inverse scale id, clamped to 0..2, into L; when that
// point is off the grid, the neighbour of least sum(waux (scale q - xval)^2) (the first on ties)
// replaces it. Returns whether the rounded point was on the grid.
bool snap_group(const IQ2Search& s, const float* xval, const float* waux, float id, float scale, int8_t* L) {
  for (int i = 0; i < 8; ++i)
    L[i] = static_cast<int8_t>(std::max(0, std::min(kMaxQ - 1, nearest_int(0.5f * (id * xval[i] - 1)))));
  const int m = s.map[key_of(L)];
  if (m >= 0) return true;
  const uint16_t* list = s.neighbours - m - 1;
  float best_d2 = FLT_MAX;
  int best = -1;
  for (int j = 1; j <= list[0]; ++j) {
    const uint64_t point = s.grid[list[j]];
    float d2 = 0;
    for (int i = 0; i < 8; ++i) {
      const float diff = scale * static_cast<float>(static_cast<int8_t>(point >> (8 * i))) - xval[i];
      d2 += waux[i] * diff * diff;
    }
    if (d2 < best_d2) best_d2 = d2, best = list[j];
  }
  SEEK_ASSERT(best >= 0);
  for (int i = 0; i < 8; ++i) L[i] = static_cast<int8_t>((static_cast<int8_t>(s.grid[best] >> (8 * i)) - 1) / 2);
  return false;
}

// The grid index of 8 levels that are on the grid (ggml aborts otherwise).
int grid_index_of(const IQ2Search& s, const int8_t* L) {
  const int m = s.map[key_of(L)];
  SEEK_ASSERT(m >= 0);
  return m;
}

// sum(w x q) and sum(w q^2) over n elements, q = 2 l + 1.
void level_sums(int n, const float* w, const float* xval, const int8_t* L, float& sumqx, float& sumq2) {
  sumqx = sumq2 = 0;
  for (int i = 0; i < n; ++i) {
    const float q = 2 * L[i] + 1;
    sumqx += w[i] * xval[i] * q;
    sumq2 += w[i] * q * q;
  }
}

// The element weights of one super-block's sub-block of n elements (see the top).
void element_weights(const float* xb, const float* qw, float sigma2, int n, float* w, float* waux) {
  for (int i = 0; i < n; ++i) w[i] = qw ? qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]) : 0.25f * sigma2 + xb[i] * xb[i];
  for (int i = 0; i < n; ++i) waux[i] = std::sqrt(w[i]);
}

// The 4-bit code of sub-block scale s under super-block scale 1 / id.
inline uint32_t scale_code(float id, float s) {
  return static_cast<uint32_t>(std::max(0, std::min(15, nearest_int(0.5f * (id * s - 1)))));
}

// Steps 2..4 for an IQ2_XS / IQ2_S sub-block of 16 (2 groups): L gets grid levels; returns the scale
// (negative when the fit came out so).
float fit_sub_block16(const IQ2Search& s, const float* w, const float* waux, const float* xval, float max, int8_t* L) {
  std::memset(L, 0, 16);
  float best = 0;
  float scale = max / (2 * kMaxQ - 1);
  bool on_grid[2] = {true, true};
  for (int is = -9; is <= 9; ++is) {
    const float id = (2 * kMaxQ - 1 + is * 0.1f) / max;
    const float this_scale = 1 / id;
    int8_t Laux[16];
    bool on_grid_aux[2];
    for (int k = 0; k < 2; ++k)
      on_grid_aux[k] = snap_group(s, xval + 8 * k, waux + 8 * k, id, this_scale, Laux + 8 * k);
    float sumqx, sumq2;
    level_sums(16, w, xval, Laux, sumqx, sumq2);
    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
      scale = sumqx / sumq2;
      best = scale * sumqx;
      std::memcpy(L, Laux, 16);
      on_grid[0] = on_grid_aux[0], on_grid[1] = on_grid_aux[1];
    }
  }
  if ((!on_grid[0] || !on_grid[1]) && scale > 0) {
    const float id = 1 / scale;
    for (int k = 0; k < 2; ++k)
      if (!on_grid[k]) snap_group(s, xval + 8 * k, waux + 8 * k, id, scale, L + 8 * k);
    float sumqx, sumq2;
    level_sums(16, w, xval, L, sumqx, sumq2);
    if (sumq2 > 0) scale = sumqx / sumq2;
  }
  return scale;
}

}  // namespace

void quantize_iq2_xxs_imatrix(const float* x, BlockIQ2_XXS* y, int64_t n_per_row, const float* qw) {
  require_weights(qw, "IQ2_XXS");
  SEEK_ASSERT(n_per_row % kQK_K == 0);
  const IQ2Search& s = iq2_search(DType::IQ2_XXS);
  for (int64_t ibl = 0; ibl < n_per_row / kQK_K; ++ibl, x += kQK_K, qw += kQK_K) {
    uint32_t q2[16] = {};  // per sub-block: 4 grid indices, then 4 x 7 sign bits and the 4-bit scale
    float scales[8];
    float max_scale = 0;
    const float sigma2 = sum_squares(x, kQK_K) / kQK_K;
    for (int ib = 0; ib < 8; ++ib) {
      const float* xb = x + 32 * ib;
      float w[32], waux[32], xval[32];
      int8_t L[32];
      uint8_t signs[4];
      element_weights(xb, qw + 32 * ib, sigma2, 32, w, waux);
      for (int k = 0; k < 4; ++k) signs[k] = fold_signs(xb + 8 * k, w + 8 * k, xval + 8 * k, true) & 127;
      float max = xval[0];
      for (int i = 1; i < 32; ++i) max = max_of(max, xval[i]);
      scales[ib] = 0;
      if (max < kGroupMaxEps) continue;
      uint8_t Lqp[32];
      float scale = fit_scale_positive(32, kMaxQ + 1, xval, Lqp, w);
      std::memcpy(L, Lqp, 32);  // ggml fits into L itself; every path below replaces these levels
      const float eff_max = scale * kMaxQ;
      if (eff_max <= 0) continue;
      float best = 0;
      for (int is = -6; is <= 6; ++is) {
        const float id = (2 * kMaxQ - 1 + is * 0.1f) / eff_max;
        const float this_scale = 1 / id;
        int8_t Laux[32];
        for (int k = 0; k < 4; ++k) snap_group(s, xval + 8 * k, waux + 8 * k, id, this_scale, Laux + 8 * k);
        float sumqx, sumq2;
        level_sums(32, w, xval, Laux, sumqx, sumq2);
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
          scale = sumqx / sumq2;
          best = scale * sumqx;
          std::memcpy(L, Laux, 32);
        }
      }
      if (scale > 0) {
        const float id = 1 / scale;
        for (int k = 0; k < 4; ++k) snap_group(s, xval + 8 * k, waux + 8 * k, id, scale, L + 8 * k);
        float sumqx, sumq2;
        level_sums(32, w, xval, L, sumqx, sumq2);
        if (sumq2 > 0) scale = sumqx / sumq2;
      }
      if (scale < 0) {
        scale = -scale;
        for (int k = 0; k < 4; ++k) signs[k] = static_cast<uint8_t>(~signs[k] & 127);
      }
      for (int k = 0; k < 4; ++k) {
        q2[2 * ib] |= static_cast<uint32_t>(grid_index_of(s, L + 8 * k)) << (8 * k);
        q2[2 * ib + 1] |= static_cast<uint32_t>(signs[k]) << (7 * k);
      }
      scales[ib] = scale;
      max_scale = max_of(max_scale, scale);
    }
    if (!max_scale) {
      y[ibl].d = fp32_to_fp16(0.f);
      std::memset(y[ibl].qs, 0, sizeof(y[ibl].qs));
      continue;
    }
    const float d = max_scale / 31;
    y[ibl].d = fp32_to_fp16(d);
    const float id = 1 / d;
    for (int ib = 0; ib < 8; ++ib) q2[2 * ib + 1] |= scale_code(id, scales[ib]) << 28;
    std::memcpy(y[ibl].qs, q2, sizeof(q2));
  }
}

void quantize_iq2_xs_imatrix(const float* x, BlockIQ2_XS* y, int64_t n_per_row, const float* qw) {
  require_weights(qw, "IQ2_XS");
  SEEK_ASSERT(n_per_row % kQK_K == 0);
  const IQ2Search& s = iq2_search(DType::IQ2_XS);
  for (int64_t ibl = 0; ibl < n_per_row / kQK_K; ++ibl, x += kQK_K, qw += kQK_K) {
    uint16_t q2[32] = {};  // per group: 9-bit grid index, 7 sign bits
    float scales[16];
    float max_scale = 0;
    const float sigma2 = sum_squares(x, kQK_K) / kQK_K;
    for (int ib = 0; ib < 16; ++ib) {
      const float* xb = x + 16 * ib;
      float w[16], waux[16], xval[16];
      int8_t L[16];
      uint8_t signs[2];
      element_weights(xb, qw + 16 * ib, sigma2, 16, w, waux);
      for (int k = 0; k < 2; ++k) signs[k] = fold_signs(xb + 8 * k, w + 8 * k, xval + 8 * k, true) & 127;
      float max = xval[0];
      for (int i = 1; i < 16; ++i) max = max_of(max, xval[i]);
      scales[ib] = 0;
      if (max < kGroupMaxEps) continue;
      float scale = fit_sub_block16(s, w, waux, xval, max, L);
      if (scale < 0) {
        scale = -scale;
        for (int k = 0; k < 2; ++k) signs[k] = static_cast<uint8_t>(~signs[k] & 127);
      }
      for (int k = 0; k < 2; ++k) q2[2 * ib + k] = static_cast<uint16_t>(grid_index_of(s, L + 8 * k) | (signs[k] << 9));
      scales[ib] = scale;
      max_scale = max_of(max_scale, scale);
    }
    std::memset(y[ibl].scales, 0, sizeof(y[ibl].scales));
    if (!max_scale) {
      y[ibl].d = fp32_to_fp16(0.f);
      std::memset(y[ibl].qs, 0, sizeof(y[ibl].qs));
      continue;
    }
    const float d = max_scale / 31;
    y[ibl].d = fp32_to_fp16(d);
    const float id = 1 / d;
    for (int ib = 0; ib < 16; ++ib)
      y[ibl].scales[ib / 2] |= static_cast<uint8_t>(scale_code(id, scales[ib]) << (4 * (ib % 2)));
    std::memcpy(y[ibl].qs, q2, sizeof(q2));
  }
}

void quantize_iq2_s_imatrix(const float* x, BlockIQ2_S* y, int64_t n_per_row, const float* qw) {
  SEEK_ASSERT(n_per_row % kQK_K == 0);
  const IQ2Search& s = iq2_search(DType::IQ2_S);
  for (int64_t ibl = 0; ibl < n_per_row / kQK_K; ++ibl, x += kQK_K) {
    BlockIQ2_S& b = y[ibl];
    std::memset(&b, 0, sizeof(b));
    const float* qwb = qw ? qw + kQK_K * ibl : nullptr;
    float scales[16];
    float max_scale = 0;
    const float sigma2 = 2 * sum_squares(x, kQK_K) / kQK_K;
    for (int ib = 0; ib < 16; ++ib) {
      const float* xb = x + 16 * ib;
      float w[16], waux[16], xval[16];
      int8_t L[16];
      uint8_t signs[2];
      element_weights(xb, qwb ? qwb + 16 * ib : nullptr, sigma2, 16, w, waux);
      for (int k = 0; k < 2; ++k) signs[k] = fold_signs(xb + 8 * k, w + 8 * k, xval + 8 * k, false);
      float max = xval[0];
      for (int i = 1; i < 16; ++i) max = max_of(max, xval[i]);
      scales[ib] = 0;
      if (max < kIq2sGroupMaxEps) continue;
      float scale = fit_sub_block16(s, w, waux, xval, max, L);
      if (scale < 0) {
        scale = -scale;
        for (int k = 0; k < 2; ++k) signs[k] = static_cast<uint8_t>(~signs[k]);
      }
      for (int k = 0; k < 2; ++k) {
        const int g = 2 * ib + k, index = grid_index_of(s, L + 8 * k);
        b.qs[g] = static_cast<uint8_t>(index & 255);
        b.qh[g / 4] |= static_cast<uint8_t>((index >> 8) << (2 * (g % 4)));
        b.qs[32 + g] = signs[k];
      }
      scales[ib] = scale;
      max_scale = max_of(max_scale, scale);
    }
    if (!max_scale) continue;
    const float d = max_scale / 31;
    b.d = fp32_to_fp16(d * kIq2sScaleShrink);
    const float id = 1 / d;
    for (int ib = 0; ib < 16; ++ib)
      b.scales[ib / 2] |= static_cast<uint8_t>(scale_code(id, scales[ib]) << (4 * (ib % 2)));
  }
}

}  // namespace seek::quant
