// Shared pieces of the scalar row-dots (ref/rowdot_ref*.cpp): the column loop and the block loops
// of the 32-element formats (against Q8_0 / Q8_1 lanes) and of the 256-element super-block
// formats (against Q8_K), and the reference row-dots of the grid, ternary, FP4 and low-bit
// types, one file per family (rowdot_ref_<family>.cpp). Internal to kernels/ref.
#pragma once
#include <cstring>

#include "core/float16.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

template <typename Dot>
void each_column(const RowDotArgs& a, Dot dot) {
  for (int64_t c = a.c0; c < a.c1; ++c) a.out[(c - a.c0) * a.out_stride] = dot(a.x->col(c));
}

// The 32-element formats against Q8_0 / Q8_1 lanes (qs at col, lane scales after K bytes, the scale
// of block b at ds[8 b]): codes(block, j) gives the signed codes of elements j and j + 16 (j < 16);
// a format with a min m adds m * s, s = the activation block's d * sum(qs) (Q8_1 lanes keep it
// where Q8_0 lanes keep corr).
template <class Block, bool kMin, class Codes>
void dot_32(const void* w, const RowDotArgs& a, Codes codes) {
  const Block* wb = static_cast<const Block*>(w);
  const int64_t K = a.x->K, nb = K / kQK;
  each_column(a, [&](const uint8_t* col) {
    const int8_t* xq = reinterpret_cast<const int8_t*>(col);
    const float* ds = reinterpret_cast<const float*>(col + K);
    const float* sums = reinterpret_cast<const float*>(col + 2 * K);
    float s = 0;
    for (int64_t b = 0; b < nb; ++b) {
      int isum = 0;
      for (int j = 0; j < kQK / 2; ++j) {
        const auto [lo, hi] = codes(wb[b], j);
        isum += lo * xq[b * kQK + j] + hi * xq[b * kQK + j + 16];
      }
      s += (fp16_to_fp32(wb[b].d) * ds[b * 8]) * static_cast<float>(isum);
      if constexpr (kMin) s += fp16_to_fp32(wb[b].m) * sums[b * 8];
    }
    return s;
  });
}

// The K-quants against Q8_K: block_dot(weight super-block, activation super-block) per block,
// summed left to right.
template <class Block, class BlockDot>
void dot_k(const void* w, const RowDotArgs& a, BlockDot block_dot) {
  const Block* wb = static_cast<const Block*>(w);
  const int64_t nb = a.x->K / kQKK;
  each_column(a, [&](const uint8_t* col) {
    const BlockQ8_K* xb = reinterpret_cast<const BlockQ8_K*>(col);
    float s = 0;
    for (int64_t b = 0; b < nb; ++b) {
      float xd = 0;
      std::memcpy(&xd, &xb[b].d, 4);
      s += block_dot(wb[b], xb[b], xd);
    }
    return s;
  });
}

// Against Q8_K (256-element super-blocks): IQ2_XXS, IQ2_XS, IQ2_S (rowdot_ref_iq2.cpp), IQ3_XXS, IQ3_S
// (rowdot_ref_iq3.cpp), IQ1_S, IQ1_M (rowdot_ref_iq1.cpp), TQ1_0, TQ2_0 (rowdot_ref_ternary.cpp).
// Against Q8_0 lanes: MXFP4, NVFP4 (rowdot_ref_fp4.cpp), Q1_0, Q2_0 (rowdot_ref_lowbit.cpp).
void dot_iq2_xxs(const void* w, const RowDotArgs& a);
void dot_iq2_xs(const void* w, const RowDotArgs& a);
void dot_iq2_s(const void* w, const RowDotArgs& a);
void dot_iq3_xxs(const void* w, const RowDotArgs& a);
void dot_iq3_s(const void* w, const RowDotArgs& a);
void dot_iq1_s(const void* w, const RowDotArgs& a);
void dot_iq1_m(const void* w, const RowDotArgs& a);
void dot_tq1_0(const void* w, const RowDotArgs& a);
void dot_tq2_0(const void* w, const RowDotArgs& a);
void dot_mxfp4(const void* w, const RowDotArgs& a);
void dot_nvfp4(const void* w, const RowDotArgs& a);
void dot_q1_0(const void* w, const RowDotArgs& a);
void dot_q2_0(const void* w, const RowDotArgs& a);

}  // namespace seek::kern
