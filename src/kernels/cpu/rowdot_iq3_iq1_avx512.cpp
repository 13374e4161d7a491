// AVX-512 (BW, VNNI) row-dots of IQ3_XXS, IQ3_S, IQ1_S and IQ1_M against Q8_K activations, built
// like rowdot_kquant_low_avx512.cpp: each super-block's codes are decoded once for all columns
// into 64 unsigned bytes per register, in the order of 64 consecutive activation bytes, and summed
// per column into 16 int32 lanes.
//
// Codebooks (iq_grids.h): each entry is re-coded once into 16 bits (IqCodes below: IQ3's 4
// magnitudes as 4 x 3-bit levels, IQ1's 8 values as 8 x 2 bits), which a few shifts and a vpshufb
// (IQ3) or a mask (IQ1) turn back into bytes. IQ3_XXS's 256 and IQ3_S's 512 codes are looked up in
// registers (vpermi2w over 64 codes, 4 or 8 of them and a select tree per 32 indices); IQ1's 2048
// by scalar loads into vpinsrw, a block ahead of their use. On Zen 5 both beat vpgatherdd, which
// takes ~18 cycles per 16 lanes and stalls the rest of the core meanwhile (measured: IQ3 ~2.4x,
// IQ1 ~1.4x the GB/s of the gather versions).
//
// IQ3: the signed magnitude +-m goes in as the unsigned code c +- m, c = 64 (IQ3_XXS, m <= 62)
// or 16 (IQ3_S, m <= 15), picked from two vpshufb tables by the sign bits (the 8 sign bits of a
// group of 8 are one byte of the 64-bit mask); vpmaddubsw pairs the products (at most
// 2 * 126 * 127, no saturation), vpdpwssd scales them by the odd sub-block scale, and the offset
// comes back as - c * scale * bsum (16-element bsums of Q8_K). IQ3_XXS's 7 stored sign bits per
// group get their 8th (parity) from a nibble-parity lookup.
// IQ1: with g in {-1, 0, +1}, scale ls and delta sign t = +-1, the scalar reference's sums give
// 8 sumi + sumd = sum ls (8 g + t) x. IQ1_S: the bytes (g + 1) ls (<= 30) go through one vpdpbusd,
// and 8 sum ls (g + 1) x - sum ls (8 - t) bsum is that. IQ1_M (t per group of 8, ls per 16): the
// bytes 8 g + 9 + t (0..18) through vpmaddubsw + vpdpwssd by ls, minus 9 ls bsum. The lanes are
// scaled by 0.125 at the end (a power of two: the same rounding as scaling each term).
//
// With AVX512_VBMI (kernels_iq3_vbmi_avx512(), namespace vbmi below; ~1.5x on Zen 5), IQ3's 64
// indices per super-block are looked up at once by vpermi2b from the codes' low and high bytes
// (128 entries per pair of registers, the pairs merged by the index's bit 7 and IQ3_S's bit 8,
// qh, as masks); in the order kChunkOrder, vpunpck*bw / *wd leave each chunk's groups in element
// order, and vpsrlvw + vpshufb turn them into c +- level. Each super-block is decoded one ahead of
// its dot (the lookups' latency overlaps the arithmetic).
//
// Numerics: every integer sum is exact. As in rowdot_kquant_low_avx512.cpp, the 16 lane sums of
// each super-block are scaled by d dx into f32 vector accumulators and reduced once per row (then
// times 0.25 for IQ3_XXS, 0.125 for IQ1): the same products and scales as the scalar reference
// (rowdot_ref_iq3.cpp, rowdot_ref_iq1.cpp), summed and rounded in another order, so within the
// rounding bound test_matmul.cpp checks, not bit for bit.
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
#include "kernels/quant/iq_grids.h"

