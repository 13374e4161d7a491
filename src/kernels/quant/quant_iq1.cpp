// Decoders of the 1.5 / 1.75-bit grid types IQ1_S and IQ1_M (256-element super-blocks, decode
// only): every group of 8 elements is an 11-bit index into kIq1sGrid (iq_grids.h), whose entries
// are 8 values in {-1, 0, +1}, shifted by +-kIq1Delta (one sign per 32-element sub-block in IQ1_S,
// per group of 8 in IQ1_M) and scaled by an odd 3-bit sub-block scale times the fp16 super-block
// scale. Each value is formed with the float operations of ggml's to_float in the same order
// (scale, then grid value plus delta), so results are bit-identical to llama.cpp's.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

namespace {

// y[0..8) = dl * (entry value + delta), as ggml writes each IQ1 element.
inline void iq1_group8(uint64_t entry, float dl, float delta, float* y) {
  for (int k = 0; k < 8; ++k) y[k] = dl * (static_cast<float>(grid_int8(entry, k)) + delta);
}

}  // namespace

// BlockIQ1_S (50 bytes):
//   d       fp16 super-block scale
//   qs[32]  low 8 bits of the 11-bit grid indices, 4 per sub-block ib at qs[4 ib + l]; index l
//           covers elements 8 l .. 8 l + 7 of the sub-block
//   qh[8]   one uint16 per sub-block ib: bits 3 l .. 3 l + 2 (l < 4) are bits 8..10 of index l,
//           bits 12..14 the scale s, bit 15 the delta sign (set: -kIq1Delta)
//   value = (d * (2 s + 1)) * (grid value + delta)
void dequantize_iq1_s(const BlockIQ1_S* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const uint32_t qh = x[i].qh[ib];
      const float dl = d * static_cast<float>(2 * ((qh >> 12) & 7) + 1);
      const float delta = (qh & 0x8000) ? -kIq1Delta : kIq1Delta;
      for (int l = 0; l < 4; ++l, y += 8) {
        const uint32_t index = x[i].qs[4 * ib + l] | ((qh >> (3 * l)) & 7) << 8;
        iq1_group8(kIq1sGrid[index], dl, delta, y);
      }
    }
  }
}

// BlockIQ1_M (56 bytes), no d field:
//   qs[32]     low 8 bits of the 11-bit grid indices, 4 per sub-block ib at qs[4 ib + l]; index l
//              covers elements 8 l .. 8 l + 7 of the sub-block
//   qh[16]     qh[2 ib + h] describes groups 2 h (low nibble) and 2 h + 1 (high nibble) of
//              sub-block ib: nibble bits 0..2 are bits 8..10 of the index, bit 3 the delta sign
//   scales[8]  4 little-endian uint16 words w[0..4): w[ib / 2] bits 6 (ib % 2) + 0..2 are the
//              scale s1 of groups 0, 1 of sub-block ib, bits 6 (ib % 2) + 3..5 the scale s2 of
//              groups 2, 3; the top nibbles w[0] >> 12, w[1] >> 12, w[2] >> 12, w[3] >> 12 are, lowest
//              first, the 4 nibbles of the fp16 super-block scale d
//   value = (d * (2 s + 1)) * (grid value + delta)
void dequantize_iq1_m(const BlockIQ1_M* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    uint32_t w[4];
    for (int k = 0; k < 4; ++k) w[k] = uint32_t(x[i].scales[2 * k]) | uint32_t(x[i].scales[2 * k + 1]) << 8;
    const uint16_t dbits = static_cast<uint16_t>((w[0] >> 12) | (w[1] >> 12) << 4 | (w[2] >> 12) << 8 |
                                                 (w[3] >> 12) << 12);
    const float d = fp16_to_fp32(dbits);
    for (int ib = 0; ib < kQKK / 32; ++ib) {
      const uint32_t sc = w[ib / 2] >> (6 * (ib % 2));
      const float dl[2] = {d * static_cast<float>(2 * (sc & 7) + 1), d * static_cast<float>(2 * ((sc >> 3) & 7) + 1)};
      for (int l = 0; l < 4; ++l, y += 8) {
        const uint32_t nib = (x[i].qh[2 * ib + l / 2] >> (4 * (l % 2))) & 0xF;
        const uint32_t index = x[i].qs[4 * ib + l] | (nib & 7) << 8;
        const float delta = (nib & 8) ? -kIq1Delta : kIq1Delta;
        iq1_group8(kIq1sGrid[index], dl[l / 2], delta, y);
      }
    }
  }
}

}  // namespace seek::quant
