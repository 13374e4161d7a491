// The ternary types TQ1_0 and TQ2_0: quantize and dequantize. 256-element super-blocks whose
// elements are t * d with t in {-1, 0, +1} and d the block's fp16 scale.
//
//   TQ2_0: qs[64], 2 bits per element, code c -> t = c - 1 (ggml's quantizer writes 0..2; code 3
//          decodes to +2, as in ggml). Element 128 h + 32 l + m is bits 2 l, 2 l + 1 of qs[32 h + m]
//          (h < 2, l < 4, m < 32).
//   TQ1_0: 5 trits (base-3 digits c = t + 1) per byte in qs[48], 4 per byte in qh[4]. A byte holds
//          its trits c_0..c_4 (c_0 the most significant) as ceil(v * 256 / 243), v = sum c_n 3^(4-n):
//          a fixed-point fraction v / 243 of the byte range, so multiplying the byte by 3^n (mod 256)
//          brings c_n to the top and c_n = (3 * that) >> 8. qh bytes hold 4 trits and a 0 in c_4.
//          Elements: 0..159:   element 32 n + m   = c_n of qs[m]      (m < 32, n < 5)
//                    160..239: element 160 + 16 n + m = c_n of qs[32 + m] (m < 16, n < 5)
//                    240..255: element 240 + 4 n + j = c_n of qh[j]     (j < 4, n < 4)
//
// Quantizing (ggml's quantize_row_tq{1,2}_0_ref, which llama-quantize runs with or without an
// importance matrix): d = the largest magnitude of the block, t = lroundf(x * (1 / d)) (round half
// away from zero; 0 for an all-zero block), so the bytes equal llama-quantize's.
//
// Each value is (float)(c - 1) * d, the float operations of ggml's to_float, so results are
// bit-identical to llama.cpp's.
#include <algorithm>
#include <cmath>

#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"

namespace seek::quant {

namespace {

// Trit n (0 = most significant) of a byte packing base-3 digits as above: 0, 1 or 2.
inline int tq1_trit(uint8_t byte, int n) {
  static constexpr uint8_t kPow3[5] = {1, 3, 9, 27, 81};
  const uint8_t shifted = static_cast<uint8_t>(byte * kPow3[n]);  // mod 256: drops the digits above n
  return (shifted * 3) >> 8;
}

// The block's scale (its largest magnitude, stored in fp16) and the inverse the codes use.
float ternary_scale(const float* x, uint16_t& d16) {
  float amax = 0.0f;
  for (int j = 0; j < kQKK; ++j) amax = std::max(amax, std::fabs(x[j]));
  d16 = fp32_to_fp16(amax);
  return amax ? 1.0f / amax : 0.0f;
}

// The code c = t + 1 (0, 1 or 2) of x against inverse scale id.
inline int ternary_code(float x, float id) { return static_cast<int>(std::lround(x * id)) + 1; }

// Packs the codes of x[0], x[stride], ... (n of them, the first the most significant base-3 digit,
// padded with zero digits to 5) as the byte ceil(v * 256 / 243).
uint8_t tq1_pack(const float* x, int stride, int n, float id) {
  int v = 0;
  for (int k = 0; k < 5; ++k) v = 3 * v + (k < n ? ternary_code(x[k * stride], id) : 0);
  return static_cast<uint8_t>((v * 256 + 242) / 243);
}

}  // namespace

void quantize_tq1_0(const float* x, BlockTQ1_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    const float id = ternary_scale(x, y[i].d);
    for (int m = 0; m < 32; ++m) y[i].qs[m] = tq1_pack(x + m, 32, 5, id);
    for (int m = 0; m < 16; ++m) y[i].qs[32 + m] = tq1_pack(x + 160 + m, 16, 5, id);
    for (int j = 0; j < 4; ++j) y[i].qh[j] = tq1_pack(x + 240 + j, 4, 4, id);
  }
}

void quantize_tq2_0(const float* x, BlockTQ2_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    const float id = ternary_scale(x, y[i].d);
    for (int h = 0; h < 2; ++h)
      for (int m = 0; m < 32; ++m) {
        int byte = 0;
        for (int l = 0; l < 4; ++l) byte |= (ternary_code(x[128 * h + 32 * l + m], id) & 3) << (2 * l);
        y[i].qs[32 * h + m] = static_cast<uint8_t>(byte);
      }
  }
}

void dequantize_tq1_0(const BlockTQ1_0* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d);
    const auto put = [&](int e, int c) { y[e] = static_cast<float>(c - 1) * d; };
    for (int n = 0; n < 5; ++n)
      for (int m = 0; m < 32; ++m) put(32 * n + m, tq1_trit(x[i].qs[m], n));
    for (int n = 0; n < 5; ++n)
      for (int m = 0; m < 16; ++m) put(160 + 16 * n + m, tq1_trit(x[i].qs[32 + m], n));
    for (int n = 0; n < 4; ++n)
      for (int j = 0; j < 4; ++j) put(240 + 4 * n + j, tq1_trit(x[i].qh[j], n));
  }
}

void dequantize_tq2_0(const BlockTQ2_0* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQKK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int h = 0; h < 2; ++h)
      for (int l = 0; l < 4; ++l)
        for (int m = 0; m < 32; ++m) {
          const int c = (x[i].qs[32 * h + m] >> (2 * l)) & 3;
          y[128 * h + 32 * l + m] = static_cast<float>(c - 1) * d;
        }
  }
}

}  // namespace seek::quant
