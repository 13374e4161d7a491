// Q8_0 x Q8_0 in llama.cpp's arithmetic (ref/rowdot_ref.cpp's dot_q8_0 is the statement of it):
// eight lanes per 32-block, lane k the exact int sum of elements 4k..4k+3, each lane accumulated
// over the blocks in order by one fma with the block's dw * dx, then the lanes summed in ggml's
// hsum order. AVX2: the lanes from vpmaddubsw on |w| and sign(x, w) (pairs, exact: at most 2 *
// 128 * 127 per int16) and vpmaddwd with ones. Four columns share each weight load.
#include <immintrin.h>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

inline __m256i lanes(__m256i w, __m256i x) {
  const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

// simd_groups.h's grouped<> hands it 4, 2 or 1 columns sharing each weight load.
struct Q80Ggml {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ8_0* wb = static_cast<const BlockQ8_0*>(w);
    const int64_t nb = K / kQK;
    __m256 acc[NC];
    for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].qs));
      const __m256 dw = _mm256_set1_ps(h2f(wb[b].d));
      for (int c = 0; c < NC; ++c) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols[c] + b * kQK));
        const __m256 dx = _mm256_loadu_ps(reinterpret_cast<const float*>(cols[c] + K) + b * 8);  // dx per lane
        acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(dw, dx), _mm256_cvtepi32_ps(lanes(wq, x)), acc[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = hsum_f32_ggml(acc[c]);
  }
};

}  // namespace

void dot_q8_0_ggml_avx2(const void* w, const RowDotArgs& a) { grouped<Q80Ggml>(w, a); }

}  // namespace seek::kern
