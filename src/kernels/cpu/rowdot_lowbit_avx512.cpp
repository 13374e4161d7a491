// AVX-512 (BW, VNNI) row-dots of the ternary, FP4 and 1- / 2-bit types: TQ1_0 and TQ2_0 against
// Q8_K, MXFP4, NVFP4, Q1_0 and Q2_0 against Q8_0 lanes (activations.h; these four use offset 128,
// so corr = -128 * the lane's sum of x). Each weight block is decoded once for all columns into
// 64 unsigned bytes per register, in the order of 64 consecutive activation bytes, and one
// vpdpbusd per 64 elements and column sums code times x into 16 int32 lanes:
//   TQ2_0: the 2-bit codes c (0..2) by one variable shift and a mask per 64 ([qs | qs] >> [0 | 2],
//     >> [4 | 6]); the dot starts from -sum x (the bsums, vpmaddwd by -1), so it ends at
//     sum (c - 1) x.
//   TQ1_0: trit n of a byte q is floor(3 ((q 3^n) mod 256) / 256). With the byte in the top
//     half of a 16-bit word, vpmullw by 3^n leaves (q 3^n) mod 256 there and vpmulhuw by 3 gives
//     the trit (odd bytes: vpmulhuw by 768 gives 3 r, whose bits 8-9 are the trit in place), so
//     one multiplier word per position serves any mix of trits: the four registers [qs0-31 |
//     qs0-31] x [1 | 3] and [9 | 27], [qs0-31 | qs32-47 | qs32-47] x [81 | 1 | 3], [qs32-47 x3 |
//     qh x4] x [9 | 27 | 81 | 1, 3, 9, 27] hold the 256 trits in x's order. Dot from -sum x.
//   MXFP4 / NVFP4: the E2M1 codes as kFp4Values + 128 (one vpshufb), from corr. MXFP4 takes two
//     blocks per register as rowdot_q32_avx512.cpp's IQ4_NL; NVFP4's 16-element sub-blocks are
//     [lo | hi] of 8 bytes each (vpermq doubles each quarter, vpsrlvq shifts every other by 4).
//   Q1_0: the 64 bits of each half block as a mask register: 127 or 129 (w + 128) by one masked
//     blend, from corr.
//   Q2_0: the 16 bytes shifted by 0, 2, 4, 6 per 128-bit lane and masked (lane m holds the field
//     m of every byte: elements 4k + m), a 4x4 dword transpose (vpermd) and one in-lane vpshufb
//     into element order, + 127 (w + 128), from corr.
// Scales: TQ d * x.d per super-block; MXFP4 2^(e - 128) applied by vscalefps to dx (exact, as
// the reference's dx * e8m0_half(e)); NVFP4's UE4M3 bytes become the fp16 pattern (x & 0x7F) << 7
// (UE4M3 and fp16 differ in exponent bias by 8, so the value is that fp16 times 2^8: times 2^7
// for the half scale; 0x7F, NaN, is 0 as in the reference), 16 per 4 blocks; the fp16 d of
// Q1_0 / Q2_0 4 blocks at a time. As the reference groups Q1_0 / Q2_0 (each weight block's
// activation-scaled sums first, then times its d), the lanes are scaled by dx, summed over the
// weight block, then multiplied by d into the accumulator.
//
// Numerics: every integer lane sum is exact; each is converted and scaled into f32 vector
// accumulators and reduced once per row: the same products and scales as the scalar references
// (ref/rowdot_ref_ternary.cpp, _fp4.cpp, _lowbit.cpp), summed in another order, so within the
// rounding bound test_matmul.cpp checks (2 (K + 3) 2^-24 sum|terms|), not bit for bit.
#if !defined(__clang__)  // GCC 12 warns inside its own headers on _mm512_cast* (undefined lanes)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// Scalar float steps are not fused into FMAs behind our back (explicit _mm*_fmadd_* still fuse).
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/fp4.h"

