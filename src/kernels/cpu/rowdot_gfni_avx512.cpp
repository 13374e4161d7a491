// Kernels that also need GFNI (Ice Lake and later; not Skylake-X / Cascade Lake), built on
// vgf2p8affineqb, which applies an 8x8 bit matrix to every byte: Q4_0's nibbles split by one of
// them, and FP8 E4M3 bytes turned into fp16 halves by two. kernels_avx512() uses these when
// CPUID reports GFNI.
#include <immintrin.h>
// GFNI for every function below (GCC: target pragma; clang: attribute push, popped at the end).
// GCC 12 also warns inside its own headers on _mm512_cast*128*_512 (undefined upper lanes).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("gfni"))), apply_to = function)
#else
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("gfni")
#endif

#include <cstring>

#include "kernels/cpu/q80_dot_avx512.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"

namespace seek::kern {

namespace {

// Output bit i of a byte = parity(matrix byte 7 - i AND input byte). The high nibble moved to
// bits 0-3: bytes 7..4 = 0x10 .. 0x80 (bit i from bit i + 4), bits 4-7 zero: one instruction
// instead of shift and mask.
struct HiNibbleGfni {
  static __m512i split(__m512i z) {
    return _mm512_gf2p8affine_epi64_epi8(z, _mm512_set1_epi64(0x1020408000000000LL), 0);
  }
};

// The affine matrix (as vgf2p8affineqb reads it) whose output bit i is input bit src[i] (-1: 0).
constexpr long long bit_matrix(const int (&src)[8]) {
  unsigned long long m = 0;
  for (int i = 0; i < 8; ++i)
    if (src[i] >= 0) m |= (1ull << src[i]) << (8 * (7 - i));
  return static_cast<long long>(m);
}

// FP8 E4M3 (s eeee mmm) weights become f32 bit patterns worth value * 2^-8 by byte moves: the
// f32 exponent 112 + e = 0111eeee needs no carry, so the top byte s0111eee and the next one
// emmm0000 are each one affine of the E4M3 byte (a bit matrix plus the constant bits 0x38), an
// unpack interleaves them into words, and a shift / a mask place the even / odd words in the
// high half of dwords, whose low half is zero: 7 single-uop instructions per 64 weights instead
// of sign-extend, shift, mask and vcvtph2ps (2 uops) per 16. This is exact for e >= 1. A zero or
// subnormal (e = 0) would get an implicit 1 that it does not have, so a 128-weight block with
// any e = 0 byte takes the exact fp16 route instead (fp16 has E4M3's subnormals, at the same
// 2^-8 scale): real FP8 checkpoints quantize each 128x128 block to amax / 448, so e = 0 means
// |w| < 2^-6 of a 448-scale block and is rare (Gaussian weights: 1.4 % of 128-weight blocks,
// 0.7 % of 64-weight groups); uniformly random bytes (the tests) take it in nearly every block.
// One test per block, not per 64-weight group, saves a vptestnmb + kortest pair (3 % faster in
// L2, docs/benchmarks.md round 4).
//
// Lanes: the unpacks work within 128-bit lanes, so f32 vector q (0-3) of a 64-weight group holds,
// at position p, element 16 (p / 4) + 8 (q / 2) + 2 (p % 4) + q % 2; both routes produce that
// order and the activations are stored in it once per call (the aux form, pack_f8_aux).
constexpr int kTopSrc[8] = {4, 5, 6, -1, -1, -1, -1, 7};    // s 0 1 1 1 e3 e2 e1 (with 0x38)
constexpr int kNextSrc[8] = {-1, -1, -1, -1, 0, 1, 2, 3};   // e0 m2 m1 m0 0 0 0 0
constexpr int kHiSrc[8] = {1, 2, 3, 4, 5, 6, -1, 7};        // fp16 high byte: s 0 e3 e2 e1 e0 m2 m1
constexpr int kLoSrc[8] = {-1, -1, -1, -1, -1, -1, -1, 0};  // fp16 low byte:  m0 0 0 0 0 0 0 0
constexpr int64_t kF8Block = 128;

constexpr int f8_order(int i) {
  const int q = i / 16, p = i % 16;
  return 16 * (p / 4) + 8 * (q / 2) + 2 * (p % 4) + q % 2;
}

size_t f8_aux_col_bytes(int64_t K) { return static_cast<size_t>(K / kF8Block * kF8Block) * 4; }

// Whole 128-blocks of x in the kernel's lane order (a permutation of each 64 elements).
void pack_f8_aux(const float* x, const uint8_t*, int64_t K, uint8_t* dst) {
  alignas(64) int32_t idx[64];
  for (int i = 0; i < 64; ++i) idx[i] = f8_order(i);
  __m512i vi[4];
  for (int q = 0; q < 4; ++q) vi[q] = _mm512_load_si512(idx + 16 * q);
  float* o = reinterpret_cast<float*>(dst);
  const int64_t n = K / kF8Block * kF8Block;
  for (int64_t g = 0; g < n; g += 64) {
    const __m512 x0 = _mm512_loadu_ps(x + g), x1 = _mm512_loadu_ps(x + g + 16);
    const __m512 x2 = _mm512_loadu_ps(x + g + 32), x3 = _mm512_loadu_ps(x + g + 48);
    for (int q = 0; q < 4; ++q) {
      // Elements 0-31 and 32-63 each take two 2-source permutes, merged by the index's bit 5.
      const __m512i i = _mm512_and_si512(vi[q], _mm512_set1_epi32(31));
      const __mmask16 upper = _mm512_test_epi32_mask(vi[q], _mm512_set1_epi32(32));
      const __m512 v = _mm512_mask_blend_ps(upper, _mm512_permutex2var_ps(x0, i, x1),
                                            _mm512_permutex2var_ps(x2, i, x3));
      _mm512_storeu_ps(o + g + 16 * q, v);
    }
  }
}

struct F8Gfni {
  // 64 weights -> 4 f32 vectors in the lane order above.
  static inline __attribute__((always_inline)) void decode(__m512i v, __m512* w) {
    const __m512i top = _mm512_gf2p8affine_epi64_epi8(v, _mm512_set1_epi64(bit_matrix(kTopSrc)), 0x38);
    const __m512i next = _mm512_gf2p8affine_epi64_epi8(v, _mm512_set1_epi64(bit_matrix(kNextSrc)), 0);
    const __m512i wl = _mm512_unpacklo_epi8(next, top), wh = _mm512_unpackhi_epi8(next, top);
    const __m512i odd = _mm512_set1_epi32(static_cast<int>(0xFFFF0000u));
    w[0] = _mm512_castsi512_ps(_mm512_slli_epi32(wl, 16));
    w[1] = _mm512_castsi512_ps(_mm512_and_si512(wl, odd));
    w[2] = _mm512_castsi512_ps(_mm512_slli_epi32(wh, 16));
    w[3] = _mm512_castsi512_ps(_mm512_and_si512(wh, odd));
  }
  // The same for a group with zeros / subnormals: fp16 patterns (exact), gathered into the same
  // order by one vpermw per vector (idx: F8Exact).
  static inline __attribute__((always_inline)) void decode_exact(__m512i v, const __m512i* idx, __m512* w) {
    const __m512i hi = _mm512_gf2p8affine_epi64_epi8(v, _mm512_set1_epi64(bit_matrix(kHiSrc)), 0);
    const __m512i lo = _mm512_gf2p8affine_epi64_epi8(v, _mm512_set1_epi64(bit_matrix(kLoSrc)), 0);
    const __m512i h[2] = {_mm512_unpacklo_epi8(lo, hi), _mm512_unpackhi_epi8(lo, hi)};  // word 8L + j: 16L + 8k + j
    for (int q = 0; q < 4; ++q)
      w[q] = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(idx[q & 1], h[q / 2])));
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, const uint8_t* const* aux, int64_t K, const float* scale,
                  float* r) {
    const uint8_t* wr = static_cast<const uint8_t*>(w);
    __m512 tot[NC];
    for (int c = 0; c < NC; ++c) tot[c] = _mm512_setzero_ps();
    const int64_t nfull = K / kF8Block;
    const int64_t pf = prefetch_bytes();
    const __m512i exp_bits = _mm512_set1_epi8(0x78);
    // Word indices of decode_exact: position p of vector q is word 8 (p / 4) + 2 (p % 4) + q % 2.
    __m512i idx[2];
    for (int odd = 0; odd < 2; ++odd) {
      alignas(64) int16_t t[32] = {};
      for (int p = 0; p < 16; ++p) t[p] = static_cast<int16_t>(8 * (p / 4) + 2 * (p % 4) + odd);
      idx[odd] = _mm512_load_si512(t);
    }
    for (int64_t kb = 0; kb < nfull; ++kb) {
      prefetch(wr, kb * kF8Block + pf);
      prefetch(wr, kb * kF8Block + pf + 64);
      __m512 a0[NC], a1[NC];
      for (int c = 0; c < NC; ++c) a0[c] = a1[c] = _mm512_setzero_ps();
      // One test for the block's two groups: on FP8 checkpoints both take the fast decode.
      const __m512i v2[2] = {_mm512_loadu_si512(wr + kb * kF8Block), _mm512_loadu_si512(wr + kb * kF8Block + 64)};
      const bool exact = !_kortestz_mask64_u8(_mm512_testn_epi8_mask(v2[0], exp_bits),
                                              _mm512_testn_epi8_mask(v2[1], exp_bits));
      for (int g = 0; g < 2; ++g) {
        __m512 wv[4];
        if (__builtin_expect(exact, 0)) {
          decode_exact(v2[g], idx, wv);
        } else {
          decode(v2[g], wv);
        }
        for (int c = 0; c < NC; ++c) {
          const float* xa = reinterpret_cast<const float*>(aux[c]) + kb * kF8Block + 64 * g;
          a0[c] = _mm512_fmadd_ps(wv[0], _mm512_loadu_ps(xa), a0[c]);
          a1[c] = _mm512_fmadd_ps(wv[1], _mm512_loadu_ps(xa + 16), a1[c]);
          a0[c] = _mm512_fmadd_ps(wv[2], _mm512_loadu_ps(xa + 32), a0[c]);
          a1[c] = _mm512_fmadd_ps(wv[3], _mm512_loadu_ps(xa + 48), a1[c]);
        }
      }
      const __m512 s = _mm512_set1_ps(scale[kb] * 256.0f);
      for (int c = 0; c < NC; ++c) tot[c] = _mm512_fmadd_ps(_mm512_add_ps(a0[c], a1[c]), s, tot[c]);
    }
    if (nfull * kF8Block < K) {  // the partial last block: 16 at a time, natural order, f32 x
      const int64_t k0 = nfull * kF8Block;
      __m512 seg[NC];
      for (int c = 0; c < NC; ++c) seg[c] = _mm512_setzero_ps();
      for (int64_t k = k0; k < K; k += 16) {
        const __mmask16 m = K - k >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (K - k)) - 1);
        const __m128i v = _mm_maskz_loadu_epi8(m, wr + k);
        const __m128i hi = _mm_gf2p8affine_epi64_epi8(v, _mm_set1_epi64x(bit_matrix(kHiSrc)), 0);
        const __m128i lo = _mm_gf2p8affine_epi64_epi8(v, _mm_set1_epi64x(bit_matrix(kLoSrc)), 0);
        const __m512 wv = _mm512_cvtph_ps(_mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi)));
        for (int c = 0; c < NC; ++c)
          seg[c] = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m, reinterpret_cast<const float*>(cols[c]) + k), seg[c]);
      }
      const __m512 s = _mm512_set1_ps(scale[nfull] * 256.0f);
      for (int c = 0; c < NC; ++c) tot[c] = _mm512_fmadd_ps(seg[c], s, tot[c]);
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(tot[c]);
  }
};

}  // namespace

const KernelTable& kernels_gfni_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.q4_0 = grouped_aux<Q40Quad<HiNibbleGfni>>;
    k.q4_0_aux = {q4_0_aux_col_bytes, pack_q4_0_aux};
    k.f8_e4m3 = grouped_aux<F8Gfni>;
    k.f8_e4m3_aux = {f8_aux_col_bytes, pack_f8_aux};
    return k;
  }();
  return t;
}

}  // namespace seek::kern

#if defined(__clang__)
#pragma clang attribute pop
#endif
