// AVX-512 VNNI row-dots of the 32-element formats beside Q4_0 / Q8_0: Q4_1 and Q5_1 against
// Q8_1 lanes, Q5_0 and IQ4_NL against Q8_0 lanes (activations.h). As Q80Dot
// (q80_dot_avx512.h): two blocks per 512-bit register in x's element order, built from two
// broadcast loads of the 16 nibble bytes ([qs0, qs0, qs1, qs1], the odd 128-bit lanes shifted
// by 4), one vpdpbusd per pair of blocks and column with the weights as unsigned codes:
//   Q4_1 / Q5_1: the codes themselves (0..15 / 0..31), the dot starts from 0;
//   Q5_0: the 5-bit code w + 16 (bit 4 from qh by a byte mask), starting from corr = -16 sum x;
//   IQ4_NL: kIq4Values[q] + 128 (1..241) by one in-lane byte shuffle, from corr = -128 sum x.
// The int32 lane sums are exact; each is scaled by dw * dx into f32 vector accumulators (two,
// for the FMA latency); the min terms m * s of Q4_1 / Q5_1 go, four blocks per masked fma, into
// a third. Same products and scales as the scalar reference, summed in another order: equal
// within the f32 rounding bound test_matmul.cpp checks, not bit for bit.
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

namespace seek::kern {

namespace {

// [qs0, qs0, qs1, qs1] -> [lo0, hi0, lo1, hi1]: byte i is element i % 32 of block i / 32.
inline __m512i nibbles_pair(const uint8_t* qs0, const uint8_t* qs1) {
  __m512i z = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs0)));
  z = _mm512_mask_broadcast_i32x4(z, 0xFF00, _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs1)));
  const long long s4 = 0x0004000400040004LL;  // words shifted by 4 in 128-bit lanes 1 and 3
  const __m512i shift = _mm512_set_epi64(s4, s4, 0, 0, s4, s4, 0, 0);
  return _mm512_and_si512(_mm512_srlv_epi16(z, shift), _mm512_set1_epi8(0x0F));
}
// One block: byte i is element i.
inline __m256i nibbles_one(const uint8_t* qs) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(v, 4), v), _mm256_set1_epi8(0x0F));
}
// kIq4Values + 128 as unsigned bytes (1..241), in every 128-bit lane: vpshufb's table.
struct U8x16 {
  alignas(16) uint8_t v[16];
};
constexpr U8x16 kIq4Unsigned = [] {
  U8x16 t{};
  for (int i = 0; i < 16; ++i) t.v[i] = static_cast<uint8_t>(kIq4Values[i] + 128);
  return t;
}();
inline __m512i iq4_table() {
  return _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(kIq4Unsigned.v)));
}

// The formats: Block, kMin (Q8_1 lanes: + m * s per block), kCorr (the dot starts from corr),
// pair(b) / one(b): the unsigned codes of blocks b[0..1] / b[0]. d (and m) lead every block.
struct FmtQ4_1 {
  using Block = BlockQ4_1;
  static constexpr bool kMin = true, kCorr = false;
  static __m512i pair(const Block* b) { return nibbles_pair(b[0].qs, b[1].qs); }
  static __m256i one(const Block* b) { return nibbles_one(b->qs); }
};
// Q5_0 / Q5_1: the nibbles plus 16 where the element's bit of qh is set (qh as a byte mask).
template <class B, bool kHasMin>
struct FmtQ5 {
  using Block = B;
  static constexpr bool kMin = kHasMin, kCorr = !kHasMin;
  static __m512i pair(const Block* b) {
    const __mmask64 h = load_u32(b[0].qh) | (static_cast<uint64_t>(load_u32(b[1].qh)) << 32);
    const __m512i q = nibbles_pair(b[0].qs, b[1].qs);
    return _mm512_mask_add_epi8(q, h, q, _mm512_set1_epi8(16));
  }
  static __m256i one(const Block* b) {
    const __m256i q = nibbles_one(b->qs);
    return _mm256_mask_add_epi8(q, load_u32(b->qh), q, _mm256_set1_epi8(16));
  }
};
using FmtQ5_0 = FmtQ5<BlockQ5_0, false>;
using FmtQ5_1 = FmtQ5<BlockQ5_1, true>;
struct FmtIQ4_NL {
  using Block = BlockIQ4_NL;
  static constexpr bool kMin = false, kCorr = true;
  static __m512i pair(const Block* b) { return _mm512_shuffle_epi8(iq4_table(), nibbles_pair(b[0].qs, b[1].qs)); }
  static __m256i one(const Block* b) {
    return _mm256_shuffle_epi8(_mm512_castsi512_si256(iq4_table()), nibbles_one(b->qs));
  }
};

