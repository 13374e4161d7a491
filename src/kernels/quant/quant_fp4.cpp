// The FP4 (E2M1) types seek reads (decode only), with the code table and scale conversions of
// quant/fp4.h (which hold E2M1 values doubled and half scales, so value = code2 * half_scale):
//
//   MXFP4: 32 elements; e: E8M0 block scale 2^(e - 127); qs[16]: qs[j] low nibble = element j,
//          high nibble = element j + 16.
//   NVFP4: 64 elements in 4 sub-blocks of 16; d[s]: UE4M3 scale of sub-block s; qs[32]: sub-block
//          s uses qs[8 s..8 s + 7], qs[8 s + j] low nibble = element 16 s + j, high nibble =
//          element 16 s + 8 + j.
//
// Each value is (float)kFp4Values[code] * half_scale, the float operations of ggml's to_float, so
// results are bit-identical to llama.cpp's.
#include "kernels/quant/blocks.h"
#include "kernels/quant/fp4.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

void dequantize_mxfp4(const BlockMXFP4* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = e8m0_half_to_fp32(x[i].e);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(kFp4Values[x[i].qs[j] & 0xF]) * d;
      y[j + kQK / 2] = static_cast<float>(kFp4Values[x[i].qs[j] >> 4]) * d;
    }
  }
}

void dequantize_nvfp4(const BlockNVFP4* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    for (int s = 0; s < 4; ++s, y += 16) {
      const float d = ue4m3_half_to_fp32(x[i].d[s]);
      const uint8_t* qs = x[i].qs + 8 * s;
      for (int j = 0; j < 8; ++j) {
        y[j] = static_cast<float>(kFp4Values[qs[j] & 0xF]) * d;
        y[j + 8] = static_cast<float>(kFp4Values[qs[j] >> 4]) * d;
      }
    }
  }
}

}  // namespace seek::quant
