// AVX2 + FMA + F16C row-dots of the ternary, FP4 and 1- / 2-bit types: TQ1_0 and TQ2_0 against
// Q8_K, MXFP4, NVFP4, Q1_0 and Q2_0 against Q8_0 lanes (activations.h). Each weight block is
// decoded once for all columns into 32 bytes per register in the order of 32 consecutive
// activation bytes (the layouts and decodes of rowdot_lowbit_avx512.cpp, in 256 bits), and
// vpmaddubsw + vpmaddwd make the products and their int32 lane sums:
//   TQ1_0 / TQ2_0: the unsigned codes c = w + 1 (0..2) times x, summed in int16 over the
//     super-block (at most 8 * 2 * 2 * 127 plus a bsum: no overflow), minus the bsums (sum x),
//     then one vpmaddwd. The super-block's exact integer sum then takes the scalar reference's
//     float steps (isum * (d * x.d), summed left to right): bit for bit the reference.
//   MXFP4 / NVFP4 / Q2_0: the values (kFp4Values; c - 1) go in as |w| with w's sign moved onto
//     x (vpsignb: exact, x is in -127..127); Q1_0 as x with the bit's sign, summed by vpmaddubsw
//     with ones. Their lanes are scaled into f32 vector accumulators, Q1_0 / Q2_0 grouped as
//     the reference (each weight block's dx-scaled lanes summed, then times its d): the same
//     products and scales summed in another order, within the rounding bound test_matmul.cpp
//     checks, not bit for bit.
// Trits of TQ1_0 bytes, floor(3 p / 256) with p = (q 3^n) mod 256: where every byte of a register
// has the same n, p by byte adds (x3 each step) and the trit as avg(p', avg(p', 0)) >> 6, p' = p
// -sat 1 (no multiplies; exact for all 256 p); for the last register (qs[32..47] x 81 beside the
// qh bytes x 1, 3, 9, 27) vpmullw by 3^n with the byte in the top half of a 16-bit word and
// vpmulhuw by 3 (odd bytes: by 768, trit in bits 8-9), as rowdot_lowbit_avx512.cpp does for all.
// Scalar float steps must not be fused into FMAs behind our back (explicit intrinsics still fuse).
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

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

// sum over each int32 lane of |w| * (x with w's sign): the lane sums of w x, w signed bytes.
inline __m256i dot_signed(__m256i u, __m256i w, __m256i x) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, _mm256_sign_epi8(x, w)), _mm256_set1_epi16(1));
}

// ---- TQ1_0 / TQ2_0 against Q8_K ----

// Per column, the super-block's exact sum of (c - 1) x: the codes c of x elements 32i..32i + 31
// come from code(i) (made once for all columns, in order, so that only one is live), their
// products with x summed in int16, minus the bsums (sum x), then to int32 and one int.
template <int NC, class Code>
inline __attribute__((always_inline)) void ternary_sums(Code code, const uint8_t* const* cols, int64_t b, int* isum) {
  __m256i s[NC];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    const __m256i ci = code(i);
#pragma GCC unroll 4  // GCC 12 leaves the 4-column loop rolled otherwise
    for (int c = 0; c < NC; ++c) {
      const BlockQ8_K& xb = xblock(cols[c], b);
      const __m256i p = _mm256_maddubs_epi16(ci, load256(xb.qs + 32 * i));
      s[c] = i ? _mm256_add_epi16(s[c], p) : _mm256_sub_epi16(p, load256(xb.bsums));
    }
  }
#pragma GCC unroll 4
  for (int c = 0; c < NC; ++c) isum[c] = hsum_i32(_mm256_madd_epi16(s[c], _mm256_set1_epi16(1)));
}

// TQ2_0: element 128h + 32l + m is bits 2l..2l+1 of qs[32h + m].
struct TQ2Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockTQ2_0* wb = static_cast<const BlockTQ2_0*>(w);
    const int64_t nb = K / kQKK;
    const __m256i m3 = _mm256_set1_epi8(3);
    const int64_t pf = prefetch_bytes();
    float s[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      prefetch(wb + b, pf);
      prefetch(wb + b, pf + 64);
      const __m256i q0 = load256(wb[b].qs), q1 = load256(wb[b].qs + 32);
      int isum[NC];
      ternary_sums<NC>(
          [&](int i) __attribute__((always_inline)) {  // (qs[32h..] >> 2l) & 3, i = 4h + l
            const __m256i q = i < 4 ? q0 : q1;
            return _mm256_and_si256((i & 3) ? _mm256_srli_epi16(q, 2 * (i & 3)) : q, m3);
          },
          cols, b, isum);
      const float dw = h2f(wb[b].d);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const float p = static_cast<float>(isum[c]) * (load_f32(&xblock(cols[c], b).d) * dw);  // never fused
        s[c] += p;
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

// TQ1_0: elements 32n + m (n < 5) are trit n of qs[m] (m < 32), 160 + 16n + m trit n of
// qs[32 + m] (m < 16), 240 + 4n + j trit n of qh[j] (n < 4).
struct TQ1Dot {
  // The trits of v's bytes with multiplier 3^n per word: me = 256 * 3^n, mo = 3^n, vo = v & 0xFF00.
  static inline __attribute__((always_inline)) __m256i trits(__m256i v, __m256i vo, __m256i me, __m256i mo) {
    const __m256i te = _mm256_mulhi_epu16(_mm256_mullo_epi16(v, me), _mm256_set1_epi16(3));
    const __m256i to = _mm256_mulhi_epu16(_mm256_mullo_epi16(vo, mo), _mm256_set1_epi16(768));
    return _mm256_or_si256(te, _mm256_and_si256(to, _mm256_set1_epi16(0x0300)));
  }
  // The trits of uniformly multiplied bytes p = (q 3^n) mod 256: floor(3 p / 256) as
  // avg(p', avg(p', 0)) >> 6 with p' = p - 1 (saturated), exact for every byte.
  static inline __attribute__((always_inline)) __m256i trit_bytes(__m256i p) {
    const __m256i q = _mm256_subs_epu8(p, _mm256_set1_epi8(1));
    const __m256i r = _mm256_avg_epu8(q, _mm256_avg_epu8(q, _mm256_setzero_si256()));
    return _mm256_and_si256(_mm256_srli_epi16(r, 6), _mm256_set1_epi8(3));
  }
  static inline __attribute__((always_inline)) __m256i times3(__m256i p) {
    return _mm256_add_epi8(_mm256_add_epi8(p, p), p);
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockTQ1_0* wb = static_cast<const BlockTQ1_0*>(w);
    const int64_t nb = K / kQKK;
    const __m256i hi = _mm256_set1_epi16(static_cast<short>(0xFF00));
    // [qs32-47 | qh x4] times [81 | 1, 3, 9, 27 per 4 bytes].
    const __m256i m7 = _mm256_setr_epi16(81, 81, 81, 81, 81, 81, 81, 81, 1, 1, 3, 3, 9, 9, 27, 27);
    const int64_t pf = prefetch_bytes();
    float s[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      const BlockTQ1_0& blk = wb[b];
      prefetch(&blk, pf);
      prefetch(&blk, pf + 64);
      __m256i a = load256(blk.qs);  // qs[0..31] times 3^n, byte by byte
      const __m256i v = _mm256_broadcastsi128_si256(load128(blk.qs + 32));
      __m256i bm = _mm256_blend_epi32(v, times3(v), 0xF0);  // [qs32-47 | 3 qs32-47], then times 9
      int isum[NC];
      ternary_sums<NC>(
          [&](int i) __attribute__((always_inline)) {
            if (i < 5) {  // trit i of qs[0..31]
              const __m256i t = trit_bytes(a);
              a = times3(a);
              return t;
            }
            if (i < 7) {  // trits 0, 1 then 2, 3 of qs[32..47]
              const __m256i t = trit_bytes(bm);
              bm = times3(times3(bm));
              return t;
            }
            // [trit 4 of qs[32..47] | trits 0..3 of qh]
            const __m256i q = _mm256_blend_epi32(v, _mm256_set1_epi32(static_cast<int>(load_u32(blk.qh))), 0xF0);
            return trits(q, _mm256_and_si256(q, hi), _mm256_slli_epi16(m7, 8), m7);
          },
          cols, b, isum);
      const float dw = h2f(blk.d);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const float p = static_cast<float>(isum[c]) * (dw * load_f32(&xblock(cols[c], b).d));  // never fused
        s[c] += p;
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

// ---- MXFP4 / NVFP4 / Q1_0 / Q2_0 against Q8_0 lanes ----

struct LaneCol {
  const int8_t* xq;
  const float* ds;
  void init(const uint8_t* col, int64_t K) {
    xq = reinterpret_cast<const int8_t*>(col);
    ds = reinterpret_cast<const float*>(col + K);
  }
  __m256i x32(int64_t e) const { return load256(xq + e); }
  __m256 ds8(int64_t e) const { return _mm256_loadu_ps(ds + e / 4); }
};

inline __m256i fp4_values() {
  const __m128i t = load128(kFp4Values);
  return _mm256_set_m128i(t, t);
}
// E8M0 e -> 2^(e - 128), half the scale (fp4.h's e8m0_half_to_fp32, kept local: an inline
// function with external linkage compiled here could stand in for the scalar code's copy).
inline float e8m0_half(uint8_t e) {
  const uint32_t bits = e < 2 ? 0x00200000u << e : static_cast<uint32_t>(e - 1) << 23;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// MXFP4: qs[j] low nibble = element j, high = element j + 16.
struct MXFP4Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockMXFP4* wb = static_cast<const BlockMXFP4*>(w);
    const int64_t nb = K / kQK;
    const __m256i table = fp4_values(), m4 = _mm256_set1_epi8(0x0F);
    LaneCol col[NC];
    __m256 acc[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      col[c].init(cols[c], K);
      acc[c] = _mm256_setzero_ps();
    }
    const int64_t pf = prefetch_bytes();
    for (int64_t b = 0; b < nb; ++b) {
      if ((b & 3) == 0) {
        prefetch(wb + b, pf);
        prefetch(wb + b, pf + 64);
      }
      const __m128i q = load128(wb[b].qs);
      const __m256i v = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), m4));
      const __m256i u = _mm256_sign_epi8(v, v);
      const __m256 dw = _mm256_set1_ps(e8m0_half(wb[b].e));
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const __m256i p = dot_signed(u, v, col[c].x32(b * kQK));
        acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(col[c].ds8(b * kQK), dw), acc[c]);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = hsum(acc[c]);
  }
};