template <class F>
struct Q32Dot {
  using Block = typename F::Block;
  struct Col {
    const int8_t* xq;
    const float* ds;
    const uint8_t* tail;  // int32 corr (Q8_0 lanes) or float s (Q8_1 lanes), 8 per block
  };
  // The fp16 fields of blocks b .. b+3 (d, or d and m) as words 0..3 / 0..7 of a vector: one
  // vpermw of the 64 bytes from b (or vpermt2w of those and the quad's last 64 bytes, where the
  // fields reach past byte 64), instead of four scalar loads put together.
  static constexpr int kFields = F::kMin ? 2 : 1;
  static constexpr int kBlock = static_cast<int>(sizeof(Block));
  static constexpr bool kTwoLoads = 3 * kBlock + 2 * kFields > 64;
  static __m512i field_index() {
    alignas(64) int16_t idx[32] = {};
    for (int i = 0; i < 4; ++i)
      for (int f = 0; f < kFields; ++f) {
        const int off = i * kBlock + 2 * f;
        idx[kFields * i + f] = static_cast<int16_t>(off + 2 <= 64 ? off / 2 : 32 + (off - (4 * kBlock - 64)) / 2);
      }
    return _mm512_load_si512(idx);
  }
  // The scales of blocks b .. b+3: [d0 x 8, d1 x 8], [d2 x 8, d3 x 8] and, for kMin, a vector
  // with m0..m3 in lanes 1, 3, 5, 7 (the fp16 pairs d | m converted together).
  static inline __attribute__((always_inline)) void quad_scales(const Block* b, __m512i fidx, __m512* dw01,
                                                                __m512* dw23, __m256* m4) {
    const __m512i z = _mm512_loadu_si512(b);
    __m512i h;
    if constexpr (kTwoLoads)
      h = _mm512_permutex2var_epi16(z, fidx, _mm512_loadu_si512(reinterpret_cast<const uint8_t*>(b) + 4 * kBlock - 64));
    else h = _mm512_permutexvar_epi16(fidx, z);
    if constexpr (F::kMin) {
      const __m256 dm = _mm256_cvtph_ps(_mm512_castsi512_si128(h));  // [d0, m0, d1, m1, ...]
      *m4 = dm;
      const __m512 f = _mm512_castps256_ps512(dm);
      *dw01 = _mm512_permutexvar_ps(_mm512_set_epi32(2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0), f);
      *dw23 = _mm512_permutexvar_ps(_mm512_set_epi32(6, 6, 6, 6, 6, 6, 6, 6, 4, 4, 4, 4, 4, 4, 4, 4), f);
    } else {
      const __m512 f = _mm512_castps128_ps512(_mm_cvtph_ps(_mm512_castsi512_si128(h)));
      *dw01 = _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0), f);
      *dw23 = _mm512_permutexvar_ps(_mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2), f);
    }
  }
  static __m512 pair_scales(const Block* b) {
    const __m128 d2 = _mm_cvtph_ps(_mm_cvtsi32_si128(b[0].d | (static_cast<int>(b[1].d) << 16)));
    return _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                                 _mm512_castps128_ps512(d2));
  }
  template <int NC>
  static inline __attribute__((always_inline)) void step(const Block* blk, int64_t b, __m512 dw, const Col* col,
                                                         __m512* acc) {
    const __m512i wu = F::pair(blk);
#pragma GCC unroll 4  // GCC 12 leaves the 4-column loop rolled otherwise, accumulators in memory
    for (int c = 0; c < NC; ++c) {
      const __m512i start = F::kCorr ? _mm512_loadu_si512(col[c].tail + 32 * b) : _mm512_setzero_si512();
      const __m512i p = _mm512_dpbusd_epi32(start, wu, _mm512_loadu_si512(col[c].xq + b * kQK));
      acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(dw, _mm512_loadu_ps(col[c].ds + b * 8)), acc[c]);
    }
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const Block* wb = static_cast<const Block*>(w);
    const int64_t nb = K / kQK;
    Col col[NC];
    __m512 acc0[NC], acc1[NC];
    __m256 accm[NC];
    float tail[NC];
    for (int c = 0; c < NC; ++c) {
      col[c] = {reinterpret_cast<const int8_t*>(cols[c]), reinterpret_cast<const float*>(cols[c] + K), cols[c] + 2 * K};
      acc0[c] = acc1[c] = _mm512_setzero_ps();
      accm[c] = _mm256_setzero_ps();
      tail[c] = 0;
    }
    // s of blocks b .. b+3 (lanes 0 and 8 of the two loads) into lanes 1, 3, 5, 7, beside m.
    const __m512i sidx = _mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 24, 0, 16, 0, 8, 0, 0, 0);
    const __m512i fidx = field_index();
    const int64_t pf = prefetch_bytes();
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4) {
      const Block* blk = wb + b;
      for (int64_t o = 0; o < 4 * static_cast<int64_t>(sizeof(Block)); o += 64) prefetch(blk, pf + o);
      __m512 dw01, dw23;
      __m256 m4;
      quad_scales(blk, fidx, &dw01, &dw23, &m4);
      step<NC>(blk, b, dw01, col, acc0);
      step<NC>(blk + 2, b + 2, dw23, col, acc1);
      if constexpr (F::kMin) {
#pragma GCC unroll 4
        for (int c = 0; c < NC; ++c) {
          const float* s = reinterpret_cast<const float*>(col[c].tail) + b * 8;
          const __m512 sv = _mm512_permutex2var_ps(_mm512_loadu_ps(s), sidx, _mm512_loadu_ps(s + 16));
          accm[c] = _mm256_mask3_fmadd_ps(m4, _mm512_castps512_ps256(sv), accm[c], 0xAA);
        }
      }
    }
    // The last 0-3 blocks: a pair, then one in 256 bits; their min terms in scalar.
    if (b + 2 <= nb) {
      step<NC>(wb + b, b, pair_scales(wb + b), col, acc0);
      if constexpr (F::kMin) {
        for (int c = 0; c < NC; ++c) {
          const float* s = reinterpret_cast<const float*>(col[c].tail);
          tail[c] += h2f(wb[b].m) * s[b * 8];
          tail[c] += h2f(wb[b + 1].m) * s[b * 8 + 8];
        }
      }
      b += 2;
    }
    if (b < nb) {
      const __m256i wu = F::one(wb + b);
      const __m256 dw = _mm256_set1_ps(h2f(wb[b].d));
      for (int c = 0; c < NC; ++c) {
        const __m256i start = F::kCorr ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col[c].tail + 32 * b))
                                       : _mm256_setzero_si256();
        const __m256i p = _mm256_dpbusd_epi32(
            start, wu, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col[c].xq + b * kQK)));
        const __m256 t = _mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, _mm256_loadu_ps(col[c].ds + b * 8)));
        acc1[c] = _mm512_add_ps(acc1[c], _mm512_zextps256_ps512(t));
        if constexpr (F::kMin) tail[c] += h2f(wb[b].m) * reinterpret_cast<const float*>(col[c].tail)[b * 8];
      }
    }
    for (int c = 0; c < NC; ++c) {
      __m512 t = _mm512_add_ps(acc0[c], acc1[c]);
      if constexpr (F::kMin) t = _mm512_add_ps(t, _mm512_zextps256_ps512(accm[c]));
      r[c] = _mm512_reduce_add_ps(t) + tail[c];
    }
  }
};

}  // namespace

const KernelTable& kernels_q32_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.q4_1 = grouped<Q32Dot<FmtQ4_1>>;
    k.q5_0 = grouped<Q32Dot<FmtQ5_0>>;
    k.q5_1 = grouped<Q32Dot<FmtQ5_1>>;
    k.iq4_nl = grouped<Q32Dot<FmtIQ4_NL>>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern
