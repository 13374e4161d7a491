// K-quants (256-element super-blocks): Q2_K, Q3_K, Q4_K, Q5_K and Q6_K weights and the Q8_K
// activation format.
// The quantizers follow ggml's reference ones step for step (same float expression order), so
// their bytes equal llama-quantize's without an importance matrix: Q4_K / Q5_K fit scale and min
// per 32-element sub-block by a weighted least-squares search (ggml's make_qkx2_quants, 21 / 16
// trial scales), Q2_K per 16 elements the same with absolute error, Q3_K a signed scale per 16
// (make_q3_quants), Q6_K a scale per 16 by a 19-trial search weighted by x^2 (make_qx_quants).
// The searches and the block finishers (codes under the stored scales, packing) are shared with
// the importance-weighted quantizers (quant_search.h, quant_imatrix_k.cpp).
#include <cmath>
#include <cstring>

#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"
#include "kernels/quant/quant_search.h"

namespace seek::quant {

float fit_scale_min(int n, int nmax, const float* x, const float* w, uint8_t* L, float* the_min, float rmin,
                    float rdelta, int nstep, bool use_mad) {
  float min = x[0], max = x[0];
  float sum_w = w[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    sum_w += w[i];
    sum_x += w[i] * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    *the_min = -min;
    return 0.0f;
  }
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    int l = nearest_int(iscale * (x[i] - min));
    L[i] = static_cast<uint8_t>(l < 0 ? 0 : l > nmax ? nmax : l);
    float diff = scale * L[i] + min - x[i];
    best_error += w[i] * (use_mad ? std::fabs(diff) : diff * diff);
  }
  uint8_t Laux[32];
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearest_int(iscale * (x[i] - min));
      l = l < 0 ? 0 : l > nmax ? nmax : l;
      Laux[i] = static_cast<uint8_t>(l);
      sum_l += w[i] * l;
      sum_l2 += w[i] * l * l;
      sum_xl += w[i] * l * x[i];
    }
    float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur_error = 0;
      for (int i = 0; i < n; ++i) {
        float diff = this_scale * Laux[i] + this_min - x[i];
        cur_error += w[i] * (use_mad ? std::fabs(diff) : diff * diff);
      }
      if (cur_error < best_error) {
        for (int i = 0; i < n; ++i) L[i] = Laux[i];
        best_error = cur_error;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

float fit_scale_symmetric(int n, int nmax, const float* x, int8_t* L, const float* w) {
  const float max = signed_absmax(x, n);
  if (std::fabs(max) < kGroupMaxEps) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.0f;
  }
  auto clampq = [nmax](int l) { return l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l; };
  float iscale = -nmax / max;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    int l = clampq(nearest_int(iscale * x[i]));
    L[i] = static_cast<int8_t>(l + nmax);
    const float wi = w ? w[i] : x[i] * x[i];
    sumlx += wi * x[i] * l;
    suml2 += wi * l * l;
  }
  float scale = suml2 ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(nmax + 0.1f * is) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      int l = clampq(nearest_int(iscale * x[i]));
      const float wi = w ? w[i] : x[i] * x[i];
      sumlx += wi * x[i] * l;
      suml2 += wi * l * l;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(nmax + clampq(nearest_int(iscale * x[i])));
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

namespace {

// make_q3_quants: x[i] ~ scale * (L[i] - 4), L in [0, 8), weights x^2: the codes of -4 / max,
// then up to 5 passes that move one code at a time to the value the other codes' fit prefers
// while the weighted fit (sum w x l)^2 / sum w l^2 grows. Returns the scale (signed).
float fit_scale_q3(const float* x, int8_t* L) {
  constexpr int n = 16, nmax = 4;
  const float max = signed_absmax(x, n);
  if (std::fabs(max) < kGroupMaxEps) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.0f;
  }
  auto clampq = [](int l) { return l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l; };
  const float iscale = -nmax / max;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = clampq(nearest_int(iscale * x[i]));
    L[i] = static_cast<int8_t>(l);
    float w = x[i] * x[i];
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  for (int itry = 0; itry < 5; ++itry) {
    int n_changed = 0;
    for (int i = 0; i < n; ++i) {
      float w = x[i] * x[i];
      float slx = sumlx - w * x[i] * L[i];
      if (slx <= 0) continue;
      float sl2 = suml2 - w * L[i] * L[i];
      const int new_l = clampq(nearest_int(x[i] * sl2 / slx));
      if (new_l == L[i]) continue;
      slx += w * x[i] * new_l;
      sl2 += w * new_l * new_l;
      if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
        L[i] = static_cast<int8_t>(new_l);
        sumlx = slx;
        suml2 = sl2;
        ++n_changed;
      }
    }
    if (!n_changed) break;
  }
  for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(L[i] + nmax);
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// Q4_K / Q5_K: per 32-element sub-block a scale and min fitted to codes 0..nmax (weights
// rms + |x|), both stored as 6-bit multiples of the super-block's d / dmin.
template <class Block>
void fit_q45_K(const float* x, int nmax, float rmin, int nstep, Block& b, uint8_t* L) {
  float weights[32], mins[8], scales[8];
  float max_scale = 0, max_min = 0;
  for (int j = 0; j < 8; ++j) {
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
    float av_x = std::sqrt(sum_x2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
    scales[j] = fit_scale_min(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], rmin, 0.1f, nstep);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }
  float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  std::memset(b.scales, 0, sizeof b.scales);
  for (int j = 0; j < 8; ++j) {
    uint8_t ls = static_cast<uint8_t>(nearest_int(inv_scale * scales[j]));
    uint8_t lm = static_cast<uint8_t>(nearest_int(inv_min * mins[j]));
    store_k4_scale_min(j, ls < 63 ? ls : 63, lm < 63 ? lm : 63, b.scales);
  }
  b.d = fp32_to_fp16(max_scale / 63.f);
  b.dmin = fp32_to_fp16(max_min / 63.f);
}