namespace seek::kern {

namespace {

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

// 16-bit words: lo in 128-bit lanes 0-1, hi in lanes 2-3 (or one value per lane).
inline __m512i lanes_epi16(int l0, int l1, int l2, int l3) {
  const auto q = [](int v) { return static_cast<long long>(0x0001000100010001ULL * static_cast<uint16_t>(v)); };
  return _mm512_set_epi64(q(l3), q(l3), q(l2), q(l2), q(l1), q(l1), q(l0), q(l0));
}

// The Q8_K column's -sum x of super-block b as 8 int32 lanes (the upper 8 zero): where a dot of
// codes c = w + 1 starts.
inline __m512i neg_sum_x(const BlockQ8_K& xb) {
  return _mm512_madd_epi16(_mm512_maskz_loadu_epi16(0xFFFF, xb.bsums), _mm512_set1_epi16(-1));
}
// The fp16 d of a block in every lane.
inline __m512 bcast_h(const uint16_t& h) { return _mm512_broadcastss_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(h))); }
// The Q8_K column's d in every lane (one broadcast load).
inline __m512 bcast_xd(const BlockQ8_K& xb) { return _mm512_set1_ps(load_f32(&xb.d)); }

// TQ2_0: element 128h + 32l + m is bits 2l..2l+1 of qs[32h + m].
struct TQ2Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockTQ2_0* wb = static_cast<const BlockTQ2_0*>(w);
    const int64_t nb = K / kQKK;
    const __m512i m3 = _mm512_set1_epi8(3);
    const __m512i s01 = lanes_epi16(0, 0, 2, 2), s23 = lanes_epi16(4, 4, 6, 6);
    const int64_t pf = prefetch_bytes();
    __m512 acc[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      prefetch(wb + b, pf);
      prefetch(wb + b, pf + 64);
      const __m512i q0 = _mm512_broadcast_i64x4(load256(wb[b].qs)), q1 = _mm512_broadcast_i64x4(load256(wb[b].qs + 32));
      const __m512i c0 = _mm512_and_si512(_mm512_srlv_epi16(q0, s01), m3);
      const __m512i c1 = _mm512_and_si512(_mm512_srlv_epi16(q0, s23), m3);
      const __m512i c2 = _mm512_and_si512(_mm512_srlv_epi16(q1, s01), m3);
      const __m512i c3 = _mm512_and_si512(_mm512_srlv_epi16(q1, s23), m3);
      const __m512 dw = bcast_h(wb[b].d);
#pragma GCC unroll 4  // GCC 12 leaves the 4-column loop rolled otherwise, accumulators in memory
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        __m512i p = _mm512_dpbusd_epi32(neg_sum_x(xb), c0, load512(xb.qs));
        p = _mm512_dpbusd_epi32(p, c1, load512(xb.qs + 64));
        p = _mm512_dpbusd_epi32(p, c2, load512(xb.qs + 128));
        p = _mm512_dpbusd_epi32(p, c3, load512(xb.qs + 192));
        acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dw, bcast_xd(xb)), acc[c]);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(acc[c]);
  }
};

