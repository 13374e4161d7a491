// AVX-512 (BW, VNNI) row-dots of the 2-bit grid types IQ2_XXS, IQ2_XS and IQ2_S against Q8_K
// activations (layouts: quant/quant_iq2.cpp). Each super-block is decoded once for all columns
// into its 256 unsigned bytes u = 43 + sign * magnitude (0..86), in the elements' order:
// - every codebook magnitude is 8, 25 or 43 (codes c = 0, 1, 2), so an entry is kept here as one
//   word of 2-bit codes (iq2_codes(), built once from iq_grids.h); the 32 groups' words are looked
//   up with vpermt2w, 64 entries per instruction (4, 8 or 16 of them for the 256, 512, 1024-entry
//   grids), merged by bits 6.. of the index;
// - each group has 8 sign bits: IQ2_XXS / IQ2_XS store 7, the 8th being their parity (vpshufb
//   nibble tables), IQ2_S stores all 8;
// - codes and signs become a nibble c | sign << 2 per element, two per byte, which vpshufb maps
//   to u (unsigned_bytes()).
// Per column vpmaddubsw (u x, pairs, no saturation: 2 * 86 * 127 < 2^15) and vpdpwssd by the
// words 2 s + 1 of each 16 elements' 4-bit scale s (spread by vpermd / vpermw) sum them into 16
// int32 lanes. The offset is taken back from the activation's bsums: the lanes start from
// -43 sum_h (2 s_h + 1) bsum_h (one vpdpwssd per column and super-block). IQ2_XXS decodes two
// super-blocks at a time, whose 16 sign dwords fill one register.
//
// With AVX512_VBMI and GFNI (kernels_iq2_vbmi_avx512(), namespace vg below; ~1.5x the above
// on Zen 5) the same u come from fewer instructions: each codebook is kept as two bit planes
// (bit k of a plane byte: element k is 25 / 43), looked up for the 64 groups of two super-blocks
// at once by vpermi2b (128 entries per pair of registers; bits 7.. of the index merge the pairs
// by mask blends); a gf2p8affine bit transpose of the bytes [signs, plane 1, plane 0] of two
// groups per qword gives each element's 3 bits, which vpermb maps to u. The next pair of
// super-blocks is decoded before the current pair's dot, so that the lookups' long latency
// overlaps the arithmetic.
//
// Numerics (both): the integer sums are exact. The lane sums of each super-block are scaled by
// dx then by the block's d into f32 vector accumulators, reduced once per row, times 0.125 (the
// value of a scale s being (2 s + 1) / 8): the same products and scales as the scalar reference
// (ref/rowdot_ref_iq2.cpp), summed in another order, so within the rounding bound test_matmul.cpp
// checks (2 (K + 3) 2^-24 sum|terms|), not bit for bit.
#if !defined(__clang__)  // GCC 12 warns inside its own headers on _mm512_cast* (undefined lanes)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"

namespace seek::kern {

namespace {

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }

// The codebooks as words of 2-bit codes (0, 1, 2 for magnitudes 8, 25, 43): element j at bit
// 8 ((j >> 1) & 1) + 2 (j & 1) + 4 (j >> 2), i.e. the low byte holds elements 0, 1, 4, 5, the
// high byte 2, 3, 6, 7 (the order in which unsigned_bytes() splits them into bytes).
struct Iq2Codes {
  alignas(64) uint16_t xxs[256];
  alignas(64) uint16_t xs[512];
  alignas(64) uint16_t s[1024];
};
inline uint16_t code_word(uint64_t entry) {
  unsigned w = 0;
  for (int j = 0; j < 8; ++j) {
    const int m = quant::grid_byte(entry, j);
    const unsigned c = m == 0x19 ? 1 : m == 0x2b ? 2 : 0;
    w |= c << (8 * ((j >> 1) & 1) + 2 * (j & 1) + 4 * (j >> 2));
  }
  return static_cast<uint16_t>(w);
}
const Iq2Codes& iq2_codes() {
  static const Iq2Codes t = [] {
    Iq2Codes c{};
    for (int i = 0; i < 256; ++i) c.xxs[i] = code_word(quant::kIq2xxsGrid[i]);
    for (int i = 0; i < 512; ++i) c.xs[i] = code_word(quant::kIq2xsGrid[i]);
    for (int i = 0; i < 1024; ++i) c.s[i] = code_word(quant::kIq2sGrid[i]);
    return c;
  }();
  return t;
}

// Word g of the result: table[idx word g] for a table of 64 kPairs words held in 2 kPairs
// registers: one vpermt2w per pair (it reads bits 0..5 of each index), merged by bits 6.. of the
// index (higher bits ignored) as a tree of blends, which keeps the permutes independent.
template <int kPairs>
inline __attribute__((always_inline)) __m512i lookup(const __m512i* t, __m512i idx) {
  __m512i r[kPairs];
#pragma GCC unroll 16
  for (int p = 0; p < kPairs; ++p) r[p] = _mm512_permutex2var_epi16(t[2 * p], idx, t[2 * p + 1]);
  int n = kPairs;
#pragma GCC unroll 4
  for (int bit = 6; n > 1; ++bit, n /= 2) {
    const __mmask32 k = _mm512_test_epi16_mask(idx, _mm512_set1_epi16(static_cast<int16_t>(1 << bit)));
#pragma GCC unroll 8
    for (int i = 0; i < n / 2; ++i) r[i] = _mm512_mask_blend_epi16(k, r[2 * i], r[2 * i + 1]);
  }
  return r[0];
}

// Constant vectors (vpshufb / vpermw controls and tables).
struct I8x64 {
  alignas(64) int8_t v[64];
};
inline __m512i load_const(const I8x64& t) { return _mm512_load_si512(t.v); }
// vpshufb table: parity of a nibble, in bit 7.
constexpr I8x64 kParity = [] {
  I8x64 t{};
  for (int i = 0; i < 64; ++i) t.v[i] = static_cast<int8_t>((__builtin_popcount(i % 16) & 1) << 7);
  return t;
}();
// vpshufb table: nibble c | sign << 2 -> u = 43 + sign * magnitude (c = 3 never occurs).
constexpr I8x64 kUnsigned = [] {
  I8x64 t{};
  constexpr int kMag[4] = {8, 25, 43, 0};
  for (int i = 0; i < 64; ++i) t.v[i] = static_cast<int8_t>(i & 4 ? 43 - kMag[i & 3] : 43 + kMag[i & 3]);
  return t;
}();
// The decode works on the 32 groups of a super-block in "chunk order": word i of 128-bit lane L of
// a vector of group words holds group 8 (i / 2) + 2 L + i % 2, so that groups 8 c + 2 L, +1
// (the elements 64 c + 16 L.., lane L of the 64 elements 64 c..) sit in words 2 c, 2 c + 1 of
// lane L, where the vpunpck*dq of unsigned_bytes() finds them.
constexpr int chunk_order(int L, int i) { return 8 * (i / 2) + 2 * L + i % 2; }
struct I16x32 {
  alignas(64) int16_t v[32];
};
inline __m512i load_const(const I16x32& t) { return _mm512_load_si512(t.v); }
// vpermw: words in chunk order from words in group order.
constexpr I16x32 kChunkOrder = [] {
  I16x32 t{};
  for (int w = 0; w < 32; ++w) t.v[w] = static_cast<int16_t>(chunk_order(w / 8, w % 8));
  return t;
}();
// vpermw: word c (c < 4) of lane L: the byte pair of groups 8 c + 2 L, +1 from 32 bytes in group
// order (a word pair of theirs); words 4..7: the same from the 32 bytes after (+ 16 words), so
// that vpunpcklbw / vpunpckhbw with zero give the first / second 32 bytes as words in chunk order.
constexpr I16x32 kPairOrder = [] {
  I16x32 t{};
  for (int w = 0; w < 32; ++w) t.v[w] = static_cast<int16_t>(4 * (w % 4) + w / 8 + (w % 8 >= 4 ? 16 : 0));
  return t;
}();
// IQ2_XXS: the same (vpermt2w) for the index bytes of two super-blocks, from their qs words
// (sub-block ib's 4 index bytes are words 4 ib, 4 ib + 1): groups 8 c + 2 L, +1 are word
// 8 c + 4 (L / 2) + L % 2, of the first super-block in words c, of the second in words 4 + c.
constexpr I16x32 kXxsPairOrder = [] {
  I16x32 t{};
  for (int w = 0; w < 32; ++w) {
    const int L = w / 8, c = w % 4;
    t.v[w] = static_cast<int16_t>(8 * c + 4 * (L / 2) + L % 2 + (w % 8 >= 4 ? 32 : 0));
  }
  return t;
}();
// IQ2_S: the qh byte of each group (byte g / 4 of the 8, broadcast) into the high byte of its
// word (chunk order); shifted right by 2 (g % 4) after, bits 8, 9 are its index bits 8, 9.
constexpr I8x64 kSHighIndex = [] {
  I8x64 t{};
  for (int i = 0; i < 64; ++i)
    t.v[i] = i % 2 ? static_cast<int8_t>(chunk_order(i / 16, (i % 16) / 2) / 4) : int8_t{-128};
  return t;
}();
constexpr I16x32 kSHighShift = [] {
  I16x32 t{};
  for (int w = 0; w < 32; ++w) t.v[w] = static_cast<int16_t>(2 * (chunk_order(w / 8, w % 8) % 4));
  return t;
}();

// The 8 sign bits of each group from its 7 in the low bits of each byte (bit 7 clear): their
// parity as bit 7 (nibble parities by vpshufb; s7 | (par[lo] ^ par[hi]), ternary-logic 0xF6).
inline __m512i with_parity(__m512i s7) {
  const __m512i par = load_const(kParity);
  const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(s7, 4), _mm512_set1_epi8(0x0F));
  return _mm512_ternarylogic_epi32(s7, _mm512_shuffle_epi8(par, s7), _mm512_shuffle_epi8(par, hi), 0xF6);
}
// IQ2_XS / IQ2_S: scales[ib], low nibble for elements 32 ib..+15, high for the next 16: the
// words 2 s_h + 1 of the 16 halves h, in the lower 256 bits.
inline __m512i nibble_scales(const uint8_t* scales) {
  const __m128i m4 = _mm_set1_epi8(0x0F);
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(scales));
  const __m128i s = _mm_unpacklo_epi8(_mm_and_si128(b, m4), _mm_and_si128(_mm_srli_epi16(b, 4), m4));
  return _mm512_castsi256_si512(_mm256_or_si256(_mm256_cvtepu8_epi16(_mm_add_epi8(s, s)), _mm256_set1_epi16(1)));
}

// A value GCC must not assume it knows (it would strength-reduce vpmullw by a constant into
// three shifts and adds).
inline __m512i opaque(__m512i v) {
  asm("" : "+v"(v));
  return v;
}

// Constants of the decode, set up once per call.
struct Consts {
  __m512i m3333 = _mm512_set1_epi16(0x3333), m55 = _mm512_set1_epi16(0x55), mAA = _mm512_set1_epi16(0xAA);
  __m512i mul_even = opaque(_mm512_set1_epi16(0x104)), mul_odd = opaque(_mm512_set1_epi16(0x82));
  __m512i utab = load_const(kUnsigned);
};

// One super-block decoded for all columns: u[c] = the unsigned bytes u of elements 64 c.. in
// their order; sc: the scales in the form Fmt::chunk_scale reads; corr: the words -43 (2 s_h + 1)
// of the 16 halves h (the offset's correction).
struct Decoded {
  __m512i u[4], sc;
  __m256i corr;
};
// u from the code words w and the sign words sg (8 bits in the low byte, high byte 0), both in
// chunk order. First a dword per group, byte k holding element k in its low nibble and k + 4 in
// its high one (c in bits 0, 1, sign in bit 2): bytes 0, 2 come from w & 0x3333 (elements 0, 4 |
// 2, 6), bytes 1, 3 from (w >> 2) & 0x3333 (1, 5 | 3, 7), the sign bits moved to bits 2, 6, 10, 14
// of each word by a multiply (sg & 0x55 by 4 + 256: bits 0, 4 up by 2, bits 2, 6 up by 8; sg &
// 0xAA by 2 + 128 likewise; the one overlap, at bit 8, carries only into bit 9, which the code
// bits replace), merged by A ? B : C (ternary-logic 0xCA), interleaved by vpunpck*bw. vpshufb
// turns the low nibbles into u of elements 0..3, the high ones (shifted down: bit 3 of every
// nibble is clear, so nothing reaches bit 7) into 4..7, and vpunpck*dq pairs them per group.
inline __attribute__((always_inline)) void unsigned_bytes(const Consts& k, __m512i w, __m512i sg, Decoded& d) {
  const __m512i se = _mm512_mullo_epi16(_mm512_and_si512(sg, k.m55), k.mul_even);
  const __m512i so = _mm512_mullo_epi16(_mm512_and_si512(sg, k.mAA), k.mul_odd);
  const __m512i even = _mm512_ternarylogic_epi32(k.m3333, w, se, 0xCA);
  const __m512i odd = _mm512_ternarylogic_epi32(k.m3333, _mm512_srli_epi16(w, 2), so, 0xCA);
  const __m512i lo = _mm512_unpacklo_epi8(even, odd), hi = _mm512_unpackhi_epi8(even, odd);
  const __m512i ulo = _mm512_shuffle_epi8(k.utab, lo), ulo4 = _mm512_shuffle_epi8(k.utab, _mm512_srli_epi16(lo, 4));
  const __m512i uhi = _mm512_shuffle_epi8(k.utab, hi), uhi4 = _mm512_shuffle_epi8(k.utab, _mm512_srli_epi16(hi, 4));
  d.u[0] = _mm512_unpacklo_epi32(ulo, ulo4);
  d.u[1] = _mm512_unpackhi_epi32(ulo, ulo4);
  d.u[2] = _mm512_unpacklo_epi32(uhi, uhi4);
  d.u[3] = _mm512_unpackhi_epi32(uhi, uhi4);
}

// IQ2_XXS: qs as 8 sub-blocks of [4 index bytes, sign dword: 4 x 7 sign bits, scale in bits 28..31].
// Two super-blocks at a time (kStep): their 16 sign dwords fill one register.
struct FmtXXS {
  using Block = BlockIQ2_XXS;
  static constexpr int kPairs = 4, kStep = 2;
  static const uint16_t* table() { return iq2_codes().xxs; }
  // sc: dword i = (2 s + 1) * 0x10001 of sub-block i; chunk v's words 0..15 are sub-block 2 v's.
  static __m512i scale_index(int v) {
    alignas(64) int32_t s[16];
    for (int i = 0; i < 16; ++i) s[i] = 2 * v + i / 8;
    return _mm512_load_si512(s);
  }
  static __m512i chunk_scale(__m512i idx, __m512i sc) { return _mm512_permutexvar_epi32(idx, sc); }
  // Super-blocks b[0..N).
  template <int N>
  static __attribute__((always_inline)) void decode(const Consts& k, const Block* b, const __m512i* t, Decoded* d) {
    const __m512i raw0 = load512(b[0].qs), raw1 = N == 2 ? load512(b[1].qs) : raw0;
    // The sign dwords (odd dwords of each qs) of both: sub-block i of b[i / 8].
    const __m512i a = _mm512_permutex2var_epi32(
        raw0, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), raw1);
    // Field k (bits 7k..7k + 6) to byte k: fields 2, 3 up by 2 (to bits 16.., 23..), then the odd
    // fields up by 1 more (A ? B : C, ternary-logic 0xCA); bit 7 of each byte cleared after. Byte
    // g of each 32 is then the sign byte of group g.
    const __m512i x = _mm512_ternarylogic_epi32(_mm512_set1_epi32(0x3FFF), a, _mm512_slli_epi32(a, 2), 0xCA);
    const __m512i y = _mm512_ternarylogic_epi32(_mm512_set1_epi32(0x00FF00FF), x, _mm512_slli_epi32(x, 1), 0xCA);
    const __m512i s8 = with_parity(_mm512_and_si512(y, _mm512_set1_epi8(0x7F)));
    // (2 s + 1) * 0x10001 per sub-block, s = a >> 28.
    const __m512i s = _mm512_srli_epi32(a, 28);
    const __m512i sc = _mm512_ternarylogic_epi32(_mm512_slli_epi32(s, 1), _mm512_slli_epi32(s, 17),
                                                 _mm512_set1_epi32(0x10001), 0xFE);
    const __m512i corr = _mm512_mullo_epi16(sc, _mm512_set1_epi16(-43));  // halves 2i, 2i + 1 = dword i
    // The index and sign byte pairs in chunk order, the first super-block's in words 0..3 of each
    // 128-bit lane, the second's in 4..7: zero-extended by vpunpcklbw / vpunpckhbw.
    const __m512i ip = _mm512_permutex2var_epi16(raw0, load_const(kXxsPairOrder), raw1);
    const __m512i sp = _mm512_permutexvar_epi16(load_const(kPairOrder), s8);
    const __m512i zero = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int n = 0; n < N; ++n) {
      const __m512i idx = n ? _mm512_unpackhi_epi8(ip, zero) : _mm512_unpacklo_epi8(ip, zero);
      const __m512i sg = n ? _mm512_unpackhi_epi8(sp, zero) : _mm512_unpacklo_epi8(sp, zero);
      unsigned_bytes(k, lookup<kPairs>(t, idx), sg, d[n]);
      d[n].sc = n ? _mm512_shuffle_i64x2(sc, sc, 0xEE) : sc;
      d[n].corr = n ? _mm512_extracti64x4_epi64(corr, 1) : _mm512_castsi512_si256(corr);
    }
  }
};

