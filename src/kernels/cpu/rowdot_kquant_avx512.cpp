// AVX-512 (BW, VNNI) row-dots for the K-quants against Q8_K activations: 64 weights per
// 512-bit register, products paired by vpmaddubsw and scaled and summed by vpdpwssd (VNNI), the
// sub-block scales spread to their words by one vpermw. The integer sums per lane are exact;
// unlike the scalar reference (and the AVX2 kernels), which reduce each super-block to one int
// and do its float steps in scalar code, these scale the 16 lane sums of each super-block by
// (d * dx) into f32 vector accumulators (one fma per super-block and column) and reduce once per
// row: the horizontal sums and scalar steps were half of the work. Same products and scales,
// summed in another order, so the results agree with the reference within the f32 rounding
// bound test_matmul.cpp checks (2 (K + 3) 2^-24 sum|terms|), not bit for bit.
#if !defined(__clang__)  // GCC 12 warns inside its own headers on _mm512_cast* (undefined lanes)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

// Word index vector: word i -> first + i / per (the scale of the sub-block word i belongs to).
inline __m512i spread_index(int first, int per) {
  alignas(64) int16_t idx[32];
  for (int i = 0; i < 32; ++i) idx[i] = static_cast<int16_t>(first + i / per);
  return _mm512_load_si512(idx);
}

// Q4_K's 12 packed bytes -> 8 scales (bytes 0-7) and 8 mins (bytes 8-15), 6 bits each. With
// a, b, c the three little-endian 32-bit words: scales 0-3 = a & 0x3F.., scales 4-7 =
// (c & 0x0F..) | (a >> 2 & 0x30..), mins 0-3 = b & 0x3F.., mins 4-7 = (c >> 4 & 0x0F..) |
// (b >> 2 & 0x30..): 32-bit lanes (a, c, b, c) and (a, a, b, b), one shift, mask and merge each.
// Per 128-bit lane (one super-block each): raw = the 12 scale bytes (+ 4 bytes of qs, unused).
inline __m256i q4_K_scales_mins(__m256i v) {
  const __m256i acbc = _mm256_shuffle_epi32(v, _MM_SHUFFLE(2, 1, 2, 0)),
                aabb = _mm256_shuffle_epi32(v, _MM_SHUFFLE(1, 1, 0, 0));
  const __m256i low = _mm256_and_si256(_mm256_srlv_epi32(acbc, _mm256_set_epi32(4, 0, 0, 0, 4, 0, 0, 0)),
                                       _mm256_set_epi32(0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F,  //
                                                        0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F));
  const __m256i top = _mm256_and_si256(_mm256_srli_epi32(aabb, 2), _mm256_set_epi32(0x30303030, 0, 0x30303030, 0,  //
                                                                                    0x30303030, 0, 0x30303030, 0));
  return _mm256_or_si256(low, top);  // per lane: scales 0-3, scales 4-7, mins 0-3, mins 4-7
}

// The Q4_K kernel's own form of a Q8_K column (the table's q4_K_aux), three arrays over the nb
// super-blocks: qs (256 bytes each) with the middle 32-byte quarters of each 128 swapped
// ([0-31, 64-95, 32-63, 96-127]), so that one 64-byte load of weight nibbles splits into
// [low | low] and [high | high] that meet 64 consecutive aux bytes; then per super-block 16 int16
// words, 8 zeros and the 8 sums of 32 quants (times the words [scales, mins] of the decoded
// block, lanes 4-7 hold sum m bsum); then per super-block (d, d).
struct Q4KAux {
  int64_t nb;
  explicit Q4KAux(int64_t K) : nb(K / kQKK) {}
  size_t bytes() const { return static_cast<size_t>(nb * (256 + 32 + 8)); }
  int64_t qs(int64_t b) const { return 256 * b; }
  int64_t mins(int64_t b) const { return 256 * nb + 32 * b; }
  int64_t d(int64_t b) const { return 288 * nb + 8 * b; }
};
size_t q4_K_aux_col_bytes(int64_t K) { return Q4KAux(K).bytes(); }
void pack_q4_K_aux(const float*, const uint8_t* primary, int64_t K, uint8_t* dst) {
  const BlockQ8_K* xb = reinterpret_cast<const BlockQ8_K*>(primary);
  const Q4KAux L(K);
  for (int64_t b = 0; b < L.nb; ++b) {
    for (int h = 0; h < 2; ++h)
      for (int q = 0; q < 4; ++q)
        std::memcpy(dst + L.qs(b) + 128 * h + 32 * q, xb[b].qs + 128 * h + 32 * ((q & 1) * 2 + (q >> 1)), 32);
    const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[b].bsums));
    const __m128i pairs = _mm256_cvtepi32_epi16(_mm256_madd_epi16(bs, _mm256_set1_epi16(1)));  // |sum| <= 32 * 128
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + L.mins(b)),
                        _mm256_inserti128_si256(_mm256_setzero_si256(), pairs, 1));
    std::memcpy(dst + L.d(b), &xb[b].d, 4);
    std::memcpy(dst + L.d(b) + 4, &xb[b].d, 4);
  }
}

