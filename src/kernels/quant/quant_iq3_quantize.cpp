// Quantizers of the 3-bit grid types IQ3_XXS and IQ3_S (ggml de3ff81's quantize_iq3_xxs /
// quantize_iq3_s, the layouts are in quant_iq3.cpp). Per 256-element super-block:
//   1. sigma2 = 2 sum(x^2) / 256; the error weight of element i is qw_i sqrt(sigma2 + x_i^2) with
//      an importance qw, else x_i^2.
//   2. Per 32-element sub-block: signs come off (the search runs on |x|), then a scale search over
//      levels l = 0..7 standing for the odd values 2 l + 1: for trial t, 1 / s = (15 + 0.2 t) / max
//      with t = -15..15 (IQ3_XXS) or -9..9 (IQ3_S); every group of 4 rounds to the nearest lattice
//      point and, off the grid, takes the neighbour (iq3_search.h) of least weighted error at that
//      trial's scale; the trial whose sum(w x q)^2 / sum(w q^2) is the largest (strictly) gives the
//      least-squares scale. If some group of the winner was off the grid, groups are snapped again
//      at that scale and the least-squares scale recomputed.
//   3. d = max sub-block scale / 31, stored as fp16 of d times a fudge factor (1.0125 IQ3_XXS,
//      1.033 IQ3_S); each sub-block stores the 4-bit l = round((scale / d - 1) / 2).
// IQ3_XXS keeps only 7 sign bits per 8 elements (the 8th from parity), so a group of 8 with an odd
// number of negatives first flips the sign of its element of least w x^2.
// Every float operation is ggml's, in ggml's order, so the bytes equal llama-quantize's. ggml
// builds these without FMA, so no a * b + c here may be fused behind our back (a -march with FMA
// otherwise lets the compiler contract them and the chosen grid points drift).
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("fp-contract=off")
#endif
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq3_search.h"
#include "kernels/quant/quant_imatrix.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

