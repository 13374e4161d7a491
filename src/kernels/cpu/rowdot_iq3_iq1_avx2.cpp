// AVX2 + FMA + F16C row-dots of IQ3_XXS, IQ3_S, IQ1_S and IQ1_M against Q8_K activations (any
// x86-64 from Haswell on), in the manner of rowdot_kquant_low_avx2.cpp: each super-block's codes
// are decoded once for all columns into 32 unsigned bytes per register, in the order of 32
// consecutive activation bytes; vpmaddubsw pairs the products, vpmaddwd scales them by the
// sub-block scales and sums them to int32. The codebook entries (iq_grids.h; 8 IQ3 entries of 4
// magnitudes or 4 IQ1 entries of 8 values per 32 elements) are fetched by scalar loads into
// vpinsrd / vpinsrq: on Zen 5 this gives 1.2-1.4x the GB/s of vpgatherdd / vpgatherdq, which are
// slow there and stall the rest of the core meanwhile (rowdot_iq3_iq1_avx512.cpp).
//
// IQ3: the magnitudes go in as they are and their signs onto x (vpsignb: exact, as Q8_K's qs are
// in -127..127); IQ3_XXS's 7 stored sign bits per group get their 8th (parity) from a
// nibble-parity lookup. IQ1: with g in {-1, 0, +1}, scale ls and delta sign t = +-1, the scalar
// reference's two sums give 8 sumi + sumd = sum ls (8 g + t) x, formed exactly: IQ1_S as
// 8 sum ls (g + 1) x - sum ls (8 - t) bsum, IQ1_M (t per group of 8) with the codes 8 g + 9 + t
// (0..18) as sum ls (8 g + 9 + t) x - 9 sum ls bsum; then float (8 sumi + sumd) * 0.125 is the
// reference's float sumi + 0.125 float sumd (both exact: |sumi|, |sumd| < 2^19).
//
// Each super-block ends with the same exact integer sums and the same scalar float steps as the
// scalar reference (rowdot_ref_iq3.cpp, rowdot_ref_iq1.cpp), so the results match it bit for bit.
// The weight stream is prefetched as in the AVX-512 kernels (simd_groups.h).
// Scalar float steps must not be fused into FMAs behind our back (GCC: the pragma; any compiler:
// each product that is then added is a statement of its own).
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/iq_grids.h"

namespace seek::kern {

namespace {

inline __m128i load64(const void* p) { return _mm_loadl_epi64(static_cast<const __m128i*>(p)); }
inline __m256i broadcast32(uint32_t u) { return _mm256_set1_epi32(static_cast<int>(u)); }

// Dwords k -> k in both words (vpmaddwd's multiplier for a whole dword).
inline __m256i both_words(__m256i k) { return _mm256_or_si256(k, _mm256_slli_epi32(k, 16)); }
// Dword i of v in all 8 dwords.
inline __m256i dword(__m256i v, int i) { return _mm256_permutevar8x32_epi32(v, _mm256_set1_epi32(i)); }

// ---- IQ3 ----

// The sign multipliers (+1 / -1 per byte) of 32 elements from their 4 sign bytes (one per group of
// 8, bit k = element k negative): byte 8l + k of the result from bit k of byte l of `signs`.
inline __m256i iq3_sign_bytes(uint32_t signs) {
  const __m256i spread = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,  //
                                          2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const __m256i bits = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ull));
  const __m256i neg = _mm256_cmpeq_epi8(_mm256_and_si256(_mm256_shuffle_epi8(broadcast32(signs), spread), bits), bits);
  return _mm256_or_si256(neg, _mm256_set1_epi8(1));
}

