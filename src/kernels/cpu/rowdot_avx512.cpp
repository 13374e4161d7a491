// AVX-512 (F, BW, VL, DQ, VNNI) row-dots: float and FP8 weights 16 lanes at a time (four FMA
// chains, masked tails); Q8_0 two blocks and Q4_0 four blocks per 512-bit register with VNNI
// (q80_dot_avx512.h); the K-quants in rowdot_kquant_avx512.cpp. With GFNI (CPUID), FP8 and Q4_0
// come from rowdot_gfni_avx512.cpp instead (the FP8 kernel here is the fallback without it).
// GCC 12 warns inside its own headers on _mm512_cast*256*_512 (undefined upper half).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Scalar float steps are not fused into FMAs behind our back (explicit _mm*_fmadd_* still fuse).
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include "kernels/cpu/q80_dot_avx512.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

// Four accumulators per column: an FMA's 4-cycle latency would otherwise cap one column at
// two vectors per 4 cycles, below what one core streams from memory.
template <class Load16>
struct FloatDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const float* x[NC];
    __m512 a0[NC], a1[NC], a2[NC], a3[NC];
    for (int c = 0; c < NC; ++c) {
      x[c] = reinterpret_cast<const float*>(cols[c]);
      a0[c] = a1[c] = a2[c] = a3[c] = _mm512_setzero_ps();
    }
    int64_t k = 0;
    const int64_t pf = prefetch_bytes();
    for (; k + 64 <= K; k += 64) {
      for (int l = 0; l < Load16::kBytes; ++l) prefetch(w, k * Load16::kBytes + pf + 64 * l);
      const __m512 w0 = Load16::load(w, k, 0xFFFF), w1 = Load16::load(w, k + 16, 0xFFFF);
      const __m512 w2 = Load16::load(w, k + 32, 0xFFFF), w3 = Load16::load(w, k + 48, 0xFFFF);
      for (int c = 0; c < NC; ++c) {
        a0[c] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x[c] + k), a0[c]);
        a1[c] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x[c] + k + 16), a1[c]);
        a2[c] = _mm512_fmadd_ps(w2, _mm512_loadu_ps(x[c] + k + 32), a2[c]);
        a3[c] = _mm512_fmadd_ps(w3, _mm512_loadu_ps(x[c] + k + 48), a3[c]);
      }
    }
    for (; k < K; k += 16) {
      const __mmask16 m = K - k >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (K - k)) - 1);
      const __m512 w0 = Load16::load(w, k, m);
      for (int c = 0; c < NC; ++c) a0[c] = _mm512_fmadd_ps(w0, _mm512_maskz_loadu_ps(m, x[c] + k), a0[c]);
    }
    for (int c = 0; c < NC; ++c)
      r[c] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0[c], a1[c]), _mm512_add_ps(a2[c], a3[c])));
  }
};