// Q4_K / Q5_K: every element's code in [0, nmax] under the stored d * scale and dmin * min.
template <class Block>
void requantize_k4(const float* x, int nmax, const Block& b, uint8_t* L) {
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    q4_K_scale_min(j, b.scales, &sc, &m);
    const float d = fp16_to_fp32(b.d) * sc;
    if (!d) continue;
    const float dm = fp16_to_fp32(b.dmin) * m;
    for (int ii = 0; ii < 32; ++ii) {
      int l = nearest_int((x[32 * j + ii] + dm) / d);
      L[32 * j + ii] = static_cast<uint8_t>(l < 0 ? 0 : l > nmax ? nmax : l);
    }
  }
}

// The 2-bit codes of a Q2_K / Q3_K super-block: element 128n + 32j + l at bits 2j of qs[32n + l].
void pack_2bit(const uint8_t* L, uint8_t* qs) {
  for (int n = 0; n < 2; ++n)
    for (int l = 0; l < 32; ++l)
      qs[32 * n + l] = static_cast<uint8_t>(L[128 * n + l] | (L[128 * n + l + 32] << 2) | (L[128 * n + l + 64] << 4) |
                                            (L[128 * n + l + 96] << 6));
}

}  // namespace

void store_k4_scale_min(int j, uint8_t ls, uint8_t lm, uint8_t* scales) {
  if (j < 4) {
    scales[j] = ls;
    scales[j + 4] = lm;
  } else {
    scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
    scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
    scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
  }
}

void store_q3_K_scale(int j, int l, uint8_t* scales) {
  if (j < 8) scales[j] = static_cast<uint8_t>(l & 0xF);
  else scales[j - 8] |= static_cast<uint8_t>((l & 0xF) << 4);
  scales[j % 4 + 8] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
}

void finish_q4_K(const float* x, BlockQ4_K& b, uint8_t* L) {
  requantize_k4(x, 15, b, L);
  for (int c = 0; c < 4; ++c)
    for (int l = 0; l < 32; ++l) b.qs[32 * c + l] = static_cast<uint8_t>(L[64 * c + l] | (L[64 * c + l + 32] << 4));
}

