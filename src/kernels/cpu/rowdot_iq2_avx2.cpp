// AVX2 + FMA + F16C row-dots of the 2-bit grid types IQ2_XXS, IQ2_XS and IQ2_S against Q8_K
// activations (layouts: quant/quant_iq2.cpp), in the manner of rowdot_kquant_low_avx2.cpp. Each
// sub-block of 32 elements is decoded once for all columns: its 4 codebook entries (8 magnitude
// bytes each, 8, 25 or 43, kept here with 43 added) are loaded as 64-bit lanes, and each element's
// sign bit is spread to a byte mask (vpshufb of the group's sign byte, a bit test by vpand and
// vpcmpeqb); u = 43 + sign * magnitude (0..86) is then 43 + m or 86 - (43 + m) by vpblendvb. The
// 8 sign bits of all 32 groups are gathered first, per super-block: IQ2_XXS / IQ2_XS store 7 and
// the 8th is their parity (vpshufb nibble tables), IQ2_S stores 8. Per column vpmaddubsw pairs u x
// (no saturation: 2 * 86 * 127 < 2^15) and vpmaddwd scales the pairs by the words 2 s + 1 of each
// 16 elements' 4-bit scale s. The offset is taken back from the activation's bsums: each
// super-block's lanes start from -43 sum_h (2 s_h + 1) bsum_h.
//
// Numerics: each super-block ends with the same exact integer sum and the same scalar float
// steps as the scalar reference (ref/rowdot_ref_iq2.cpp: s += (d dx) bsum, the result 0.125 s),
// so the results match it bit for bit. The weight stream is prefetched as in the AVX-512 kernels
// (simd_groups.h).
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

inline __m256i set4(const uint64_t* t, unsigned i0, unsigned i1, unsigned i2, unsigned i3) {
  return _mm256_set_epi64x(static_cast<long long>(t[i3]), static_cast<long long>(t[i2]), static_cast<long long>(t[i1]),
                           static_cast<long long>(t[i0]));
}

// The codebooks with 43 added to every magnitude byte (51, 68, 86: no byte overflows).
struct Iq2Plus43 {
  uint64_t xxs[256], xs[512], s[1024];
};
const Iq2Plus43& iq2_plus43() {
  static const Iq2Plus43 t = [] {
    constexpr uint64_t k43 = 0x2B2B2B2B2B2B2B2BULL;
    Iq2Plus43 p{};
    for (int i = 0; i < 256; ++i) p.xxs[i] = quant::kIq2xxsGrid[i] + k43;
    for (int i = 0; i < 512; ++i) p.xs[i] = quant::kIq2xsGrid[i] + k43;
    for (int i = 0; i < 1024; ++i) p.s[i] = quant::kIq2sGrid[i] + k43;
    return p;
  }();
  return t;
}

// The 8 sign bits of each group from its 7 in the low bits of each byte (bit 7 clear): their
// parity as bit 7, by nibble parities (vpshufb).
inline __m256i with_parity(__m256i s7) {
  const __m256i par = _mm256_setr_epi8(0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0,  //
                                       0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(s7, 4), _mm256_set1_epi8(0x0F));
  return _mm256_or_si256(s7, _mm256_xor_si256(_mm256_shuffle_epi8(par, s7), _mm256_shuffle_epi8(par, hi)));
}
// vpshufb indices: group 4 j's sign byte in bytes 0..7, 4 j + 1's in 8..15 (of the lower 128 bits),
// 4 j + 2's and 4 j + 3's in the upper ones: a sub-block's 4 groups, from a lane of 16 sign bytes.
inline __m256i sign_index(int j) {
  const char a = static_cast<char>(4 * j), b = static_cast<char>(4 * j + 1), c = static_cast<char>(4 * j + 2),
             d = static_cast<char>(4 * j + 3);
  return _mm256_setr_epi8(a, a, a, a, a, a, a, a, b, b, b, b, b, b, b, b, c, c, c, c, c, c, c, c, d, d, d, d, d, d, d,
                          d);
}

