// AVX2 + FMA + F16C row-dots of Q2_K, Q3_K, Q5_K and IQ4_XS against Q8_K activations (any
// x86-64 from Haswell on), in the manner of rowdot_avx2.cpp's Q4_K / Q6_K: each super-block's
// codes are decoded once for all columns into 32 unsigned bytes per register, in the order of 32
// consecutive activation bytes; vpmaddubsw pairs the products, vpmaddwd scales them by the
// sub-block scales and sums them to int32. Code offsets are folded into the activation's bsums
// (Q3_K's codes q - 4 as q x - 4 sc bsum, the mins of Q2_K / Q5_K as m bsum); IQ4_XS's values
// (kIq4Values, -127..113) go in as |v| with v's sign on x (vpsignb: exact, as Q8_K's qs are in
// -127..127). Each super-block ends with the same exact integer sums and the same scalar float
// steps as the scalar reference (rowdot_ref.cpp), so the results match it bit for bit. The weight
// stream is prefetched as in the AVX-512 kernels (simd_groups.h).
// Scalar float steps must not be fused into FMAs behind our back (GCC: the pragma; any compiler:
// each product that is then added is a statement of its own).
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

// v >> s per 16-bit word for s >= 0, v << -s for s < 0 (s a constant after unrolling).
inline __m256i shift16(__m256i v, int s) { return s >= 0 ? _mm256_srli_epi16(v, s) : _mm256_slli_epi16(v, -s); }

// vpshufb indices that fill the lower 128 bits with word a and the upper with word b of a
// 128-bit lane of words (broadcast to both halves): the scale words of two 16-element sub-blocks.
inline __m256i word_pair_index(int a, int b) {
  return _mm256_setr_epi8(2 * a, 2 * a + 1, 2 * a, 2 * a + 1, 2 * a, 2 * a + 1, 2 * a, 2 * a + 1,  //
                          2 * a, 2 * a + 1, 2 * a, 2 * a + 1, 2 * a, 2 * a + 1, 2 * a, 2 * a + 1,  //
                          2 * b, 2 * b + 1, 2 * b, 2 * b + 1, 2 * b, 2 * b + 1, 2 * b, 2 * b + 1,  //
                          2 * b, 2 * b + 1, 2 * b, 2 * b + 1, 2 * b, 2 * b + 1, 2 * b, 2 * b + 1);
}
// The 128-bit half h (0 or 1) of v in both halves.
inline __m256i both_halves(__m256i v, int h) {
  return h ? _mm256_permute4x64_epi64(v, 0xEE) : _mm256_permute4x64_epi64(v, 0x44);
}

// Q2_K and Q3_K share the 2-bit codes: element 128h + 32j + l is bits 2j..2j+1 of qs[32h + l],
// (qs >> 2j) & 3 the 32 elements 128h + 32j.. (sub-blocks 8h + 2j, 8h + 2j + 1 of 16 elements,
// 8 words each). sc16: the 16 sub-block scales as words. hmask: Q3_K's high bits (else unused).
// Returns the int32 lanes of sum sc u x, u the 2-bit code (+ 4 where Q3_K's high bit is set).
template <int NC, bool kQ3>
inline __attribute__((always_inline)) void dot_2bit(const uint8_t* qs, const uint8_t* hmask, __m256i sc16,
                                                    const uint8_t* const* cols, int64_t b, __m256i* acc) {
  const __m256i m3 = _mm256_set1_epi8(3);
  const __m256i hm = kQ3 ? load256(hmask) : _mm256_setzero_si256();
  for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
  for (int h = 0; h < 2; ++h) {
    const __m256i q = load256(qs + 32 * h);
    const __m256i sh = both_halves(sc16, h);
    for (int j = 0; j < 4; ++j) {
      __m256i u = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), m3);
      // Bit 4h + j of each hmask byte, moved to bit 2 (the shift stays within the byte).
      if (kQ3) u = _mm256_or_si256(u, _mm256_and_si256(shift16(hm, 4 * h + j - 2), _mm256_set1_epi8(4)));
      const __m256i sv = _mm256_shuffle_epi8(sh, word_pair_index(2 * j, 2 * j + 1));
      for (int c = 0; c < NC; ++c) {
        const __m256i x = load256(xblock(cols[c], b).qs + 128 * h + 32 * j);
        acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), sv));
      }
    }
  }
}

