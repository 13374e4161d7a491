// AVX-512 (BW, VNNI) row-dots of Q2_K, Q3_K, Q5_K and IQ4_XS against Q8_K activations, built
// like rowdot_kquant_avx512.cpp's Q4_K / Q6_K: each super-block's codes are decoded once for all
// columns into 64 unsigned bytes per register, in the order of 64 consecutive activation bytes;
// vpmaddubsw pairs the products and vpdpwssd (VNNI) scales them by the sub-block scales (spread to
// their words by vpermw) and sums them into 16 int32 lanes. Q2_K's products sc q fit a byte, so
// they are looked up instead (vpshufb) and summed by one vpdpbusd. Code offsets are folded into
// the activation's bsums: Q3_K's codes q - 4 (q = 0..7) as q x - 4 sc bsum; the mins of Q2_K /
// Q5_K as sum m bsum. IQ4_XS's values kIq4Values[n] (-127..113) go in as |v| with the sign moved
// onto x (exact: Q8_K's qs are in -127..127, so negating one never overflows).
//
// Numerics: every integer sum is exact (no int16 pair can saturate: |q| <= 127 times |x| <= 127,
// twice, fits). As in rowdot_kquant_avx512.cpp, the 16 lane sums of each super-block are scaled
// into f32 vector accumulators (Q2_K / Q5_K: by d dx, the min lanes by dmin dx; Q3_K / IQ4_XS:
// (sum dx) d) and reduced once per row: the same products and scales as the scalar reference,
// summed and rounded in another order, so within the rounding bound test_matmul.cpp checks
// (2 (K + 3) 2^-24 sum|terms|), not bit for bit.
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

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }

// Word index vector: word i -> first + i / per (the scale of the sub-block word i belongs to,
// vpmaddubsw's word i holding the products of bytes 2i and 2i + 1).
inline __m512i spread_index(int first, int per) {
  alignas(64) int16_t idx[32];
  for (int i = 0; i < 32; ++i) idx[i] = static_cast<int16_t>(first + i / per);
  return _mm512_load_si512(idx);
}
// Bytes lo in the lower 256 bits, hi in the upper (the bit masks of the high-bit tests).
inline __m512i halves_epi8(int lo, int hi) {
  return _mm512_inserti64x4(_mm512_set1_epi8(static_cast<char>(lo)), _mm256_set1_epi8(static_cast<char>(hi)), 1);
}
// 32 bytes at p in both halves of a register, the upper half shifted right by kShift bits (per
// 16-bit word: bits a byte takes from its neighbour land above the bits read from it).
template <int kShift>
inline __m512i twin(const uint8_t* p) {
  const __m512i v = _mm512_broadcast_i64x4(load256(p));
  return _mm512_mask_srli_epi16(v, 0xFFFF0000u, v, kShift);
}

// Q2_K: per 128 elements, qs (32 bytes) holds 4 two-bit codes per byte: element 128h + 32j + l
// in bits 2j..2j+1 of qs[32h + l]. [qs, qs >> 2] & 3 are elements 128h + 0..63, the same >> 4
// elements 128h + 64..127. scales: low nibble sc, high nibble m, of each 16 elements: sum d sc q
// x - dmin m bsum. The products sc q (<= 45) fit a byte, so they are looked up rather than
// multiplied: a 64-byte table per super-block, lane L holding sc[4g + L] * (0, 1, 2, 3) at bytes
// 4g..4g + 3; the 64 elements 64v.. have sub-block 4v + L in lane L, so vpshufb with index q + 4v
// gives their sc q, and one vpdpbusd (u8 sc q times s8 x) sums them per column.
struct Q2KDot {
  // vpshufb indices that put the scale byte of sub-block 4g + L into the low byte of both words of
  // group g in lane L (high bytes zeroed); vpmullw by the words (0x0100, 0x0302) then makes the
  // four products (s in bits 0-3 after the mask: 3 s <= 45, no carry between the bytes).
  static __m512i table_index() {
    alignas(64) int8_t idx[64];
    for (int L = 0; L < 4; ++L)
      for (int b = 0; b < 16; ++b) idx[16 * L + b] = (b & 1) ? int8_t{-128} : static_cast<int8_t>(4 * (b / 4) + L);
    return _mm512_load_si512(idx);
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ2_K* wb = static_cast<const BlockQ2_K*>(w);
    const int64_t nb = K / kQKK;
    const __m512i tidx = table_index(), tmul = _mm512_set1_epi32(0x03020100), m4 = _mm512_set1_epi16(0x0F);
    const __m512i m3 = _mm512_set1_epi8(3);
    __m512i off[4];
    for (int v = 0; v < 4; ++v) off[v] = _mm512_set1_epi8(static_cast<char>(4 * v));
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockQ2_K)); o += 64) prefetch(wb + b, pf + o);
      const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[b].scales));
      const __m512i table = _mm512_mullo_epi16(
          _mm512_and_si512(_mm512_shuffle_epi8(_mm512_broadcast_i32x4(raw), tidx), m4), tmul);
      const __m256i mins = _mm256_srli_epi16(_mm256_cvtepu8_epi16(raw), 4);
      const __m128 wdm = _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(load_u32(&wb[b].d))));  // d, dmin
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
      for (int h = 0; h < 2; ++h) {
        const __m512i q = twin<2>(wb[b].qs + 32 * h);
        // (q & 3) | 4v: ternary-logic 0xEA = A & B | C.
        const __m512i w0 = _mm512_shuffle_epi8(table, _mm512_ternarylogic_epi64(q, m3, off[2 * h], 0xEA));
        const __m512i w1 = _mm512_shuffle_epi8(table, _mm512_ternarylogic_epi64(_mm512_srli_epi16(q, 4), m3,
                                                                                off[2 * h + 1], 0xEA));
        for (int c = 0; c < NC; ++c) {
          const int8_t* xq = xblock(cols[c], b).qs + 128 * h;
          acc[c] = _mm512_dpbusd_epi32(acc[c], w0, load512(xq));
          acc[c] = _mm512_dpbusd_epi32(acc[c], w1, load512(xq + 64));
        }
      }
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const __m128 dd = _mm_mul_ps(wdm, _mm_broadcast_ss(&xb.d));  // d dx, dmin dx
        // The min sums (lanes 0-7; 8-15 zero) subtracted into the same accumulator.
        const __m512i summ = _mm512_zextsi256_si512(_mm256_madd_epi16(mins, load256(xb.bsums)));
        fs[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[c]), _mm512_broadcastss_ps(dd), fs[c]);
        fs[c] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(summ),
                                 _mm512_permutexvar_ps(_mm512_set1_epi32(1), _mm512_castps128_ps512(dd)), fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(fs[c]);
  }
};

// Q3_K's 16 signed 6-bit scales from its 12 bytes, as int16 words: low 4 bits of scale j in
// byte j (j < 8) or the high nibble of byte j - 8, high 2 bits at bit 2 (j / 4) of byte 8 + j % 4;
// minus 32. Reads exactly the 12 bytes.
inline __m256i q3_K_scales(const uint8_t* s) {
  uint64_t lo8;
  std::memcpy(&lo8, s, 8);
  // Words j: byte j % 8, the upper 8 shifted right by 4 (bits 0-3 are the low 4 bits of scale j).
  __m256i lo = _mm256_cvtepu8_epi16(_mm_set1_epi64x(static_cast<long long>(lo8)));
  lo = _mm256_mask_srli_epi16(lo, 0xFF00, lo, 4);
  // Bytes 4g + i: byte 8 + i rotated (per 32 bits) left by 4 - 2g, which brings its bits 2g, 2g + 1
  // to bits 4, 5 without leaving the byte; masked, widened.
  const __m128i hi = _mm_and_si128(_mm_rolv_epi32(_mm_set1_epi32(static_cast<int>(load_u32(s + 8))),
                                                  _mm_setr_epi32(4, 2, 0, 30)),
                                   _mm_set1_epi8(0x30));
  // lo & 0x0F | hi (ternary-logic 0xEA = A & B | C), minus 32
  return _mm256_sub_epi16(_mm256_ternarylogic_epi32(lo, _mm256_set1_epi16(0x0F), _mm256_cvtepu8_epi16(hi), 0xEA),
                          _mm256_set1_epi16(32));
}