// IQ2_XS / IQ2_S: sc = the 16 words 2 s_h + 1; chunk v's words j are half 4 v + j / 8's.
struct NibbleScales {
  static constexpr int kStep = 1;
  static __m512i scale_index(int v) {
    alignas(64) int16_t s[32];
    for (int j = 0; j < 32; ++j) s[j] = static_cast<int16_t>(4 * v + j / 8);
    return _mm512_load_si512(s);
  }
  static __m512i chunk_scale(__m512i idx, __m512i sc) { return _mm512_permutexvar_epi16(idx, sc); }
  static void scales(const uint8_t* scales, Decoded& d) {
    d.sc = nibble_scales(scales);
    d.corr = _mm256_mullo_epi16(_mm512_castsi512_si256(d.sc), _mm256_set1_epi16(-43));
  }
};

// IQ2_XS: qs[g] = 9-bit index | 7 sign bits << 9; scales as nibbles.
struct FmtXS : NibbleScales {
  using Block = BlockIQ2_XS;
  static constexpr int kPairs = 8;
  static const uint16_t* table() { return iq2_codes().xs; }
  template <int N>
  static __attribute__((always_inline)) void decode(const Consts& k, const Block* b, const __m512i* t, Decoded* d) {
    const __m512i raw = _mm512_permutexvar_epi16(load_const(kChunkOrder), load512(b->qs));
    const __m512i w = lookup<kPairs>(t, raw);  // the sign bits above bit 8 are ignored
    // Words raw >> 9: the 7 sign bits (high byte 0, whose parity lookups give 0).
    const __m512i s7 = _mm512_srli_epi16(raw, 9);
    const __m512i par = load_const(kParity);
    const __m512i s8 = _mm512_ternarylogic_epi32(s7, _mm512_shuffle_epi8(par, s7),
                                                 _mm512_shuffle_epi8(par, _mm512_srli_epi16(raw, 13)), 0xF6);
    unsigned_bytes(k, w, s8, *d);
    scales(b->scales, *d);
  }
};

// IQ2_S: index = qs[g] | ((qh[g / 4] >> 2 (g % 4)) & 3) << 8; signs: qs[32 + g], 8 bits.
struct FmtS : NibbleScales {
  using Block = BlockIQ2_S;
  static constexpr int kPairs = 16;
  static const uint16_t* table() { return iq2_codes().s; }
  template <int N>
  static __attribute__((always_inline)) void decode(const Consts& k, const Block* b, const __m512i* t, Decoded* d) {
    // qs: index bytes, then sign bytes; as words in chunk order by one vpermw and vpunpck*bw.
    const __m512i q = _mm512_permutexvar_epi16(load_const(kPairOrder), load512(b->qs));
    const __m512i zero = _mm512_setzero_si512();
    uint64_t qh;
    std::memcpy(&qh, b->qh, 8);
    const __m512i hw = _mm512_srlv_epi16(_mm512_shuffle_epi8(_mm512_set1_epi64(static_cast<long long>(qh)),
                                                             load_const(kSHighIndex)),
                                         load_const(kSHighShift));
    // qs | hw & 0x300 (ternary-logic 0xF8 = A | (B & C))
    const __m512i idx = _mm512_ternarylogic_epi32(_mm512_unpacklo_epi8(q, zero), hw, _mm512_set1_epi16(0x0300), 0xF8);
    unsigned_bytes(k, lookup<kPairs>(t, idx), _mm512_unpackhi_epi8(q, zero), *d);
    scales(b->scales, *d);
  }
};

template <class Fmt>
struct Iq2Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    using Block = typename Fmt::Block;
    const Block* wb = static_cast<const Block*>(w);
    const int64_t nb = K / kQKK;
    const uint16_t* table = Fmt::table();
    __m512i t[2 * Fmt::kPairs];
#pragma GCC unroll 32
    for (int i = 0; i < 2 * Fmt::kPairs; ++i) t[i] = _mm512_load_si512(table + 32 * i);
    const Consts k;
    __m512i sidx[4];
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) sidx[v] = Fmt::scale_index(v);
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    // The dot of super-block b (decoded as d) with each column, into fs.
    auto dot = [&](int64_t b, const Decoded& d) __attribute__((always_inline)) {
      __m512i acc[NC];
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c)
        acc[c] = _mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_zextsi256_si512(load256(xblock(cols[c], b).bsums)),
                                     _mm512_zextsi256_si512(d.corr));
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        const __m512i u = d.u[v];
        const __m512i sv = Fmt::chunk_scale(sidx[v], d.sc);