// Q2_K: scales hold sc (low nibble) and m (high nibble) of each 16 elements.
struct Q2KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ2_K* wb = static_cast<const BlockQ2_K*>(w);
    const int64_t nb = K / kQKK;
    const __m128i m4 = _mm_set1_epi8(0x0F);
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(wb[b])); o += 64) prefetch(wb + b, pf + o);
      const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[b].scales));
      const __m256i sc16 = _mm256_cvtepu8_epi16(_mm_and_si128(raw, m4));
      const __m256i m16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), m4));
      __m256i acc[NC];
      dot_2bit<NC, false>(wb[b].qs, nullptr, sc16, cols, b, acc);
      const float wd = h2f(wb[b].d), wdmin = h2f(wb[b].dmin);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const int sumi = hsum_i32(acc[c]), summ = hsum_i32(_mm256_madd_epi16(m16, load256(xb.bsums)));
        const float xd = load_f32(&xb.d);
        const float p = (xd * wd) * static_cast<float>(sumi);
        const float q = (xd * wdmin) * static_cast<float>(summ);
        s[c] += p - q;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

// Q3_K's 16 signed 6-bit scales from its 12 bytes: low 4 bits of scale j in byte j (j < 8) or
// the high nibble of byte j - 8, high 2 bits at bit 2 (j / 4) of byte 8 + j % 4; minus 32.
// Reads exactly the 12 bytes.
inline __m128i q3_K_scales(const uint8_t* s) {
  const __m128i m4 = _mm_set1_epi8(0x0F);
  const __m128i b8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s));
  const __m128i low = _mm_unpacklo_epi64(_mm_and_si128(b8, m4), _mm_and_si128(_mm_srli_epi16(b8, 4), m4));
  // Byte 4g + i of [w, w, w, w] >> [0, 2, 4, 6]: bits 2g.. of byte 8 + i (what enters from byte i + 1
  // lands above bit 7 - 2g, above the 2 bits kept).
  const __m128i high = _mm_and_si128(
      _mm_srlv_epi32(_mm_set1_epi32(static_cast<int>(load_u32(s + 8))), _mm_setr_epi32(0, 2, 4, 6)), _mm_set1_epi8(3));
  return _mm_sub_epi8(_mm_or_si128(low, _mm_slli_epi16(high, 4)), _mm_set1_epi8(32));
}

// Q3_K: u = the 2-bit code + 4 where element 128h + 32j + l has bit 4h + j of hmask[l] set; the
// value is u - 4, so sumi = sum sc u x - 4 sum sc bsum.
struct Q3KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ3_K* wb = static_cast<const BlockQ3_K*>(w);
    const int64_t nb = K / kQKK;
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(wb[b])); o += 64) prefetch(wb + b, pf + o);
      const __m256i sc16 = _mm256_cvtepi8_epi16(q3_K_scales(wb[b].scales));
      __m256i acc[NC];
      dot_2bit<NC, true>(wb[b].qs, wb[b].hmask, sc16, cols, b, acc);
      const float wd = h2f(wb[b].d);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const int sumi = hsum_i32(acc[c]) - 4 * hsum_i32(_mm256_madd_epi16(sc16, load256(xb.bsums)));
        const float p = (wd * load_f32(&xb.d)) * static_cast<float>(sumi);  // a statement of its own: never fused
        s[c] += p;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
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