namespace {

constexpr int kSub = 32;                      // elements per sub-block
constexpr int kGroups = kSub / 4;             // grid groups per sub-block
constexpr int kMaxLevel = 7;                  // 3-bit levels 0..7
constexpr float kIq3xxsGroupMaxEps = 1e-8f;   // ggml's GROUP_MAX_EPS_IQ3_XXS
constexpr float kIq3xxsScaleFudge = 1.0125f;  // ggml's small improvement factors on d
constexpr float kIq3sScaleFudge = 1.033f;

// How the two types run the search of step 2.
struct Iq3Rules {
  int trials;                 // t = -trials..trials
  bool refine_off_grid_only;  // IQ3_XXS snaps again only the off-grid groups, IQ3_S all of them
};

// The odd value 2 l + 1 a level stands for.
inline float odd_value(int l) { return static_cast<float>(2 * l + 1); }

// The level of |x| at inverse scale id (nearest odd value), clamped to 0..7.
inline int8_t level_at(float id, float x) {
  const int l = nearest_int(0.5f * (id * x - 1));
  return static_cast<int8_t>(l < 0 ? 0 : l > kMaxLevel ? kMaxLevel : l);
}

// For an off-grid key: the listed neighbour of least sum(w (scale q - x)^2) over the group (the
// first of equal errors), its levels written to L.
int best_neighbour(const IQ3Search& s, int key, const float* xval, const float* waux, float scale, int8_t* L) {
  const uint16_t* list = s.neighbours - s.map[key] - 1;
  SEEK_ASSERT(list[0] > 0);
  float best_d2 = std::numeric_limits<float>::max();  // ggml's FLT_MAX: an infinite error never wins
  int best = -1;
  for (int j = 1; j <= list[0]; ++j) {
    const uint8_t* lv = s.levels + 4 * list[j];
    float d2 = 0;
    for (int i = 0; i < 4; ++i) {
      const float diff = scale * odd_value(lv[i]) - xval[i];
      d2 += waux[i] * diff * diff;
    }
    if (d2 < best_d2) best_d2 = d2, best = list[j];
  }
  SEEK_ASSERT(best >= 0);
  for (int i = 0; i < 4; ++i) L[i] = static_cast<int8_t>(s.levels[4 * best + i]);
  return best;
}

// Snaps a group of 4 (xval, waux and L point at it) at inverse scale id, the neighbour search
// using the forward scale `scale`; returns whether the rounded point was on the grid.
bool snap_group(const IQ3Search& s, const float* xval, const float* waux, float id, float scale, int8_t* L) {
  for (int i = 0; i < 4; ++i) L[i] = level_at(id, xval[i]);
  const int key = iq3_key(L);
  if (s.map[key] >= 0) return true;
  best_neighbour(s, key, xval, waux, scale, L);
  return false;
}

// sum(w x q) and sum(w q^2) over a sub-block at levels L.
inline void weighted_sums(const float* xval, const float* weight, const int8_t* L, float& sumqx, float& sumq2) {
  sumqx = 0, sumq2 = 0;
  for (int i = 0; i < kSub; ++i) {
    const float q = odd_value(L[i]);
    sumqx += weight[i] * xval[i] * q;
    sumq2 += weight[i] * q * q;
  }
}

// Step 2 for one sub-block with max = max(xval) > 0: writes the levels (all on the grid) to L and
// returns the scale (negative only in a case ggml guards against but never expects).
float search_sub_block(const IQ3Search& s, const Iq3Rules& rules, const float* xval, const float* weight,
                       const float* waux, float max, int8_t* L) {
  std::memset(L, 0, kSub);
  float best = 0;
  float scale = max / (2 * kMaxLevel + 1);
  // Where no trial wins, IQ3_XXS keeps the all-zero levels (on the grid) and IQ3_S snaps every group.
  bool on_grid[kGroups];
  for (bool& g : on_grid) g = rules.refine_off_grid_only;
  int8_t Laux[kSub];
  bool on_grid_aux[kGroups];
  for (int t = -rules.trials; t <= rules.trials; ++t) {
    const float id = (2 * kMaxLevel + 1 + t * 0.2f) / max;
    const float this_scale = 1 / id;
    for (int k = 0; k < kGroups; ++k)
      on_grid_aux[k] = snap_group(s, xval + 4 * k, waux + 4 * k, id, this_scale, Laux + 4 * k);
    float sumqx, sumq2;
    weighted_sums(xval, weight, Laux, sumqx, sumq2);
    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
      scale = sumqx / sumq2;
      best = scale * sumqx;
      std::memcpy(L, Laux, kSub);
      std::memcpy(on_grid, on_grid_aux, sizeof(on_grid));
    }
  }
  int off_grid = 0;
  for (bool g : on_grid) off_grid += !g;
  if (off_grid > 0 && scale > 0) {
    const float id = 1 / scale;
    for (int k = 0; k < kGroups; ++k) {
      if (rules.refine_off_grid_only && on_grid[k]) continue;
      snap_group(s, xval + 4 * k, waux + 4 * k, id, scale, L + 4 * k);
    }
    float sumqx, sumq2;
    weighted_sums(xval, weight, L, sumqx, sumq2);
    if (sumq2 > 0) scale = sumqx / sumq2;
  }
  return scale;
}

// The grid index of group levels that the search left on the grid.
int grid_index(const IQ3Search& s, const int8_t* L) {
  const int g = s.map[iq3_key(L)];
  SEEK_ASSERT_MSG(g >= 0, "IQ3 quantizer left levels ", int(L[0]), ",", int(L[1]), ",", int(L[2]), ",", int(L[3]),
                  " off the grid");
  return g;
}

// Step 1: sigma2 of a super-block, then the error weights of one sub-block xb (qw at the same
// offset, or nullptr) and their square roots (the neighbour search's weights).
float super_block_sigma2(const float* xbl) {
  float sumx2 = 0;
  for (int i = 0; i < kQKK; ++i) sumx2 += xbl[i] * xbl[i];
  return 2 * sumx2 / kQKK;
}
void sub_block_weights(const float* xb, const float* qw, float sigma2, float* weight, float* waux) {
  for (int i = 0; i < kSub; ++i) weight[i] = qw ? qw[i] * std::sqrt(sigma2 + xb[i] * xb[i]) : xb[i] * xb[i];
  for (int i = 0; i < kSub; ++i) waux[i] = std::sqrt(weight[i]);
}