#pragma GCC unroll 4
        for (int c = 0; c < NC; ++c)
          acc[c] = _mm512_dpwssd_epi32(acc[c], _mm512_maddubs_epi16(u, load512(xblock(cols[c], b).qs + 64 * v)), sv);
      }
      const __m512 wd = _mm512_cvtph_ps(_mm256_set1_epi16(static_cast<int16_t>(wb[b].d)));
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c)  // (sum * dx) * d
        fs[c] = _mm512_fmadd_ps(
            _mm512_mul_ps(_mm512_cvtepi32_ps(acc[c]), _mm512_set1_ps(load_f32(&xblock(cols[c], b).d))), wd, fs[c]);
    };
    constexpr int kStep = Fmt::kStep;
    int64_t b = 0;
    for (; b + kStep <= nb; b += kStep) {
#pragma GCC unroll 4
      for (int o = 0; o < static_cast<int>(kStep * sizeof(Block)); o += 64) prefetch(wb + b, pf + o);
      Decoded d[kStep];
      Fmt::template decode<kStep>(k, wb + b, t, d);
#pragma GCC unroll 2
      for (int n = 0; n < kStep; ++n) dot(b + n, d[n]);
    }
    if (kStep > 1 && b < nb) {  // an odd super-block at the end
#pragma GCC unroll 2
      for (int o = 0; o < static_cast<int>(sizeof(Block)); o += 64) prefetch(wb + b, pf + o);
      Decoded d[1];
      Fmt::template decode<1>(k, wb + b, t, d);
      dot(b, d[0]);
    }
    for (int c = 0; c < NC; ++c) r[c] = 0.125f * _mm512_reduce_add_ps(fs[c]);
  }
};

}  // namespace

// ---- AVX512_VBMI + GFNI (called only where CPUID has both: kernels_avx512()) ----
// (GCC: target pragma; clang: attribute push, popped after the section.)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512vbmi,gfni"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512vbmi,gfni")
#endif