namespace seek::kern {

namespace {

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

// Word index vector: word i -> mul * (first + i / per) (vpermw picks the scale of the elements
// vpmaddubsw's word i holds, bytes 2i and 2i + 1).
inline __m512i spread_index(int first, int per, int mul) {
  alignas(64) int16_t idx[32];
  for (int i = 0; i < 32; ++i) idx[i] = static_cast<int16_t>(mul * (first + i / per));
  return _mm512_load_si512(idx);
}
// Word i -> (i / per, i % per * shift): the index and shift vectors that spread packed fields.
inline __m512i field_index(int per) {
  alignas(64) int16_t idx[32];
  for (int i = 0; i < 32; ++i) idx[i] = static_cast<int16_t>(i / per);
  return _mm512_load_si512(idx);
}
inline __m512i field_shift(int per, int shift) {
  alignas(64) int16_t s[32];
  for (int i = 0; i < 32; ++i) s[i] = static_cast<int16_t>(i % per * shift);
  return _mm512_load_si512(s);
}

// The 16-bit coefficients k (both words of dword i, for vpdpwssd against Q8_K's bsums pairs 2i,
// 2i + 1) from dwords k.
inline __m256i both_words(__m256i k) { return _mm256_or_si256(k, _mm256_slli_epi32(k, 16)); }

// (sum of the 16 lanes of acc) as f32 lanes scaled by s, added to f.
inline __m512 scale_add(__m512i acc, float s, __m512 f) {
  return _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_set1_ps(s), f);
}

// ---- codes ----

// The codebooks as 16-bit codes laid out for the decoding below, built once from iq_grids.h.
// IQ3 (4 magnitudes of 8 levels, level e_k of element k): byte 0 = e0 | e2 << 4, byte 1 =
// e1 | e3 << 4, so [code, code >> 4] as two words has e0..e3 in the low nibbles of its 4 bytes
// and bit 7 of each clear (all vpshufb reads). IQ1 (8 values g in {-1, 0, 1}): g + 1 of
// element 2m at bits 2m, 2m + 1 of byte 0, of element 2m + 1 at the same bits of byte 1, so
// (code >> 2m) & 0x0303 is elements 2m, 2m + 1 as two bytes.
constexpr uint8_t kIq3xxsLevels[8] = {4, 12, 20, 28, 36, 44, 52, 62};
constexpr uint8_t kIq3sLevels[8] = {1, 3, 5, 7, 9, 11, 13, 15};
struct IqCodes {
  alignas(64) uint16_t iq3xxs[256];
  alignas(64) uint16_t iq3s[512];
  alignas(64) uint16_t iq1s[2048];
};
inline int level_of(const uint8_t* levels, int v) {
  int e = 0;
  while (e < 7 && levels[e] != v) ++e;
  return e;
}
inline uint16_t iq3_code(uint32_t entry, const uint8_t* levels) {
  int e[4];
  for (int k = 0; k < 4; ++k) e[k] = level_of(levels, quant::grid_byte(entry, k));
  return static_cast<uint16_t>(e[0] | e[2] << 4 | e[1] << 8 | e[3] << 12);
}
inline IqCodes make_codes() {
  IqCodes t{};
  for (int i = 0; i < 256; ++i) t.iq3xxs[i] = iq3_code(quant::kIq3xxsGrid[i], kIq3xxsLevels);
  for (int i = 0; i < 512; ++i) t.iq3s[i] = iq3_code(quant::kIq3sGrid[i], kIq3sLevels);
  for (int i = 0; i < 2048; ++i) {
    uint32_t c = 0;
    for (int k = 0; k < 8; ++k)
      c |= static_cast<uint32_t>(quant::grid_int8(quant::kIq1sGrid[i], k) + 1) << (8 * (k % 2) + k / 2 * 2);
    t.iq1s[i] = static_cast<uint16_t>(c);
  }
  return t;
}
inline const IqCodes& iq_codes() {
  static const IqCodes t = make_codes();
  return t;
}

// ---- IQ3 ----

// The codes of a 256-entry table held in 8 registers at the low 8 bits of the 32 words of idx:
// vpermi2w picks among 64 (idx bits 0..5), bits 6 and 7 choose among the 4 results.
inline __m512i lookup256(__m512i idx, const __m512i* t) {
  const __m512i r0 = _mm512_permutex2var_epi16(t[0], idx, t[1]);
  const __m512i r1 = _mm512_permutex2var_epi16(t[2], idx, t[3]);
  const __m512i r2 = _mm512_permutex2var_epi16(t[4], idx, t[5]);
  const __m512i r3 = _mm512_permutex2var_epi16(t[6], idx, t[7]);
  const __mmask32 b6 = _mm512_test_epi16_mask(idx, _mm512_set1_epi16(64));
  const __mmask32 b7 = _mm512_test_epi16_mask(idx, _mm512_set1_epi16(128));
  return _mm512_mask_mov_epi16(_mm512_mask_mov_epi16(r0, b6, r1), b7, _mm512_mask_mov_epi16(r2, b6, r3));
}

// IQ3_XXS's 32 sign bytes (one per group of 8, bit k = element k negative) from its 8 words (one
// per sub-block ib: 4 x 7 sign bits, group l at bits 7 l..7 l + 6): byte 4 ib + l = the 7 bits
// plus their parity in bit 7.
inline __m256i iq3xxs_signs(__m256i sw) {
  __m256i c = _mm256_and_si256(sw, _mm256_set1_epi32(0x7F));
  // (A & B) | C: ternary-logic 0xEA
  c = _mm256_ternarylogic_epi32(_mm256_slli_epi32(sw, 1), _mm256_set1_epi32(0x7F00), c, 0xEA);
  c = _mm256_ternarylogic_epi32(_mm256_slli_epi32(sw, 2), _mm256_set1_epi32(0x7F0000), c, 0xEA);
  c = _mm256_ternarylogic_epi32(_mm256_slli_epi32(sw, 3), _mm256_set1_epi32(0x7F000000), c, 0xEA);
  // 0x80 where a nibble's parity is odd; c < 128, so vpshufb reads its low nibble as is.
  const __m256i par = _mm256_setr_epi8(0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0,  //
                                       0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0);
  const __m256i lo = _mm256_shuffle_epi8(par, c);
  const __m256i hi = _mm256_shuffle_epi8(par, _mm256_and_si256(_mm256_srli_epi16(c, 4), _mm256_set1_epi8(0x0F)));
  return _mm256_ternarylogic_epi32(c, lo, hi, 0xF6);  // A | (B ^ C)
}

// What both IQ3 types share: the code tables in registers, the byte tables of c + level and
// c - level (c the offset that makes the codes unsigned), and the word index vectors.
template <int kTables>
struct Iq3Consts {
  __m512i tab[kTables];
  __m512i pos, neg;  // vpshufb tables: c + level, c - level
  __m512i dup[2];    // words 2i, 2i + 1 <- code 16h + i
  __m512i sidx[4];   // word i of chunk v -> dword 2v + i / 16 (the scale of its sub-block)
  Iq3Consts(const uint16_t* codes, const uint8_t* levels, int c) {
    for (int k = 0; k < kTables; ++k) tab[k] = _mm512_load_si512(codes + 32 * k);
    alignas(16) int8_t p[16] = {}, n[16] = {};
    for (int e = 0; e < 8; ++e) {
      p[e] = static_cast<int8_t>(c + levels[e]);
      n[e] = static_cast<int8_t>(c - levels[e]);
    }
    pos = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(p)));
    neg = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(n)));
    for (int h = 0; h < 2; ++h) dup[h] = spread_index(16 * h, 2, 1);
    for (int v = 0; v < 4; ++v) sidx[v] = spread_index(2 * v, 16, 2);
  }
  // The 64 unsigned codes c +- level of chunk v (elements 64v..64v + 63) from the 32 codes of its
  // half of the super-block; sign bit set: c - level.
  __m512i chunk(__m512i codes, int v, __mmask64 sign) const {
    __m512i t = _mm512_permutexvar_epi16(dup[v & 1], codes);
    t = _mm512_mask_srli_epi16(t, 0xAAAAAAAAu, t, 4);
    return _mm512_mask_shuffle_epi8(_mm512_shuffle_epi8(pos, t), sign, neg, t);
  }
};