// Step 3: the 4-bit code of a sub-block scale against inverse super-block scale id.
inline int scale_code(float id, float scale) {
  const int l = nearest_int(0.5f * (id * scale - 1));
  return l < 0 ? 0 : l > 15 ? 15 : l;
}

void put_u32le(uint8_t* p, uint32_t v) {
  for (int b = 0; b < 4; ++b) p[b] = static_cast<uint8_t>(v >> (8 * b));
}

void quantize_iq3_xxs_block(const IQ3Search& s, const float* xbl, const float* qw, BlockIQ3_XXS& y) {
  std::memset(&y, 0, sizeof(y));
  const Iq3Rules rules{15, true};
  const float sigma2 = super_block_sigma2(xbl);
  float scales[kQKK / kSub];
  uint32_t words[kQKK / kSub] = {};  // per sub-block: 4 x 7 sign bits, the scale code added below
  float max_scale = 0;
  for (int ib = 0; ib < kQKK / kSub; ++ib) {
    const float* xb = xbl + kSub * ib;
    float weight[kSub], waux[kSub], xval[kSub];
    sub_block_weights(xb, qw ? qw + kSub * ib : nullptr, sigma2, weight, waux);
    uint8_t signs[4];
    for (int k = 0; k < 4; ++k) {
      int nflip = 0;
      uint8_t sg = 0;
      for (int i = 0; i < 8; ++i) {
        const float v = xb[8 * k + i];
        if (v >= 0) {
          xval[8 * k + i] = v;
        } else {  // negative, or NaN: ggml's test, so that the sign bits agree
          xval[8 * k + i] = -v;
          ++nflip;
          sg |= static_cast<uint8_t>(1 << i);
        }
      }
      if (nflip % 2) {  // make the parity even: flip the element that costs least (w x^2)
        int imin = 0;
        float min = weight[8 * k] * xb[8 * k] * xb[8 * k];
        for (int i = 1; i < 8; ++i) {
          const float a = weight[8 * k + i] * xb[8 * k + i] * xb[8 * k + i];
          if (a < min) min = a, imin = i;
        }
        xval[8 * k + imin] = -xval[8 * k + imin];
        sg ^= static_cast<uint8_t>(1 << imin);
      }
      signs[k] = sg & 127;
    }
    float max = xval[0];
    for (int i = 1; i < kSub; ++i) max = max > xval[i] ? max : xval[i];
    if (max < kIq3xxsGroupMaxEps) {  // grid indices stay 0, as the sign bits and the scale
      scales[ib] = 0;
      continue;
    }
    int8_t L[kSub];
    float scale = search_sub_block(s, rules, xval, weight, waux, max, L);
    if (scale < 0) {  // keep the stored scale unsigned: flip the signs instead
      scale = -scale;
      for (uint8_t& sg : signs) sg = ~sg & 127;
    }
    for (int k = 0; k < kGroups; ++k) y.qs[8 * ib + k] = static_cast<uint8_t>(grid_index(s, L + 4 * k));
    words[ib] = signs[0] | uint32_t(signs[1]) << 7 | uint32_t(signs[2]) << 14 | uint32_t(signs[3]) << 21;
    scales[ib] = scale;
    max_scale = max_scale > scale ? max_scale : scale;
  }
  if (!max_scale) {  // an all-zero block: zero scale and zero codes
    std::memset(&y, 0, sizeof(y));
    return;
  }
  const float d = max_scale / 31;
  y.d = fp32_to_fp16(d * kIq3xxsScaleFudge);
  const float id = 1 / d;
  for (int ib = 0; ib < kQKK / kSub; ++ib)
    put_u32le(y.qs + kQKK / 4 + 4 * ib, words[ib] | uint32_t(scale_code(id, scales[ib])) << 28);
}