// vpshufb indices that fill the lower 128 bits with word a and the upper with word b of a
// 128-bit lane of words (broadcast to both halves): the scale words of two 16-element halves.
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
// Words 2 s + 1 from words s.
inline __m256i odd_scales(__m256i s) { return _mm256_or_si256(_mm256_slli_epi16(s, 1), _mm256_set1_epi16(1)); }
// IQ2_XS / IQ2_S: scales[ib], low nibble for elements 32 ib..+15, high for the next 16: word h = s_h.
inline __m256i nibble_scales(const uint8_t* scales) {
  const __m128i m4 = _mm_set1_epi8(0x0F);
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(scales));
  return _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(_mm_and_si128(b, m4), _mm_and_si128(_mm_srli_epi16(b, 4), m4)));
}

// The formats: scales(b) gives the 16 words s_h; signs(b) the 32 groups' sign bytes in order;
// sub(grid, b, ib) the 4 entries of sub-block ib in grid = table(), the codebook plus 43.
// IQ2_XXS: qs as 8 sub-blocks of [4 index bytes, sign dword: 4 x 7 sign bits, scale in bits 28..31].
struct FmtXXS {
  using Block = BlockIQ2_XXS;
  static const uint64_t* table() { return iq2_plus43().xxs; }
  static __m256i scales(const Block& b) {
    // The sign dwords' top nibbles (dwords 1, 3, 5, 7 of each 32 bytes), packed to words and put
    // in order [s0 .. s3 | s4 .. s7] at the odd words, then each copied to the word below.
    const __m256i lo = _mm256_srli_epi32(load256(b.qs), 28), hi = _mm256_srli_epi32(load256(b.qs + 16), 28);
    const __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xD8);
    return _mm256_shuffle_epi8(w, _mm256_setr_epi8(2, 3, 2, 3, 6, 7, 6, 7, 10, 11, 10, 11, 14, 15, 14, 15,  //
                                                   2, 3, 2, 3, 6, 7, 6, 7, 10, 11, 10, 11, 14, 15, 14, 15));
  }
  static __m256i signs(const Block& b) {
    // The 8 sign dwords in sub-block order: odd dwords of the two 32-byte halves.
    const __m256i a = _mm256_permutevar8x32_epi32(_mm256_blend_epi32(_mm256_srli_epi64(load256(b.qs), 32),
                                                                     load256(b.qs + 16), 0xAA),
                                                  _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    // Field k (bits 7k..7k + 6) to byte k: fields 2, 3 up by 2, then the odd fields up by 1 more;
    // bit 7 of each byte cleared after.
    const __m256i m14 = _mm256_set1_epi32(0x3FFF), m8 = _mm256_set1_epi32(0x00FF00FF);
    const __m256i x = _mm256_or_si256(_mm256_and_si256(a, m14), _mm256_andnot_si256(m14, _mm256_slli_epi32(a, 2)));
    const __m256i y = _mm256_or_si256(_mm256_and_si256(x, m8), _mm256_andnot_si256(m8, _mm256_slli_epi32(x, 1)));
    return with_parity(_mm256_and_si256(y, _mm256_set1_epi8(0x7F)));
  }
  static __m256i sub(const uint64_t* g, const Block& b, int ib) {
    const uint8_t* q = reinterpret_cast<const uint8_t*>(b.qs) + 8 * ib;
    return set4(g, q[0], q[1], q[2], q[3]);
  }
};