namespace {
namespace vg {

// Each codebook as two bit planes, looked up 64 groups at a time by vpermi2b: bit k of byte i of
// plane 0 / 1 is set when element k of entry i is 25 / 43 (clear in both: 8).
struct Iq2Planes {
  alignas(64) uint8_t xxs[2][256];
  alignas(64) uint8_t xs[2][512];
  alignas(64) uint8_t s[2][1024];
};
inline void plane_bytes(uint64_t entry, uint8_t* p0, uint8_t* p1) {
  unsigned b0 = 0, b1 = 0;
  for (int j = 0; j < 8; ++j) {
    const int m = quant::grid_byte(entry, j);
    b0 |= (m == 0x19 ? 1u : 0u) << j;
    b1 |= (m == 0x2b ? 1u : 0u) << j;
  }
  *p0 = static_cast<uint8_t>(b0);
  *p1 = static_cast<uint8_t>(b1);
}
const Iq2Planes& iq2_planes() {
  static const Iq2Planes t = [] {
    Iq2Planes p{};
    for (int i = 0; i < 256; ++i) plane_bytes(quant::kIq2xxsGrid[i], &p.xxs[0][i], &p.xxs[1][i]);
    for (int i = 0; i < 512; ++i) plane_bytes(quant::kIq2xsGrid[i], &p.xs[0][i], &p.xs[1][i]);
    for (int i = 0; i < 1024; ++i) plane_bytes(quant::kIq2sGrid[i], &p.s[0][i], &p.s[1][i]);
    return p;
  }();
  return t;
}

struct I32x16 {
  alignas(64) int32_t v[16];
};
inline __m512i load_const(const I32x16& t) { return _mm512_load_si512(t.v); }

// The 64 groups of two super-blocks are handled in "plane order": byte p of the plane and sign
// vectors is group G(p) (0..31 of the first super-block, 32..63 of the second). Per super-block
// x, vpunpck*bw pairs the plane bytes into words (P1, P0) and the sign bytes into (S, S), and
// vpunpck*wd of those gives dwords [S, S, P1, P0], one per group; from halves h = 0, 1 of that
// step, qword q holds group q of chunk 2 h (low dword) and of chunk 2 h + 1 (high dword).
// vgf2p8affineqb with the bytes 1 << k as the data transposes each qword's 8 x 8 bits: byte k
// gets bit k of every byte, i.e. element k's (b0, b1, sign) of the high dword's group in bits
// 0..2 and of the low dword's in bits 4..6. vpermb maps those 3 bits (bits 3..5 ignored by
// repeating the table) to the unsigned weight 43 +- magnitude; the low dword's after vpsrlw 4.
constexpr int group_at(int p) {
  const int L = p / 16, x = (p / 8) % 2, h = (p / 4) % 2, i = p % 4;
  return 32 * x + 16 * h + 8 * (i % 2) + 2 * L + i / 2;
}
constexpr I8x64 kBitSelect = [] {
  I8x64 t{};
  for (int i = 0; i < 64; ++i) t.v[i] = static_cast<int8_t>(1 << (i % 8));
  return t;
}();
constexpr I8x64 kSignedWeight = [] {
  I8x64 t{};
  for (int i = 0; i < 64; ++i) {
    const int m = i & 2 ? 43 : i & 1 ? 25 : 8;
    t.v[i] = static_cast<int8_t>(i & 4 ? 43 - m : 43 + m);
  }
  return t;
}();
// vpermi2b tables: 7 sign bits -> the 8 (their parity in bit 7), for IQ2_XXS / IQ2_XS.
constexpr I8x64 parity_half(int h) {
  I8x64 t{};
  for (int i = 0; i < 64; ++i) {
    const int s7 = 64 * h + i;  // quant::iq_signs_from7, at compile time
    t.v[i] = static_cast<int8_t>(s7 | (__builtin_popcount(s7) & 1) << 7);
  }
  return t;
}
constexpr I8x64 kSigns8[2] = {parity_half(0), parity_half(1)};
// vpermt2b controls picking byte f(G(p)) of the two super-blocks' 64-byte fields (+ 64 for the second).
template <class F>
constexpr I8x64 pick_bytes(F f) {
  I8x64 t{};
  for (int p = 0; p < 64; ++p) t.v[p] = static_cast<int8_t>(64 * (group_at(p) / 32) + f(group_at(p) % 32));
  return t;
}
constexpr I8x64 kPlaneOrder = [] {
  I8x64 t{};
  for (int p = 0; p < 64; ++p) t.v[p] = static_cast<int8_t>(group_at(p));
  return t;
}();
// The 16 chunk scale vectors vpdpwssd needs after vpmaddubsw (dword j of chunk v: elements
// 64 v + 4 j..), as dword indices into the sub-block scale dwords (IQ2_XXS) or word indices into
// the half (16-element) scale words (IQ2_XS, IQ2_S), of super-block n of the pair.
constexpr I32x16 sub_block_scale(int n, int v) {
  I32x16 t{};
  for (int j = 0; j < 16; ++j) t.v[j] = 8 * n + 2 * v + j / 8;
  return t;
}
constexpr I32x16 kSubBlockScale[2][4] = {
    {sub_block_scale(0, 0), sub_block_scale(0, 1), sub_block_scale(0, 2), sub_block_scale(0, 3)},
    {sub_block_scale(1, 0), sub_block_scale(1, 1), sub_block_scale(1, 2), sub_block_scale(1, 3)}};
constexpr I16x32 half_scale(int n, int v) {
  I16x32 t{};
  for (int w = 0; w < 32; ++w) t.v[w] = static_cast<int16_t>(16 * n + 4 * v + w / 8);
  return t;
}
constexpr I16x32 kHalfScale[2][4] = {{half_scale(0, 0), half_scale(0, 1), half_scale(0, 2), half_scale(0, 3)},
                                     {half_scale(1, 0), half_scale(1, 1), half_scale(1, 2), half_scale(1, 3)}};

// Two super-blocks decoded: planes and signs in plane order; the scale words and the bsum
// coefficients -43 (2 s + 1) (per sub-block dword for IQ2_XXS, per half word otherwise).
struct Decoded {
  __m512i p0, p1, sg, ls, corr;
};
// A plane lookup of the 64 indices of idx (bits 0..6) from a table of 128 kPairs entries held in
// 2 kPairs registers, the sub-table picked by the masks hi[0] (bit 7), hi[1] (bit 8), hi[2] (bit 9).
template <int kPairs>
inline __attribute__((always_inline)) __m512i lookup(const __m512i* t, __m512i idx, const __mmask64* hi) {
  __m512i r[kPairs];
#pragma GCC unroll 8
  for (int q = 0; q < kPairs; ++q) r[q] = _mm512_permutex2var_epi8(t[2 * q], idx, t[2 * q + 1]);
#pragma GCC unroll 3
  for (int level = 0, n = kPairs; n > 1; ++level, n /= 2) {
#pragma GCC unroll 4
    for (int q = 0; q < n / 2; ++q) r[q] = _mm512_mask_blend_epi8(hi[level], r[2 * q], r[2 * q + 1]);
  }
  return r[0];
}
// The same with the tables read from memory where they are used (IQ2_S's second plane: the 32
// registers of both planes do not fit, and GCC would keep a stack copy of them made at every row
// and load both halves of each pair from there).
template <int kPairs>
inline __attribute__((always_inline)) __m512i lookup_mem(const uint8_t* t, __m512i idx, const __mmask64* hi) {
  asm("" : "+r"(t));  // not hoisted out of the loop
  __m512i r[kPairs];
#pragma GCC unroll 8
  for (int q = 0; q < kPairs; ++q)
    r[q] = _mm512_permutex2var_epi8(_mm512_load_si512(t + 128 * q), idx, _mm512_load_si512(t + 128 * q + 64));
#pragma GCC unroll 3
  for (int level = 0, n = kPairs; n > 1; ++level, n /= 2) {
#pragma GCC unroll 4
    for (int q = 0; q < n / 2; ++q) r[q] = _mm512_mask_blend_epi8(hi[level], r[2 * q], r[2 * q + 1]);
  }
  return r[0];
}
// (2 s + 1) per byte of 4-bit s, as words: 32 half scales of two super-blocks' 8 scale bytes each.
inline __m512i half_scales(const uint8_t* s0, const uint8_t* s1) {
  const __m128i b = _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0)),
                                       _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s1)));
  const __m128i m4 = _mm_set1_epi8(0x0F);
  const __m256i n = _mm256_setr_m128i(_mm_unpacklo_epi8(_mm_and_si128(b, m4), _mm_and_si128(_mm_srli_epi16(b, 4), m4)),
                                      _mm_unpackhi_epi8(_mm_and_si128(b, m4), _mm_and_si128(_mm_srli_epi16(b, 4), m4)));
  const __m512i w = _mm512_cvtepu8_epi16(n);
  return _mm512_or_si512(_mm512_add_epi16(w, w), _mm512_set1_epi16(1));
}

