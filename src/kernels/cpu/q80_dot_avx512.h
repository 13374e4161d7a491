// The AVX-512 VNNI Q8_0 / Q4_0 row-dots, shared by rowdot_avx512.cpp and rowdot_gfni_avx512.cpp
// (which differ only in how Q4_0 nibbles are split: the Nibbles / Hi policies). Internal
// linkage: include only from *_avx512.cpp files.
#pragma once
#include <immintrin.h>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {
namespace {

// Q4_0's pair of blocks [qs0, qs0, qs1, qs1] -> [lo0, hi0, lo1, hi1]: a variable shift of the
// odd 128-bit lanes by 4, then the mask (rowdot_gfni_avx512.cpp does it in one GFNI affine).
struct NibblesSrlvPair {
  static __m512i split(__m512i z) {
    const long long s4 = 0x0004000400040004LL;  // words shifted by 4 in 128-bit lanes 1 and 3
    const __m512i shift = _mm512_set_epi64(s4, s4, 0, 0, s4, s4, 0, 0);
    return _mm512_and_si512(_mm512_srlv_epi16(z, shift), _mm512_set1_epi8(0x0F));
  }
};
// The high nibble of every byte (Q40Quad), by shift and mask.
struct HiNibbleSrl {
  static __m512i split(__m512i z) { return _mm512_and_si512(_mm512_srli_epi16(z, 4), _mm512_set1_epi8(0x0F)); }
};

// Q8_0 / Q4_0 weights against Q8_0 lanes, two blocks per 512-bit register. VNNI multiplies
// unsigned by signed bytes, so the weights enter as unsigned codes (Q4_0: the nibble, w + 8;
// Q8_0: w xor 0x80, w + 128) and the dot starts from the lane's correction -c * sum(x) that the
// activation pack carries: one vpdpbusd per pair of blocks and column, no sign fix-up.
template <bool kQ4, class Nibbles>
struct Q80Dot {
  static __m512i pair(const void* w, int64_t b) {
    if (kQ4) {
      // [qs0, qs0, qs1, qs1] from two broadcast loads (no shuffle-port work), then the odd
      // 128-bit lanes' high nibbles: [lo0, hi0, lo1, hi1], x's element order.
      const BlockQ4_0* blk = static_cast<const BlockQ4_0*>(w) + b;
      __m512i z = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[0].qs)));
      z = _mm512_mask_broadcast_i32x4(z, 0xFF00, _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[1].qs)));
      return Nibbles::split(z);
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
  // The scales of blocks b .. b+3 as [d_b x 8, d_b+1 x 8] and [d_b+2 x 8, d_b+3 x 8]: one
  // conversion of the four fp16 values, then one lane permute per pair.
  static void quad_scales(const void* w, int64_t b, __m512* dw01, __m512* dw23) {
    const uint64_t d4 = scale(w, b) | (static_cast<uint64_t>(scale(w, b + 1)) << 16) |
                        (static_cast<uint64_t>(scale(w, b + 2)) << 32) | (static_cast<uint64_t>(scale(w, b + 3)) << 48);
    const __m512 f = _mm512_castps128_ps512(_mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<long long>(d4))));
    *dw01 = _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0), f);
    *dw23 = _mm512_permutexvar_ps(_mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2), f);
  }
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
  static inline __attribute__((always_inline)) void step(const void* w, int64_t b, __m512 dw, const Col* col,
                                                         __m512* acc) {
    const __m512i wu = pair(w, b);
    for (int c = 0; c < NC; ++c) {
      const __m512i p = _mm512_dpbusd_epi32(_mm512_loadu_si512(col[c].corr + b * 8), wu,
                                            _mm512_loadu_si512(col[c].xq + b * kQK));
      acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dw, _mm512_loadu_ps(col[c].ds + b * 8)), acc[c]);
    }
  }
  // The last 0-3 blocks from block b (a pair, then a single one in 256 bits), then the sums.
  template <int NC>
  static void finish(const void* w, int64_t b, int64_t nb, const Col* col, __m512* acc0, __m512* acc1, float* r) {
    if (b + 2 <= nb) {
      step<NC>(w, b, pair_scales(w, b), col, acc0);
      b += 2;
    }
    if (b < nb) {
      const __m256i wu = single(w, b);
      const __m256 dw = _mm256_set1_ps(_cvtsh_ss(scale(w, b)));
      for (int c = 0; c < NC; ++c) {
        const __m256i p = _mm256_dpbusd_epi32(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col[c].corr + b * 8)), wu,
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col[c].xq + b * kQK)));
        const __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, _mm256_loadu_ps(col[c].ds + b * 8)));
        acc1[c] = _mm512_add_ps(acc1[c], _mm512_zextps256_ps512(t));
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[c], acc1[c]));
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
      __m512 dw01, dw23;
      quad_scales(w, b, &dw01, &dw23);
      step<NC>(w, b, dw01, col, acc0);
      step<NC>(w, b + 2, dw23, col, acc1);
    }
    finish<NC>(w, b, nb, col, acc0, acc1, r);
  }
};

