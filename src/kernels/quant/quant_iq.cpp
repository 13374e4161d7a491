// The non-linear "IQ" types seek reads (no quantizer yet): IQ4_NL (32-element blocks) and IQ4_XS
// (256-element super-blocks with 6-bit sub-block scales). Each value is formed with the float
// operations of ggml's to_float in the same order (scale, then table value), so results are
// bit-identical to llama.cpp's.
#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

void dequantize_iq4_nl(const BlockIQ4_NL* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = d * static_cast<float>(kIq4Values[x[i].qs[j] & 0xF]);
      y[j + kQK / 2] = d * static_cast<float>(kIq4Values[x[i].qs[j] >> 4]);
    }
  }
}

void dequantize_iq4_xs(const BlockIQ4_XS* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < 8; ++j, y += 32) {
      const float dl = d * static_cast<float>(iq4_xs_scale(x[i], j));
      const uint8_t* qs = x[i].qs + 16 * j;
      for (int l = 0; l < 16; ++l) {
        y[l] = dl * static_cast<float>(kIq4Values[qs[l] & 0xF]);
        y[l + 16] = dl * static_cast<float>(kIq4Values[qs[l] >> 4]);
      }
    }
  }
}

}  // namespace seek::quant