struct LoadF32 {
  static constexpr int kBytes = 4;
  static __m512 load(const void* w, int64_t k, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, static_cast<const float*>(w) + k);
  }
};
struct LoadF16 {
  static constexpr int kBytes = 2;
  static __m512 load(const void* w, int64_t k, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, static_cast<const uint16_t*>(w) + k));
  }
};
struct LoadBF16 {
  static constexpr int kBytes = 2;
  static __m512 load(const void* w, int64_t k, __mmask16 m) {
    const __m256i h = _mm256_maskz_loadu_epi16(m, static_cast<const uint16_t*>(w) + k);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
};

// 16 FP8 E4M3 weights as fp16 patterns worth value * 2^-8 (see rowdot_avx2.cpp).
inline __m512 f8_to_f32(__m128i bytes) {
  // Sign-extended, << 7: bits 0-6 -> 7-13, the sign lands in 14 and 15; clear 14.
  const __m256i h = _mm256_and_si256(_mm256_slli_epi16(_mm256_cvtepi8_epi16(bytes), 7),
                                     _mm256_set1_epi16(static_cast<short>(0xBF80)));
  return _mm512_cvtph_ps(h);
}
inline __m512 f8x16(const uint8_t* p, __mmask16 m) { return f8_to_f32(_mm_maskz_loadu_epi8(m, p)); }
inline __m512 f8x16(const uint8_t* p) { return f8_to_f32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

struct F8Dot {
  // One 128-wide block: four accumulators (FMA latency), no masks.
  template <int NC>
  static inline __attribute__((always_inline)) void full(const uint8_t* wr, const float* const* x, int64_t k0,
                                                         __m512* seg) {
    __m512 a[4][NC];
    for (int i = 0; i < 4; ++i)
      for (int c = 0; c < NC; ++c) a[i][c] = _mm512_setzero_ps();
    for (int h = 0; h < 2; ++h) {
      for (int i = 0; i < 4; ++i) {
        const int64_t k = k0 + 64 * h + 16 * i;
        const __m512 wv = f8x16(wr + k);
        for (int c = 0; c < NC; ++c) a[i][c] = _mm512_fmadd_ps(wv, _mm512_loadu_ps(x[c] + k), a[i][c]);
      }
    }
    for (int c = 0; c < NC; ++c)
      seg[c] = _mm512_add_ps(_mm512_add_ps(a[0][c], a[1][c]), _mm512_add_ps(a[2][c], a[3][c]));
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float* scale, float* r) {
    const uint8_t* wr = static_cast<const uint8_t*>(w);
    const float* x[NC];
    __m512 tot[NC];
    for (int c = 0; c < NC; ++c) {
      x[c] = reinterpret_cast<const float*>(cols[c]);
      tot[c] = _mm512_setzero_ps();
    }
    const int64_t pf = prefetch_bytes();
    for (int64_t k0 = 0; k0 < K; k0 += 128) {
      const int64_t k1 = k0 + 128 < K ? k0 + 128 : K;
      __m512 seg[NC];
      if (k1 - k0 == 128) {
        prefetch(wr, k0 + pf);
        prefetch(wr, k0 + pf + 64);
        full<NC>(wr, x, k0, seg);
      } else {
        for (int c = 0; c < NC; ++c) seg[c] = _mm512_setzero_ps();
        for (int64_t k = k0; k < k1; k += 16) {
          const __mmask16 m = k1 - k >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (k1 - k)) - 1);
          const __m512 wv = f8x16(wr + k, m);
          for (int c = 0; c < NC; ++c) seg[c] = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m, x[c] + k), seg[c]);
        }
      }
      const __m512 s = _mm512_set1_ps(scale[k0 / 128] * 256.0f);
      for (int c = 0; c < NC; ++c) tot[c] = _mm512_fmadd_ps(seg[c], s, tot[c]);
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(tot[c]);
  }
};

}  // namespace

const KernelTable& kernels_avx512_base() {
  static const KernelTable t = [] {
    KernelTable k = kernels_avx2();
    k.f32 = grouped<FloatDot<LoadF32>>;
    k.f16 = grouped<FloatDot<LoadF16>>;
    k.bf16 = grouped<FloatDot<LoadBF16>>;
    k.f8_e4m3 = grouped<F8Dot>;
    k.q4_0 = grouped_aux<Q40Quad<HiNibbleSrl>>;
    k.q4_0_aux = {q4_0_aux_col_bytes, pack_q4_0_aux};
    k.q8_0 = dot_q8_0_ggml_avx512;
    const KernelTable& kq = kernels_kquant_avx512();
    k.q4_K = kq.q4_K;
    k.q4_K_aux = kq.q4_K_aux;
    k.q6_K = kq.q6_K;
    k.take(kernels_q32_avx512());
    k.take(kernels_kquant_low_avx512());
    k.take(kernels_iq2_avx512());
    k.take(kernels_iq3_iq1_avx512());
    k.take(kernels_lowbit_avx512());
    return k;
  }();
  return t;
}

const KernelTable& kernels_avx512() {
  static const KernelTable t = [] {
    KernelTable k = kernels_avx512_base();
    if (__builtin_cpu_supports("gfni")) {
      const KernelTable& g = kernels_gfni_avx512();
      k.q4_0 = g.q4_0;
      k.q4_0_aux = g.q4_0_aux;
      k.f8_e4m3 = g.f8_e4m3;
      k.f8_e4m3_aux = g.f8_e4m3_aux;
    }
    if (__builtin_cpu_supports("avx512vbmi")) {
      k.take(kernels_iq3_vbmi_avx512());
      if (__builtin_cpu_supports("gfni")) k.take(kernels_iq2_vbmi_avx512());
    }
    return k;
  }();
  return t;
}

}  // namespace seek::kern
