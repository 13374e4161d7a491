// Scalar row-dots of the FP4 types against Q8_0 lanes (layouts in quant/quant_fp4.cpp; codes and
// half scales from quant/fp4.h, so each product is an integer code2 * q8 times a float scale).
// Grouped as ggml's ggml_vec_dot_{mxfp4,nvfp4}_q8_0_generic:
//   MXFP4 (one 32-block = one activation block b):  s += (dx_b * e8m0_half(e)) * isum_b
//   NVFP4 (64-block i = activation blocks 2 i, 2 i + 1; sub-block t < 4 lies in block 2 i + t / 2):
//         s += (dx_{2 i + t/2} * ue4m3_half(d[t])) * isum_t, for t = 0..3, blocks left to right.
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/fp4.h"
#include "kernels/ref/rowdot_ref.h"

namespace seek::kern {

void dot_mxfp4(const void* w, const RowDotArgs& a) {
  const BlockMXFP4* wb = static_cast<const BlockMXFP4*>(w);
  const int64_t K = a.x->K, nb = K / kQK;
  each_column(a, [&](const uint8_t* col) {
    const int8_t* xq = reinterpret_cast<const int8_t*>(col);
    const float* ds = reinterpret_cast<const float*>(col + K);  // scale of activation block b at ds[8 b]
    float s = 0;
    for (int64_t b = 0; b < nb; ++b) {
      const int8_t* x = xq + b * kQK;
      int isum = 0;
      for (int j = 0; j < kQK / 2; ++j)
        isum += x[j] * kFp4Values[wb[b].qs[j] & 0xF] + x[j + kQK / 2] * kFp4Values[wb[b].qs[j] >> 4];
      s += (ds[8 * b] * e8m0_half_to_fp32(wb[b].e)) * static_cast<float>(isum);
    }
    return s;
  });
}

void dot_nvfp4(const void* w, const RowDotArgs& a) {
  const BlockNVFP4* wb = static_cast<const BlockNVFP4*>(w);
  const int64_t K = a.x->K, nb = K / kQKNVFP4;
  each_column(a, [&](const uint8_t* col) {
    const int8_t* xq = reinterpret_cast<const int8_t*>(col);
    const float* ds = reinterpret_cast<const float*>(col + K);
    float s = 0;
    for (int64_t i = 0; i < nb; ++i) {
      for (int t = 0; t < 4; ++t) {
        const int64_t xb = 2 * i + t / 2;                // the activation block holding sub-block t
        const int8_t* x = xq + xb * kQK + (t % 2) * 16;  // its 16 elements 64 i + 16 t ..
        const uint8_t* qs = wb[i].qs + 8 * t;
        int isum = 0;
        for (int j = 0; j < 8; ++j) isum += x[j] * kFp4Values[qs[j] & 0xF] + x[j + 8] * kFp4Values[qs[j] >> 4];
        s += (ds[8 * xb] * ue4m3_half_to_fp32(wb[i].d[t])) * static_cast<float>(isum);
      }
    }
    return s;
  });
}

}  // namespace seek::kern