// Chunk v of both IQ3 types: the 64 unsigned codes u are multiplied with x by vpmaddubsw and
// scaled by the words s (the odd scale of each sub-block).
template <int NC>
inline __attribute__((always_inline)) void iq3_chunk(__m512i u, __m512i s, const uint8_t* const* cols, int64_t b, int v,
                                                     __m512i* acc) {
#pragma GCC unroll 4  // GCC 12 leaves the 4-column loop rolled otherwise, accumulators in memory
  for (int c = 0; c < NC; ++c)
    acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(u, load512(xblock(cols[c], b).qs + 64 * v)), s);
}

// IQ3_XXS: qs[0..64) the grid indices (8 per sub-block), then one word per sub-block: 4 x 7 sign
// bits, 4-bit scale s in bits 28..31 (sub-block scale 2 s + 1). Magnitudes 4..62 go in as 64 +- m.
struct IQ3XXSDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ3_XXS* wb = static_cast<const BlockIQ3_XXS*>(w);
    const int64_t nb = K / kQKK;
    const Iq3Consts<8> k(iq_codes().iq3xxs, kIq3xxsLevels, 64);
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ3_XXS)); o += 64) prefetch(wb + b, pf + o);
      const uint8_t* q = wb[b].qs;
      const __m256i sw = load256(q + kQKK / 4);
      alignas(32) uint8_t sg[32];
      _mm256_store_si256(reinterpret_cast<__m256i*>(sg), iq3xxs_signs(sw));
      // 2 s + 1 per dword: (sw >> 27) & 0x1E | 1
      const __m256i ls = _mm256_ternarylogic_epi32(_mm256_srli_epi32(sw, 27), _mm256_set1_epi32(0x1E),
                                                   _mm256_set1_epi32(1), 0xEA);
      const __m512i lsz = _mm512_castsi256_si512(ls);
      const __m256i corr = _mm256_sub_epi16(_mm256_setzero_si256(), both_words(_mm256_slli_epi32(ls, 6)));  // -64 ls
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        const __m512i codes = lookup256(_mm512_cvtepu8_epi16(load256(q + 32 * h)), k.tab);
#pragma GCC unroll 2
        for (int v = 2 * h; v < 2 * h + 2; ++v) {
          const __m512i u = k.chunk(codes, v, _cvtu64_mask64(load_u64(sg + 8 * v)));
          iq3_chunk<NC>(u, _mm512_permutexvar_epi16(k.sidx[v], lsz), cols, b, v, acc);
        }
      }
      const float wd = h2f(wb[b].d);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const __m512i sum = _mm512_dpwssd_epi32(acc[c], _mm512_zextsi256_si512(load256(xb.bsums)),
                                                _mm512_zextsi256_si512(corr));
        fs[c] = scale_add(sum, wd * xb.d, fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = 0.25f * _mm512_reduce_add_ps(fs[c]);
  }
};

// IQ3_S: qs[8 ib + m] the low 8 bits of grid index m of sub-block ib, bit m of qh[ib] its 9th;
// signs[4 ib + l] the 8 sign bits of group l; scales[ib / 2] nibble ib % 2 the scale s.
// Magnitudes 1..15 go in as 16 +- m.
struct IQ3SDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ3_S* wb = static_cast<const BlockIQ3_S*>(w);
    const int64_t nb = K / kQKK;
    const Iq3Consts<16> k(iq_codes().iq3s, kIq3sLevels, 16);
    const __m256i nib_shift = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ3_S)); o += 64) prefetch(wb + b, pf + o);
      const BlockIQ3_S& blk = wb[b];
      // 2 s + 1 per dword ib: ((scales >> 4 ib) << 1) & 0x1E | 1
      const __m256i nib = _mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(load_u32(blk.scales))), nib_shift);
      const __m256i ls = _mm256_ternarylogic_epi32(_mm256_slli_epi32(nib, 1), _mm256_set1_epi32(0x1E),
                                                   _mm256_set1_epi32(1), 0xEA);
      const __m512i lsz = _mm512_castsi256_si512(ls);
      const __m256i corr = _mm256_sub_epi16(_mm256_setzero_si256(), both_words(_mm256_slli_epi32(ls, 4)));  // -16 ls
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        // 9-bit indices 32h..32h + 31: bit 8 from bit j of the 32 bits at qh + 4h
        const __mmask32 hi = _cvtu32_mask32(load_u32(blk.qh + 4 * h));
        const __m512i idx = _mm512_cvtepu8_epi16(load256(blk.qs + 32 * h));
        const __m512i codes = _mm512_mask_mov_epi16(lookup256(idx, k.tab), hi, lookup256(idx, k.tab + 8));