// NVFP4: sub-block t (elements 16t..16t+15) is qs[8t..8t+7], low nibbles first; scale d[t].
struct NVFP4Dot {
  // The half scales of the 4 UE4M3 bytes of d4: fp16 (x & 0x7F) << 7 times 2^7 (0x7F gives 0).
  static __m128 ue4m3_half4(uint32_t d4) {
    const __m128i w = _mm_cvtepu8_epi16(_mm_cvtsi32_si128(static_cast<int>(d4)));
    const __m128i h = _mm_andnot_si128(_mm_cmpeq_epi16(w, _mm_set1_epi16(0x7F)),
                                       _mm_and_si128(_mm_slli_epi16(w, 7), _mm_set1_epi16(0x3F80)));
    return _mm_mul_ps(_mm_cvtph_ps(h), _mm_set1_ps(128.0f));
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockNVFP4* wb = static_cast<const BlockNVFP4*>(w);
    const int64_t nb = K / kQKNVFP4;
    const __m256i table = fp4_values(), m4 = _mm256_set1_epi8(0x0F), sh = _mm256_setr_epi64x(0, 4, 0, 4);
    const __m256i s01 = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1), s23 = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3);
    LaneCol col[NC];
    __m256 acc[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      col[c].init(cols[c], K);
      acc[c] = _mm256_setzero_ps();
    }
    const int64_t pf = prefetch_bytes();
    for (int64_t b = 0; b < nb; ++b) {
      if ((b & 1) == 0) {
        prefetch(wb + b, pf);
        prefetch(wb + b, pf + 64);
      }
      const __m256i qs = load256(wb[b].qs);
      const __m256 s4 = _mm256_castps128_ps256(ue4m3_half4(load_u32(wb[b].d)));
      for (int k = 0; k < 2; ++k) {  // sub-blocks 2k, 2k + 1: [lo | hi] of qs[16k..16k+7], of qs[16k+8..16k+15]
        const __m256i q = k ? _mm256_permute4x64_epi64(qs, 0xFA) : _mm256_permute4x64_epi64(qs, 0x50);
        const __m256i v = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srlv_epi64(q, sh), m4));
        const __m256i u = _mm256_sign_epi8(v, v);
        const __m256 dw = _mm256_permutevar8x32_ps(s4, k ? s23 : s01);
        const int64_t e = b * kQKNVFP4 + 32 * k;