// IQ2_XXS: 8 bytes per sub-block: 4 indices, then 4 x 7 sign bits and the scale in bits 28..31.
struct XXS {
  using Block = BlockIQ2_XXS;
  static constexpr int kPairs = 2;
  static constexpr bool kRegisterTables = true;
  static const uint8_t* plane(int p) { return iq2_planes().xxs[p]; }
  static __attribute__((always_inline)) Decoded decode(const __m512i* t, const __m512i* sg, const Block* b0,
                                                       const Block* b1) {
    static constexpr I8x64 kIndex = pick_bytes([](int g) { return 8 * (g / 4) + g % 4; });
    // vpmultishiftqb on the sign dwords (qword j: sub-blocks 2 j, 2 j + 1): byte k <- group 8 j + k's
    // 7 bits (7 k.. of the first dword, 32 + 7 (k - 4).. of the second).
    static constexpr I8x64 kSignShift = [] {
      I8x64 c{};
      for (int i = 0; i < 64; ++i) c.v[i] = static_cast<int8_t>(i % 8 < 4 ? 7 * (i % 8) : 32 + 7 * (i % 8 - 4));
      return c;
    }();
    const __m512i raw0 = load512(b0->qs), raw1 = load512(b1->qs);
    const __m512i idx = _mm512_permutex2var_epi8(raw0, load_const(kIndex), raw1);
    const __mmask64 hi[1] = {_mm512_movepi8_mask(idx)};
    Decoded d;
    d.p0 = lookup<kPairs>(t, idx, hi);
    d.p1 = lookup<kPairs>(t + 2 * kPairs, idx, hi);
    const __m512i aux = _mm512_permutex2var_epi32(
        raw0, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), raw1);
    const __m512i s7 = _mm512_multishift_epi64_epi8(load_const(kSignShift), aux);
    d.sg = _mm512_permutex2var_epi8(sg[0], _mm512_permutexvar_epi8(load_const(kPlaneOrder), s7), sg[1]);
    const __m512i s = _mm512_srli_epi32(aux, 28);
    d.ls = _mm512_ternarylogic_epi32(_mm512_slli_epi32(s, 1), _mm512_slli_epi32(s, 17), _mm512_set1_epi32(0x10001),
                                     0xFE);
    d.corr = _mm512_mullo_epi16(d.ls, _mm512_set1_epi16(-43));
    return d;
  }
  static __m512i chunk_scale(const Decoded& d, int n, int v) {
    return _mm512_permutexvar_epi32(load_const(kSubBlockScale[n][v]), d.ls);
  }
  // The bsum coefficients of super-block n in dwords 0..7 (pairs of bsums = a sub-block).
  static __m512i bsum_coef(const Decoded& d, int n) { return n ? _mm512_shuffle_i64x2(d.corr, d.corr, 0xEE) : d.corr; }
};

// IQ2_XS / IQ2_S: a scale nibble per 16 elements.
struct HalfScales {
  static __m512i chunk_scale(const Decoded& d, int n, int v) {
    return _mm512_permutexvar_epi16(load_const(kHalfScale[n][v]), d.ls);
  }
  static __m512i bsum_coef(const Decoded& d, int n) { return n ? _mm512_shuffle_i64x2(d.corr, d.corr, 0xEE) : d.corr; }
  static void scales(const uint8_t* s0, const uint8_t* s1, Decoded& d) {
    d.ls = half_scales(s0, s1);
    d.corr = _mm512_mullo_epi16(d.ls, _mm512_set1_epi16(-43));
  }
};

// IQ2_XS: qs[g] = 9-bit index | 7 sign bits << 9.
struct XS : HalfScales {
  using Block = BlockIQ2_XS;
  static constexpr int kPairs = 4;
  static constexpr bool kRegisterTables = true;
  static const uint8_t* plane(int p) { return iq2_planes().xs[p]; }
  static __attribute__((always_inline)) Decoded decode(const __m512i* t, const __m512i* sg, const Block* b0,
                                                       const Block* b1) {
    static constexpr I8x64 kLow = pick_bytes([](int g) { return 2 * g; });
    static constexpr I8x64 kHigh = pick_bytes([](int g) { return 2 * g + 1; });
    const __m512i raw0 = load512(b0->qs), raw1 = load512(b1->qs);
    const __m512i idx = _mm512_permutex2var_epi8(raw0, load_const(kLow), raw1);
    const __m512i hb = _mm512_permutex2var_epi8(raw0, load_const(kHigh), raw1);
    const __mmask64 hi[2] = {_mm512_movepi8_mask(idx), _mm512_test_epi8_mask(hb, _mm512_set1_epi8(1))};
    Decoded d;
    d.p0 = lookup<kPairs>(t, idx, hi);
    d.p1 = lookup<kPairs>(t + 2 * kPairs, idx, hi);
    d.sg = _mm512_permutex2var_epi8(sg[0], _mm512_srli_epi16(hb, 1), sg[1]);  // bit 7 (next byte's) ignored
    scales(b0->scales, b1->scales, d);
    return d;
  }
};

// IQ2_S: index = qs[g] | ((qh >> 2 g) & 3) << 8 (qh: the 8 bytes as one 64-bit word), signs qs[32 + g].
// Its 2 x 16 registers of plane tables do not fit: plane 0's are held (t), plane 1's read where used.
struct S : HalfScales {
  using Block = BlockIQ2_S;
  static constexpr int kPairs = 8;
  static const uint8_t* plane(int p) { return iq2_planes().s[p]; }
  static constexpr bool kRegisterTables = false;
  static __attribute__((always_inline)) Decoded decode(const __m512i* t, const __m512i*, const Block* b0,
                                                       const Block* b1) {
    static constexpr I8x64 kLow = pick_bytes([](int g) { return g; });
    static constexpr I8x64 kSign = pick_bytes([](int g) { return 32 + g; });
    // vpmultishiftqb: qword j of plane order is one super-block's (j % 2): byte p <- bits 2 G(p)..
    static constexpr I8x64 kHighShift = [] {
      I8x64 c{};
      for (int p = 0; p < 64; ++p) c.v[p] = static_cast<int8_t>(2 * (group_at(p) % 32));
      return c;
    }();
    const __m512i raw0 = load512(b0->qs), raw1 = load512(b1->qs);
    const __m512i idx = _mm512_permutex2var_epi8(raw0, load_const(kLow), raw1);
    const __m512i qh = _mm512_mask_blend_epi64(0xAA, _mm512_set1_epi64(static_cast<long long>(load_u64(b0->qh))),
                                               _mm512_set1_epi64(static_cast<long long>(load_u64(b1->qh))));
    const __m512i h89 = _mm512_multishift_epi64_epi8(load_const(kHighShift), qh);
    const __mmask64 hi[3] = {_mm512_movepi8_mask(idx), _mm512_test_epi8_mask(h89, _mm512_set1_epi8(1)),
                             _mm512_test_epi8_mask(h89, _mm512_set1_epi8(2))};
    Decoded d;
    d.p0 = lookup<kPairs>(t, idx, hi);
    d.p1 = lookup_mem<kPairs>(plane(1), idx, hi);
    d.sg = _mm512_permutex2var_epi8(raw0, load_const(kSign), raw1);
    scales(b0->scales, b1->scales, d);
    return d;
  }
};