// Q3_K: 2-bit codes as Q2_K's, plus 4 where element 128h + 32j + l has bit 4h + j of hmask[l]
// set: u = 0..7, the value u - 4. sum sc (u - 4) x = sum sc u x - 4 sum sc bsum (16 per scale).
struct Q3KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ3_K* wb = static_cast<const BlockQ3_K*>(w);
    const int64_t nb = K / kQKK;
    const __m512i m3 = _mm512_set1_epi8(3), four = _mm512_set1_epi8(4);
    __m512i sidx[4], hbit[4];
    for (int v = 0; v < 4; ++v) {
      sidx[v] = spread_index(4 * v, 8);
      // Chunk v = 2h + i: elements 128h + 64i + [0, 32) (bit 4h + 2i) and + [32, 64) (bit 4h + 2i + 1).
      const int bit = 4 * (v / 2) + 2 * (v % 2);
      hbit[v] = halves_epi8(1 << bit, 1 << (bit + 1));
    }
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockQ3_K)); o += 64) prefetch(wb + b, pf + o);
      const __m256i sc16 = q3_K_scales(wb[b].scales);
      const __m512i sc = _mm512_castsi256_si512(sc16);
      const __m512i corr = _mm512_zextsi256_si512(_mm256_mullo_epi16(sc16, _mm256_set1_epi16(-4)));  // -4 sc
      const __m512 wd = _mm512_permutexvar_ps(  // d: the upper half of the 4 bytes that end the block
          _mm512_set1_epi32(1),
          _mm512_castps128_ps512(_mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(load_u32(wb[b].scales + 10))))));
      const __m512i hm = _mm512_broadcast_i64x4(load256(wb[b].hmask));
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
      for (int h = 0; h < 2; ++h) {
        const __m512i q = twin<2>(wb[b].qs + 32 * h);
        __m512i q0 = _mm512_and_si512(q, m3), q1 = _mm512_and_si512(_mm512_srli_epi16(q, 4), m3);
        q0 = _mm512_mask_add_epi8(q0, _mm512_test_epi8_mask(hm, hbit[2 * h]), q0, four);
        q1 = _mm512_mask_add_epi8(q1, _mm512_test_epi8_mask(hm, hbit[2 * h + 1]), q1, four);
        const __m512i s0 = _mm512_permutexvar_epi16(sidx[2 * h], sc);
        const __m512i s1 = _mm512_permutexvar_epi16(sidx[2 * h + 1], sc);
        for (int c = 0; c < NC; ++c) {
          const int8_t* xq = xblock(cols[c], b).qs + 128 * h;
          acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(q0, load512(xq)), s0);
          acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(q1, load512(xq + 64)), s1);
        }
      }
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        // - 4 sc bsum into lanes 0-7, then (sum * dx) * d.
        const __m512i sum = _mm512_dpwssd_epi32(acc[c], _mm512_zextsi256_si512(load256(xb.bsums)), corr);
        fs[c] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(sum), _mm512_set1_ps(xb.d)), wd, fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(fs[c]);
  }
};

// Q4_K / Q5_K's 12 packed bytes (at s, 16 bytes read) -> scales 0-7 in bytes 0-7, mins in bytes
// 8-15, 6 bits each. With a, b, c the three little-endian 32-bit words: scales 0-3 = a & 0x3F..,
// scales 4-7 = (c & 0x0F..) | (a >> 2 & 0x30..), mins 0-3 = b & 0x3F.., mins 4-7 = (c >> 4 &
// 0x0F..) | (b >> 2 & 0x30..).
inline __m128i q45_K_scales_mins(const uint8_t* s) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  const __m128i acbc = _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 1, 2, 0)),
                aabb = _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 1, 0, 0));
  const __m128i low = _mm_and_si128(_mm_srlv_epi32(acbc, _mm_setr_epi32(0, 0, 0, 4)),
                                    _mm_setr_epi32(0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F));
  const __m128i top = _mm_and_si128(_mm_srli_epi32(aabb, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030));
  return _mm_or_si128(low, top);
}