void finish_q5_K(const float* x, BlockQ5_K& b, uint8_t* L) {
  requantize_k4(x, 31, b, L);
  std::memset(b.qh, 0, sizeof b.qh);
  for (int c = 0; c < 4; ++c)
    for (int l = 0; l < 32; ++l) {
      const int lo = L[64 * c + l], hi = L[64 * c + l + 32];
      b.qs[32 * c + l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
      b.qh[l] |= static_cast<uint8_t>(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
    }
}

void finish_q2_K(const float* x, BlockQ2_K& b, uint8_t* L) {
  for (int j = 0; j < 16; ++j) {
    const float d = fp16_to_fp32(b.d) * (b.scales[j] & 0xF);
    if (!d) continue;
    const float dm = fp16_to_fp32(b.dmin) * (b.scales[j] >> 4);
    for (int ii = 0; ii < 16; ++ii) {
      int l = nearest_int((x[16 * j + ii] + dm) / d);
      L[16 * j + ii] = static_cast<uint8_t>(l < 0 ? 0 : l > 3 ? 3 : l);
    }
  }
  pack_2bit(L, b.qs);
}

// Codes -4..3 (stored + 4); the 3rd bit of each in hmask, the low 2 as Q2_K's.
void finish_q3_K(const float* x, BlockQ3_K& b, int8_t* L) {
  for (int j = 0; j < 16; ++j) {
    const float d = fp16_to_fp32(b.d) * static_cast<float>(q3_K_scale(j, b.scales));
    if (!d) continue;
    for (int ii = 0; ii < 16; ++ii) {
      const int l = nearest_int(x[16 * j + ii] / d);
      L[16 * j + ii] = static_cast<int8_t>((l < -4 ? -4 : l > 3 ? 3 : l) + 4);
    }
  }
  uint8_t U[kQKK];
  std::memset(b.hmask, 0, sizeof b.hmask);
  for (int e = 0; e < kQKK; ++e) {
    U[e] = static_cast<uint8_t>(L[e] & 3);
    if (L[e] > 3) b.hmask[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
  }
  pack_2bit(U, b.qs);
}

void quantize_q4_K(const float* x, BlockQ4_K* y, int64_t nb) {
  uint8_t L[kQKK];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    fit_q45_K(x, 15, -1.0f, 20, y[i], L);
    finish_q4_K(x, y[i], L);
  }
}

void quantize_q5_K(const float* x, BlockQ5_K* y, int64_t nb) {
  uint8_t L[kQKK];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    fit_q45_K(x, 31, -0.5f, 15, y[i], L);
    finish_q5_K(x, y[i], L);
  }
}

// Q2_K: per 16 elements a scale and min fitted to codes 0..3 (weights |x|, absolute error), both
// stored as 4-bit multiples of d = max scale / 15 and dmin = max min / 15.
void quantize_q2_K(const float* x, BlockQ2_K* y, int64_t nb) {
  uint8_t L[kQKK];
  float weights[16], mins[16], scales[16];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; ++j) {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
      scales[j] = fit_scale_min(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], -0.5f, 0.1f, 15, true);
      if (scales[j] > max_scale) max_scale = scales[j];
      if (mins[j] > max_min) max_min = mins[j];
    }
    BlockQ2_K& b = y[i];
    for (int j = 0; j < 16; ++j)
      b.scales[j] = max_scale > 0 ? static_cast<uint8_t>(nearest_int((15.f / max_scale) * scales[j])) : 0;
    b.d = fp32_to_fp16(max_scale > 0 ? max_scale / 15.f : 0.f);
    if (max_min > 0)
      for (int j = 0; j < 16; ++j) b.scales[j] |= static_cast<uint8_t>(nearest_int((15.f / max_min) * mins[j]) << 4);
    b.dmin = fp32_to_fp16(max_min > 0 ? max_min / 15.f : 0.f);
    finish_q2_K(x, b, L);
  }
}

// Q3_K: per 16 elements a signed scale for codes -4..3 (make_q3_quants: weights x^2, then up to 5
// passes moving single codes while the weighted fit improves), stored as 6-bit signed multiples
// of d = -(scale of largest magnitude) / 32; the 3rd bit of each code in hmask.
void quantize_q3_K(const float* x, BlockQ3_K* y, int64_t nb) {
  int8_t L[kQKK];
  float scales[16];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    for (int j = 0; j < 16; ++j) scales[j] = fit_scale_q3(x + 16 * j, L + 16 * j);
    const float max_scale = signed_absmax(scales, 16);
    BlockQ3_K& b = y[i];
    std::memset(b.scales, 0, sizeof b.scales);
    if (max_scale) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < 16; ++j) {
        int l = nearest_int(iscale * scales[j]);
        store_q3_K_scale(j, (l < -32 ? -32 : l > 31 ? 31 : l) + 32, b.scales);
      }
      b.d = fp32_to_fp16(1 / iscale);
    } else {
      b.d = fp32_to_fp16(0.f);
    }
    finish_q3_K(x, b, L);
  }
}

