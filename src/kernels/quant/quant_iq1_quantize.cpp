// Quantizers of the 1.5 / 1.75-bit grid types IQ1_S and IQ1_M with an importance matrix, writing
// the bytes of ggml de3ff81's quantize_iq1_s / quantize_iq1_m.
//
// Every element becomes one of three values v = {-1, 0, +1} + delta, delta = +-kIq1Delta shared by
// a sub-block (IQ1_S: 32 elements) or by a group of 8 (IQ1_M: sub-blocks of 16, one delta per
// group), times a sub-block scale. Per sub-block:
//   1. Weights w_i = qw_i * sqrt(sigma2 + x_i^2), sigma2 = 2 <x^2> over the super-block (IQ1_M
//      without an imatrix: w_i = x_i^2).
//   2. With only three levels, the weighted least-squares fit is solved exactly: sort the
//      elements by value; the levels are then "below i1 -> 0, below i2 -> 1, rest -> 2" for some
//      split i1 <= i2, and prefix sums of w x and w over the sorted order give every split's
//      optimal scale sum(w v x) / sum(w v^2) and score sum(w v x)^2 / sum(w v^2) in O(1). Every
//      split is tried with every choice of delta signs; the first best score wins.
//   3. Each group of 8 levels must be a point of the 2048-entry grid (kIq1sGrid); a group that is
//      not is replaced by the nearby grid point of least weighted squared error at that scale
//      (iq2_search.h's neighbour lists), and then the scale is refitted to the chosen points.
//   4. Per super-block, the scales become 3-bit odd multiples (2 s + 1) of an fp16 scale d.
// Floating-point operations follow ggml's expressions term by term and in the same order, never
// fused into FMAs (ggml's reference build has none; the pragma keeps a -march=native or -mfma build
// from fusing behind our back), so the bytes are identical. The sort is stable, as glibc's qsort (a
// merge sort for arrays this small) is, which decides the order of equal values.
#pragma GCC optimize("fp-contract=off")
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/float16.h"
#include "kernels/quant/iq2_search.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/quant/quant_imatrix.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

namespace {

constexpr int kIq1sSub = 32;        // IQ1_S sub-block: one scale and one delta sign
constexpr int kIq1mSub = 16;        // IQ1_M sub-block: one scale, a delta sign per group of 8
constexpr float kIq1sEps = 1e-12f;  // ggml's GROUP_MAX_EPS_IQ1_S: a smaller max is an all-zero sub-block
constexpr float kIq1mEps = 1e-7f;   // GROUP_MAX_EPS_IQ1_M

// The three values of levels 0, 1, 2 with the delta added (kPlus) or subtracted (kMinus).
constexpr float kPlus[3] = {-1 + kIq1Delta, kIq1Delta, 1 + kIq1Delta};
constexpr float kMinus[3] = {-1 - kIq1Delta, -kIq1Delta, 1 - kIq1Delta};

// Level 0..2 of element k of search-grid point j (bytes are 2 l + 1, iq2_search.h).
inline int point_level(const IQ2Search& s, int j, int k) { return (grid_byte(s.grid[j], k) - 1) / 2; }

// Importance of each element of a sub-block: qw scaled by the element's magnitude against the
// super-block's spread; without an imatrix (IQ1_M only) the squared value.
void sub_block_weights(const float* xb, const float* qw, float sigma2, int n, float* w) {
  if (qw) {
    for (int i = 0; i < n; ++i) w[i] = qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]);
  } else {
    for (int i = 0; i < n; ++i) w[i] = xb[i] * xb[i];
  }
}

// 2 <x^2> over a super-block.
float super_block_sigma2(const float* x) {
  float sumx2 = 0;
  for (int i = 0; i < kQKK; ++i) sumx2 += x[i] * x[i];
  return 2 * sumx2 / kQKK;
}

float max_abs(const float* x, int n) {
  float m = std::fabs(x[0]);
  for (int i = 1; i < n; ++i) m = std::max(m, std::fabs(x[i]));
  return m;
}

// order[0..n) = element indices by ascending value, equal values in index order.
void sort_by_value(const float* x, int n, int* order) {
  for (int i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order, order + n, [x](int a, int b) { return x[a] < x[b]; });
}

