// Scalar row-dots of IQ1_S and IQ1_M against Q8_K activations (256-element super-blocks). A weight
// is (2 s + 1) * (grid value + delta) * d with grid values in {-1, 0, +1} and delta = +-1/8, so per
// super-block two exact integer sums are formed, sumi = sum (2 s + 1) * grid * q8 and
// sumd = sum (2 s + 1) * (+-1) * q8 (the delta's sign; IQ1_S takes the sub-block's q8 sum from the
// Q8_K bsums), then one float scaling, grouped as ggml's ggml_vec_dot_iq1_*_q8_K_generic:
//   sum_sb (d * dx) * (sumi + 0.125 * sumd)
// IQ1_M has no d field: its fp16 d is assembled from the top nibbles of its 4 scale words.
// Field layouts: quant_iq1.cpp.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/ref/rowdot_ref.h"

namespace seek::kern {

namespace {

// Integer dot of the 8 values of a kIq1sGrid entry with 8 activation codes.
inline int iq1_group8_dot(uint64_t entry, const int8_t* q8) {
  int s = 0;
  for (int k = 0; k < 8; ++k) s += quant::grid_int8(entry, k) * q8[k];
  return s;
}

}  // namespace

void dot_iq1_s(const void* w, const RowDotArgs& a) {
  dot_k<BlockIQ1_S>(w, a, [](const BlockIQ1_S& wb, const BlockQ8_K& xb, float xd) {
    int sumi = 0, sumd = 0;
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const uint32_t qh = wb.qh[ib];  // bits 3 l..3 l + 2: index l's bits 8..10; 12..14: s; 15: delta sign
      const int ls = static_cast<int>(2 * ((qh >> 12) & 7) + 1);
      const int8_t* q8 = xb.qs + 32 * ib;
      int isum = 0;
      for (int l = 0; l < 4; ++l) {
        isum += iq1_group8_dot(quant::kIq1sGrid[wb.qs[4 * ib + l] | ((qh >> (3 * l)) & 7) << 8], q8 + 8 * l);
      }
      sumi += ls * isum;
      const int xsum = xb.bsums[2 * ib] + xb.bsums[2 * ib + 1];
      sumd += ls * ((qh & 0x8000) ? -xsum : xsum);
    }
    return (fp16_to_fp32(wb.d) * xd) * (static_cast<float>(sumi) + quant::kIq1Delta * static_cast<float>(sumd));
  });
}

void dot_iq1_m(const void* w, const RowDotArgs& a) {
  dot_k<BlockIQ1_M>(w, a, [](const BlockIQ1_M& wb, const BlockQ8_K& xb, float xd) {
    uint32_t sw[4];  // the 4 little-endian scale words
    for (int k = 0; k < 4; ++k) sw[k] = uint32_t(wb.scales[2 * k]) | uint32_t(wb.scales[2 * k + 1]) << 8;
    const uint16_t dbits = static_cast<uint16_t>((sw[0] >> 12) | (sw[1] >> 12) << 4 | (sw[2] >> 12) << 8 |
                                                 (sw[3] >> 12) << 12);
    int sumi = 0, sumd = 0;
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const uint32_t sc = sw[ib / 2] >> (6 * (ib % 2));
      const int ls[2] = {static_cast<int>(2 * (sc & 7) + 1), static_cast<int>(2 * ((sc >> 3) & 7) + 1)};
      const int8_t* q8 = xb.qs + 32 * ib;
      for (int l = 0; l < 4; ++l) {
        // Group l: nibble l % 2 of qh[2 ib + l / 2], bits 0..2 = index bits 8..10, bit 3 = delta sign.
        const uint32_t nib = (wb.qh[2 * ib + l / 2] >> (4 * (l % 2))) & 0xF;
        const int isum = iq1_group8_dot(quant::kIq1sGrid[wb.qs[4 * ib + l] | (nib & 7) << 8], q8 + 8 * l);
        int xsum = 0;
        for (int k = 0; k < 8; ++k) xsum += q8[8 * l + k];
        sumi += ls[l / 2] * isum;
        sumd += ls[l / 2] * ((nib & 8) ? -xsum : xsum);
      }
    }
    return (fp16_to_fp32(dbits) * xd) * (static_cast<float>(sumi) + quant::kIq1Delta * static_cast<float>(sumd));
  });
}

}  // namespace seek::kern