// Q4_K two super-blocks per step: the 6-bit scales of both decoded in one 256-bit register and
// widened to words in one zmm ([scales b, mins b, scales b+1, mins b+1]), the min terms of both
// in one vpmaddwd, their four fp16 scales in one conversion. Per super-block: 8 sub-block scale
// words spread by vpermw, nibbles split from two 64-byte loads, vpmaddubsw + vpdpwssd.
struct Q4KDot {
  // Scale word indices for [low | low] of half h (sub-blocks 4h, 4h + 2) and [high | high]
  // (4h + 1, 4h + 3), of the super-block whose words start at `base`.
  static __m512i sidx(int v, int base) {
    alignas(64) int16_t idx[32];
    for (int i = 0; i < 32; ++i) idx[i] = static_cast<int16_t>(base + 4 * (v / 2) + (v & 1) + 2 * (i / 16));
    return _mm512_load_si512(idx);
  }
  template <int NC>
  static inline __attribute__((always_inline)) void block(const BlockQ4_K& wb, const uint8_t* const* aux, int64_t xoff,
                                                          __m512i sc, const __m512i* idx, __m512i* acc) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
    for (int h = 0; h < 2; ++h) {
      const __m512i q = _mm512_loadu_si512(wb.qs + 64 * h);
      const __m512i lo = _mm512_and_si512(q, m4), hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
      const __m512i svl = _mm512_permutexvar_epi16(idx[2 * h], sc);
      const __m512i svh = _mm512_permutexvar_epi16(idx[2 * h + 1], sc);
      for (int c = 0; c < NC; ++c) {
        const uint8_t* xq = aux[c] + xoff + 128 * h;
        acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(lo, _mm512_loadu_si512(xq)), svl);
        acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(hi, _mm512_loadu_si512(xq + 64)), svh);
      }
    }
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const*, const uint8_t* const* aux, int64_t K, const float*, float* r) {
    const BlockQ4_K* wb = static_cast<const BlockQ4_K*>(w);
    const Q4KAux L(K);
    const int64_t nb = L.nb;
    __m512i idx0[4], idx1[4];
    for (int v = 0; v < 4; ++v) {
      idx0[v] = sidx(v, 0);
      idx1[v] = sidx(v, 16);
    }
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC], fm[NC];
    for (int c = 0; c < NC; ++c) fs[c] = fm[c] = _mm512_setzero_ps();
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
      for (int o = 0; o < static_cast<int>(2 * sizeof(BlockQ4_K)); o += 64) prefetch(wb + b, pf + o);
      const __m256i raw = _mm256_inserti128_si256(
          _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[b].scales))),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[b + 1].scales)), 1);
      const __m512i scm = _mm512_cvtepu8_epi16(q4_K_scales_mins(raw));  // words 0-15: b, 16-31: b + 1
      __m512i acc0[NC], acc1[NC];
      block<NC>(wb[b], aux, L.qs(b), scm, idx0, acc0);
      block<NC>(wb[b + 1], aux, L.qs(b + 1), scm, idx1, acc1);
      // [d, dmin] of both blocks in one conversion; per column times [xd b, xd b, xd b+1, xd b+1].
      const __m128 wdd = _mm_cvtph_ps(_mm_set_epi32(0, 0, static_cast<int>(load_u32(&wb[b + 1].d)),
                                                    static_cast<int>(load_u32(&wb[b].d))));
      for (int c = 0; c < NC; ++c) {
        const __m512 dd = _mm512_castps128_ps512(
            _mm_mul_ps(wdd, _mm_loadu_ps(reinterpret_cast<const float*>(aux[c] + L.d(b)))));
        const __m512i mins = _mm512_madd_epi16(scm, _mm512_loadu_si512(aux[c] + L.mins(b)));  // lanes 4-7, 12-15
        fs[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc0[c]), _mm512_broadcastss_ps(_mm512_castps512_ps128(dd)), fs[c]);
        fs[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc1[c]), _mm512_permutexvar_ps(_mm512_set1_epi32(2), dd), fs[c]);
        fm[c] = _mm512_fmadd_ps(
            _mm512_cvtepi32_ps(mins),
            _mm512_permutexvar_ps(_mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), dd), fm[c]);
      }
    }
    if (b < nb) {  // an odd last super-block
      const __m512i scm = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(
          q4_K_scales_mins(_mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[b].scales)))))));
      __m512i acc[NC];
      block<NC>(wb[b], aux, L.qs(b), scm, idx0, acc);
      const __m128 wdd = _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(load_u32(&wb[b].d))));
      for (int c = 0; c < NC; ++c) {
        const __m512 dd = _mm512_castps128_ps512(
            _mm_mul_ps(wdd, _mm_loadu_ps(reinterpret_cast<const float*>(aux[c] + L.d(b)))));
        const __m256i mins = _mm256_madd_epi16(
            _mm512_castsi512_si256(scm), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(aux[c] + L.mins(b))));
        fs[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[c]), _mm512_broadcastss_ps(_mm512_castps512_ps128(dd)), fs[c]);
        fm[c] = _mm512_fmadd_ps(_mm512_zextps256_ps512(_mm256_cvtepi32_ps(mins)),
                                _mm512_permutexvar_ps(_mm512_set1_epi32(1), dd), fm[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_sub_ps(fs[c], fm[c]));
  }
};