// Levels of a split: sorted positions [0, i1) -> 0, [i1, i2) -> 1, [i2, n) -> 2.
void split_levels(const int* order, int n, int i1, int i2, int8_t* L) {
  for (int j = 0; j < n; ++j) L[order[j]] = static_cast<int8_t>(j < i1 ? 0 : j < i2 ? 1 : 2);
}

// The grid point for 8 levels L that are off the grid: among the key's neighbours, the first of
// least weighted squared error sum w (scale v[l] - x)^2. Rewrites L to the chosen point's levels.
int nearest_point(const IQ2Search& s, int key, const float* x, const float* w, float scale, const float* v, int8_t* L) {
  const uint16_t* list = s.neighbours - s.map[key] - 1;
  const int count = list[0];
  float best = FLT_MAX;
  int best_j = -1;
  for (int c = 1; c <= count; ++c) {
    const int j = list[c];
    float d2 = 0;
    for (int k = 0; k < 8; ++k) {
      const float diff = scale * v[point_level(s, j, k)] - x[k];
      d2 += w[k] * diff * diff;
    }
    if (d2 < best) best = d2, best_j = j;
  }
  // Only a NaN or infinite error leaves no choice; ggml then scans the whole grid (reading x out of
  // bounds), so no byte-exact answer exists. Take the whole-grid minimum, else point 0.
  for (int j = 0; best_j < 0 && j < s.grid_size; ++j) {
    float d2 = 0;
    for (int k = 0; k < 8; ++k) {
      const float diff = scale * v[point_level(s, j, k)] - x[k];
      d2 += w[k] * diff * diff;
    }
    if (d2 < best) best = d2, best_j = j;
  }
  if (best_j < 0) best_j = 0;
  for (int k = 0; k < 8; ++k) L[k] = static_cast<int8_t>(point_level(s, best_j, k));
  return best_j;
}

// Grid indices of the n / 8 groups of levels L (group g's values are vals[g]); returns the scale,
// refitted by least squares to the grid points when any group had to move off its levels.
float snap_to_grid(const IQ2Search& s, const float* xb, const float* w, int n, const float* const* vals, int8_t* L,
                   uint16_t* index, float scale) {
  bool all_on_grid = true;
  for (int g = 0; g < n / 8; ++g) {
    int key = 0;
    for (int k = 0; k < 8; ++k) key |= L[8 * g + k] << (2 * k);
    int j = s.map[key];
    if (j < 0) {
      all_on_grid = false;
      j = nearest_point(s, key, xb + 8 * g, w + 8 * g, scale, vals[g], L + 8 * g);
    }
    index[g] = static_cast<uint16_t>(j);
  }
  if (all_on_grid) return scale;
  float sumqx = 0, sumq2 = 0;
  for (int g = 0; g < n / 8; ++g) {
    for (int k = 0; k < 8; ++k) {
      const float wk = w[8 * g + k];
      const float q = vals[g][point_level(s, index[g], k)];
      sumqx += wk * q * xb[8 * g + k];
      sumq2 += wk * q * q;
    }
  }
  return sumqx > 0 && sumq2 > 0 ? sumqx / sumq2 : scale;
}

// The 3-bit odd-multiple code of a sub-block scale against the super-block step d (id = 1 / d).
inline int scale_code(float id, float scale) { return std::clamp(nearest_int(0.5f * (id * scale - 1)), 0, 7); }

// ---- IQ1_S: 8 sub-blocks of 32, one delta sign each.

struct SubFit {
  bool skipped = true;  // all zero or no usable split: no grid indices, scale 0
  float scale = 0;
  int sign = 0;  // IQ1_S: +1 (delta added) / -1; IQ1_M: which of the 4 sign pairs (see below)
};