// IQ3_XXS's 32 sign bytes (one per group of 8) from its 8 words (one per sub-block ib: 4 x 7 sign
// bits, group l at bits 7 l..7 l + 6): byte 4 ib + l = the 7 bits plus their parity in bit 7.
inline __m256i iq3xxs_signs(__m256i sw) {
  __m256i c = _mm256_and_si256(sw, _mm256_set1_epi32(0x7F));
  c = _mm256_or_si256(c, _mm256_and_si256(_mm256_slli_epi32(sw, 1), _mm256_set1_epi32(0x7F00)));
  c = _mm256_or_si256(c, _mm256_and_si256(_mm256_slli_epi32(sw, 2), _mm256_set1_epi32(0x7F0000)));
  c = _mm256_or_si256(c, _mm256_and_si256(_mm256_slli_epi32(sw, 3), _mm256_set1_epi32(0x7F000000)));
  // 0x80 where a nibble's parity is odd; c < 128, so vpshufb reads its low nibble as is.
  const __m256i par = _mm256_setr_epi8(0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0,  //
                                       0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0);
  const __m256i lo = _mm256_shuffle_epi8(par, c);
  const __m256i hi = _mm256_shuffle_epi8(par, _mm256_and_si256(_mm256_srli_epi16(c, 4), _mm256_set1_epi8(0x0F)));
  return _mm256_or_si256(c, _mm256_xor_si256(lo, hi));
}

// The 8 codebook entries (4 magnitudes each) of one sub-block at the indices i(0..8), looked up
// one by one.
template <class Index>
inline __attribute__((always_inline)) __m256i iq3_entries(const uint32_t* grid, Index i) {
  __m128i lo = _mm_cvtsi32_si128(static_cast<int>(grid[i(0)]));
  lo = _mm_insert_epi32(lo, static_cast<int>(grid[i(1)]), 1);
  lo = _mm_insert_epi32(lo, static_cast<int>(grid[i(2)]), 2);
  lo = _mm_insert_epi32(lo, static_cast<int>(grid[i(3)]), 3);
  __m128i hi = _mm_cvtsi32_si128(static_cast<int>(grid[i(4)]));
  hi = _mm_insert_epi32(hi, static_cast<int>(grid[i(5)]), 1);
  hi = _mm_insert_epi32(hi, static_cast<int>(grid[i(6)]), 2);
  hi = _mm_insert_epi32(hi, static_cast<int>(grid[i(7)]), 3);
  return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

// One sub-block (32 elements) of either IQ3 type: magnitudes m, sign multipliers sg, scale words
// ls; acc[c] += per-dword sums of ls * m * sg * x.
template <int NC>
inline __attribute__((always_inline)) void iq3_sub(__m256i m, __m256i sg, __m256i ls, const uint8_t* const* cols,
                                                   int64_t b, int ib, __m256i* acc) {
#pragma GCC unroll 4  // GCC 12 leaves the 4-column loop rolled otherwise, accumulators in memory
  for (int c = 0; c < NC; ++c) {
    const __m256i x = _mm256_sign_epi8(load256(xblock(cols[c], b).qs + 32 * ib), sg);
    acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(m, x), ls));
  }
}