// TQ1_0: elements 32n + m (n < 5) are trit n of qs[m] (m < 32), 160 + 16n + m trit n of
// qs[32 + m] (m < 16), 240 + 4n + j trit n of qh[j] (n < 4). Trit n of byte q: with r = (q 3^n)
// mod 256, floor(3 r / 256) (quant_ternary.cpp).
struct TQ1Dot {
  // The trits of v's bytes, byte i with multiplier 3^n(i) (the same for both bytes of a word):
  // me = 256 * 3^n per word (the even byte lands in the top half), mo = 3^n (vo = v & 0xFF00).
  static inline __attribute__((always_inline)) __m512i trits(__m512i v, __m512i vo, __m512i me, __m512i mo) {
    const __m512i te = _mm512_mulhi_epu16(_mm512_mullo_epi16(v, me), _mm512_set1_epi16(3));     // in bits 0-1
    const __m512i to = _mm512_mulhi_epu16(_mm512_mullo_epi16(vo, mo), _mm512_set1_epi16(768));  // 3 r: bits 8-9
    return _mm512_ternarylogic_epi32(te, to, _mm512_set1_epi16(0x0300), 0xF8);                  // te | (to & c)
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockTQ1_0* wb = static_cast<const BlockTQ1_0*>(w);
    const int64_t nb = K / kQKK;
    const __m512i hi = _mm512_set1_epi16(static_cast<short>(0xFF00));
    // Multipliers per word: C0 [1 | 3], C1 [9 | 27], C2 [81 | 1 | 3], C3 [9 | 27 | 81 | qh].
    const __m512i m0 = lanes_epi16(1, 1, 3, 3), m1 = lanes_epi16(9, 9, 27, 27), m2 = lanes_epi16(81, 81, 1, 3);
    // qh lane: bytes 4n..4n+3 (words 2n, 2n + 1) trit n.
    const __m512i m3 = _mm512_set_epi64(0x001B001B00090009LL, 0x0003000300010001LL, 0x0051005100510051LL,
                                        0x0051005100510051LL, 0x001B001B001B001BLL, 0x001B001B001B001BLL,
                                        0x0009000900090009LL, 0x0009000900090009LL);
    const __m512i e0 = _mm512_slli_epi16(m0, 8), e1 = _mm512_slli_epi16(m1, 8), e2 = _mm512_slli_epi16(m2, 8),
                  e3 = _mm512_slli_epi16(m3, 8);
    const int64_t pf = prefetch_bytes();
    __m512 acc[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      const BlockTQ1_0& blk = wb[b];
      prefetch(&blk, pf);
      prefetch(&blk, pf + 64);
      const __m512i a = _mm512_broadcast_i64x4(load256(blk.qs));  // [qs0-31 | qs0-31]
      const __m128i q16 = load128(blk.qs + 32);
      const __m512i g = _mm512_mask_broadcast_i32x4(a, 0xFF00, q16);  // [qs0-31 | qs32-47 | qs32-47]
      const __m512i h = _mm512_mask_set1_epi32(_mm512_broadcast_i32x4(q16), 0xF000, static_cast<int>(load_u32(blk.qh)));
      const __m512i ao = _mm512_and_si512(a, hi);
      const __m512i c0 = trits(a, ao, e0, m0);
      const __m512i c1 = trits(a, ao, e1, m1);
      const __m512i c2 = trits(g, _mm512_and_si512(g, hi), e2, m2);
      const __m512i c3 = trits(h, _mm512_and_si512(h, hi), e3, m3);
      const __m512 dw = bcast_h(blk.d);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = xblock(cols[c], b);
        __m512i p = _mm512_dpbusd_epi32(neg_sum_x(xb), c0, load512(xb.qs));
        p = _mm512_dpbusd_epi32(p, c1, load512(xb.qs + 64));
        p = _mm512_dpbusd_epi32(p, c2, load512(xb.qs + 128));
        p = _mm512_dpbusd_epi32(p, c3, load512(xb.qs + 192));
        acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dw, bcast_xd(xb)), acc[c]);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(acc[c]);
  }
};

// A Q8_0-lanes column: qs, the lane scales, the lane corrections (-128 sum x).
struct LaneCol {
  const int8_t* xq;
  const float* ds;
  const int32_t* corr;
  void init(const uint8_t* col, int64_t K) {
    xq = reinterpret_cast<const int8_t*>(col);
    ds = reinterpret_cast<const float*>(col + K);
    corr = reinterpret_cast<const int32_t*>(col + 2 * K);
  }
  // sum (w + 128) x - 128 sum x over the 64 elements from e (w + 128 in wu).
  __m512i dot64(__m512i wu, int64_t e) const { return _mm512_dpbusd_epi32(load512(corr + e / 4), wu, load512(xq + e)); }
  __m512 ds16(int64_t e) const { return _mm512_loadu_ps(ds + e / 4); }
};

// kFp4Values + 128 in every 128-bit lane: vpshufb's table.
struct U8x16 {
  alignas(16) uint8_t v[16];
};
constexpr U8x16 kFp4Unsigned = [] {
  U8x16 t{};
  for (int i = 0; i < 16; ++i) t.v[i] = static_cast<uint8_t>(kFp4Values[i] + 128);
  return t;
}();
inline __m512i fp4_table() {
  return _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(kFp4Unsigned.v)));
}