// Steps 2-3 for one IQ1_S sub-block: writes its grid indices to index[0..4) and returns the scale
// and delta sign; scale 0 (sign +1) for a sub-block that is zero or has no usable split.
SubFit fit_iq1_s(const IQ2Search& s, const float* xb, const float* w, uint16_t* index) {
  constexpr int n = kIq1sSub;
  SubFit fit{true, 0, 1};
  const float max = max_abs(xb, n);
  if (max < kIq1sEps) return fit;
  int order[n];
  sort_by_value(xb, n, order);
  float sumx[n + 1], sumw[n + 1];
  sumx[0] = sumw[0] = 0;
  for (int j = 0; j < n; ++j) {
    sumx[j + 1] = sumx[j] + w[order[j]] * xb[order[j]];
    sumw[j + 1] = sumw[j] + w[order[j]];
  }
  float best_score = -FLT_MAX, scale = max;
  int best1 = -1, best2 = -1, best_sign = 0;
  for (int i1 = 0; i1 <= n; ++i1) {
    for (int i2 = i1; i2 <= n; ++i2) {
      for (int sign : {1, -1}) {
        const float* v = sign == 1 ? kPlus : kMinus;
        const float sumqx = (sumx[i1] - sumx[0]) * v[0] + (sumx[i2] - sumx[i1]) * v[1] + (sumx[n] - sumx[i2]) * v[2];
        const float sumq2 = (sumw[i1] - sumw[0]) * v[0] * v[0] + (sumw[i2] - sumw[i1]) * v[1] * v[1] +
                            (sumw[n] - sumw[i2]) * v[2] * v[2];
        if (sumq2 > 0 && sumqx * sumqx > best_score * sumq2) {
          scale = sumqx / sumq2, best_score = scale * sumqx;
          best1 = i1, best2 = i2, best_sign = sign;
        }
      }
    }
  }
  if (best1 < 0 || best2 < 0 || best_sign == 0) return fit;
  int8_t L[n];
  split_levels(order, n, best1, best2, L);
  // A negative scale with levels l and sign s is the positive scale with levels 2 - l and sign -s.
  if (scale < 0) {
    for (int j = 0; j < n; ++j) L[j] = static_cast<int8_t>(2 - L[j]);
    scale = -scale, best_sign = -best_sign;
  }
  const float* v = best_sign == 1 ? kPlus : kMinus;
  const float* vals[n / 8] = {v, v, v, v};
  fit.skipped = false;
  fit.scale = snap_to_grid(s, xb, w, n, vals, L, index, scale);
  fit.sign = best_sign;
  return fit;
}

void quantize_iq1_s_block(const IQ2Search& s, const float* x, const float* qw, BlockIQ1_S& y) {
  std::memset(&y, 0, sizeof(y));
  const float sigma2 = super_block_sigma2(x);
  float scales[kQKK / kIq1sSub];
  int signs[kQKK / kIq1sSub];
  float max_scale = 0;
  for (int ib = 0; ib < kQKK / kIq1sSub; ++ib) {
    const float* xb = x + kIq1sSub * ib;
    float w[kIq1sSub];
    sub_block_weights(xb, qw + kIq1sSub * ib, sigma2, kIq1sSub, w);
    uint16_t index[kIq1sSub / 8] = {};
    const SubFit fit = fit_iq1_s(s, xb, w, index);
    scales[ib] = fit.scale, signs[ib] = fit.sign;
    if (fit.skipped) continue;  // indices and qh stay 0
    uint16_t h = 0;
    for (int g = 0; g < kIq1sSub / 8; ++g) {
      y.qs[4 * ib + g] = static_cast<uint8_t>(index[g] & 0xFF);
      h |= static_cast<uint16_t>((index[g] >> 8) << (3 * g));
    }
    y.qh[ib] = h;
    max_scale = std::max(max_scale, fit.scale);
  }
  if (max_scale == 0) return;
  const float d = max_scale / 15;
  y.d = fp32_to_fp16(d * 1.125f);  // ggml's empirical fudge factor on the stored scale
  const float id = 1 / d;
  for (int ib = 0; ib < kQKK / kIq1sSub; ++ib) {
    int l = scale_code(id, scales[ib]);
    if (signs[ib] == -1) l |= 8;
    y.qh[ib] |= static_cast<uint16_t>(l << 12);
  }
}

// ---- IQ1_M: 16 sub-blocks of 16, a delta sign per group of 8 (two groups per sub-block).
// Sign pair p = 2 a + b: group 0 uses kMinus when a = 1, group 1 when b = 1.

inline const float* pair_values(int pair, int group) { return (group == 0 ? pair >> 1 : pair & 1) ? kMinus : kPlus; }