void quantize_iq3_s_block(const IQ3Search& s, const float* xbl, const float* qw, BlockIQ3_S& y) {
  std::memset(&y, 0, sizeof(y));
  const Iq3Rules rules{9, false};
  const float sigma2 = super_block_sigma2(xbl);
  float scales[kQKK / kSub];
  float max_scale = 0;
  // ggml advances its qs / signs write position only past sub-blocks it quantizes: after an
  // all-zero sub-block, the later sub-blocks' indices and signs land one slot early (the high index
  // bits and the scales stay in place). Reproduced, since the bytes must match.
  int slot = 0;
  for (int ib = 0; ib < kQKK / kSub; ++ib) {
    const float* xb = xbl + kSub * ib;
    float weight[kSub], waux[kSub], xval[kSub];
    sub_block_weights(xb, qw ? qw + kSub * ib : nullptr, sigma2, weight, waux);
    uint8_t signs[4];
    for (int k = 0; k < 4; ++k) {
      uint8_t sg = 0;
      for (int i = 0; i < 8; ++i) {
        const float v = xb[8 * k + i];
        if (v >= 0) {
          xval[8 * k + i] = v;
        } else {
          xval[8 * k + i] = -v;
          sg |= static_cast<uint8_t>(1 << i);
        }
      }
      signs[k] = sg;
    }
    float max = xval[0];
    for (int i = 1; i < kSub; ++i) max = max > xval[i] ? max : xval[i];
    if (!max) {
      scales[ib] = 0;
      continue;
    }
    int8_t L[kSub];
    float scale = search_sub_block(s, rules, xval, weight, waux, max, L);
    if (scale < 0) {
      scale = -scale;
      for (uint8_t& sg : signs) sg = static_cast<uint8_t>(~sg);
    }
    for (int k = 0; k < kGroups; ++k) {
      const int g = grid_index(s, L + 4 * k);
      y.qs[8 * slot + k] = static_cast<uint8_t>(g & 255);
      y.qh[ib] |= static_cast<uint8_t>((g >> 8) << k);
    }
    std::memcpy(y.signs + 4 * slot, signs, 4);
    ++slot;
    scales[ib] = scale;
    max_scale = max_scale > scale ? max_scale : scale;
  }
  if (!max_scale) return;  // d stays 0 (the codes written, if any, stay too)
  const float d = max_scale / 31;
  y.d = fp32_to_fp16(d * kIq3sScaleFudge);
  const float id = 1 / d;
  for (int ib = 0; ib < kQKK / kSub; ib += 2)
    y.scales[ib / 2] = static_cast<uint8_t>(scale_code(id, scales[ib]) | scale_code(id, scales[ib + 1]) << 4);
}

void check_row(const char* type, int64_t n_per_row) {
  if (n_per_row < 0 || n_per_row % kQKK != 0)
    throw Error(str("quantize ", type, ": row of ", n_per_row, " values is not a multiple of ", kQKK));
}

}  // namespace

void quantize_iq3_xxs_imatrix(const float* x, BlockIQ3_XXS* y, int64_t n_per_row, const float* qw) {
  check_row("iq3_xxs", n_per_row);
  const IQ3Search& s = iq3_search(DType::IQ3_XXS);
  for (int64_t i = 0; i < n_per_row / kQKK; ++i)
    quantize_iq3_xxs_block(s, x + kQKK * i, qw ? qw + kQKK * i : nullptr, y[i]);
}

void quantize_iq3_s_imatrix(const float* x, BlockIQ3_S* y, int64_t n_per_row, const float* qw) {
  check_row("iq3_s", n_per_row);
  const IQ3Search& s = iq3_search(DType::IQ3_S);
  for (int64_t i = 0; i < n_per_row / kQKK; ++i)
    quantize_iq3_s_block(s, x + kQKK * i, qw ? qw + kQKK * i : nullptr, y[i]);
}

}  // namespace seek::quant
