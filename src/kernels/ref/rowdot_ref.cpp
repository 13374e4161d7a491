// Scalar row-dots: the reference numerics every SIMD level is tested against, and the kernels
// of the scalar level. Integer block dots are exact; floats accumulate left to right:
//   Q4_0/Q5_0 x Q8_0: sum_b (dw_b * dx_b) * isum_b; Q8_0 x Q8_0 in llama.cpp's 8-lane order (dot_q8_0)
//   Q4_1/Q5_1 x Q8_1: sum_b (dw_b * dx_b) * isum_b + m_b * s_b (s_b = dx_b * sum of the block's qs)
//   Q4_K x Q8_K: sum_sb (dw * dx) * sum_j sc_j isum_j - (dmin * dx) * sum_j m_j bsum_j
//   Q6_K x Q8_K: sum_sb (dw * dx) * sum_j sc_j isum_j      (q - 32 folded into isum_j)
//   Q2_K / Q5_K x Q8_K: as Q4_K (16 / 8 sub-blocks); Q3_K x Q8_K: as Q6_K with signed 6-bit scales
//   IQ4_NL x Q8_0 as Q4_0 and IQ4_XS x Q8_K as Q3_K, with the codes read through kIq4Values
//   F32/F16/BF16: sum_k w_k x_k;  F8_E4M3: sum_blocks scale_kb * sum_{k in 128-block} w_k x_k
#include "kernels/ref/rowdot_ref.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "core/float16.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

void dot_f32(const void* w, const RowDotArgs& a) {
  const float* wr = static_cast<const float*>(w);
  const int64_t K = a.x->K;
  each_column(a, [&](const uint8_t* col) {
    const float* x = reinterpret_cast<const float*>(col);
    float s = 0;
    for (int64_t k = 0; k < K; ++k) s += wr[k] * x[k];
    return s;
  });
}

template <float (*Cvt)(uint16_t)>
void dot_half(const void* w, const RowDotArgs& a) {
  const uint16_t* wr = static_cast<const uint16_t*>(w);
  const int64_t K = a.x->K;
  each_column(a, [&](const uint8_t* col) {
    const float* x = reinterpret_cast<const float*>(col);
    float s = 0;
    for (int64_t k = 0; k < K; ++k) s += Cvt(wr[k]) * x[k];
    return s;
  });
}

float bf16_cvt(uint16_t h) { return bf16_to_fp32(h); }

void dot_f8(const void* w, const RowDotArgs& a) {
  const uint8_t* wr = static_cast<const uint8_t*>(w);
  const int64_t K = a.x->K;
  float lut[256];
  for (int i = 0; i < 256; ++i) lut[i] = fp8_e4m3_to_fp32(static_cast<uint8_t>(i));
  each_column(a, [&](const uint8_t* col) {
    const float* x = reinterpret_cast<const float*>(col);
    float s = 0;
    for (int64_t k0 = 0; k0 < K; k0 += 128) {
      const int64_t k1 = k0 + 128 < K ? k0 + 128 : K;
      float sb = 0;
      for (int64_t k = k0; k < k1; ++k) sb += lut[wr[k]] * x[k];
      s += a.fp8_scale[k0 / 128] * sb;
    }
    return s;
  });
}

using Codes = std::pair<int, int>;

