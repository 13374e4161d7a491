// AVX-512 (F, BW, VL, DQ, VNNI) row-dots: float weights 16 lanes at a time with masked tails;
// Q8_0/Q4_0 two blocks per 512-bit register with VNNI (vpdpbusd: |w| unsigned times x carrying
// w's sign). The K-quants reuse the AVX2 kernels (they are bandwidth-bound there already).
// GCC 12 warns inside its own headers on _mm512_cast*256*_512 (undefined upper half).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Scalar float steps must not be fused into FMAs behind our back: the K-quant epilogues
// repeat the reference's exact operations (explicit _mm*_fmadd_* intrinsics still fuse).
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

template <class Load16>
struct FloatDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const float* x[NC];
    __m512 a0[NC], a1[NC];
    for (int c = 0; c < NC; ++c) {
      x[c] = reinterpret_cast<const float*>(cols[c]);
      a0[c] = a1[c] = _mm512_setzero_ps();
    }
    int64_t k = 0;
    for (; k + 32 <= K; k += 32) {
      const __m512 w0 = Load16::load(w, k, 0xFFFF), w1 = Load16::load(w, k + 16, 0xFFFF);
      for (int c = 0; c < NC; ++c) {
        a0[c] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x[c] + k), a0[c]);
        a1[c] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x[c] + k + 16), a1[c]);
      }
    }
    for (; k < K; k += 16) {
      const __mmask16 m = K - k >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (K - k)) - 1);
      const __m512 w0 = Load16::load(w, k, m);
      for (int c = 0; c < NC; ++c) a0[c] = _mm512_fmadd_ps(w0, _mm512_maskz_loadu_ps(m, x[c] + k), a0[c]);
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_add_ps(a0[c], a1[c]));
  }
};

struct LoadF32 {
  static __m512 load(const void* w, int64_t k, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, static_cast<const float*>(w) + k);
  }
};
struct LoadF16 {
  static __m512 load(const void* w, int64_t k, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, static_cast<const uint16_t*>(w) + k));
  }
};
struct LoadBF16 {
  static __m512 load(const void* w, int64_t k, __mmask16 m) {
    const __m256i h = _mm256_maskz_loadu_epi16(m, static_cast<const uint16_t*>(w) + k);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
};

// 16 FP8 E4M3 weights as fp16 patterns worth value * 2^-8 (see rowdot_avx2.cpp).
inline __m512 f8x16(const uint8_t* p, __mmask16 m) {
  const __m256i b = _mm256_cvtepu8_epi16(_mm_maskz_loadu_epi8(m, p));
  // (b + (b & 0x80)) << 7: bits 0-6 -> 7-13, and the sign bit carries from 14 into 15.
  const __m256i h = _mm256_slli_epi16(_mm256_add_epi16(b, _mm256_and_si256(b, _mm256_set1_epi16(0x80))), 7);
  return _mm512_cvtph_ps(h);
}

struct F8Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float* scale, float* r) {
    const uint8_t* wr = static_cast<const uint8_t*>(w);
    const float* x[NC];
    __m512 tot[NC];
    for (int c = 0; c < NC; ++c) {
      x[c] = reinterpret_cast<const float*>(cols[c]);
      tot[c] = _mm512_setzero_ps();
    }
    for (int64_t k0 = 0; k0 < K; k0 += 128) {
      const int64_t k1 = k0 + 128 < K ? k0 + 128 : K;
      __m512 seg[NC];
      for (int c = 0; c < NC; ++c) seg[c] = _mm512_setzero_ps();
      for (int64_t k = k0; k < k1; k += 16) {
        const __mmask16 m = k1 - k >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (k1 - k)) - 1);
        const __m512 wv = f8x16(wr + k, m);
        for (int c = 0; c < NC; ++c) seg[c] = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m, x[c] + k), seg[c]);
      }
      const __m512 s = _mm512_set1_ps(scale[k0 / 128] * 256.0f);
      for (int c = 0; c < NC; ++c) tot[c] = _mm512_fmadd_ps(seg[c], s, tot[c]);
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(tot[c]);
  }
};

template <bool kQ4>
struct Q80Dot {
  static __m512i pair(const void* w, int64_t b) {
    if (kQ4) {
      const BlockQ4_0* blk = static_cast<const BlockQ4_0*>(w) + b;
      const __m256i t = _mm256_set_m128i(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[1].qs)),
                                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[0].qs)));
      __m512i z = _mm512_inserti64x4(_mm512_castsi256_si512(t), _mm256_srli_epi16(t, 4), 1);
      z = _mm512_shuffle_i64x2(z, z, _MM_SHUFFLE(3, 1, 2, 0));  // [lo0, hi0, lo1, hi1]
      return _mm512_sub_epi8(_mm512_and_si512(z, _mm512_set1_epi8(0x0F)), _mm512_set1_epi8(8));
    }
    const BlockQ8_0* blk = static_cast<const BlockQ8_0*>(w) + b;
    return _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[0].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[1].qs)), 1);
  }
  static __m256i single(const void* w, int64_t b) {
    if (kQ4) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const BlockQ4_0*>(w)[b].qs));
      const __m256i q = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(v, 4), v), _mm256_set1_epi8(0x0F));
      return _mm256_sub_epi8(q, _mm256_set1_epi8(8));
    }
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const BlockQ8_0*>(w)[b].qs));
  }
  static uint16_t scale(const void* w, int64_t b) {
    return kQ4 ? static_cast<const BlockQ4_0*>(w)[b].d : static_cast<const BlockQ8_0*>(w)[b].d;
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const int64_t nb = K / kQK;
    __m512 acc[2][NC];
    for (int c = 0; c < NC; ++c) acc[0][c] = acc[1][c] = _mm512_setzero_ps();
    const __m512i didx = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
      const __m512i wq = pair(w, b);
      const __m512i u = _mm512_abs_epi8(wq);
      const __mmask64 neg = _mm512_movepi8_mask(wq);
      // [d_b x 8, d_b+1 x 8]: convert the two fp16 scales, then one lane permute.
      const __m128 d2 = _mm_cvtph_ps(_mm_cvtsi32_si128(scale(w, b) | (static_cast<int>(scale(w, b + 1)) << 16)));
      const __m512 dw = _mm512_permutexvar_ps(didx, _mm512_castps128_ps512(d2));
      for (int c = 0; c < NC; ++c) {
        const __m512i xq = _mm512_loadu_si512(cols[c] + b * kQK);
        const __m512i xs = _mm512_mask_sub_epi8(xq, neg, _mm512_setzero_si512(), xq);
        const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u, xs);
        const __m512 dx = _mm512_loadu_ps(reinterpret_cast<const float*>(cols[c] + K) + b * 8);
        acc[(b >> 1) & 1][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dw, dx), acc[(b >> 1) & 1][c]);
      }
    }
    if (b < nb) {
      const __m256i wq = single(w, b);
      const __m256i u = _mm256_abs_epi8(wq);
      const __mmask32 neg = _mm256_movepi8_mask(wq);
      const __m256 dw = _mm256_set1_ps(h2f(scale(w, b)));
      for (int c = 0; c < NC; ++c) {
        const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols[c] + b * kQK));
        const __m256i xs = _mm256_mask_sub_epi8(xq, neg, _mm256_setzero_si256(), xq);
        const __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, xs);
        const __m256 dx = _mm256_loadu_ps(reinterpret_cast<const float*>(cols[c] + K) + b * 8);
        const __m512 t = _mm512_zextps256_ps512(_mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, dx)));
        acc[0][c] = _mm512_add_ps(acc[0][c], t);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_add_ps(acc[0][c], acc[1][c]));
  }
};

}  // namespace

const KernelTable& kernels_avx512() {
  static const KernelTable t = [] {
    KernelTable k = kernels_avx2();
    k.f32 = grouped<FloatDot<LoadF32>>;
    k.f16 = grouped<FloatDot<LoadF16>>;
    k.bf16 = grouped<FloatDot<LoadBF16>>;
    k.f8_e4m3 = grouped<F8Dot>;
    k.q4_0 = grouped<Q80Dot<true>>;
    k.q8_0 = grouped<Q80Dot<false>>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
