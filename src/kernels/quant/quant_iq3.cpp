// Decoders of the 3-bit grid types IQ3_XXS and IQ3_S (256-element super-blocks, decode only):
// every group of 4 elements is an index into a codebook of 4 unsigned magnitudes (kIq3xxsGrid /
// kIq3sGrid, iq_grids.h), every group of 8 has 8 sign bits, and every 32-element sub-block has a
// 4-bit scale. Each value is formed with the float operations of ggml's to_float in the same
// order (sub-block scale, times the magnitude, times +-1), so results are bit-identical to
// llama.cpp's.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

namespace {

// Writes the 8 elements of a pair of IQ3 grid entries (g0: elements 0..3, g1: 4..7) scaled by db,
// element k negated when bit k of signs is set.
inline void iq3_group8(uint32_t g0, uint32_t g1, uint8_t signs, float db, float* y) {
  for (int k = 0; k < 4; ++k) {
    y[k] = db * static_cast<float>(grid_byte(g0, k)) * ((signs >> k) & 1 ? -1.0f : 1.0f);
    y[k + 4] = db * static_cast<float>(grid_byte(g1, k)) * ((signs >> (k + 4)) & 1 ? -1.0f : 1.0f);
  }
}

}  // namespace

// BlockIQ3_XXS (98 bytes):
//   d       fp16 super-block scale
//   qs[0..64)   8 grid indices (kIq3xxsGrid, 8 bits) per 32-element sub-block ib, at qs[8 ib + m]:
//               index m covers elements 4 m .. 4 m + 3 of the sub-block
//   qs[64..96)  one little-endian uint32 per sub-block ib, at qs[64 + 4 ib]: bits 7 l .. 7 l + 6
//               (l < 4) are the 7 stored sign bits of group l of 8 elements (the 8th from parity,
//               iq_signs_from7), bits 28..31 the sub-block scale s
//   value = (d * (0.5 + s) * 0.5) * magnitude * sign
void dequantize_iq3_xxs(const BlockIQ3_XXS* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    const uint8_t* idx = x[i].qs;
    const uint8_t* words = x[i].qs + kQKK / 4;
    for (int ib = 0; ib < kQKK / 32; ++ib, idx += 8) {
      const uint32_t w = uint32_t(words[4 * ib]) | uint32_t(words[4 * ib + 1]) << 8 |
                         uint32_t(words[4 * ib + 2]) << 16 | uint32_t(words[4 * ib + 3]) << 24;
      const float db = d * (0.5f + static_cast<float>(w >> 28)) * 0.5f;
      for (int l = 0; l < 4; ++l, y += 8) {
        iq3_group8(kIq3xxsGrid[idx[2 * l]], kIq3xxsGrid[idx[2 * l + 1]], iq_signs_from7(w >> (7 * l)), db, y);
      }
    }
  }
}

// BlockIQ3_S (110 bytes):
//   d          fp16 super-block scale
//   qs[64]     low 8 bits of the 9-bit grid indices (kIq3sGrid), 8 per sub-block ib at qs[8 ib + m];
//              index m covers elements 4 m .. 4 m + 3 of the sub-block
//   qh[8]      bit m of qh[ib] is bit 8 of index m of sub-block ib
//   signs[32]  signs[4 ib + l]: the 8 sign bits (bit k set = negative) of group l of 8 elements
//   scales[4]  4-bit sub-block scales s: sub-block ib in the low (ib even) or high (ib odd) nibble
//              of scales[ib / 2]
//   value = (d * (1 + 2 s)) * magnitude * sign
void dequantize_iq3_s(const BlockIQ3_S* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const int s = (x[i].scales[ib / 2] >> (4 * (ib % 2))) & 0xF;
      const float db = d * static_cast<float>(1 + 2 * s);
      const uint8_t* qs = x[i].qs + 8 * ib;
      const uint32_t qh = x[i].qh[ib];
      for (int l = 0; l < 4; ++l, y += 8) {
        const uint32_t i0 = qs[2 * l] | ((qh >> (2 * l)) & 1) << 8;
        const uint32_t i1 = qs[2 * l + 1] | ((qh >> (2 * l + 1)) & 1) << 8;
        iq3_group8(kIq3sGrid[i0], kIq3sGrid[i1], x[i].signs[4 * ib + l], db, y);
      }
    }
  }
}

}  // namespace seek::quant