// Q8_0 x Q8_0 exactly as llama.cpp computes it on x86 (ggml_vec_dot_q8_0_q8_0 for one token,
// tinyBLAS_Q0_AVX for a batch: the same arithmetic), so that a Q8_0 file's products carry the same
// bits in both engines: eight lanes, lane k the int sum of elements 4k..4k+3 of each block, each
// lane accumulated over the blocks in order by one fused multiply-add with the block's dw * dx,
// then ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
void dot_q8_0(const void* w, const RowDotArgs& a) {
  const BlockQ8_0* wb = static_cast<const BlockQ8_0*>(w);
  const int64_t K = a.x->K, nb = K / kQK;
  each_column(a, [&](const uint8_t* col) {
    const int8_t* xq = reinterpret_cast<const int8_t*>(col);
    const float* ds = reinterpret_cast<const float*>(col + K);
    float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t b = 0; b < nb; ++b) {
      const float d = fp16_to_fp32(wb[b].d) * ds[b * 8];
      for (int k = 0; k < 8; ++k) {
        int isum = 0;
        for (int e = 4 * k; e < 4 * k + 4; ++e) isum += wb[b].qs[e] * xq[b * kQK + e];
        l[k] = std::fma(d, static_cast<float>(isum), l[k]);
      }
    }
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
  });
}
void dot_q4_0(const void* w, const RowDotArgs& a) {
  dot_32<BlockQ4_0, false>(w, a, [](const BlockQ4_0& b, int j) {
    return Codes{(b.qs[j] & 0xF) - 8, (b.qs[j] >> 4) - 8};
  });
}
void dot_q4_1(const void* w, const RowDotArgs& a) {
  dot_32<BlockQ4_1, true>(w, a, [](const BlockQ4_1& b, int j) { return Codes{b.qs[j] & 0xF, b.qs[j] >> 4}; });
}
void dot_q5_0(const void* w, const RowDotArgs& a) {
  dot_32<BlockQ5_0, false>(w, a, [](const BlockQ5_0& b, int j) {
    const uint32_t qh = q5_high_bits(b.qh);
    return Codes{q5_lo(b.qs, qh, j) - 16, q5_hi(b.qs, qh, j) - 16};
  });
}
void dot_q5_1(const void* w, const RowDotArgs& a) {
  dot_32<BlockQ5_1, true>(w, a, [](const BlockQ5_1& b, int j) {
    const uint32_t qh = q5_high_bits(b.qh);
    return Codes{q5_lo(b.qs, qh, j), q5_hi(b.qs, qh, j)};
  });
}
void dot_iq4_nl(const void* w, const RowDotArgs& a) {
  dot_32<BlockIQ4_NL, false>(w, a, [](const BlockIQ4_NL& b, int j) {
    return Codes{kIq4Values[b.qs[j] & 0xF], kIq4Values[b.qs[j] >> 4]};
  });
}

void dot_q2_K(const void* w, const RowDotArgs& a) {
  dot_k<BlockQ2_K>(w, a, [](const BlockQ2_K& wb, const BlockQ8_K& xb, float xd) {
    int sumi = 0, summ = 0;
    for (int j = 0; j < 16; ++j) {
      int isum = 0;
      for (int e = 16 * j; e < 16 * j + 16; ++e) isum += k_quant_2bit(wb.qs, e) * xb.qs[e];
      sumi += (wb.scales[j] & 0xF) * isum;
      summ += (wb.scales[j] >> 4) * xb.bsums[j];
    }
    return (xd * fp16_to_fp32(wb.d)) * static_cast<float>(sumi) -
           (xd * fp16_to_fp32(wb.dmin)) * static_cast<float>(summ);
  });
}

void dot_q3_K(const void* w, const RowDotArgs& a) {
  dot_k<BlockQ3_K>(w, a, [](const BlockQ3_K& wb, const BlockQ8_K& xb, float xd) {
    int sumi = 0;
    for (int j = 0; j < 16; ++j) {
      int isum = 0;
      for (int e = 16 * j; e < 16 * j + 16; ++e) {
        const bool high = (wb.hmask[e % 32] >> (4 * (e / 128) + (e % 128) / 32)) & 1;
        isum += (k_quant_2bit(wb.qs, e) - (high ? 0 : 4)) * xb.qs[e];
      }
      sumi += q3_K_scale(j, wb.scales) * isum;
    }
    return (fp16_to_fp32(wb.d) * xd) * static_cast<float>(sumi);
  });
}