// MXFP4: qs[j] low nibble = element j, high = element j + 16; scale 2^(e - 128) (half the E8M0
// scale: the table holds the values doubled).
struct MXFP4Dot {
  // [qs0, qs0, qs1, qs1] -> [lo0, hi0, lo1, hi1] as unsigned codes.
  static __m512i pair(const BlockMXFP4* b, __m512i table) {
    __m512i z = _mm512_broadcast_i32x4(load128(b[0].qs));
    z = _mm512_mask_broadcast_i32x4(z, 0xFF00, load128(b[1].qs));
    const long long s4 = 0x0004000400040004LL;
    const __m512i n = _mm512_and_si512(_mm512_srlv_epi16(z, _mm512_set_epi64(s4, s4, 0, 0, s4, s4, 0, 0)),
                                       _mm512_set1_epi8(0x0F));
    return _mm512_shuffle_epi8(table, n);
  }
  template <int NC>
  static inline __attribute__((always_inline)) void step(const BlockMXFP4* blk, int64_t b, __m512 ek,
                                                         const LaneCol* col, __m512i table, __m512* acc) {
    const __m512i wu = pair(blk, table);
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      const __m512i p = col[c].dot64(wu, b * kQK);
      acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_scalef_ps(col[c].ds16(b * kQK), ek), acc[c]);
    }
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockMXFP4* wb = static_cast<const BlockMXFP4*>(w);
    const int64_t nb = K / kQK;
    LaneCol col[NC];
    __m512 acc0[NC], acc1[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      col[c].init(cols[c], K);
      acc0[c] = acc1[c] = _mm512_setzero_ps();
    }
    const __m512i table = fp4_table();
    // The 4 exponents of a quad (bytes 0, 17, 34, 51: byte L of lane L) into dwords 0, 4, 8, 12.
    const __m512i eidx = _mm512_set_epi32(-1, -1, -1, 0x80808003, -1, -1, -1, 0x80808002, -1, -1, -1, 0x80808001, -1,
                                          -1, -1, 0x80808000);
    const __m512i i01 = _mm512_set_epi32(4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i i23 = _mm512_set_epi32(12, 12, 12, 12, 12, 12, 12, 12, 8, 8, 8, 8, 8, 8, 8, 8);
    const int64_t pf = prefetch_bytes();
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4) {
      const BlockMXFP4* blk = wb + b;
      prefetch(blk, pf);
      prefetch(blk, pf + 64);
      const __m512i ev = _mm512_shuffle_epi8(load512(blk), eidx);
      const __m512 ek = _mm512_cvtepi32_ps(_mm512_sub_epi32(ev, _mm512_set1_epi32(128)));
      step<NC>(blk, b, _mm512_permutexvar_ps(i01, ek), col, table, acc0);
      step<NC>(blk + 2, b + 2, _mm512_permutexvar_ps(i23, ek), col, table, acc1);
    }
    if (b + 2 <= nb) {
      const __m512 ek = _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(static_cast<float>(wb[b].e - 128)),
                                             _mm512_set1_ps(static_cast<float>(wb[b + 1].e - 128)));
      step<NC>(wb + b, b, ek, col, table, acc0);
      b += 2;
    }
    if (b < nb) {
      const __m128i v = load128(wb[b].qs);
      const __m256i n = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(v, 4), v), _mm256_set1_epi8(0x0F));
      const __m256i wu = _mm256_shuffle_epi8(_mm512_castsi512_si256(table), n);
      const __m256 ek = _mm256_set1_ps(static_cast<float>(wb[b].e - 128));
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const __m256i p = _mm256_dpbusd_epi32(load256(col[c].corr + b * 8), wu, load256(col[c].xq + b * kQK));
        const __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_scalef_ps(_mm256_loadu_ps(col[c].ds + b * 8), ek));
        acc1[c] = _mm512_add_ps(acc1[c], _mm512_zextps256_ps512(t));
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[c], acc1[c]));
  }
};