void dequantize_q4_K(const BlockQ4_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d), min = fp16_to_fp32(x[i].dmin);
    const uint8_t* q = x[i].qs;
    for (int c = 0; c < 4; ++c, q += 32) {
      uint8_t sc, m;
      q4_K_scale_min(2 * c, x[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      q4_K_scale_min(2 * c + 1, x[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

// The decoders multiply as ggml's to_float does (scale first, then code, then min), so values are
// bit-identical to llama.cpp's.
void dequantize_q2_K(const BlockQ2_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
    for (int e = 0; e < kQKK; ++e) {
      const uint8_t sc = x[i].scales[e / 16];
      const float dl = d * static_cast<float>(sc & 0xF), ml = dmin * static_cast<float>(sc >> 4);
      y[e] = dl * static_cast<float>(k_quant_2bit(x[i].qs, e)) - ml;
    }
  }
}

void dequantize_q3_K(const BlockQ3_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int e = 0; e < kQKK; ++e) {
      const float dl = d * static_cast<float>(q3_K_scale(e / 16, x[i].scales));
      const bool high = (x[i].hmask[e % 32] >> (4 * (e / 128) + (e % 128) / 32)) & 1;
      y[e] = dl * static_cast<float>(k_quant_2bit(x[i].qs, e) - (high ? 0 : 4));
    }
  }
}

void dequantize_q5_K(const BlockQ5_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
    for (int e = 0; e < kQKK; ++e) {
      const int j = e / 32, l = e % 32;  // sub-block j: chunk j / 2, low nibbles for even j
      uint8_t sc, m;
      q4_K_scale_min(j, x[i].scales, &sc, &m);
      const uint8_t byte = x[i].qs[32 * (j / 2) + l];
      const int q = ((j & 1) ? byte >> 4 : byte & 0xF) + (((x[i].qh[l] >> j) & 1) << 4);
      const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
      y[e] = d1 * static_cast<float>(q) - m1;
    }
  }
}

// Q6_K element e of half h (128 elements): low 4 bits in ql[64h + (e%64)] (low nibble for
// e%128 < 64, high nibble otherwise), high 2 bits in qh[32h + e%32] at bit 2 * ((e%128) / 32).
void finish_q6_K(const float* x, const float* scales, BlockQ6_K& b, int8_t* L) {
  const float max_scale = signed_absmax(scales, 16);
  if (std::fabs(max_scale) < kGroupMaxEps) {
    std::memset(&b, 0, sizeof b);
    return;
  }
  float iscale = -128.f / max_scale;
  b.d = fp32_to_fp16(1 / iscale);
  for (int ib = 0; ib < 16; ++ib) {
    int s = nearest_int(iscale * scales[ib]);
    b.scales[ib] = static_cast<int8_t>(s < 127 ? s : 127);
  }
  for (int j = 0; j < 16; ++j) {
    float d = fp16_to_fp32(b.d) * b.scales[j];
    if (!d) continue;
    for (int ii = 0; ii < 16; ++ii) {
      int l = nearest_int(x[16 * j + ii] / d);
      l = l < -32 ? -32 : l > 31 ? 31 : l;
      L[16 * j + ii] = static_cast<int8_t>(l + 32);
    }
  }
  for (int h = 0; h < 2; ++h) {
    const int8_t* Lh = L + 128 * h;
    uint8_t* ql = b.ql + 64 * h;
    uint8_t* qh = b.qh + 32 * h;
    for (int l = 0; l < 32; ++l) {
      ql[l] = static_cast<uint8_t>((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
      ql[l + 32] = static_cast<uint8_t>((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
      qh[l] = static_cast<uint8_t>((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) |
                                   ((Lh[l + 96] >> 4) << 6));
    }
  }
}

void quantize_q6_K(const float* x, BlockQ6_K* y, int64_t nb) {
  int8_t L[kQKK];
  float scales[16];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    for (int ib = 0; ib < 16; ++ib) scales[ib] = fit_scale_symmetric(16, 32, x + 16 * ib, L + 16 * ib);
    finish_q6_K(x, scales, y[i], L);
  }
}

void dequantize_q6_K(const BlockQ6_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (int h = 0; h < 2; ++h, y += 128) {
      const uint8_t* ql = x[i].ql + 64 * h;
      const uint8_t* qh = x[i].qh + 32 * h;
      const int8_t* sc = x[i].scales + 8 * h;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * sc[is] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

// d = max / -127 (max the signed value of largest magnitude), q = min(127, nearest(x / d)).
void quantize_q8_K(const float* x, BlockQ8_K* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    const float max = signed_absmax(x, kQKK);
    if (!max) {
      std::memset(&y[i], 0, sizeof y[i]);
      continue;
    }
    const float iscale = -127.f / max;
    for (int j = 0; j < kQKK; ++j) {
      int v = nearest_int(iscale * x[j]);
      y[i].qs[j] = static_cast<int8_t>(v < 127 ? v : 127);
    }
    for (int j = 0; j < 16; ++j) {
      int sum = 0;
      for (int ii = 0; ii < 16; ++ii) sum += y[i].qs[16 * j + ii];
      y[i].bsums[j] = static_cast<int16_t>(sum);
    }
    y[i].d = 1 / iscale;
  }
}

void dequantize_q8_K(const BlockQ8_K* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i)
    for (int j = 0; j < kQKK; ++j) *y++ = x[i].d * x[i].qs[j];
}

}  // namespace seek::quant
