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
    for (int c = 0; c < NC; ++c) seg[c] = _mm512_add_ps(_mm512_add_ps(a[0][c], a[1][c]), _mm512_add_ps(a[2][c], a[3][c]));
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

// Q8_0 / Q4_0 weights against Q8_0 lanes, two blocks per 512-bit register. VNNI multiplies
// unsigned by signed bytes, so the weights enter as unsigned codes (Q4_0: the nibble, w + 8;
// Q8_0: w xor 0x80, w + 128) and the dot starts from the lane's correction -c * sum(x) that the
// activation pack carries: one vpdpbusd per pair of blocks and column, no sign fix-up.
template <bool kQ4>
struct Q80Dot {
  static __m512i pair(const void* w, int64_t b) {
    if (kQ4) {
      // [qs0, qs0, qs1, qs1] from two broadcast loads (no shuffle-port work), the odd 128-bit
      // lanes shifted to the high nibbles: [lo0, hi0, lo1, hi1], x's element order.
      const BlockQ4_0* blk = static_cast<const BlockQ4_0*>(w) + b;
      __m512i z = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[0].qs)));
      z = _mm512_mask_broadcast_i32x4(z, 0xFF00, _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[1].qs)));
      z = _mm512_mask_srli_epi16(z, 0xFF00FF00u, z, 4);
      return _mm512_and_si512(z, _mm512_set1_epi8(0x0F));
    }
    const BlockQ8_0* blk = static_cast<const BlockQ8_0*>(w) + b;
    const __m512i z = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[0].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[1].qs)), 1);
    return _mm512_xor_si512(z, _mm512_set1_epi8(static_cast<char>(0x80)));
  }
  static __m256i single(const void* w, int64_t b) {
    if (kQ4) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const BlockQ4_0*>(w)[b].qs));
      return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(v, 4), v), _mm256_set1_epi8(0x0F));
    }
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const BlockQ8_0*>(w)[b].qs));
    return _mm256_xor_si256(v, _mm256_set1_epi8(static_cast<char>(0x80)));
  }
  static uint16_t scale(const void* w, int64_t b) {
    return kQ4 ? static_cast<const BlockQ4_0*>(w)[b].d : static_cast<const BlockQ8_0*>(w)[b].d;
  }
  // [d_b x 8, d_b+1 x 8]: convert the two fp16 scales, then one lane permute.
  static __m512 pair_scales(const void* w, int64_t b) {
    const __m512i didx = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128 d2 = _mm_cvtph_ps(_mm_cvtsi32_si128(scale(w, b) | (static_cast<int>(scale(w, b + 1)) << 16)));
    return _mm512_permutexvar_ps(didx, _mm512_castps128_ps512(d2));
  }
  struct Col {
    const int8_t* xq;
    const float* ds;
    const int32_t* corr;
  };
  template <int NC>
  static inline __attribute__((always_inline)) void step(const void* w, int64_t b, const Col* col, __m512* acc) {
    const __m512i wu = pair(w, b);
    const __m512 dw = pair_scales(w, b);
    for (int c = 0; c < NC; ++c) {
      const __m512i p = _mm512_dpbusd_epi32(_mm512_loadu_si512(col[c].corr + b * 8), wu,
                                            _mm512_loadu_si512(col[c].xq + b * kQK));
      acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dw, _mm512_loadu_ps(col[c].ds + b * 8)), acc[c]);
    }
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const int64_t nb = K / kQK;
    Col col[NC];
    __m512 acc0[NC], acc1[NC];
    for (int c = 0; c < NC; ++c) {
      col[c] = {reinterpret_cast<const int8_t*>(cols[c]), reinterpret_cast<const float*>(cols[c] + K),
                reinterpret_cast<const int32_t*>(cols[c] + 2 * K)};
      acc0[c] = acc1[c] = _mm512_setzero_ps();
    }
    int64_t b = 0;
    const int64_t pf = prefetch_bytes();
    const int64_t bb = kQ4 ? sizeof(BlockQ4_0) : sizeof(BlockQ8_0);
    for (; b + 4 <= nb; b += 4) {  // two independent accumulators hide the FMA latency
      for (int64_t o = 0; o < 4 * bb; o += 64) prefetch(w, b * bb + pf + o);
      step<NC>(w, b, col, acc0);
      step<NC>(w, b + 2, col, acc1);
    }
    if (b + 2 <= nb) {
      step<NC>(w, b, col, acc0);
      b += 2;
    }
    if (b < nb) {
      const __m256i wu = single(w, b);
      const __m256 dw = _mm256_set1_ps(h2f(scale(w, b)));
      for (int c = 0; c < NC; ++c) {
        const __m256i p = _mm256_dpbusd_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(col[c].corr + b * 8)),
                                              wu, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col[c].xq + b * kQK)));
        const __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, _mm256_loadu_ps(col[c].ds + b * 8)));
        acc1[c] = _mm512_add_ps(acc1[c], _mm512_zextps256_ps512(t));
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[c], acc1[c]));
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
    const KernelTable& kq = kernels_kquant_avx512();
    k.q4_K = kq.q4_K;
    k.q6_K = kq.q6_K;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