// IQ2_XS: qs[g] = 9-bit index | 7 sign bits << 9; scales as nibbles.
struct FmtXS {
  using Block = BlockIQ2_XS;
  static const uint64_t* table() { return iq2_plus43().xs; }
  static __m256i scales(const Block& b) { return nibble_scales(b.scales); }
  static __m256i signs(const Block& b) {
    // Words q >> 9 with their parity; packed to bytes (vpackuswb works per 128-bit lane: the
    // 64-bit blocks come out in order 0, 2, 1, 3).
    const __m256i q0 = load256(b.qs), q1 = load256(b.qs + 16);
    const __m256i s = _mm256_packus_epi16(with_parity(_mm256_srli_epi16(q0, 9)), with_parity(_mm256_srli_epi16(q1, 9)));
    return _mm256_permute4x64_epi64(s, 0xD8);
  }
  static __m256i sub(const uint64_t* g, const Block& b, int ib) {
    const uint16_t* q = b.qs + 4 * ib;
    return set4(g, q[0] & 511, q[1] & 511, q[2] & 511, q[3] & 511);
  }
};

// IQ2_S: index = qs[g] | ((qh[g / 4] >> 2 (g % 4)) & 3) << 8; signs: qs[32 + g], 8 bits.
struct FmtS {
  using Block = BlockIQ2_S;
  static const uint64_t* table() { return iq2_plus43().s; }
  static __m256i scales(const Block& b) { return nibble_scales(b.scales); }
  static __m256i signs(const Block& b) { return load256(b.qs + 32); }
  static __m256i sub(const uint64_t* g, const Block& b, int ib) {
    const uint8_t* q = b.qs + 4 * ib;
    const unsigned h = b.qh[ib];
    return set4(g, q[0] | (h << 8 & 0x300), q[1] | (h << 6 & 0x300), q[2] | (h << 4 & 0x300), q[3] | (h << 2 & 0x300));
  }
};

template <class Fmt>
struct Iq2Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    using Block = typename Fmt::Block;
    const Block* wb = static_cast<const Block*>(w);
    const int64_t nb = K / kQKK;
    const uint64_t* grid = Fmt::table();
    const __m256i c86 = _mm256_set1_epi8(86), m43 = _mm256_set1_epi16(-43);
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    const int64_t pf = prefetch_bytes();
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
#pragma GCC unroll 2
      for (int o = 0; o < static_cast<int>(sizeof(Block)); o += 64) prefetch(wb + b, pf + o);
      const __m256i sc = odd_scales(Fmt::scales(wb[b]));  // word h: 2 s_h + 1
      const __m256i sg = Fmt::signs(wb[b]);               // byte g: group g's sign bits
      __m256i acc[NC];
      const __m256i corr = _mm256_mullo_epi16(sc, m43);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_madd_epi16(load256(xblock(cols[c], b).bsums), corr);
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        const __m256i sh = both_halves(sc, h), gh = both_halves(sg, h);
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
          const int ib = 4 * h + j;
          const __m256i p = Fmt::sub(grid, wb[b], ib);  // 43 + magnitude
          // Byte i of the sub-block: bit i % 8 of its group's sign byte.
          const __m256i neg = _mm256_cmpeq_epi8(_mm256_and_si256(_mm256_shuffle_epi8(gh, sign_index(j)), bit), bit);
          const __m256i u = _mm256_blendv_epi8(p, _mm256_sub_epi8(c86, p), neg);
          const __m256i sv = _mm256_shuffle_epi8(sh, word_pair_index(2 * j, 2 * j + 1));
#pragma GCC unroll 4
          for (int c = 0; c < NC; ++c) {
            const __m256i x = load256(xblock(cols[c], b).qs + 32 * ib);
            acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), sv));
          }
        }
      }
      const float wd = h2f(wb[b].d);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const float d = wd * load_f32(&xblock(cols[c], b).d);
        const float p = d * static_cast<float>(hsum_i32(acc[c]));  // never fused (as above)
        s[c] += p;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = 0.125f * s[c];
  }
};

}  // namespace

const KernelTable& kernels_iq2_avx2() {
  static const KernelTable t = [] {
    KernelTable k;
    k.iq2_xxs = grouped<Iq2Dot<FmtXXS>>;
    k.iq2_xs = grouped<Iq2Dot<FmtXS>>;
    k.iq2_s = grouped<Iq2Dot<FmtS>>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
