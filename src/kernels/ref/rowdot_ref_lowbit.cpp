// Scalar row-dots of the 1- and 2-bit linear types against Q8_0 lanes (layouts in
// quant/quant_lowbit.cpp). A weight block spans several 32-element activation blocks (Q1_0: 4,
// Q2_0: 2); grouped as ggml's ggml_vec_dot_q{1,2}_0_q8_0_generic, each weight block i sums its
// activation blocks' scaled integer dots in a float first, then scales that by its own d:
//   s_i = sum_k dx_{n i + k} * isum_k  (k = 0..n-1, left to right),   s += dw_i * s_i.
// Q1_0: isum_k = sum_j (bit_j ? +q8_j : -q8_j); Q2_0: isum_k = sum_j (c_j - 1) * q8_j.
#include "core/float16.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/blocks.h"
#include "kernels/ref/rowdot_ref.h"

namespace seek::kern {

namespace {

// The grouping above for a weight block of kSub activation blocks: isum(weight block, k, x) is
// the integer dot of the block's elements 32 k..32 k + 31 with x (that activation block's qs).
template <class Block, int kSub, class ISum>
void dot_multi(const void* w, const RowDotArgs& a, ISum isum) {
  const Block* wb = static_cast<const Block*>(w);
  const int64_t K = a.x->K, nb = K / (kSub * kQK);
  each_column(a, [&](const uint8_t* col) {
    const int8_t* xq = reinterpret_cast<const int8_t*>(col);
    const float* ds = reinterpret_cast<const float*>(col + K);  // scale of activation block b at ds[8 b]
    float s = 0;
    for (int64_t i = 0; i < nb; ++i) {
      float si = 0;
      for (int k = 0; k < kSub; ++k) {
        const int64_t b = kSub * i + k;
        si += ds[8 * b] * static_cast<float>(isum(wb[i], k, xq + b * kQK));
      }
      s += fp16_to_fp32(wb[i].d) * si;
    }
    return s;
  });
}

}  // namespace

void dot_q1_0(const void* w, const RowDotArgs& a) {
  dot_multi<BlockQ1_0, kQK1_0 / kQK>(w, a, [](const BlockQ1_0& b, int k, const int8_t* x) {
    int s = 0;
    for (int j = 0; j < kQK; ++j) s += (b.qs[4 * k + j / 8] >> (j % 8)) & 1 ? x[j] : -x[j];  // element 32 k + j
    return s;
  });
}

void dot_q2_0(const void* w, const RowDotArgs& a) {
  dot_multi<BlockQ2_0, kQK2_0 / kQK>(w, a, [](const BlockQ2_0& b, int k, const int8_t* x) {
    int s = 0;
    for (int j = 0; j < kQK; ++j) s += (((b.qs[8 * k + j / 4] >> (2 * (j % 4))) & 3) - 1) * x[j];  // element 32 k + j
    return s;
  });
}

}  // namespace seek::kern