#pragma GCC unroll 2
        for (int v = 2 * h; v < 2 * h + 2; ++v) {
          const __m512i u = k.chunk(codes, v, _cvtu64_mask64(load_u64(blk.signs + 8 * v)));
          iq3_chunk<NC>(u, _mm512_permutexvar_epi16(k.sidx[v], lsz), cols, b, v, acc);
        }
      }
      const float wd = h2f(blk.d);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const __m512i sum = _mm512_dpwssd_epi32(acc[c], _mm512_zextsi256_si512(load256(xb.bsums)),
                                                _mm512_zextsi256_si512(corr));
        fs[c] = scale_add(sum, wd * xb.d, fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(fs[c]);
  }
};

// ---- IQ1 ----

// The IQ1 codes of the 32 groups of a super-block (words) from their 11-bit indices (words of
// idx), by scalar loads into vpinsrw: ~20 cycles for the 32 on Zen 5, two vpgatherdd ~31 (and
// they stall the core meanwhile); the indices come out of the register by vmovq / vpextrq (a
// store and reload stalls: measured a third slower).
inline __m512i iq1_codes(__m512i idx, const uint16_t* tab) {
  const __m128i lane[4] = {_mm512_castsi512_si128(idx), _mm512_extracti32x4_epi32(idx, 1),
                           _mm512_extracti32x4_epi32(idx, 2), _mm512_extracti32x4_epi32(idx, 3)};
  __m128i v[4];
#pragma GCC unroll 4
  for (int q = 0; q < 4; ++q) {
    const __m128i iq = lane[q];
    uint64_t a = static_cast<uint64_t>(_mm_cvtsi128_si64(iq)), c = static_cast<uint64_t>(_mm_extract_epi64(iq, 1));
    asm("" : "+r"(a), "+r"(c));  // keeps GCC from turning the lookups into vector extracts
    __m128i x = _mm_cvtsi32_si128(tab[a & 0xFFFF]);
    x = _mm_insert_epi16(x, tab[(a >> 16) & 0xFFFF], 1);
    x = _mm_insert_epi16(x, tab[(a >> 32) & 0xFFFF], 2);
    x = _mm_insert_epi16(x, tab[a >> 48], 3);
    x = _mm_insert_epi16(x, tab[c & 0xFFFF], 4);
    x = _mm_insert_epi16(x, tab[(c >> 16) & 0xFFFF], 5);
    x = _mm_insert_epi16(x, tab[(c >> 32) & 0xFFFF], 6);
    x = _mm_insert_epi16(x, tab[c >> 48], 7);
    v[q] = x;
  }
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(v[0]), v[1], 1)),
                            _mm256_inserti128_si256(_mm256_castsi128_si256(v[2]), v[3], 1), 1);
}
// The IQ1 expansion: word i of chunk v <- the code of group 8v + i / 4, shifted right by 2 (i % 4).
struct Iq1Spread {
  __m512i gidx[4], shift;
  Iq1Spread() {
    for (int v = 0; v < 4; ++v) gidx[v] = spread_index(8 * v, 4, 1);
    shift = field_shift(4, 2);
  }
  // g + 1 (0..2) of the 64 elements of chunk v
  __m512i chunk(__m512i codes, int v) const {
    const __m512i t = _mm512_srlv_epi16(_mm512_permutexvar_epi16(gidx[v], codes), shift);
    return _mm512_and_si512(t, _mm512_set1_epi16(0x0303));
  }
};

// IQ1_S: group l of sub-block ib has index qs[4 ib + l] | (qh[ib] >> 3 l & 7) << 8; qh[ib] bits
// 12..14 the scale s (ls = 2 s + 1), bit 15 the delta sign (set: t = -1).
struct IQ1SDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ1_S* wb = static_cast<const BlockIQ1_S*>(w);
    const int64_t nb = K / kQKK;
    const __m512i hmask = _mm512_set1_epi16(0x0700);
    const __m512i qh_idx = field_index(4), qh_shift = field_shift(4, 3);
    const Iq1Spread spread;
    const uint16_t* tab = iq_codes().iq1s;
    __m512i sidx[4];
    for (int v = 0; v < 4; ++v) sidx[v] = spread_index(2 * v, 16, 1);  // word 2v + i / 16
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    // Word j = index of group j: qs[j] | (qh[j / 4] >> 3 (j % 4) & 7) << 8.
    auto codes_of = [&](const BlockIQ1_S& blk) __attribute__((always_inline)) {
      const __m512i hb = _mm512_srlv_epi16(_mm512_permutexvar_epi16(qh_idx, _mm512_castsi128_si512(load128(blk.qh))),
                                           qh_shift);
      return iq1_codes(
          _mm512_ternarylogic_epi32(_mm512_slli_epi16(hb, 8), hmask, _mm512_cvtepu8_epi16(load256(blk.qs)), 0xEA), tab);
    };
    // The codes are looked up a block ahead (scalar loads), so the core overlaps them with the
    // vector work of the block before (+ ~15 % GB/s on Zen 5).
    __m512i next = nb > 0 ? codes_of(wb[0]) : _mm512_setzero_si512();
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ1_S)); o += 64) prefetch(wb + b, pf + o);
      const BlockIQ1_S& blk = wb[b];
      const __m128i qh = load128(blk.qh);
      const __m512i codes = next;
      if (b + 1 < nb) next = codes_of(wb[b + 1]);
      // ls = (qh >> 11) & 0xE | 1 per word ib; the bsum coefficient ls (t - 8): -7 ls or -9 ls.
      const __m128i ls = _mm_ternarylogic_epi32(_mm_srli_epi16(qh, 11), _mm_set1_epi16(0xE), _mm_set1_epi16(1), 0xEA);
      const __m128i kc = _mm_mullo_epi16(ls, _mm_sub_epi16(_mm_set1_epi16(-7),
                                                           _mm_and_si128(_mm_srai_epi16(qh, 15), _mm_set1_epi16(2))));
      const __m512i corr = _mm512_zextsi256_si512(both_words(_mm256_cvtepu16_epi32(kc)));
      const __m512i lsz = _mm512_castsi128_si512(ls);
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        // (g + 1) ls per byte: no carry between the bytes of a word, (g + 1) ls <= 30.
        const __m512i u = _mm512_mullo_epi16(spread.chunk(codes, v), _mm512_permutexvar_epi16(sidx[v], lsz));
#pragma GCC unroll 4
        for (int c = 0; c < NC; ++c) acc[c] = _mm512_dpbusd_epi32(acc[c], u, load512(xblock(cols[c], b).qs + 64 * v));
      }
      const float wd = h2f(blk.d);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        // 8 sumi + sumd = 8 sum ls (g + 1) x + sum ls (t - 8) bsum
        const __m512i sum = _mm512_dpwssd_epi32(_mm512_slli_epi32(acc[c], 3), _mm512_zextsi256_si512(load256(xb.bsums)),
                                                corr);
        fs[c] = scale_add(sum, wd * xb.d, fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = quant::kIq1Delta * _mm512_reduce_add_ps(fs[c]);
  }
};

// IQ1_M: group j (0..31) has index qs[j] | (nibble j & 7) << 8, nibble j = qh[j / 2] >> 4 (j % 2),
// its bit 3 the delta sign (set: t = -1); the 16 scales (of 16 elements each, ls = 2 s + 1): s of
// 16-group j = scale word j / 4 >> 3 (j % 4) & 7; the fp16 d from the 4 words' top nibbles.
struct IQ1MDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ1_M* wb = static_cast<const BlockIQ1_M*>(w);
    const int64_t nb = K / kQKK;
    const __m512i two = _mm512_set1_epi8(2), hmask = _mm512_set1_epi16(0x0700);
    const __m512i qh_idx = field_index(2);
    const __m256i sc_idx = _mm512_castsi512_si256(field_index(4)), sc_shift = _mm512_castsi512_si256(field_shift(4, 3));
    const Iq1Spread spread;
    const uint16_t* tab = iq_codes().iq1s;
    __m512i sidx[4];
    for (int v = 0; v < 4; ++v) sidx[v] = spread_index(4 * v, 8, 1);  // word 4v + i / 8
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    // Word j = nibble j (odd j: qh[j / 2] >> 4; even j keeps the upper nibble above bit 3).
    auto nibbles = [&](const BlockIQ1_M& blk) __attribute__((always_inline)) {
      const __m512i n = _mm512_permutexvar_epi16(qh_idx, _mm512_castsi256_si512(_mm256_cvtepu8_epi16(load128(blk.qh))));
      return _mm512_mask_srli_epi16(n, 0xAAAAAAAAu, n, 4);
    };
    auto codes_of = [&](const BlockIQ1_M& blk) __attribute__((always_inline)) {
      return iq1_codes(_mm512_ternarylogic_epi32(_mm512_slli_epi16(nibbles(blk), 8), hmask,
                                                 _mm512_cvtepu8_epi16(load256(blk.qs)), 0xEA),
                       tab);
    };
    __m512i next = nb > 0 ? codes_of(wb[0]) : _mm512_setzero_si512();  // a block ahead, as IQ1_S
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ1_M)); o += 64) prefetch(wb + b, pf + o);
      const BlockIQ1_M& blk = wb[b];
      const __m512i nib = nibbles(blk);
      const __m512i codes = next;
      if (b + 1 < nb) next = codes_of(wb[b + 1]);
      const uint32_t pos = ~_cvtmask32_u32(_mm512_test_epi16_mask(nib, _mm512_set1_epi16(8)));  // bit j: t = +1
      const uint64_t sraw = load_u64(blk.scales);
      const __m256i sw = _mm256_srlv_epi16(
          _mm256_permutexvar_epi16(sc_idx, _mm256_castsi128_si256(_mm_cvtsi64_si128(static_cast<long long>(sraw)))),
          sc_shift);
      const __m256i ls = _mm256_ternarylogic_epi32(_mm256_slli_epi16(sw, 1), _mm256_set1_epi16(0xE),
                                                   _mm256_set1_epi16(1), 0xEA);  // 16 words
      const __m512i corr = _mm512_zextsi256_si512(_mm256_mullo_epi16(ls, _mm256_set1_epi16(-9)));
      const __m512i lsz = _mm512_castsi256_si512(ls);
      const uint16_t dbits = static_cast<uint16_t>(((sraw >> 12) & 0xF) | ((sraw >> 24) & 0xF0) |
                                                   ((sraw >> 36) & 0xF00) | ((sraw >> 48) & 0xF000));
      __m512i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_si512();
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        // 8 (g + 1), + 2 where t = +1 (whole 64-bit groups; no byte exceeds 18)
        __m512i u = _mm512_slli_epi16(spread.chunk(codes, v), 3);
        u = _mm512_mask_add_epi64(u, _cvtu32_mask8((pos >> (8 * v)) & 0xFF), u, two);
        const __m512i s = _mm512_permutexvar_epi16(sidx[v], lsz);