// NVFP4: sub-block t (elements 16t..16t+15 of the 64) is qs[8t..8t+7], low nibbles first; its
// scale is d[t] (UE4M3).
struct NVFP4Dot {
  // The half scales of 16 UE4M3 bytes (zero-extended words): fp16 (x & 0x7F) << 7, times 2^7;
  // the NaN code 0x7F gives 0.
  static __m512 ue4m3_half(__m256i w) {
    const __mmask16 nan = _mm256_cmpeq_epi16_mask(w, _mm256_set1_epi16(0x7F));
    const __m256i h = _mm256_and_si256(_mm256_slli_epi16(w, 7), _mm256_set1_epi16(0x3F80));
    return _mm512_maskz_mul_ps(static_cast<__mmask16>(~nan), _mm512_cvtph_ps(h), _mm512_set1_ps(128.0f));
  }
  static inline __attribute__((always_inline)) __m512i codes(const BlockNVFP4& b, __m512i table) {
    const __m512i q = _mm512_castsi256_si512(load256(b.qs));
    const __m512i d = _mm512_permutexvar_epi64(_mm512_set_epi64(3, 3, 2, 2, 1, 1, 0, 0), q);
    const __m512i n = _mm512_and_si512(_mm512_srlv_epi64(d, _mm512_set_epi64(4, 0, 4, 0, 4, 0, 4, 0)),
                                       _mm512_set1_epi8(0x0F));
    return _mm512_shuffle_epi8(table, n);
  }
  template <int NC>
  static inline __attribute__((always_inline)) void block(const BlockNVFP4& blk, int64_t e, __m512 dw,
                                                          const LaneCol* col, __m512i table, __m512* acc) {
    const __m512i wu = codes(blk, table);
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      const __m512i p = col[c].dot64(wu, e);
      acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dw, col[c].ds16(e)), acc[c]);
    }
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockNVFP4* wb = static_cast<const BlockNVFP4*>(w);
    const int64_t nb = K / kQKNVFP4;
    LaneCol col[NC];
    __m512 acc0[NC], acc1[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      col[c].init(cols[c], K);
      acc0[c] = acc1[c] = _mm512_setzero_ps();
    }
    const __m512i table = fp4_table();
    // d of blocks 0..3 of a quad: dwords 0 and 9 of the 64 bytes at the quad and at block 2.
    const __m512i gidx = _mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 16, 9, 0);
    // Lane l of block i's scale vector: scale 4i + l / 4.
    __m512i sidx[4];
    for (int i = 0; i < 4; ++i)
      sidx[i] = _mm512_set_epi32(4 * i + 3, 4 * i + 3, 4 * i + 3, 4 * i + 3, 4 * i + 2, 4 * i + 2, 4 * i + 2, 4 * i + 2,
                                 4 * i + 1, 4 * i + 1, 4 * i + 1, 4 * i + 1, 4 * i, 4 * i, 4 * i, 4 * i);
    const int64_t pf = prefetch_bytes();
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4) {
      const BlockNVFP4* blk = wb + b;
      prefetch(blk, pf);
      prefetch(blk, pf + 64);
      prefetch(blk, pf + 128);
      const __m512i g = _mm512_permutex2var_epi32(load512(blk), gidx, load512(blk + 2));
      const __m512 s = ue4m3_half(_mm256_cvtepu8_epi16(_mm512_castsi512_si128(g)));
      block<NC>(blk[0], b * kQKNVFP4, _mm512_permutexvar_ps(sidx[0], s), col, table, acc0);
      block<NC>(blk[1], (b + 1) * kQKNVFP4, _mm512_permutexvar_ps(sidx[1], s), col, table, acc1);
      block<NC>(blk[2], (b + 2) * kQKNVFP4, _mm512_permutexvar_ps(sidx[2], s), col, table, acc0);
      block<NC>(blk[3], (b + 3) * kQKNVFP4, _mm512_permutexvar_ps(sidx[3], s), col, table, acc1);
    }
    for (; b < nb; ++b) {
      const __m512 s = ue4m3_half(_mm256_cvtepu8_epi16(_mm_cvtsi32_si128(static_cast<int>(load_u32(wb[b].d)))));
      block<NC>(wb[b], b * kQKNVFP4, _mm512_permutexvar_ps(sidx[0], s), col, table, acc0);
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[c], acc1[c]));
  }
};

// Q1_0 / Q2_0 (18-byte blocks, fp16 d first): the per-block loop, 4 blocks at a time for the
// scales (one vpermw of the d words, one conversion). F::block<NC>(blk, e, dw, col, acc) adds
// dw * (sum over the block of dx * lane sums) into acc.
template <class F>
struct Low18Dot {
  using Block = typename F::Block;
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const Block* wb = static_cast<const Block*>(w);
    constexpr int kN = F::kElems;
    const int64_t nb = K / kN;
    LaneCol col[NC];
    __m512 acc0[NC], acc1[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      col[c].init(cols[c], K);
      acc0[c] = acc1[c] = _mm512_setzero_ps();
    }
    const typename F::Consts k;
    const __m512i didx = _mm512_set_epi16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 27, 18, 9, 0);
    const int64_t pf = prefetch_bytes();
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4) {
      const Block* blk = wb + b;
      prefetch(blk, pf);
      prefetch(blk, pf + 64);
      const __m512 d4 = _mm512_castps128_ps512(
          _mm_cvtph_ps(_mm512_castsi512_si128(_mm512_permutexvar_epi16(didx, load512(blk)))));
      F::template block<NC>(blk[0], b * kN, _mm512_permutexvar_ps(_mm512_set1_epi32(0), d4), col, k, acc0);
      F::template block<NC>(blk[1], (b + 1) * kN, _mm512_permutexvar_ps(_mm512_set1_epi32(1), d4), col, k, acc1);
      F::template block<NC>(blk[2], (b + 2) * kN, _mm512_permutexvar_ps(_mm512_set1_epi32(2), d4), col, k, acc0);
      F::template block<NC>(blk[3], (b + 3) * kN, _mm512_permutexvar_ps(_mm512_set1_epi32(3), d4), col, k, acc1);
    }
    for (; b < nb; ++b) F::template block<NC>(wb[b], b * kN, _mm512_set1_ps(_cvtsh_ss(wb[b].d)), col, k, acc0);
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[c], acc1[c]));
  }
};

