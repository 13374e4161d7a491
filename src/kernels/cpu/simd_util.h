// Small helpers shared by the SIMD row-dots (*_avx2.cpp / *_avx512.cpp only: internal linkage, like
// simd_groups.h): a horizontal sum, scalar loads of unaligned fields, the fp16 scale conversion.
#pragma once
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/quant/blocks.h"

namespace seek::kern {
namespace {

inline int hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}
// The 8 float lanes summed as ggml's hsum_float_8 does: ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
inline float hsum_f32_ggml(__m256 v) {
  __m128 r = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
  r = _mm_add_ps(r, _mm_movehl_ps(r, r));
  r = _mm_add_ss(r, _mm_movehdup_ps(r));
  return _mm_cvtss_f32(r);
}
inline float h2f(uint16_t h) { return _cvtsh_ss(h); }
inline float load_f32(const void* p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}
inline uint32_t load_u32(const void* p) {
  uint32_t u;
  std::memcpy(&u, p, 4);
  return u;
}
inline uint64_t load_u64(const void* p) {
  uint64_t u;
  std::memcpy(&u, p, 8);
  return u;
}
inline const BlockQ8_K& xblock(const uint8_t* col, int64_t b) { return reinterpret_cast<const BlockQ8_K*>(col)[b]; }
inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

}  // namespace
}  // namespace seek::kern