// Q5_K: chunk ch of qs (32 bytes) holds elements 64ch + l (low nibble) and 64ch + 32 + l (high
// nibble); their 5th bits are bits 2ch and 2ch + 1 of qh[l]. Sub-blocks of 32: one scale and
// min each; sumi = sum sc q x, summ = sum m (bsum 2j + bsum 2j + 1).
struct Q5KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ5_K* wb = static_cast<const BlockQ5_K*>(w);
    const int64_t nb = K / kQKK;
    const __m256i m4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
    const __m128i mdup = _mm_setr_epi8(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(wb[b])); o += 64) prefetch(wb + b, pf + o);
      const __m128i scm = q45_K_scales_mins(wb[b].scales);
      const __m256i sc = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(scm));  // scale words 0-7, twice
      const __m256i mins = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(scm, mdup));  // m0 m0 m1 m1 .. m7 m7
      const __m256i qh = load256(wb[b].qh);
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
      for (int ch = 0; ch < 4; ++ch) {
        const __m256i q = load256(wb[b].qs + 32 * ch);
        // Bits 2ch and 2ch + 1 of each qh byte, moved to bit 4 (the shifts stay within the byte).
        const __m256i lo = _mm256_or_si256(_mm256_and_si256(q, m4), _mm256_and_si256(shift16(qh, 2 * ch - 4), bit4));
        const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4),
                                           _mm256_and_si256(shift16(qh, 2 * ch - 3), bit4));
        const __m256i slo = _mm256_shuffle_epi8(sc, word_pair_index(2 * ch, 2 * ch));
        const __m256i shi = _mm256_shuffle_epi8(sc, word_pair_index(2 * ch + 1, 2 * ch + 1));
        for (int c = 0; c < NC; ++c) {
          const int8_t* xq = xblock(cols[c], b).qs + 64 * ch;
          acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load256(xq)), slo));
          acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load256(xq + 32)), shi));
        }
      }
      const float wd = h2f(wb[b].d), wdmin = h2f(wb[b].dmin);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const int sumi = hsum_i32(acc[c]), summ = hsum_i32(_mm256_madd_epi16(mins, load256(xb.bsums)));
        const float xd = load_f32(&xb.d);
        const float d = wd * xd, dmin = wdmin * xd;
        const float p = d * static_cast<float>(sumi);
        const float q = dmin * static_cast<float>(summ);
        s[c] += p - q;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

// IQ4_XS's 8 signed sub-block scales (ls - 32, ls 6-bit: low 4 bits nibble j % 2 of
// scales_l[j / 2], high 2 bits at bit 2j of scales_h), each as a pair of equal int16 words in
// int32 lane j.
inline __m256i iq4_xs_scales(const BlockIQ4_XS& b) {
  const __m256i lo = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(load_u32(b.scales_l))),
                                                        _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28)),
                                      _mm256_set1_epi32(0x0F));
  const __m256i hi = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(b.scales_h),
                                                        _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14)),
                                      _mm256_set1_epi32(3));
  const __m256i ls = _mm256_sub_epi32(_mm256_or_si256(lo, _mm256_slli_epi32(hi, 4)), _mm256_set1_epi32(32));
  return _mm256_or_si256(_mm256_and_si256(ls, _mm256_set1_epi32(0xFFFF)), _mm256_slli_epi32(ls, 16));
}

// IQ4_XS: sub-block j (32 elements) is qs[16j..16j + 15], element l < 16 the low nibble of
// byte l and 16 + l its high nibble: [low nibbles | high nibbles] are its elements in order,
// looked up as kIq4Values by vpshufb.
struct IQ4XSDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ4_XS* wb = static_cast<const BlockIQ4_XS*>(w);
    const int64_t nb = K / kQKK;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i values = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4Values)));  // a constexpr table: no call
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(wb[b])); o += 64) prefetch(wb + b, pf + o);
      const __m256i ls = iq4_xs_scales(wb[b]);
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
      for (int j = 0; j < 8; ++j) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[b].qs + 16 * j));
        const __m256i code = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(v, 4), v), m4);
        const __m256i val = _mm256_shuffle_epi8(values, code);
        const __m256i mag = _mm256_abs_epi8(val);
        const __m256i sv = _mm256_permutevar8x32_epi32(ls, _mm256_set1_epi32(j));
        for (int c = 0; c < NC; ++c) {
          const __m256i x = load256(xblock(cols[c], b).qs + 32 * j);
          acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(mag, _mm256_sign_epi8(x, val)), sv));
        }
      }
      const float wd = h2f(wb[b].d);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const float p = (wd * load_f32(&xb.d)) * static_cast<float>(hsum_i32(acc[c]));  // never fused (as above)
        s[c] += p;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

}  // namespace

const KernelTable& kernels_kquant_low_avx2() {
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