// Q4_K, and Q5_K with its 5th bits: 8 sub-blocks of 32 with 6-bit scale and min.
template <class Block, bool kHigh>
void dot_q45_K(const void* w, const RowDotArgs& a) {
  dot_k<Block>(w, a, [](const Block& wb, const BlockQ8_K& xb, float xd) {
    int sumi = 0, summ = 0;
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      q4_K_scale_min(j, wb.scales, &sc, &m);
      int isum = 0;
      for (int l = 0; l < 32; ++l) {
        const uint8_t byte = wb.qs[32 * (j / 2) + l];
        int q = (j & 1) ? byte >> 4 : byte & 0xF;
        if constexpr (kHigh) q += ((wb.qh[l] >> j) & 1) << 4;
        isum += q * xb.qs[32 * j + l];
      }
      sumi += sc * isum;
      summ += m * (xb.bsums[2 * j] + xb.bsums[2 * j + 1]);
    }
    const float d = fp16_to_fp32(wb.d) * xd, dmin = fp16_to_fp32(wb.dmin) * xd;
    return d * static_cast<float>(sumi) - dmin * static_cast<float>(summ);
  });
}

void dot_iq4_xs(const void* w, const RowDotArgs& a) {
  dot_k<BlockIQ4_XS>(w, a, [](const BlockIQ4_XS& wb, const BlockQ8_K& xb, float xd) {
    int sumi = 0;
    for (int j = 0; j < 8; ++j) {
      const uint8_t* qs = wb.qs + 16 * j;
      const int8_t* x = xb.qs + 32 * j;
      int isum = 0;
      for (int l = 0; l < 16; ++l) isum += kIq4Values[qs[l] & 0xF] * x[l] + kIq4Values[qs[l] >> 4] * x[l + 16];
      sumi += iq4_xs_scale(wb, j) * isum;
    }
    return (fp16_to_fp32(wb.d) * xd) * static_cast<float>(sumi);
  });
}

void dot_q6_K(const void* w, const RowDotArgs& a) {
  dot_k<BlockQ6_K>(w, a, [](const BlockQ6_K& wb, const BlockQ8_K& xb, float xd) {
    int q[kQKK];
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = wb.ql + 64 * h;
      const uint8_t* qh = wb.qh + 32 * h;
      for (int l = 0; l < 32; ++l) {
        q[128 * h + l] = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        q[128 * h + l + 32] = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        q[128 * h + l + 64] = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        q[128 * h + l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      }
    }
    int sumi = 0;
    for (int j = 0; j < 16; ++j) {
      int isum = 0;
      for (int l = 0; l < 16; ++l) isum += q[16 * j + l] * xb.qs[16 * j + l];
      sumi += wb.scales[j] * isum;
    }
    return (fp16_to_fp32(wb.d) * xd) * static_cast<float>(sumi);
  });
}

}  // namespace

const KernelTable& kernels_scalar() {
  static const KernelTable t = [] {
    KernelTable k;
    k.f32 = dot_f32;
    k.f16 = dot_half<fp16_to_fp32>;
    k.bf16 = dot_half<bf16_cvt>;
    k.f8_e4m3 = dot_f8;
    k.q4_0 = dot_q4_0;
    k.q4_1 = dot_q4_1;
    k.q5_0 = dot_q5_0;
    k.q5_1 = dot_q5_1;
    k.q8_0 = dot_q8_0;
    k.q2_K = dot_q2_K;
    k.q3_K = dot_q3_K;
    k.q4_K = dot_q45_K<BlockQ4_K, false>;
    k.q5_K = dot_q45_K<BlockQ5_K, true>;
    k.q6_K = dot_q6_K;
    k.iq4_nl = dot_iq4_nl;
    k.iq4_xs = dot_iq4_xs;
    k.iq2_xxs = dot_iq2_xxs;
    k.iq2_xs = dot_iq2_xs;
    k.iq2_s = dot_iq2_s;
    k.iq3_xxs = dot_iq3_xxs;
    k.iq3_s = dot_iq3_s;
    k.iq1_s = dot_iq1_s;
    k.iq1_m = dot_iq1_m;
    k.tq1_0 = dot_tq1_0;
    k.tq2_0 = dot_tq2_0;
    k.mxfp4 = dot_mxfp4;
    k.nvfp4 = dot_nvfp4;
    k.q1_0 = dot_q1_0;
    k.q2_0 = dot_q2_0;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