#pragma GCC unroll 4
        for (int c = 0; c < NC; ++c) {
          const __m256i p = dot_signed(u, v, col[c].x32(e));
          acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, col[c].ds8(e)), acc[c]);
        }
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = hsum(acc[c]);
  }
};

// Q1_0 / Q2_0 (18-byte blocks, fp16 d first): F::sub(blk, k) gives the signed values of
// elements 32k..32k + 31 of the block (w) and their magnitudes (u); each weight block's
// dx-scaled lane sums are summed, then scaled by its d into the accumulator.
template <class F>
struct Low18Dot {
  using Block = typename F::Block;
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const Block* wb = static_cast<const Block*>(w);
    constexpr int kN = F::kElems, kSub = kN / kQK;
    const int64_t nb = K / kN;
    const typename F::Consts k;
    LaneCol col[NC];
    __m256 acc[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) {
      col[c].init(cols[c], K);
      acc[c] = _mm256_setzero_ps();
    }
    const int64_t pf = prefetch_bytes();
    for (int64_t b = 0; b < nb; ++b) {
      if ((b & 3) == 0) {
        prefetch(wb + b, pf);
        prefetch(wb + b, pf + 64);
      }
      __m256 t[NC];
#pragma GCC unroll 4
      for (int j = 0; j < kSub; ++j) {
        __m256i v, u;
        F::sub(wb[b], j, k, &v, &u);
        const int64_t e = b * kN + kQK * j;
#pragma GCC unroll 4
        for (int c = 0; c < NC; ++c) {
          const __m256 p = _mm256_cvtepi32_ps(dot_signed(u, v, col[c].x32(e)));
          t[c] = j ? _mm256_fmadd_ps(p, col[c].ds8(e), t[c]) : _mm256_mul_ps(p, col[c].ds8(e));
        }
      }
      const __m256 dw = _mm256_set1_ps(h2f(wb[b].d));
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_fmadd_ps(t[c], dw, acc[c]);
    }
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) r[c] = hsum(acc[c]);
  }
};

// Q1_0: element j is bit j of the little-endian qs: +1 if set, else -1.
struct FmtQ1_0 {
  using Block = BlockQ1_0;
  static constexpr int kElems = kQK1_0;
  struct Consts {
    __m256i spread = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3,
                                      3, 3, 3, 3, 3);
    __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    __m256i one = _mm256_set1_epi8(1);
  };
  static inline __attribute__((always_inline)) void sub(const Block& b, int j, const Consts& k, __m256i* v,
                                                        __m256i* u) {
    const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(load_u32(b.qs + 4 * j))), k.spread);
    const __m256i clear = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, k.bit), _mm256_setzero_si256());  // -1: bit clear
    *v = _mm256_or_si256(clear, k.one);  // -1 | 1 = -1 (clear), 0 | 1 = +1 (set)
    *u = k.one;
  }
};

// Q2_0: element j is bits 2 (j % 4) of qs[j / 4], value c - 1.
struct FmtQ2_0 {
  using Block = BlockQ2_0;
  static constexpr int kElems = kQK2_0;
  struct Consts {
    __m256i shifts = _mm256_setr_epi64x(0, 2, 4, 6), m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    // Dwords [field 0..3 of bytes 0-3 | field 0..3 of bytes 4-7], then in-lane element order.
    __m256i transpose = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    __m256i order = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 4, 8, 12, 1, 5, 9, 13, 2,
                                     6, 10, 14, 3, 7, 11, 15);
  };
  static inline __attribute__((always_inline)) void sub(const Block& b, int j, const Consts& k, __m256i* v,
                                                        __m256i* u) {
    // qword m: field m of bytes 8j..8j+7 (elements 32j + 4i + m).
    const __m256i planes = _mm256_and_si256(
        _mm256_srlv_epi64(_mm256_set1_epi64x(static_cast<long long>(load_u64(b.qs + 8 * j))), k.shifts), k.m3);
    const __m256i c = _mm256_shuffle_epi8(_mm256_permutevar8x32_epi32(planes, k.transpose), k.order);
    *v = _mm256_sub_epi8(c, k.one);
    *u = _mm256_sign_epi8(*v, *v);
  }
};

}  // namespace

const KernelTable& kernels_lowbit_avx2() {
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