template <class Fmt>
struct Iq2Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    using Block = typename Fmt::Block;
    const Block* wb = static_cast<const Block*>(w);
    const int64_t nb = K / kQKK;
    constexpr int kRegs = 2 * Fmt::kPairs;  // per plane (plane 1's only if Fmt::kRegisterTables)
    __m512i t[2 * kRegs];
#pragma GCC unroll 32
    for (int i = 0; i < kRegs; ++i) {
      t[i] = _mm512_load_si512(Fmt::plane(0) + 64 * i);
      if (Fmt::kRegisterTables) t[kRegs + i] = _mm512_load_si512(Fmt::plane(1) + 64 * i);
    }
    const __m512i sg[2] = {load_const(kSigns8[0]), load_const(kSigns8[1])};
    const __m512i bitsel = load_const(kBitSelect), wtab = load_const(kSignedWeight);
    const int64_t pf = prefetch_bytes();
    __m512 fs[NC];
    for (int c = 0; c < NC; ++c) fs[c] = _mm512_setzero_ps();
    // Super-block b (n-th of the decoded pair d) against each column.
    auto dot = [&](int64_t b, int n, const Decoded& d) __attribute__((always_inline)) {
      const __m512i w01 = n ? _mm512_unpackhi_epi8(d.p1, d.p0) : _mm512_unpacklo_epi8(d.p1, d.p0);
      const __m512i ss = n ? _mm512_unpackhi_epi8(d.sg, d.sg) : _mm512_unpacklo_epi8(d.sg, d.sg);
      __m512i u[4];
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        const __m512i bits = _mm512_gf2p8affine_epi64_epi8(
            bitsel, h ? _mm512_unpackhi_epi16(ss, w01) : _mm512_unpacklo_epi16(ss, w01), 0);
        u[2 * h] = _mm512_permutexvar_epi8(_mm512_srli_epi16(bits, 4), wtab);
        u[2 * h + 1] = _mm512_permutexvar_epi8(bits, wtab);
      }
      __m512i sc[4];
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) sc[v] = Fmt::chunk_scale(d, n, v);
      const __m512i coef = Fmt::bsum_coef(d, n);
      const __m512 wd = _mm512_cvtph_ps(_mm256_set1_epi16(static_cast<int16_t>(wb[b].d)));
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        __m512i acc[2];
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v) {
          const __m512i p = _mm512_maddubs_epi16(u[v], load512(xb.qs + 64 * v));
          acc[v % 2] = v < 2 ? _mm512_madd_epi16(p, sc[v]) : _mm512_dpwssd_epi32(acc[v % 2], p, sc[v]);
        }
        acc[0] = _mm512_dpwssd_epi32(acc[0], _mm512_zextsi256_si512(load256(xb.bsums)), coef);
        fs[c] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(acc[0], acc[1])),
                                              _mm512_set1_ps(load_f32(&xb.d))),
                                wd, fs[c]);
      }
    };
    auto decode = [&](int64_t b) __attribute__((always_inline)) {
      for (int o = 0; o < static_cast<int>(2 * sizeof(Block)); o += 64) prefetch(wb + b, pf + o);
      return Fmt::decode(t, sg, wb + b, wb + std::min(b + 1, nb - 1));
    };
    // Software-pipelined: the next pair is decoded before this one's dot, so that the lookups'
    // latency overlaps the dot's arithmetic.
    if (nb == 0) {
      for (int c = 0; c < NC; ++c) r[c] = 0;
      return;
    }
    Decoded cur = decode(0);
    int64_t b = 0;
    for (; b + 2 < nb; b += 2) {
      const Decoded d = cur;
      cur = decode(b + 2);
      dot(b, 0, d);
      dot(b + 1, 1, d);
    }
    dot(b, 0, cur);
    if (b + 1 < nb) dot(b + 1, 1, cur);
    for (int c = 0; c < NC; ++c) r[c] = 0.125f * _mm512_reduce_add_ps(fs[c]);
  }
};

}  // namespace vg
}  // namespace

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

const KernelTable& kernels_iq2_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.iq2_xxs = grouped<Iq2Dot<FmtXXS>>;
    k.iq2_xs = grouped<Iq2Dot<FmtXS>>;
    k.iq2_s = grouped<Iq2Dot<FmtS>>;
    return k;
  }();
  return t;
}

const KernelTable& kernels_iq2_vbmi_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.iq2_xxs = grouped<vg::Iq2Dot<vg::XXS>>;
    k.iq2_xs = grouped<vg::Iq2Dot<vg::XS>>;
    k.iq2_s = grouped<vg::Iq2Dot<vg::S>>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
