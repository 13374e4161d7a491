// Scalar row-dots of the ternary types against Q8_K (layouts in quant/quant_ternary.cpp): TQ1_0,
// TQ2_0. Grouped as ggml's ggml_vec_dot_tq*_q8_K_generic: per super-block the exact integer
// isum = sum_k (c_k - 1) * q8_k over all 256 elements, then s += isum * (dw * dx) left to right
// (TQ1_0 forms the product as fp16(d) * x.d, TQ2_0 as x.d * fp16(d): the same float either way).
#include "core/float16.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/blocks.h"
#include "kernels/ref/rowdot_ref.h"

namespace seek::kern {

namespace {

// Trit n (0 = most significant) of a TQ1_0 byte: 0, 1 or 2 (quant_ternary.cpp says why).
inline int tq1_trit(uint8_t byte, int n) {
  static constexpr uint8_t kPow3[5] = {1, 3, 9, 27, 81};
  return (static_cast<uint8_t>(byte * kPow3[n]) * 3) >> 8;
}

}  // namespace

void dot_tq1_0(const void* w, const RowDotArgs& a) {
  dot_k<BlockTQ1_0>(w, a, [](const BlockTQ1_0& wb, const BlockQ8_K& xb, float xd) {
    const int8_t* x = xb.qs;
    int isum = 0;
    for (int n = 0; n < 5; ++n)  // elements 0..159: trit n of qs[0..31]
      for (int m = 0; m < 32; ++m) isum += (tq1_trit(wb.qs[m], n) - 1) * x[32 * n + m];
    for (int n = 0; n < 5; ++n)  // elements 160..239: trit n of qs[32..47]
      for (int m = 0; m < 16; ++m) isum += (tq1_trit(wb.qs[32 + m], n) - 1) * x[160 + 16 * n + m];
    for (int n = 0; n < 4; ++n)  // elements 240..255: trit n of qh[0..3]
      for (int j = 0; j < 4; ++j) isum += (tq1_trit(wb.qh[j], n) - 1) * x[240 + 4 * n + j];
    return static_cast<float>(isum) * (fp16_to_fp32(wb.d) * xd);
  });
}

void dot_tq2_0(const void* w, const RowDotArgs& a) {
  dot_k<BlockTQ2_0>(w, a, [](const BlockTQ2_0& wb, const BlockQ8_K& xb, float xd) {
    int isum = 0;
    for (int h = 0; h < 2; ++h)  // element 128 h + 32 l + m: bits 2 l, 2 l + 1 of qs[32 h + m]
      for (int l = 0; l < 4; ++l)
        for (int m = 0; m < 32; ++m) isum += (((wb.qs[32 * h + m] >> (2 * l)) & 3) - 1) * xb.qs[128 * h + 32 * l + m];
    return static_cast<float>(isum) * (xd * fp16_to_fp32(wb.d));
  });
}

}  // namespace seek::kern