// Q5_K: chunk c of qs (32 bytes) holds elements 64c + l (low nibble) and 64c + 32 + l (high
// nibble), whose 5th bits are bits 2c and 2c + 1 of qh[l]: [qs, qs >> 4] & 15, plus 16 where the
// [qh, qh] test against [bit 2c, bit 2c + 1] is set, is elements 64c..64c + 63 (sub-blocks 2c,
// 2c + 1 of 32 = 16 words each). sum d sc q x - dmin m (bsum 2j + bsum 2j + 1).
struct Q5KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ5_K* wb = static_cast<const BlockQ5_K*>(w);
    const int64_t nb = K / kQKK;
    const __m512i m4 = _mm512_set1_epi8(0x0F), sixteen = _mm512_set1_epi8(16);
    const __m512i mdup = spread_index(8, 2);  // words 8-15 (the mins) twice each
    __m512i sidx[4], hbit[4];
    for (int v = 0; v < 4; ++v) {
      sidx[v] = spread_index(2 * v, 16);
      hbit[v] = halves_epi8(1 << (2 * v), 1 << (2 * v + 1));
    }
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockQ5_K)); o += 64) prefetch(wb + b, pf + o);
      const __m128i scm = q45_K_scales_mins(wb[b].scales);
      const __m512i sc = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(scm));             // words 0-7 scales, 8-15 mins
      const __m256i mins = _mm512_castsi512_si256(_mm512_permutexvar_epi16(mdup, sc));  // m0 m0 m1 m1 .. m7 m7
      const __m128 wdm = _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(load_u32(&wb[b].d))));  // d, dmin
      const __m512i qh = _mm512_broadcast_i64x4(load256(wb[b].qh));
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
      auto chunk = [&]<int kC>() __attribute__((always_inline)) {
        __m512i q = _mm512_and_si512(twin<4>(wb[b].qs + 32 * kC), m4);
        q = _mm512_mask_add_epi8(q, _mm512_test_epi8_mask(qh, hbit[kC]), q, sixteen);
        const __m512i s = _mm512_permutexvar_epi16(sidx[kC], sc);
        for (int c = 0; c < NC; ++c)
          acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(q, load512(xblock(cols[c], b).qs + 64 * kC)), s);
      };
      chunk.template operator()<0>();
      chunk.template operator()<1>();
      chunk.template operator()<2>();
      chunk.template operator()<3>();
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const __m128 dd = _mm_mul_ps(wdm, _mm_broadcast_ss(&xb.d));  // d dx, dmin dx
        // The min sums (lanes 0-7; 8-15 zero) subtracted into the same accumulator.
        const __m512i summ = _mm512_zextsi256_si512(_mm256_madd_epi16(mins, load256(xb.bsums)));
        fs[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[c]), _mm512_broadcastss_ps(dd), fs[c]);
        fs[c] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(summ),
                                 _mm512_permutexvar_ps(_mm512_set1_epi32(1), _mm512_castps128_ps512(dd)), fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(fs[c]);
  }
};