#pragma GCC unroll 4
        for (int c = 0; c < NC; ++c)
          acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(u, load512(xblock(cols[c], b).qs + 64 * v)), s);
      }
      const float wd = h2f(dbits);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const __m512i sum = _mm512_dpwssd_epi32(acc[c], _mm512_zextsi256_si512(load256(xb.bsums)),
                                                corr);  // - 9 ls bsum
        fs[c] = scale_add(sum, wd * xb.d, fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = quant::kIq1Delta * _mm512_reduce_add_ps(fs[c]);
  }
};

}  // namespace

// ---- AVX512_VBMI: IQ3 (called only where CPUID has it: kernels_avx512()) ----
// (GCC: target pragma; clang: attribute push, popped after the section.)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512vbmi"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512vbmi")
#endif

namespace {
namespace vbmi {

struct I8x64 {
  alignas(64) int8_t v[64];
};
struct I16x32 {
  alignas(64) int16_t v[32];
};
struct I32x16 {
  alignas(64) int32_t v[16];
};

// The IQ3 codes of IqCodes split into their low and high bytes (vpermi2b tables): byte 0 =
// e0 | e2 << 4, byte 1 = e1 | e3 << 4 (levels e_k of the 4 elements, bits 3 and 7 clear).
struct Iq3Bytes {
  alignas(64) uint8_t xxs[2][256];
  alignas(64) uint8_t s[2][512];
};
inline const Iq3Bytes& iq3_bytes() {
  static const Iq3Bytes t = [] {
    const IqCodes& c = iq_codes();
    Iq3Bytes b{};
    for (int i = 0; i < 256; ++i) {
      b.xxs[0][i] = static_cast<uint8_t>(c.iq3xxs[i]);
      b.xxs[1][i] = static_cast<uint8_t>(c.iq3xxs[i] >> 8);
    }
    for (int i = 0; i < 512; ++i) {
      b.s[0][i] = static_cast<uint8_t>(c.iq3s[i]);
      b.s[1][i] = static_cast<uint8_t>(c.iq3s[i] >> 8);
    }
    return b;
  }();
  return t;
}

// The 64 groups of a super-block are put in this order before their code bytes are paired into
// words (vpunpck*bw of the low and high bytes) and each word doubled into a dword (vpunpck*wd of
// the words with themselves): the dwords from halves x, y (lo = 0, hi = 1) of the two steps then
// hold, in 128-bit lane L, dword i, the group 16 c + 4 L + i of chunk c = 2 x + y, i.e. the 64
// elements of chunk c in their order. Byte 16 L + 8 x + 4 y + i of the vector is that group.
constexpr I8x64 kChunkOrder = [] {
  I8x64 t{};
  for (int p = 0; p < 64; ++p) {
    const int L = p / 16, x = (p / 8) % 2, y = (p / 4) % 2, i = p % 4;
    t.v[p] = static_cast<int8_t>(16 * (2 * x + y) + 4 * L + i);
  }
  return t;
}();
// vpsrlvw: the dword's second word right by 4 (elements 2, 3 to the low bits of its bytes).
constexpr I16x32 kCodeShift = [] {
  I16x32 t{};
  for (int w = 0; w < 32; ++w) t.v[w] = static_cast<int16_t>(4 * (w % 2));
  return t;
}();
// vpermd: chunk v's dwords 0..7 <- sub-block 2 v's scale, 8..15 <- 2 v + 1's.
constexpr I32x16 chunk_scale_index(int v) {
  I32x16 t{};
  for (int i = 0; i < 16; ++i) t.v[i] = 2 * v + i / 8;
  return t;
}
constexpr I32x16 kChunkScale[4] = {chunk_scale_index(0), chunk_scale_index(1), chunk_scale_index(2),
                                   chunk_scale_index(3)};
// IQ3_XXS: vpmultishiftqb of the 8 sign dwords (qword j: sub-blocks 2 j, 2 j + 1): byte k <- the
// 7 sign bits of group of 8 k of the qword (bits 7 k.., 32 + 7 (k - 4)..); vpermi2b: 7 bits -> 8
// (their parity in bit 7).
constexpr I8x64 kSignShift = [] {
  I8x64 t{};
  for (int i = 0; i < 64; ++i) t.v[i] = static_cast<int8_t>(i % 8 < 4 ? 7 * (i % 8) : 32 + 7 * (i % 8 - 4));
  return t;
}();
constexpr I8x64 parity_half(int h) {
  I8x64 t{};
  for (int i = 0; i < 64; ++i) {
    const int s7 = 64 * h + i;  // quant::iq_signs_from7, at compile time
    t.v[i] = static_cast<int8_t>(s7 | (__builtin_popcount(s7) & 1) << 7);
  }
  return t;
}
constexpr I8x64 kSigns8[2] = {parity_half(0), parity_half(1)};

inline __m512i load_const(const I8x64& t) { return _mm512_load_si512(t.v); }
inline __m512i load_const(const I16x32& t) { return _mm512_load_si512(t.v); }
inline __m512i load_const(const I32x16& t) { return _mm512_load_si512(t.v); }
// kmovq from memory (through the intrinsics GCC moves a stored vector to the mask by vmovq /
// vpextrq and kmovq from a GPR instead, which Zen 5 runs at one per cycle).
inline __mmask64 load_mask(const void* p) {
  __mmask64 k;
  asm("kmovq %1, %0" : "=k"(k) : "m"(*static_cast<const uint64_t*>(p)));
  return k;
}

// The 4 dword vectors of a super-block's codes (chunk c's groups in order, each word doubled) from
// its low and high code bytes in kChunkOrder.
inline __attribute__((always_inline)) void chunk_words(__m512i lo, __m512i up, __m512i* d) {
  const __m512i w0 = _mm512_unpacklo_epi8(lo, up), w1 = _mm512_unpackhi_epi8(lo, up);
  d[0] = _mm512_unpacklo_epi16(w0, w0);
  d[1] = _mm512_unpackhi_epi16(w0, w0);
  d[2] = _mm512_unpacklo_epi16(w1, w1);
  d[3] = _mm512_unpackhi_epi16(w1, w1);
}

// What the IQ3 row-dots share: chunk v's unsigned codes c +- level from its dwords d and its sign
// mask (vpsrlvw puts each element's level in bits 0..2 of its byte, bits 3 and 7 clear; vpshufb
// maps it to c + level, and 2 c - that where the sign is set), then per column vpmaddubsw with x
// and vpmaddwd / vpdpwssd by the scale words of the chunk's two sub-blocks into two accumulators
// (chunks 0, 2 and 1, 3: shorter dependency chains).
template <int NC>
inline __attribute__((always_inline)) void iq3_chunk(__m512i d, __mmask64 neg, __m512i shift, __m512i tab, __m512i twoc,
                                                     __m512i sc, const uint8_t* const* cols, int64_t b, int v,
                                                     __m512i* acc) {
  __m512i u = _mm512_shuffle_epi8(tab, _mm512_srlv_epi16(d, shift));
  u = _mm512_mask_sub_epi8(u, neg, twoc, u);
#pragma GCC unroll 4
  for (int c = 0; c < NC; ++c) {
    const __m512i p = _mm512_maddubs_epi16(u, load512(xblock(cols[c], b).qs + 64 * v));
    acc[2 * c + v % 2] = v >= 2 ? _mm512_dpwssd_epi32(acc[2 * c + v % 2], p, sc) : _mm512_madd_epi16(p, sc);
  }
}
// vpshufb table of c + level (index e < 8).
inline __m512i offset_levels(const uint8_t* levels, int c) {
  alignas(16) int8_t t[16] = {};
  for (int e = 0; e < 8; ++e) t[e] = static_cast<int8_t>(c + levels[e]);
  return _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(t)));
}