// Q6_K: per 128 elements, ql (64 bytes) gives the low 4 bits of elements 0-63 (low nibbles)
// and 64-127 (high nibbles); qh (32 bytes, broadcast) the top 2 bits, 2 bits per element group.
struct Q6KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ6_K* wb = static_cast<const BlockQ6_K*>(w);
    const int64_t nb = K / kQKK;
    const __m512i m4 = _mm512_set1_epi8(0x0F), m3 = _mm512_set1_epi8(0x03), m30 = _mm512_set1_epi8(0x30);
    __m512i sidx[4];
    for (int g = 0; g < 4; ++g) sidx[g] = spread_index(4 * g, 8);  // 16 elements = 8 words
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockQ6_K)); o += 64) prefetch(wb + b, pf + o);
      const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[b].scales)));
      const __m512i sc512 = _mm512_castsi256_si512(sc16);
      __m512i acc0[NC], acc1[NC];
      for (int c = 0; c < NC; ++c) acc0[c] = acc1[c] = _mm512_setzero_si512();
      for (int h = 0; h < 2; ++h) {
        const __m512i ql = _mm512_loadu_si512(wb[b].ql + 64 * h);
        __m512i hb = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].qh + 32 * h)));
        hb = _mm512_mask_srli_epi16(hb, 0xFFFF0000u, hb, 2);  // [qh, qh >> 2]
        // Elements 0-63: low nibble | bits 0-1 of hb << 4; 64-127: high nibble | bits 4-5 of hb.
        const __m512i hi0 = _mm512_slli_epi16(_mm512_and_si512(hb, m3), 4);
        const __m512i q0 = _mm512_ternarylogic_epi32(ql, hi0, m4, 0xE4);  // ql & m4 | hi0 & ~m4 (A & C | B & ~C = 0xE4)
        const __m512i q1 = _mm512_ternarylogic_epi32(_mm512_srli_epi16(ql, 4), _mm512_and_si512(hb, m30), m4, 0xE4);
        const __m512i sv0 = _mm512_permutexvar_epi16(sidx[2 * h], sc512);
        const __m512i sv1 = _mm512_permutexvar_epi16(sidx[2 * h + 1], sc512);
        for (int c = 0; c < NC; ++c) {
          const int8_t* xq = reinterpret_cast<const BlockQ8_K*>(cols[c])[b].qs + 128 * h;
          acc0[c] = _mm512_dpwssd_epi32(acc0[c], _mm512_maddubs_epi16(q0, _mm512_loadu_si512(xq)), sv0);
          acc1[c] = _mm512_dpwssd_epi32(acc1[c], _mm512_maddubs_epi16(q1, _mm512_loadu_si512(xq + 64)), sv1);
        }
      }
      const __m512 wd = _mm512_set1_ps(h2f(wb[b].d));
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = reinterpret_cast<const BlockQ8_K*>(cols[c])[b];
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums));
        // sum sc q x - 32 sum sc bsum, per lane (exact in int32), then into the float accumulator.
        const __m512i sumb32 = _mm512_castsi256_si512(_mm256_slli_epi32(_mm256_madd_epi16(bs, sc16), 5));
        const __m512i acc = _mm512_sub_epi32(_mm512_add_epi32(acc0[c], acc1[c]),
                                             _mm512_maskz_mov_epi32(0x00FF, sumb32));
        fs[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(wd, _mm512_set1_ps(load_f32(&xb.d))), fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(fs[c]);
  }
};

}  // namespace

const KernelTable& kernels_kquant_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.q4_K = grouped_aux<Q4KDot>;
    k.q4_K_aux = {q4_K_aux_col_bytes, pack_q4_K_aux};
    k.q6_K = grouped<Q6KDot>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