// IQ4_XS's 8 signed sub-block scales (ls - 32, ls 6-bit: low 4 bits nibble j % 2 of
// scales_l[j / 2], high 2 bits at bit 2j of scales_h), scale j in 64-bit lane j (in word 4j).
// With Q the 8 bytes scales_h, scales_l (and 2 bytes of qs, unused): low bits Q >> 16 + 4j, high
// bits Q rotated left by 4 - 2j (to bits 4, 5).
inline __m512i iq4_xs_scales(const BlockIQ4_XS& b) {
  uint64_t q;
  std::memcpy(&q, &b.scales_h, 8);
  const __m512i v = _mm512_set1_epi64(static_cast<long long>(q));
  const __m512i lo = _mm512_and_si512(_mm512_srlv_epi64(v, _mm512_setr_epi64(16, 20, 24, 28, 32, 36, 40, 44)),
                                      _mm512_set1_epi64(0x0F));
  const __m512i hi = _mm512_rolv_epi64(v, _mm512_setr_epi64(4, 2, 0, 62, 60, 58, 56, 54));
  // lo | hi & 0x30 (ternary-logic 0xF8 = A | B & C), minus 32
  return _mm512_sub_epi64(_mm512_ternarylogic_epi64(lo, hi, _mm512_set1_epi64(0x30), 0xF8), _mm512_set1_epi64(32));
}

// IQ4_XS: sub-block j (32 elements) is qs[16j..16j + 15], element l < 16 the low nibble of
// byte l and 16 + l its high nibble. One 64-byte load is sub-blocks 4t..4t + 3; its low and
// high nibbles, looked up as |kIq4Values| by vpshufb and interleaved per 128 bits (lo j, hi j,
// lo j + 1, hi j + 1), are elements 64v..64v + 63 (v = 2t, 2t + 1). The values' signs (codes
// 0-7 are the negative ones) go onto x by a masked 0 - x.
struct IQ4XSDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ4_XS* wb = static_cast<const BlockIQ4_XS*>(w);
    const int64_t nb = K / kQKK;
    const __m512i m4 = _mm512_set1_epi8(0x0F), eight = _mm512_set1_epi8(8), zero = _mm512_setzero_si512();
    const __m512i mag = _mm512_broadcast_i32x4(_mm_setr_epi8(127, 104, 83, 65, 49, 35, 22, 10, 1, 13, 25, 38, 53, 69,
                                                             89, 113));  // |kIq4Values|
    const __m512i ilv0 = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11),
                  ilv1 = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    __m512i sidx[4];
    for (int v = 0; v < 4; ++v) {  // word i of the 64 elements 64v..: scale 2v + i / 16, in word 4 (2v + i / 16)
      alignas(64) int16_t idx[32];
      for (int i = 0; i < 32; ++i) idx[i] = static_cast<int16_t>(4 * (2 * v + i / 16));
      sidx[v] = _mm512_load_si512(idx);
    }
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ4_XS)); o += 64) prefetch(wb + b, pf + o);
      const __m512i sc = iq4_xs_scales(wb[b]);
      const __m512 wd = _mm512_broadcastss_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(load_u32(&wb[b].d)))));
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
      auto chunk = [&](int v, __m512i code) __attribute__((always_inline)) {
        const __mmask64 neg = _mm512_testn_epi8_mask(code, eight);
        const __m512i a = _mm512_shuffle_epi8(mag, code);
        const __m512i s = _mm512_permutexvar_epi16(sidx[v], sc);
        for (int c = 0; c < NC; ++c) {
          const __m512i x = load512(xblock(cols[c], b).qs + 64 * v);
          acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(a, _mm512_mask_sub_epi8(x, neg, zero, x)), s);
        }
      };
      for (int t = 0; t < 2; ++t) {
        const __m512i q = load512(wb[b].qs + 64 * t);
        const __m512i lo = _mm512_and_si512(q, m4), hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
        chunk(2 * t, _mm512_permutex2var_epi64(lo, ilv0, hi));
        chunk(2 * t + 1, _mm512_permutex2var_epi64(lo, ilv1, hi));
      }
      for (int c = 0; c < NC; ++c)  // (sum * dx) * d
        fs[c] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc[c]), _mm512_set1_ps(xblock(cols[c], b).d)), wd,
                                fs[c]);
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(fs[c]);
  }
};

}  // namespace

const KernelTable& kernels_kquant_low_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.q2_K = grouped<Q2KDot>;
    k.q3_K = grouped<Q3KDot>;
    k.q5_K = grouped<Q5KDot>;
    k.iq4_xs = grouped<IQ4XSDot>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