// IQ3_XXS (layout: IQ3XXSDot above): the 64 indices looked up at once (vpermi2b, 128 entries per
// pair of registers, bit 7 picking the pair); magnitudes 4..62 go in as 64 +- m. The sign words
// become the 32 sign bytes (= the chunks' masks) by vpmultishiftqb and a 128-entry vpermi2b
// parity table, stored for kmovq (two slots: block b + 1's are decoded during block b's dot).
struct IQ3XXSDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ3_XXS* wb = static_cast<const BlockIQ3_XXS*>(w);
    const int64_t nb = K / kQKK;
    const Iq3Bytes& cb = iq3_bytes();
    __m512i t[8];
    for (int i = 0; i < 4; ++i) {
      t[i] = _mm512_load_si512(cb.xxs[0] + 64 * i);
      t[4 + i] = _mm512_load_si512(cb.xxs[1] + 64 * i);
    }
    const __m512i order = load_const(kChunkOrder), shift = load_const(kCodeShift);
    const __m512i tab = offset_levels(kIq3xxsLevels, 64), twoc = _mm512_set1_epi8(-128);  // 2 c = 128
    const int64_t pf = prefetch_bytes();
    alignas(64) uint64_t sgn[2][8];  // the sign masks of blocks b, b + 1 (b % 2)
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    struct Dec {
      __m512i d[4], ls, corr;
    };
    auto decode = [&](int64_t b) __attribute__((always_inline)) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ3_XXS)); o += 64) prefetch(wb + b, pf + o);
      const uint8_t* q = wb[b].qs;
      const __m512i idx = _mm512_permutexvar_epi8(order, load512(q));
      const __mmask64 hi = _mm512_movepi8_mask(idx);
      const __m512i lo = _mm512_mask_blend_epi8(hi, _mm512_permutex2var_epi8(t[0], idx, t[1]),
                                                _mm512_permutex2var_epi8(t[2], idx, t[3]));
      const __m512i up = _mm512_mask_blend_epi8(hi, _mm512_permutex2var_epi8(t[4], idx, t[5]),
                                                _mm512_permutex2var_epi8(t[6], idx, t[7]));
      Dec e;
      chunk_words(lo, up, e.d);
      // The sign words: 8 sign bytes per 64-element chunk; 2 s + 1 per dword, as word pairs.
      const __m512i sw = _mm512_zextsi256_si512(load256(q + kQKK / 4));
      _mm512_store_si512(sgn[b % 2], _mm512_permutex2var_epi8(load_const(kSigns8[0]),
                                                              _mm512_multishift_epi64_epi8(load_const(kSignShift), sw),
                                                              load_const(kSigns8[1])));
      const __m512i s = _mm512_srli_epi32(sw, 28);
      e.ls = _mm512_ternarylogic_epi32(_mm512_slli_epi32(s, 1), _mm512_slli_epi32(s, 17), _mm512_set1_epi32(0x10001),
                                       0xFE);
      e.corr = _mm512_sub_epi16(_mm512_setzero_si512(), _mm512_slli_epi16(e.ls, 6));  // -64 (2 s + 1)
      return e;
    };
    if (nb == 0) {
      for (int c = 0; c < NC; ++c) r[c] = 0;
      return;
    }
    Dec cur = decode(0);
    for (int64_t b = 0; b < nb; ++b) {
      const Dec e = cur;
      if (b + 1 < nb) cur = decode(b + 1);
      __m512i acc[2 * NC];
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v)
        iq3_chunk<NC>(e.d[v], load_mask(&sgn[b % 2][v]), shift, tab, twoc,
                      _mm512_permutexvar_epi32(load_const(kChunkScale[v]), e.ls), cols, b, v, acc);
      const float wd = h2f(wb[b].d);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const __m512i sum = _mm512_add_epi32(
            _mm512_dpwssd_epi32(acc[2 * c], _mm512_zextsi256_si512(load256(xb.bsums)), e.corr), acc[2 * c + 1]);
        fs[c] = scale_add(sum, wd * xb.d, fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = 0.25f * _mm512_reduce_add_ps(fs[c]);
  }
};