// IQ3_XXS: qs[0..64) the grid indices (8 per sub-block), then one word per sub-block: 4 x 7 sign
// bits, 4-bit scale s in bits 28..31 (sub-block scale 2 s + 1).
struct IQ3XXSDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ3_XXS* wb = static_cast<const BlockIQ3_XXS*>(w);
    const int64_t nb = K / kQKK;
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ3_XXS)); o += 64) prefetch(wb + b, pf + o);
      const uint8_t* q = wb[b].qs;
      const __m256i sw = load256(q + kQKK / 4);
      alignas(32) uint8_t sg[32];
      _mm256_store_si256(reinterpret_cast<__m256i*>(sg), iq3xxs_signs(sw));
      // 2 s + 1 per dword, in both words
      const __m256i ls = both_words(
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(sw, 27), _mm256_set1_epi32(0x1E)), _mm256_set1_epi32(1)));
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
#pragma GCC unroll 8
      for (int ib = 0; ib < kQKK / 32; ++ib) {
        const uint8_t* qi = q + 8 * ib;
        const __m256i m = iq3_entries(quant::kIq3xxsGrid, [qi](int j) { return qi[j]; });
        iq3_sub<NC>(m, iq3_sign_bytes(load_u32(sg + 4 * ib)), dword(ls, ib), cols, b, ib, acc);
      }
      const float wd = h2f(wb[b].d);
      for (int c = 0; c < NC; ++c) {
        const float xd = load_f32(&xblock(cols[c], b).d);
        const float p = 0.25f * ((wd * xd) * static_cast<float>(hsum_i32(acc[c])));
        s[c] += p;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

// IQ3_S: qs[8 ib + m] the low 8 bits of grid index m of sub-block ib, bit m of qh[ib] its 9th;
// signs[4 ib + l] the 8 sign bits of group l; scales[ib / 2] nibble ib % 2 the scale s.
struct IQ3SDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ3_S* wb = static_cast<const BlockIQ3_S*>(w);
    const int64_t nb = K / kQKK;
    const __m256i nib_shift = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
    const __m128i hbits = _mm_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128);
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ3_S)); o += 64) prefetch(wb + b, pf + o);
      const BlockIQ3_S& blk = wb[b];
      // 2 s + 1 per dword ib, in both words
      const __m256i s2 = _mm256_slli_epi32(_mm256_srlv_epi32(broadcast32(load_u32(blk.scales)), nib_shift), 1);
      const __m256i ls = both_words(_mm256_or_si256(_mm256_and_si256(s2, _mm256_set1_epi32(0x1E)),
                                                    _mm256_set1_epi32(1)));
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
#pragma GCC unroll 8
      for (int ib = 0; ib < kQKK / 32; ++ib) {
        // index m: qs[8 ib + m] | bit m of qh[ib] << 8, as 8 words, to two GPRs
        const __m128i hb = _mm_and_si128(_mm_cvtepu8_epi16(_mm_set1_epi8(static_cast<char>(blk.qh[ib]))), hbits);
        const __m128i idx = _mm_or_si128(_mm_cvtepu8_epi16(load64(blk.qs + 8 * ib)),
                                         _mm_and_si128(_mm_cmpeq_epi16(hb, hbits), _mm_set1_epi16(0x100)));
        uint64_t a = static_cast<uint64_t>(_mm_cvtsi128_si64(idx)),
                 c = static_cast<uint64_t>(_mm_extract_epi64(idx, 1));
        asm("" : "+r"(a), "+r"(c));  // keeps GCC from turning the lookups into vector extracts
        const __m256i m = iq3_entries(quant::kIq3sGrid, [a, c](int j) {
          return static_cast<uint32_t>(((j < 4 ? a : c) >> (16 * (j % 4))) & 0xFFFF);
        });
        iq3_sub<NC>(m, iq3_sign_bytes(load_u32(blk.signs + 4 * ib)), dword(ls, ib), cols, b, ib, acc);
      }
      const float wd = h2f(blk.d);
      for (int c = 0; c < NC; ++c) {
        const float xd = load_f32(&xblock(cols[c], b).d);
        const float p = (wd * xd) * static_cast<float>(hsum_i32(acc[c]));
        s[c] += p;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

// ---- IQ1 ----

// The 4 kIq1sGrid entries (8 values each, 32 elements) at the 4 dword indices of idx, looked up one
// by one (see iq3_entries).
inline __attribute__((always_inline)) __m256i iq1_entries(__m128i idx) {
  uint64_t a = static_cast<uint64_t>(_mm_cvtsi128_si64(idx)), c = static_cast<uint64_t>(_mm_extract_epi64(idx, 1));
  asm("" : "+r"(a), "+r"(c));  // keeps GCC from turning the lookups into vector extracts
  const uint64_t* g = quant::kIq1sGrid;
  const __m128i lo = _mm_insert_epi64(_mm_cvtsi64_si128(static_cast<long long>(g[a & 0xFFFFFFFF])),
                                      static_cast<long long>(g[a >> 32]), 1);
  const __m128i hi = _mm_insert_epi64(_mm_cvtsi64_si128(static_cast<long long>(g[c & 0xFFFFFFFF])),
                                      static_cast<long long>(g[c >> 32]), 1);
  return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

// IQ1_S: group l of sub-block ib has index qs[4 ib + l] | (qh[ib] >> 3 l & 7) << 8; qh[ib] bits
// 12..14 the scale s (ls = 2 s + 1), bit 15 the delta sign (set: t = -1).
struct IQ1SDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockIQ1_S* wb = static_cast<const BlockIQ1_S*>(w);
    const int64_t nb = K / kQKK;
    const __m256i one = _mm256_set1_epi8(1), hmask = _mm256_set1_epi32(0x700);
    const __m256i hb_shift = _mm256_setr_epi32(0, 3, 6, 9, 16, 19, 22, 25);
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    // g + 1 of the 8 sub-blocks of a block (looking them up a block ahead, as the AVX-512 kernel
    // does, measured slower here: 16 registers).
    auto entries_of = [&](const BlockIQ1_S& blk, __m256i* e) __attribute__((always_inline)) {
#pragma GCC unroll 4
      for (int p = 0; p < kQKK / 64; ++p) {  // sub-blocks 2p, 2p + 1
        const __m256i hb = _mm256_and_si256(
            _mm256_slli_epi32(_mm256_srlv_epi32(broadcast32(load_u32(blk.qh + 2 * p)), hb_shift), 8), hmask);
        const __m256i idx = _mm256_or_si256(_mm256_cvtepu8_epi32(load64(blk.qs + 8 * p)), hb);
        e[2 * p] = _mm256_add_epi8(iq1_entries(_mm256_castsi256_si128(idx)), one);
        e[2 * p + 1] = _mm256_add_epi8(iq1_entries(_mm256_extracti128_si256(idx, 1)), one);
      }
    };
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ1_S)); o += 64) prefetch(wb + b, pf + o);
      const BlockIQ1_S& blk = wb[b];
      __m256i e[kQKK / 32];
      entries_of(blk, e);
      const __m128i qh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.qh));
      // ls = (qh >> 11) & 0xE | 1 per word ib; the bsum coefficient ls (t - 8): -7 ls or -9 ls.
      const __m128i ls16 = _mm_or_si128(_mm_and_si128(_mm_srli_epi16(qh, 11), _mm_set1_epi16(0xE)), _mm_set1_epi16(1));
      const __m128i k = _mm_mullo_epi16(ls16, _mm_sub_epi16(_mm_set1_epi16(-7),
                                                            _mm_and_si128(_mm_srai_epi16(qh, 15), _mm_set1_epi16(2))));
      const __m256i corr = both_words(_mm256_cvtepu16_epi32(k));  // words 2 ib, 2 ib + 1
      const __m256i ls = both_words(_mm256_cvtepu16_epi32(ls16));
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
#pragma GCC unroll 8
      for (int ib = 0; ib < kQKK / 32; ++ib) {
        const __m256i lw = dword(ls, ib);
#pragma GCC unroll 4
        for (int c = 0; c < NC; ++c) {
          const __m256i x = load256(xblock(cols[c], b).qs + 32 * ib);
          acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(e[ib], x), lw));
        }
      }
      const float wd = h2f(blk.d);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        // 8 sumi + sumd = 8 sum ls (g + 1) x + sum ls (t - 8) bsum, exact in float
        const int sum8 = hsum_i32(_mm256_add_epi32(_mm256_slli_epi32(acc[c], 3),
                                                   _mm256_madd_epi16(load256(xb.bsums), corr)));
        const float xd = load_f32(&xb.d);
        const float p = (wd * xd) * (quant::kIq1Delta * static_cast<float>(sum8));
        s[c] += p;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
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
    const __m256i one = _mm256_set1_epi8(1), hmask = _mm256_set1_epi32(0x700), eight = _mm256_set1_epi32(8);
    const __m256i two = _mm256_set1_epi8(2);
    const __m256i nib_shift = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
    const __m256i sc_shift = _mm256_setr_epi32(0, 3, 6, 9, 16, 19, 22, 25);
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      for (int o = 0; o < static_cast<int>(sizeof(BlockIQ1_M)); o += 64) prefetch(wb + b, pf + o);
      const BlockIQ1_M& blk = wb[b];
      const uint64_t sraw = load_u64(blk.scales);
      // ls of the 16-groups 0..7 and 8..15 as dwords (in both words), then as 16 words in order.
      __m256i ls[2];
      for (int h = 0; h < 2; ++h) {
        const __m256i sc = _mm256_srlv_epi32(broadcast32(static_cast<uint32_t>(sraw >> (32 * h))), sc_shift);
        ls[h] = _mm256_or_si256(_mm256_and_si256(_mm256_slli_epi32(sc, 1), _mm256_set1_epi32(0xE)),
                                _mm256_set1_epi32(1));
      }
      const __m256i corr = _mm256_mullo_epi16(_mm256_permute4x64_epi64(_mm256_packus_epi32(ls[0], ls[1]), 0xD8),
                                              _mm256_set1_epi16(-9));
      ls[0] = both_words(ls[0]);
      ls[1] = both_words(ls[1]);
      const uint16_t dbits = static_cast<uint16_t>(((sraw >> 12) & 0xF) | ((sraw >> 24) & 0xF0) |
                                                   ((sraw >> 36) & 0xF00) | ((sraw >> 48) & 0xF000));
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
#pragma GCC unroll 4
      for (int p = 0; p < kQKK / 64; ++p) {  // sub-blocks 2p, 2p + 1 = groups 8p..8p + 7
        const __m256i nib = _mm256_srlv_epi32(broadcast32(load_u32(blk.qh + 4 * p)), nib_shift);
        const __m256i idx = _mm256_or_si256(_mm256_cvtepu8_epi32(load64(blk.qs + 8 * p)),
                                            _mm256_and_si256(_mm256_slli_epi32(nib, 8), hmask));
        const __m256i pos = _mm256_cmpgt_epi32(eight, _mm256_and_si256(nib, eight));  // -1 where t = +1
#pragma GCC unroll 2
        for (int h = 0; h < 2; ++h) {
          const int ib = 2 * p + h;
          const __m128i idx4 = h ? _mm256_extracti128_si256(idx, 1) : _mm256_castsi256_si128(idx);
          const __m128i pos4 = h ? _mm256_extracti128_si256(pos, 1) : _mm256_castsi256_si128(pos);
          // 8 (g + 1), + 2 where t = +1 (whole 64-bit groups; no byte exceeds 18)
          const __m256i u = _mm256_add_epi8(_mm256_slli_epi16(_mm256_add_epi8(iq1_entries(idx4), one), 3),
                                            _mm256_and_si256(_mm256_cvtepi32_epi64(pos4), two));
          // words 0..7 the scale of 16-group 2 ib, 8..15 of 2 ib + 1
          const __m256i lw = _mm256_permutevar8x32_epi32(
              ls[ib / 4], _mm256_setr_epi32(2 * (ib % 4), 2 * (ib % 4), 2 * (ib % 4), 2 * (ib % 4), 2 * (ib % 4) + 1,
                                            2 * (ib % 4) + 1, 2 * (ib % 4) + 1, 2 * (ib % 4) + 1));
#pragma GCC unroll 4
          for (int c = 0; c < NC; ++c) {
            const __m256i x = load256(xblock(cols[c], b).qs + 32 * ib);
            acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), lw));
          }
        }
      }
      const float wd = h2f(dbits);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        // 8 sumi + sumd = sum ls (8 g + 9 + t) x - 9 sum ls bsum, exact in float
        const int sum8 = hsum_i32(_mm256_add_epi32(acc[c], _mm256_madd_epi16(load256(xb.bsums), corr)));
        const float xd = load_f32(&xb.d);
        const float p = (wd * xd) * (quant::kIq1Delta * static_cast<float>(sum8));
        s[c] += p;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

}  // namespace

const KernelTable& kernels_iq3_iq1_avx2() {
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

}  // namespace seek::kern
