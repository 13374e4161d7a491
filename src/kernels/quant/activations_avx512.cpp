// AVX-512 activation quantizers, byte for byte the scalar ones (activations.cpp's Q8_0 lanes and
// quant_k.cpp's quantize_q8_K; tests compare the bytes):
// the same float operations in the same order per element, the block maxima found by vector
// max / compare (exact), rounding by the same rules. quantize_activations() calls these at the
// AVX-512 kernel level: the scalar loops cost ~10 ns per element (40 us for K = 4096, done by
// one thread before the row-dots start), these well under 1 ns.
// GCC 12 warns inside its own headers on _mm512_cvtepi32_epi8 / reduce (undefined lanes).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "kernels/quant/activations_simd.h"

namespace seek::simd {

namespace {

inline __m512 abs16(__m512 v) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7FFFFFFF)));
}

// Each lane rounded to the nearest integer, ties to even (std::nearbyint), as int32.
inline __m512i round_even(__m512 v) {
  return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

}  // namespace

void pack_q8_0_lanes_avx512(const float* x, int64_t K, int32_t offset, uint8_t* dst) {
  int8_t* qs = reinterpret_cast<int8_t*>(dst);
  float* ds = reinterpret_cast<float*>(dst + K);
  int32_t* corr = reinterpret_cast<int32_t*>(dst + 2 * K);
  const __m256i ones = _mm256_set1_epi8(1);
  for (int64_t i = 0; i < K / 32; ++i) {
    const __m512 a = _mm512_loadu_ps(x + 32 * i), b = _mm512_loadu_ps(x + 32 * i + 16);
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(abs16(a), abs16(b)));
    const float d = amax / 127.f;
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    const float dh = _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));  // the block's fp16 scale
    const __m512 vid = _mm512_set1_ps(id);
    const __m128i qa = _mm512_cvtepi32_epi8(round_even(_mm512_mul_ps(a, vid)));
    const __m128i qb = _mm512_cvtepi32_epi8(round_even(_mm512_mul_ps(b, vid)));
    const __m256i q = _mm256_set_m128i(qb, qa);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs + 32 * i), q);
    _mm256_storeu_ps(ds + 8 * i, _mm256_set1_ps(dh));
    const __m256i sum4 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), ones, q);  // 1 * q, 4 per lane
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(corr + 8 * i), _mm256_mullo_epi32(sum4, _mm256_set1_epi32(-offset)));
  }
}

void quantize_q8_K_avx512(const float* x, BlockQ8_K* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    __m512 m = _mm512_setzero_ps();
    for (int c = 0; c < 16; ++c) m = _mm512_max_ps(m, abs16(_mm512_loadu_ps(x + 16 * c)));
    const float amax = _mm512_reduce_max_ps(m);
    if (!amax) {
      std::memset(&y[i], 0, sizeof y[i]);
      continue;
    }
    // The reference keeps the first element of largest magnitude (strict >): its sign matters.
    float max = 0;
    for (int c = 0; c < 16; ++c) {
      const __mmask16 eq = _mm512_cmp_ps_mask(abs16(_mm512_loadu_ps(x + 16 * c)), _mm512_set1_ps(amax), _CMP_EQ_OQ);
      if (eq) {
        max = x[16 * c + __builtin_ctz(eq)];
        break;
      }
    }
    const float iscale = -127.f / max;
    const __m512 vs = _mm512_set1_ps(iscale);
    for (int c = 0; c < 16; ++c) {  // nearest_int = round to nearest even for |v| < 2^22, then min 127
      const __m512i v = _mm512_cvt_roundps_epi32(_mm512_mul_ps(vs, _mm512_loadu_ps(x + 16 * c)),
                                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y[i].qs + 16 * c),
                       _mm512_cvtepi32_epi8(_mm512_min_epi32(v, _mm512_set1_epi32(127))));
    }
    // bsums: sums of 16 quants, from byte sums of q + 128 (vpsadbw), less 16 * 128.
    for (int c = 0; c < 4; ++c) {
      const __m512i u = _mm512_xor_si512(_mm512_loadu_si512(y[i].qs + 64 * c),
                                         _mm512_set1_epi8(static_cast<char>(0x80)));
      const __m512i s8 = _mm512_sad_epu8(u, _mm512_setzero_si512());         // 8 sums of 8
      const __m512i s16 = _mm512_add_epi64(s8, _mm512_bsrli_epi128(s8, 8));  // even qwords: sums of 16
      const __m512i four = _mm512_maskz_compress_epi64(0x55, s16);
      const __m128i w = _mm_sub_epi16(_mm512_cvtepi64_epi16(four), _mm_set1_epi16(16 * 128));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(y[i].bsums + 4 * c), w);
    }
    y[i].d = 1 / iscale;
  }
}

void round_half_avx512(const float* x, int64_t n, bool f16, float* dst) {
  const __m512i bias = _mm512_set1_epi32(0x7FFF), one = _mm512_set1_epi32(1), hi = _mm512_set1_epi32(INT32_C(-65536));
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    __m512 r;
    if (f16) {
      r = _mm512_cvtph_ps(_mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    } else {  // bf16: add 0x7FFF + the kept lowest bit, drop the low half; NaNs keep a set quiet bit
      const __m512i u = _mm512_castps_si512(v);
      const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), one);
      __m512i b = _mm512_and_si512(_mm512_add_epi32(u, _mm512_add_epi32(bias, lsb)), hi);
      const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
      b = _mm512_mask_mov_epi32(b, nan, _mm512_or_si512(_mm512_and_si512(u, hi), _mm512_set1_epi32(0x400000)));
      r = _mm512_castsi512_ps(b);
    }
    _mm512_storeu_ps(dst + i, r);
  }
  for (; i < n; ++i) {  // the tail, as the scalar conversions do
    const float v = x[i];
    const __m128 s = _mm_set_ss(v);
    if (f16) {
      dst[i] = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(s, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
    } else {
      uint32_t u;
      std::memcpy(&u, &v, 4);
      u = (u & 0x7FFFFFFF) > 0x7F800000 ? (u & 0xFFFF0000u) | 0x400000u : (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000u;
      std::memcpy(&dst[i], &u, 4);
    }
  }
}

}  // namespace seek::simd