// Q1_0: element j of the block is bit j of the little-endian qs (1: +d, 0: -d).
struct FmtQ1_0 {
  using Block = BlockQ1_0;
  static constexpr int kElems = kQK1_0;
  struct Consts {
    __m512i minus = _mm512_set1_epi8(127), plus = _mm512_set1_epi8(static_cast<char>(129));
  };
  template <int NC>
  static inline __attribute__((always_inline)) void block(const Block& blk, int64_t e, __m512 dw, const LaneCol* col,
                                                          const Consts& k, __m512* acc) {
    const __m512i w0 = _mm512_mask_blend_epi8(_cvtu64_mask64(load_u64(blk.qs)), k.minus, k.plus);
    const __m512i w1 = _mm512_mask_blend_epi8(_cvtu64_mask64(load_u64(blk.qs + 8)), k.minus, k.plus);
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      const __m512 s0 = _mm512_mul_ps(_mm512_cvtepi32_ps(col[c].dot64(w0, e)), col[c].ds16(e));
      const __m512 s = _mm512_fmadd_ps(_mm512_cvtepi32_ps(col[c].dot64(w1, e + 64)), col[c].ds16(e + 64), s0);
      acc[c] = _mm512_fmadd_ps(s, dw, acc[c]);
    }
  }
};

// Q2_0: element j of the block is bits 2 (j % 4) of qs[j / 4], value (c - 1) d.
struct FmtQ2_0 {
  using Block = BlockQ2_0;
  static constexpr int kElems = kQK2_0;
  struct Consts {
    __m512i shifts = lanes_epi16(0, 2, 4, 6), m3 = _mm512_set1_epi8(3), off = _mm512_set1_epi8(127);
    // Dword 4L + m <- dword 4m + L: lane L gathers the fields m = 0..3 of bytes 4L..4L+3.
    __m512i transpose = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
    // Byte i of a lane <- byte 4 (i % 4) + i / 4 (field i % 4 of the lane's byte i / 4).
    __m512i order = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  };
  template <int NC>
  static inline __attribute__((always_inline)) void block(const Block& blk, int64_t e, __m512 dw, const LaneCol* col,
                                                          const Consts& k, __m512* acc) {
    const __m512i planes = _mm512_and_si512(_mm512_srlv_epi16(_mm512_broadcast_i32x4(load128(blk.qs)), k.shifts), k.m3);
    const __m512i c = _mm512_shuffle_epi8(_mm512_permutexvar_epi32(k.transpose, planes), k.order);
    const __m512i wu = _mm512_add_epi8(c, k.off);
#pragma GCC unroll 4
    for (int i = 0; i < NC; ++i) {
      const __m512 s = _mm512_mul_ps(_mm512_cvtepi32_ps(col[i].dot64(wu, e)), col[i].ds16(e));
      acc[i] = _mm512_fmadd_ps(s, dw, acc[i]);
    }
  }
};

}  // namespace

const KernelTable& kernels_lowbit_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.tq1_0 = grouped<TQ1Dot>;
    k.tq2_0 = grouped<TQ2Dot>;
    k.mxfp4 = grouped<MXFP4Dot>;
    k.nvfp4 = grouped<NVFP4Dot>;
    k.q1_0 = grouped<Low18Dot<FmtQ1_0>>;
    k.q2_0 = grouped<Low18Dot<FmtQ2_0>>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