// Steps 2-3 for one IQ1_M sub-block: writes its two grid indices and returns the scale and sign
// pair; scale 0 (pair 0) for a sub-block that is zero or has no usable split.
SubFit fit_iq1_m(const IQ2Search& s, const float* xb, const float* w, uint16_t* index) {
  constexpr int n = kIq1mSub;
  SubFit fit{true, 0, 0};
  const float max = max_abs(xb, n);
  if (max < kIq1mEps) return fit;
  int order[n];
  sort_by_value(xb, n, order);
  // Prefix sums per half (group) of the sub-block, since each half picks its own sign. With
  // v[0] - v[1] = v[1] - v[2] = -1 for either sign, a split's sum(w v x) over a half collapses to
  // T v[2] - px[i1] - px[i2] (T the half's total w x), and sum(w v^2) to
  // W v[2]^2 + pw[i1] (v[0]^2 - v[1]^2) + pw[i2] (v[1]^2 - v[2]^2); ggml evaluates these forms.
  float px[2][n + 1], pw[2][n + 1];
  px[0][0] = px[1][0] = pw[0][0] = pw[1][0] = 0;
  for (int j = 0; j < n; ++j) {
    const int i = order[j];
    const int h = i < n / 2 ? 0 : 1;
    px[h][j + 1] = px[h][j] + w[i] * xb[i];
    px[1 - h][j + 1] = px[1 - h][j];
    pw[h][j + 1] = pw[h][j] + w[i];
    pw[1 - h][j + 1] = pw[1 - h][j];
  }
  const float tx[2] = {px[0][n], px[1][n]}, tw[2] = {pw[0][n], pw[1][n]};
  const float p2 = kPlus[2], m2 = kMinus[2];
  const float cp1 = kPlus[0] * kPlus[0] - kPlus[1] * kPlus[1], cp2 = kPlus[1] * kPlus[1] - kPlus[2] * kPlus[2];
  const float cm1 = kMinus[0] * kMinus[0] - kMinus[1] * kMinus[1];
  const float cm2 = kMinus[1] * kMinus[1] - kMinus[2] * kMinus[2];
  float best_score = -FLT_MAX, scale = max;
  int best1 = -1, best2 = -1, best_pair = -1;
  for (int i1 = 0; i1 <= n; ++i1) {
    for (int i2 = i1; i2 <= n; ++i2) {
      float qx[2][2], q2[2][2];  // [half][0: kPlus, 1: kMinus]
      for (int h = 0; h < 2; ++h) {
        const float sx = px[h][i1] + px[h][i2];
        qx[h][0] = tx[h] * p2 - sx;
        qx[h][1] = tx[h] * m2 - sx;
        q2[h][0] = tw[h] * p2 * p2 + pw[h][i1] * cp1 + pw[h][i2] * cp2;
        q2[h][1] = tw[h] * m2 * m2 + pw[h][i1] * cm1 + pw[h][i2] * cm2;
      }
      for (int pair = 0; pair < 4; ++pair) {
        const int a = pair >> 1, b = pair & 1;
        const float sumqx = qx[0][a] + qx[1][b], sumq2 = q2[0][a] + q2[1][b];
        if (sumq2 > 0 && sumqx * sumqx > best_score * sumq2) {
          scale = sumqx / sumq2, best_score = scale * sumqx;
          best1 = i1, best2 = i2, best_pair = pair;
        }
      }
    }
  }
  if (best1 < 0 || best2 < 0 || best_pair < 0) return fit;
  int8_t L[n];
  split_levels(order, n, best1, best2, L);
  // Negating the scale flips every level (l -> 2 - l) and both signs (pair p -> 3 - p).
  if (scale < 0) {
    for (int j = 0; j < n; ++j) L[j] = static_cast<int8_t>(2 - L[j]);
    scale = -scale, best_pair = 3 - best_pair;
  }
  const float* vals[2] = {pair_values(best_pair, 0), pair_values(best_pair, 1)};
  fit.skipped = false;
  fit.scale = snap_to_grid(s, xb, w, n, vals, L, index, scale);
  fit.sign = best_pair;
  return fit;
}

