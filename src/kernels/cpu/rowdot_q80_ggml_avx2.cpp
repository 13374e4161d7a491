// Q8_0 x Q8_0 in llama.cpp's arithmetic (ref/rowdot_ref.cpp's dot_q8_0 is the statement of it):
// eight lanes per 32-block, lane k the exact int sum of elements 4k..4k+3, each lane accumulated
// over the blocks in order by one fma with the block's dw * dx, then the lanes summed in ggml's
// hsum order. AVX2: the lanes from vpmaddubsw on |w| and sign(x, w) (pairs, exact: at most 2 *
// 128 * 127 per int16) and vpmaddwd with ones. Four columns share each weight load.
#include <immintrin.h>

#include "kernels/cpu/rowdot.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

inline __m256i lanes(__m256i w, __m256i x) {
  const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

// ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)), as ggml's hsum_float_8.
inline float hsum8(__m256 v) {
  __m128 r = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  r = _mm_add_ps(r, _mm_movehl_ps(r, r));
  r = _mm_add_ss(r, _mm_movehdup_ps(r));
  return _mm_cvtss_f32(r);
}

template <int NC>
void columns(const BlockQ8_0* wb, int64_t nb, int64_t K, const uint8_t* const* cols, float* out, int64_t stride) {
  __m256 acc[NC];
  for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].qs));
    const __m256 dw = _mm256_set1_ps(_cvtsh_ss(wb[b].d));  // F16C, exact as fp16_to_fp32
    for (int c = 0; c < NC; ++c) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols[c] + b * kQK));
      const __m256 dx = _mm256_loadu_ps(reinterpret_cast<const float*>(cols[c] + K) + b * 8);  // dx per lane
      acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(dw, dx), _mm256_cvtepi32_ps(lanes(w, x)), acc[c]);
    }
  }
  for (int c = 0; c < NC; ++c) out[c * stride] = hsum8(acc[c]);
}

}  // namespace

void dot_q8_0_ggml_avx2(const void* w, const RowDotArgs& a) {
  const BlockQ8_0* wb = static_cast<const BlockQ8_0*>(w);
  const int64_t K = a.x->K, nb = K / kQK;
  int64_t c = a.c0;
  for (; c + 4 <= a.c1; c += 4) {
    const uint8_t* cols[4] = {a.x->col(c), a.x->col(c + 1), a.x->col(c + 2), a.x->col(c + 3)};
    columns<4>(wb, nb, K, cols, a.out + (c - a.c0) * a.out_stride, a.out_stride);
  }
  for (; c < a.c1; ++c) {
    const uint8_t* col = a.x->col(c);
    columns<1>(wb, nb, K, &col, a.out + (c - a.c0) * a.out_stride, a.out_stride);
  }
}

}  // namespace seek::kern
