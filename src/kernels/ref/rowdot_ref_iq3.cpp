// Scalar row-dots of IQ3_XXS and IQ3_S against Q8_K activations (256-element super-blocks). Per
// super-block: exact integer sums per 32-element sub-block of magnitude * sign * q8, weighted by
// the sub-block's odd integer scale, then one float scaling, grouped as ggml's
// ggml_vec_dot_iq3_*_q8_K_generic:
//   IQ3_XXS: sum_sb 0.25 * ((d * dx) * sum_ib (2 s_ib + 1) isum_ib)
//   IQ3_S:   sum_sb        (d * dx) * sum_ib (2 s_ib + 1) isum_ib
// Field layouts: quant_iq3.cpp.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/ref/rowdot_ref.h"

namespace seek::kern {

namespace {

// Integer dot of one group of 8 weights (grid entries g0: elements 0..3, g1: 4..7; bit k of
// signs set = element k negative) with 8 activation codes.
inline int iq3_group8_dot(uint32_t g0, uint32_t g1, uint8_t signs, const int8_t* q8) {
  int s = 0;
  for (int k = 0; k < 4; ++k) {
    const int w0 = quant::grid_byte(g0, k), w1 = quant::grid_byte(g1, k);
    s += ((signs >> k) & 1 ? -w0 : w0) * q8[k];
    s += ((signs >> (k + 4)) & 1 ? -w1 : w1) * q8[k + 4];
  }
  return s;
}

}  // namespace

void dot_iq3_xxs(const void* w, const RowDotArgs& a) {
  dot_k<BlockIQ3_XXS>(w, a, [](const BlockIQ3_XXS& wb, const BlockQ8_K& xb, float xd) {
    const uint8_t* idx = wb.qs;               // 8 grid indices per sub-block
    const uint8_t* words = wb.qs + kQKK / 4;  // per sub-block: 4 x 7 sign bits, 4-bit scale on top
    int bsum = 0;
    for (int ib = 0; ib < kQKK / 32; ++ib, idx += 8) {
      const uint32_t sw = uint32_t(words[4 * ib]) | uint32_t(words[4 * ib + 1]) << 8 |
                          uint32_t(words[4 * ib + 2]) << 16 | uint32_t(words[4 * ib + 3]) << 24;
      const int8_t* q8 = xb.qs + 32 * ib;
      int isum = 0;
      for (int l = 0; l < 4; ++l) {
        isum += iq3_group8_dot(quant::kIq3xxsGrid[idx[2 * l]], quant::kIq3xxsGrid[idx[2 * l + 1]],
                               quant::iq_signs_from7(sw >> (7 * l)), q8 + 8 * l);
      }
      bsum += static_cast<int>(2 * (sw >> 28) + 1) * isum;
    }
    // ggml scales the row's whole sum by 0.25 at the end; a power of two commutes with rounding,
    // so scaling each super-block's term gives the same float.
    return 0.25f * ((fp16_to_fp32(wb.d) * xd) * static_cast<float>(bsum));
  });
}

void dot_iq3_s(const void* w, const RowDotArgs& a) {
  dot_k<BlockIQ3_S>(w, a, [](const BlockIQ3_S& wb, const BlockQ8_K& xb, float xd) {
    int bsum = 0;
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const uint8_t* qs = wb.qs + 8 * ib;
      const uint32_t qh = wb.qh[ib];  // bit m: bit 8 of index m
      const int8_t* q8 = xb.qs + 32 * ib;
      int isum = 0;
      for (int l = 0; l < 4; ++l) {
        const uint32_t i0 = qs[2 * l] | ((qh >> (2 * l)) & 1) << 8;
        const uint32_t i1 = qs[2 * l + 1] | ((qh >> (2 * l + 1)) & 1) << 8;
        isum += iq3_group8_dot(quant::kIq3sGrid[i0], quant::kIq3sGrid[i1], wb.signs[4 * ib + l], q8 + 8 * l);
      }
      bsum += (2 * ((wb.scales[ib / 2] >> (4 * (ib % 2))) & 0xF) + 1) * isum;
    }
    return (fp16_to_fp32(wb.d) * xd) * static_cast<float>(bsum);
  });
}

}  // namespace seek::kern
