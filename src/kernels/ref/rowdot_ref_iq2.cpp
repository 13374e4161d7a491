// Scalar row-dots of the 2-bit grid types against Q8_K (layouts in quant/quant_iq2.cpp): IQ2_XXS,
// IQ2_XS, IQ2_S. Grouped as ggml's ggml_vec_dot_iq2_*_q8_K_generic: per super-block the exact
// integer bsum = sum over sub-blocks (halves for XS / S) of (2 s + 1) * sum_k sign_k grid_k q8_k,
// then s += (dw * dx) * bsum left to right, and the row's result is 0.125 * s (the value of a
// scale s being (0.5 + s) / 4 = (2 s + 1) / 8).
#include <cstring>

#include "core/float16.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/ref/rowdot_ref.h"

namespace seek::kern {

namespace {

// sum_j sign_j * magnitude_j * x[j] over one group of 8 (bit j of signs negates element j).
inline int group_dot(uint64_t entry, uint8_t signs, const int8_t* x) {
  int s = 0;
  for (int j = 0; j < 8; ++j) {
    const int p = quant::grid_byte(entry, j) * x[j];
    s += (signs >> j) & 1 ? -p : p;
  }
  return s;
}

// The IQ2 types against Q8_K: bsum(weight super-block, activation super-block) is the integer sum
// above; s accumulates (dw * dx) * bsum per super-block, and 0.125 * s is the column's result.
template <class Block, class BlockSum>
void dot_iq2(const void* w, const RowDotArgs& a, BlockSum bsum) {
  const Block* wb = static_cast<const Block*>(w);
  const int64_t nb = a.x->K / kQKK;
  each_column(a, [&](const uint8_t* col) {
    const BlockQ8_K* xb = reinterpret_cast<const BlockQ8_K*>(col);
    float s = 0;
    for (int64_t b = 0; b < nb; ++b) {
      float xd = 0;
      std::memcpy(&xd, &xb[b].d, 4);
      const float d = fp16_to_fp32(wb[b].d) * xd;
      s += d * static_cast<float>(bsum(wb[b], xb[b].qs));
    }
    return 0.125f * s;
  });
}

}  // namespace

void dot_iq2_xxs(const void* w, const RowDotArgs& a) {
  dot_iq2<BlockIQ2_XXS>(w, a, [](const BlockIQ2_XXS& wb, const int8_t* x) {
    int bsum = 0;
    for (int ib = 0; ib < 8; ++ib) {
      uint32_t idx, sgn;  // 4 grid indices; 4 x 7 sign bits and the 4-bit scale in bits 28..31
      std::memcpy(&idx, wb.qs + 4 * ib, 4);
      std::memcpy(&sgn, wb.qs + 4 * ib + 2, 4);
      int sumi = 0;
      for (int l = 0; l < 4; ++l) {
        sumi += group_dot(quant::kIq2xxsGrid[(idx >> (8 * l)) & 0xFF], quant::iq_signs_from7(sgn >> (7 * l)),
                          x + 32 * ib + 8 * l);
      }
      bsum += sumi * static_cast<int>(2 * (sgn >> 28) + 1);
    }
    return bsum;
  });
}

void dot_iq2_xs(const void* w, const RowDotArgs& a) {
  dot_iq2<BlockIQ2_XS>(w, a, [](const BlockIQ2_XS& wb, const int8_t* x) {
    int bsum = 0;
    for (int ib = 0; ib < 8; ++ib) {
      for (int h = 0; h < 2; ++h) {  // groups 2 h, 2 h + 1 share scale nibble h
        int sumi = 0;
        for (int l = 2 * h; l < 2 * h + 2; ++l) {
          const uint16_t q = wb.qs[4 * ib + l];
          sumi += group_dot(quant::kIq2xsGrid[q & 511], quant::iq_signs_from7(q >> 9), x + 32 * ib + 8 * l);
        }
        bsum += sumi * (2 * ((wb.scales[ib] >> (4 * h)) & 0xF) + 1);
      }
    }
    return bsum;
  });
}

void dot_iq2_s(const void* w, const RowDotArgs& a) {
  dot_iq2<BlockIQ2_S>(w, a, [](const BlockIQ2_S& wb, const int8_t* x) {
    const uint8_t* signs = wb.qs + 32;
    int bsum = 0;
    for (int ib = 0; ib < 8; ++ib) {
      for (int h = 0; h < 2; ++h) {
        int sumi = 0;
        for (int l = 2 * h; l < 2 * h + 2; ++l) {
          const int g = 4 * ib + l;
          const int index = wb.qs[g] | (((wb.qh[ib] >> (2 * l)) & 3) << 8);
          sumi += group_dot(quant::kIq2sGrid[index], signs[g], x + 32 * ib + 8 * l);
        }
        bsum += sumi * (2 * ((wb.scales[ib] >> (4 * h)) & 0xF) + 1);
      }
    }
    return bsum;
  });
}

}  // namespace seek::kern