void quantize_iq1_m_block(const IQ2Search& s, const float* x, const float* qw, BlockIQ1_M& y) {
  std::memset(&y, 0, sizeof(y));
  const float sigma2 = super_block_sigma2(x);
  constexpr int nsub = kQKK / kIq1mSub;
  float scales[nsub];
  int pairs[nsub];
  float max_scale = 0;
  for (int ib = 0; ib < nsub; ++ib) {
    const float* xb = x + kIq1mSub * ib;
    float w[kIq1mSub];
    sub_block_weights(xb, qw ? qw + kIq1mSub * ib : nullptr, sigma2, kIq1mSub, w);
    uint16_t index[2] = {};
    const SubFit fit = fit_iq1_m(s, xb, w, index);
    scales[ib] = fit.scale, pairs[ib] = fit.sign;
    if (fit.skipped) continue;  // indices stay 0 (grid point 0, all levels 0)
    y.qs[2 * ib + 0] = static_cast<uint8_t>(index[0] & 0xFF);
    y.qs[2 * ib + 1] = static_cast<uint8_t>(index[1] & 0xFF);
    y.qh[ib] = static_cast<uint8_t>((index[0] >> 8) | ((index[1] >> 8) << 4));
    max_scale = std::max(max_scale, fit.scale);
  }
  if (max_scale == 0) return;  // all zero, d included

  // Sub-block scale codes, then the fp16 d refitted by least squares to the coded values of every
  // sub-block (skipped ones count too, as grid point 0 at code 0 and pair 0).
  uint16_t sc[4] = {};
  float d = max_scale / 15;
  const float id = 1 / d;
  float sumqx = 0, sumq2 = 0;
  for (int ib = 0; ib < nsub; ++ib) {
    const int l = scale_code(id, scales[ib]);
    sc[ib / 4] |= static_cast<uint16_t>(l << (3 * (ib % 4)));
    y.qh[ib] |= static_cast<uint8_t>(((pairs[ib] >> 1) ? 0x08 : 0) | ((pairs[ib] & 1) ? 0x80 : 0));
    const float* xb = x + kIq1mSub * ib;
    float w[kIq1mSub];
    sub_block_weights(xb, qw ? qw + kIq1mSub * ib : nullptr, sigma2, kIq1mSub, w);
    for (int g = 0; g < 2; ++g) {
      const float* v = pair_values(pairs[ib], g);
      const int j = y.qs[2 * ib + g] | ((y.qh[ib] >> (4 * g)) & 7) << 8;
      for (int k = 0; k < 8; ++k) {
        const float wk = w[8 * g + k];
        const float q = v[point_level(s, j, k)] * static_cast<float>(2 * l + 1);
        sumqx += wk * q * xb[8 * g + k];
        sumq2 += wk * q * q;
      }
    }
  }
  if (sumq2 > 0) d = sumqx / sumq2;
  const uint16_t dbits = fp32_to_fp16(d * 1.1125f);  // ggml's empirical fudge factor
  // The fp16 d goes, lowest nibble first, into the top nibbles of the four scale words.
  for (int k = 0; k < 4; ++k) sc[k] |= static_cast<uint16_t>(((dbits >> (4 * k)) & 0xF) << 12);
  for (int k = 0; k < 4; ++k) {
    y.scales[2 * k] = static_cast<uint8_t>(sc[k] & 0xFF);
    y.scales[2 * k + 1] = static_cast<uint8_t>(sc[k] >> 8);
  }
}

}  // namespace

void quantize_iq1_s_imatrix(const float* x, BlockIQ1_S* y, int64_t n_per_row, const float* qw) {
  if (!qw) throw FormatError("IQ1_S quantization needs an importance matrix (imatrix); none was given");
  SEEK_ASSERT_MSG(n_per_row % kQKK == 0, "IQ1_S row of ", n_per_row, " elements");
  const IQ2Search& s = iq2_search(DType::IQ1_S);
  for (int64_t i = 0; i < n_per_row / kQKK; ++i) quantize_iq1_s_block(s, x + kQKK * i, qw + kQKK * i, y[i]);
}

void quantize_iq1_m_imatrix(const float* x, BlockIQ1_M* y, int64_t n_per_row, const float* qw) {
  SEEK_ASSERT_MSG(n_per_row % kQKK == 0, "IQ1_M row of ", n_per_row, " elements");
  const IQ2Search& s = iq2_search(DType::IQ1_M);
  for (int64_t i = 0; i < n_per_row / kQKK; ++i)
    quantize_iq1_m_block(s, x + kQKK * i, qw ? qw + kQKK * i : nullptr, y[i]);
}

}  // namespace seek::quant