// IQ3_S (layout: IQ3SDot above): the 9-bit indices looked up in natural order (bit 8 from the 64
// bits of qh as a mask), the code bytes put in kChunkOrder after; magnitudes 1..15 as 16 +- m;
// the sign bytes are the chunk masks as stored.
struct IQ3SDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ3_S* wb = static_cast<const BlockIQ3_S*>(w);
    const int64_t nb = K / kQKK;
    const Iq3Bytes& cb = iq3_bytes();
    __m512i t[16];
    for (int i = 0; i < 8; ++i) {
      t[i] = _mm512_load_si512(cb.s[0] + 64 * i);
      t[8 + i] = _mm512_load_si512(cb.s[1] + 64 * i);
    }
    const __m512i order = load_const(kChunkOrder), shift = load_const(kCodeShift);
    const __m512i tab = offset_levels(kIq3sLevels, 16), twoc = _mm512_set1_epi8(32);
    const __m256i nib_shift = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    // Code byte (table p: 0 low, 1 high) of the 64 groups of idx (bits 0..6), bit 7 in hi7, bit 8 in hi8.
    auto lookup = [&](int p, __m512i idx, __mmask64 hi7, __mmask64 hi8) __attribute__((always_inline)) {
      const __m512i* tp = t + 8 * p;
      const __m512i a = _mm512_mask_blend_epi8(hi7, _mm512_permutex2var_epi8(tp[0], idx, tp[1]),
                                               _mm512_permutex2var_epi8(tp[2], idx, tp[3]));
      const __m512i c = _mm512_mask_blend_epi8(hi7, _mm512_permutex2var_epi8(tp[4], idx, tp[5]),
                                               _mm512_permutex2var_epi8(tp[6], idx, tp[7]));
      return _mm512_permutexvar_epi8(order, _mm512_mask_blend_epi8(hi8, a, c));
    };
    struct Dec {
      __m512i d[4], ls;
      __m256i corr;
    };
    auto decode = [&](int64_t b) __attribute__((always_inline)) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ3_S)); o += 64) prefetch(wb + b, pf + o);
      const BlockIQ3_S& blk = wb[b];
      const __m512i idx = load512(blk.qs);
      const __mmask64 hi7 = _mm512_movepi8_mask(idx), hi8 = load_mask(blk.qh);
      Dec e;
      chunk_words(lookup(0, idx, hi7, hi8), lookup(1, idx, hi7, hi8), e.d);
      // 2 s + 1 per dword ib: ((scales >> 4 ib) << 1) & 0x1E | 1, as word pairs.
      const __m256i nib = _mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(load_u32(blk.scales))), nib_shift);
      const __m256i ls8 = _mm256_ternarylogic_epi32(_mm256_slli_epi32(nib, 1), _mm256_set1_epi32(0x1E),
                                                    _mm256_set1_epi32(1), 0xEA);
      e.ls = _mm512_castsi256_si512(both_words(ls8));
      e.corr = _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_slli_epi16(both_words(ls8), 4));  // -16 ls
      return e;
    };
    if (nb == 0) {
      for (int c = 0; c < NC; ++c) r[c] = 0;
      return;
    }
    Dec cur = decode(0);
    for (int64_t b = 0; b < nb; ++b) {
      const Dec e = cur;
      if (b + 1 < nb) cur = decode(b + 1);
      const BlockIQ3_S& blk = wb[b];
      __m512i acc[2 * NC];
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v)
        iq3_chunk<NC>(e.d[v], load_mask(blk.signs + 8 * v), shift, tab, twoc,
                      _mm512_permutexvar_epi32(load_const(kChunkScale[v]), e.ls), cols, b, v, acc);
      const float wd = h2f(blk.d);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        const __m512i sum = _mm512_add_epi32(_mm512_dpwssd_epi32(acc[2 * c], _mm512_zextsi256_si512(load256(xb.bsums)),
                                                                 _mm512_zextsi256_si512(e.corr)),
                                             acc[2 * c + 1]);
        fs[c] = scale_add(sum, wd * xb.d, fs[c]);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(fs[c]);
  }
};

}  // namespace vbmi
}  // namespace

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

const KernelTable& kernels_iq3_iq1_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.iq3_xxs = grouped<IQ3XXSDot>;
    k.iq3_s = grouped<IQ3SDot>;
    k.iq1_s = grouped<IQ1SDot>;
    k.iq1_m = grouped<IQ1MDot>;
    return k;
  }();
  return t;
}

const KernelTable& kernels_iq3_vbmi_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.iq3_xxs = grouped<vbmi::IQ3XXSDot>;
    k.iq3_s = grouped<vbmi::IQ3SDot>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
