// Q8_0 x Q8_0 in llama.cpp's arithmetic, AVX-512 VNNI form of rowdot_q80_ggml_avx2.cpp (the same
// lanes, fmas and hsum, so the same bits): the lanes from one 256-bit vpdpbusd on the weight codes
// biased to unsigned (w + 128) with the activation pack's correction -128 * (sum of the lane's x)
// as the start value. Four columns (simd_groups.h) share each weight load; the blocks run in order per column
// (one fma chain per column, as ggml's), which at 4 cycles per 32 weights is still faster than
// memory delivers them.
#include <immintrin.h>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

// simd_groups.h's grouped<> hands it 4, 2 or 1 columns sharing each weight load.
struct Q80Ggml {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ8_0* wb = static_cast<const BlockQ8_0*>(w);
    const int64_t nb = K / kQK;
    __m256 acc[NC];
    const float* ds[NC];
    const int32_t* corr[NC];
    for (int c = 0; c < NC; ++c) {
      acc[c] = _mm256_setzero_ps();
      ds[c] = reinterpret_cast<const float*>(cols[c] + K);
      corr[c] = reinterpret_cast<const int32_t*>(cols[c] + K + K);
    }
    const __m256i bias = _mm256_set1_epi8(static_cast<char>(0x80));
    const int64_t pf = prefetch_bytes();
    for (int64_t b = 0; b < nb; ++b) {
      if ((b & 1) == 0) prefetch(wb + b, pf);  // one request per 68 bytes
      const __m256i wq = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].qs)), bias);
      const __m256 dw = _mm256_set1_ps(h2f(wb[b].d));
      for (int c = 0; c < NC; ++c) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols[c] + b * kQK));
        const __m256i cx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(corr[c] + b * 8));
        const __m256i l = _mm256_dpbusd_epi32(cx, wq, x);
        // dw * dx in every lane (the pack repeats dx per lane): ggml's one f32 product per block
        acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_loadu_ps(ds[c] + b * 8)), _mm256_cvtepi32_ps(l), acc[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = hsum_f32_ggml(acc[c]);
  }
};

}  // namespace

void dot_q8_0_ggml_avx512(const void* w, const RowDotArgs& a) { grouped<Q80Ggml>(w, a); }

}  // namespace seek::kern