// Q4_0 four blocks per register: [qs0 | qs1 | qs2 | qs3] (one block per 128-bit lane), split
// into the low nibbles (elements 0-15 of each block) and the high ones (16-31), both against the
// aux form of the Q8_0 lanes column (pack_q4_0_aux) that stores x in that order: per 4 blocks,
// [x 0-15 of blocks 0-3], [x 16-31 of blocks 0-3], then the 16 offset corrections
// -8 * (sum of the 4 low-half and 4 high-half quants a lane's two vpdpbusd meet), then at the
// end of the column the block scales, 4 per quad. Both halves of a block then sit in the same
// int32 lanes: two vpdpbusd into one accumulator, one conversion and one fma per 4 blocks, with
// a scale vector [dw dx of block 0 x 4, ..., block 3 x 4] from one fp16 conversion, one multiply
// and one permute. Q80Dot above does two conversions, two fmas, two multiplies and two permutes
// per 4 blocks. A tail of 1-3 blocks uses Q80Dot's steps on the standard column.
constexpr int64_t kQ40QuadBytes = 192;
inline size_t q4_0_aux_col_bytes(int64_t K) {
  const int64_t nq = K / kQK / 4;
  return static_cast<size_t>(nq * kQ40QuadBytes + nq * 16);
}
inline void pack_q4_0_aux(const float*, const uint8_t* primary, int64_t K, uint8_t* dst) {
  const int64_t nq = K / kQK / 4;
  const int8_t* qs = reinterpret_cast<const int8_t*>(primary);
  const float* ds = reinterpret_cast<const float*>(primary + K);
  float* xd = reinterpret_cast<float*>(dst + nq * kQ40QuadBytes);
  for (int64_t q = 0; q < nq; ++q) {
    const int8_t* s = qs + q * 4 * kQK;
    alignas(64) int8_t lo[64], hi[64];
    for (int b = 0; b < 4; ++b) {
      __builtin_memcpy(lo + 16 * b, s + kQK * b, 16);
      __builtin_memcpy(hi + 16 * b, s + kQK * b + 16, 16);
      xd[4 * q + b] = ds[8 * (4 * q + b)];
    }
    const __m512i vl = _mm512_load_si512(lo), vh = _mm512_load_si512(hi);
    const __m512i ones = _mm512_set1_epi8(1);
    const __m512i sum = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), ones, vl), ones, vh);
    uint8_t* o = dst + q * kQ40QuadBytes;
    _mm512_storeu_si512(o, vl);
    _mm512_storeu_si512(o + 64, vh);
    _mm512_storeu_si512(o + 128, _mm512_mullo_epi32(sum, _mm512_set1_epi32(-8)));
  }
}

template <class Hi>
struct Q40Quad {
  using Pair = Q80Dot<true, NibblesSrlvPair>;
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, const uint8_t* const* aux, int64_t K, const float*,
                  float* r) {
    const BlockQ4_0* wb = static_cast<const BlockQ4_0*>(w);
    const int64_t nb = K / kQK, nq = nb / 4;
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    const __m512i sidx = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    __m512 acc0[NC], acc1[NC];
    for (int c = 0; c < NC; ++c) acc0[c] = acc1[c] = _mm512_setzero_ps();
    const int64_t pf = prefetch_bytes();
    const float* xd[NC];
    for (int c = 0; c < NC; ++c) xd[c] = reinterpret_cast<const float*>(aux[c] + nq * kQ40QuadBytes);
    for (int64_t q = 0; q < nq; ++q) {
      const BlockQ4_0* blk = wb + 4 * q;
      prefetch(blk, pf);
      prefetch(blk, pf + 64);
      __m512i z = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[0].qs)));
      z = _mm512_mask_broadcast_i32x4(z, 0x00F0, _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[1].qs)));
      z = _mm512_mask_broadcast_i32x4(z, 0x0F00, _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[2].qs)));
      z = _mm512_mask_broadcast_i32x4(z, 0xF000, _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[3].qs)));
      const __m512i lo = _mm512_and_si512(z, m4), hi = Hi::split(z);
      const uint64_t d4 = blk[0].d | (static_cast<uint64_t>(blk[1].d) << 16) | (static_cast<uint64_t>(blk[2].d) << 32) |
                          (static_cast<uint64_t>(blk[3].d) << 48);
      const __m128 dw = _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<long long>(d4)));
      for (int c = 0; c < NC; ++c) {
        const uint8_t* a = aux[c] + q * kQ40QuadBytes;
        __m512i p = _mm512_dpbusd_epi32(_mm512_loadu_si512(a + 128), lo, _mm512_loadu_si512(a));
        p = _mm512_dpbusd_epi32(p, hi, _mm512_loadu_si512(a + 64));
        const __m512 sv = _mm512_permutexvar_ps(sidx,
                                                _mm512_castps128_ps512(_mm_mul_ps(dw, _mm_loadu_ps(xd[c] + 4 * q))));
        if (q & 1) {
          acc1[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), sv, acc1[c]);
        } else {
          acc0[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), sv, acc0[c]);
        }
      }
    }
    // The last 1-3 blocks on the standard column, as Q80Dot does them.
    int64_t b = 4 * nq;
    typename Pair::Col col[NC];
    for (int c = 0; c < NC; ++c)
      col[c] = {reinterpret_cast<const int8_t*>(cols[c]), reinterpret_cast<const float*>(cols[c] + K),
                reinterpret_cast<const int32_t*>(cols[c] + 2 * K)};
    Pair::template finish<NC>(w, b, nb, col, acc0, acc1, r);
  }
};

}  // namespace
}  // namespace seek::kern
