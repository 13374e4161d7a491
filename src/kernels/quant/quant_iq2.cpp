// The 2-bit grid types seek reads (decode only): IQ2_XXS, IQ2_XS and IQ2_S. Each is a 256-element
// super-block with an fp16 scale d, cut into 8 sub-blocks of 32 elements = 4 groups of 8; every group
// is an index into a codebook of unsigned magnitudes (iq_grids.h) plus 8 sign bits, and each
// sub-block (or half sub-block) has a 4-bit scale s, giving the multiplier d * (0.5 + s) * 0.25.
//
//   IQ2_XXS: qs[32] as uint16, 4 per sub-block ib, read as two uint32 a0 = qs[4 ib..4 ib+1],
//            a1 = qs[4 ib+2..4 ib+3]: byte l of a0 is group l's index into kIq2xxsGrid (256 entries),
//            bits 7 l..7 l+6 of a1 are group l's 7 sign bits (the 8th from parity), bits 28..31 the
//            sub-block's scale.
//   IQ2_XS:  qs[32] as uint16, one per group: bits 0..8 the index into kIq2xsGrid (512 entries),
//            bits 9..15 the 7 sign bits; scales[ib]: low nibble for groups 0, 1, high for 2, 3.
//   IQ2_S:   qs[0..31]: the low 8 index bits of the 32 groups; qs[32..63]: the 8 sign bits of each
//            group (no parity); qh[ib]: bits 2 l, 2 l + 1 are index bits 8, 9 of group l of
//            sub-block ib (10-bit index into kIq2sGrid); scales[ib] as IQ2_XS.
//
// Sign bit j set = element j of the group is negative. Each value is formed with the float operations
// of ggml's to_float in the same order (db = d * (0.5 + s) * 0.25, then db * magnitude * sign), so
// results are bit-identical to llama.cpp's.
#include <cstring>

#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

namespace {

// y[0..8) = db * magnitude * sign for one group: the codebook entry's bytes are the magnitudes,
// bit j of signs negates element j.
inline void decode_group(float db, uint64_t entry, uint8_t signs, float* y) {
  for (int j = 0; j < 8; ++j) y[j] = db * static_cast<float>(grid_byte(entry, j)) * ((signs >> j) & 1 ? -1.f : 1.f);
}

// The sub-block multiplier of a 4-bit scale s.
inline float sub_scale(float d, uint32_t s) { return d * (0.5f + static_cast<float>(s)) * 0.25f; }

}  // namespace

void dequantize_iq2_xxs(const BlockIQ2_XXS* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (int ib = 0; ib < 8; ++ib) {
      uint32_t idx, sgn;  // the 4 grid indices (one byte each); the sign codes and scale
      std::memcpy(&idx, x[i].qs + 4 * ib, 4);
      std::memcpy(&sgn, x[i].qs + 4 * ib + 2, 4);
      const float db = sub_scale(d, sgn >> 28);
      for (int l = 0; l < 4; ++l, y += 8) {
        decode_group(db, kIq2xxsGrid[(idx >> (8 * l)) & 0xFF], iq_signs_from7(sgn >> (7 * l)), y);
      }
    }
  }
}

void dequantize_iq2_xs(const BlockIQ2_XS* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (int ib = 0; ib < 8; ++ib) {
      const float db[2] = {sub_scale(d, x[i].scales[ib] & 0xF), sub_scale(d, x[i].scales[ib] >> 4)};
      for (int l = 0; l < 4; ++l, y += 8) {
        const uint16_t q = x[i].qs[4 * ib + l];
        decode_group(db[l / 2], kIq2xsGrid[q & 511], iq_signs_from7(q >> 9), y);
      }
    }
  }
}

void dequantize_iq2_s(const BlockIQ2_S* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    const uint8_t* signs = x[i].qs + 32;
    for (int ib = 0; ib < 8; ++ib) {
      const float db[2] = {sub_scale(d, x[i].scales[ib] & 0xF), sub_scale(d, x[i].scales[ib] >> 4)};
      for (int l = 0; l < 4; ++l, y += 8) {
        const int g = 4 * ib + l;
        const int index = x[i].qs[g] | (((x[i].qh[ib] >> (2 * l)) & 3) << 8);
        decode_group(db[l / 2], kIq2sGrid[index], signs[g], y);
      }
    }
  }
}

}  // namespace seek::quant
