// AVX2 + FMA + F16C row-dots of the 32-element formats beside Q4_0 / Q8_0: Q4_1 and Q5_1
// against Q8_1 lanes, Q5_0 and IQ4_NL against Q8_0 lanes (activations.h). One block per 256-bit
// register in x's element order (16 nibble bytes -> [lo | hi]); per block and column one
// vpmaddubsw + vpmaddwd into 8 int32 lane sums:
//   Q4_1 / Q5_1: the unsigned codes (0..15 / 0..31, bit 4 from qh) times x;
//   Q5_0: the unsigned code w + 16 times x, plus the lane's corr = -16 sum x;
//   IQ4_NL: kIq4Values[q] by one vpshufb, then |w| times x with w's sign (its values reach
//   -127, so w + 128 would overflow vpmaddubsw's int16 pairs).
// The lane sums are exact; each is scaled by dw * dx into an f32 vector accumulator per column,
// and the min terms m * s of Q4_1 / Q5_1 are summed in scalar per column. Same products and
// scales as the scalar reference, summed in another order: equal within the f32 rounding bound
// test_matmul.cpp checks, not bit for bit.
// Scalar float steps must not be fused into FMAs behind our back (explicit intrinsics still fuse).
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"
#include "kernels/cpu/simd_util.h"
#include "kernels/quant/blocks.h"

namespace seek::kern {

namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// The 16 nibble bytes of a block -> 32 bytes, byte i = element i.
inline __m256i nibbles(const uint8_t* qs) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(v, 4), v), _mm256_set1_epi8(0x0F));
}
// Bit i of the little-endian qh -> 16 in byte i (else 0).
inline __m256i high_bits(const uint8_t* qh) {
  const __m256i spread = _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL, 0x0101010101010101LL, 0);
  const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
  const __m256i v = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(load_u32(qh))), spread),
                                     bit);
  return _mm256_and_si256(_mm256_cmpeq_epi8(v, bit), _mm256_set1_epi8(16));
}

// The formats: Block, kMin (Q8_1 lanes, + m * s per block), kCorr (add the lane's corr),
// kSigned (codes are signed values: multiply with the sign trick), codes(blk).
struct FmtQ4_1 {
  using Block = BlockQ4_1;
  static constexpr bool kMin = true, kCorr = false, kSigned = false;
  static __m256i codes(const Block& b) { return nibbles(b.qs); }
};
// Q5_0 (codes w + 16, with corr) / Q5_1: the nibbles plus bit 4 from qh.
template <class B, bool kHasMin>
struct FmtQ5 {
  using Block = B;
  static constexpr bool kMin = kHasMin, kCorr = !kHasMin, kSigned = false;
  static __m256i codes(const Block& b) { return _mm256_or_si256(nibbles(b.qs), high_bits(b.qh)); }
};
using FmtQ5_0 = FmtQ5<BlockQ5_0, false>;
using FmtQ5_1 = FmtQ5<BlockQ5_1, true>;
struct FmtIQ4_NL {
  using Block = BlockIQ4_NL;
  static constexpr bool kMin = false, kCorr = false, kSigned = true;
  static __m256i codes(const Block& b) {
    const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4Values));
    return _mm256_shuffle_epi8(_mm256_set_m128i(t, t), nibbles(b.qs));
  }
};

template <class F>
struct Q32Dot {
  using Block = typename F::Block;
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const Block* wb = static_cast<const Block*>(w);
    const int64_t nb = K / kQK;
    const __m256i ones = _mm256_set1_epi16(1);
    // One accumulator per column: the FMA latency (4 cycles) is below a block's work, and two
    // per column would not fit the 16 registers at 4 columns (nor may the count depend on NC:
    // a column's result must not depend on how many columns share the call).
    __m256 acc[NC];
    float mins[NC];
    for (int c = 0; c < NC; ++c) {
      acc[c] = _mm256_setzero_ps();
      mins[c] = 0;
    }
    auto step = [&](int64_t b) __attribute__((always_inline)) {
      const Block& blk = wb[b];
      const __m256i q = F::codes(blk);
      const __m256i u = F::kSigned ? _mm256_sign_epi8(q, q) : q;
      const __m256 dw = _mm256_set1_ps(h2f(blk.d));
      float mw = 0;
      if constexpr (F::kMin) mw = h2f(blk.m);
#pragma GCC unroll 4  // GCC 12 leaves the 4-column loop rolled otherwise, accumulators in memory
      for (int c = 0; c < NC; ++c) {
        const uint8_t* col = cols[c];
        __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + b * kQK));
        if constexpr (F::kSigned) xq = _mm256_sign_epi8(xq, q);
        __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(u, xq), ones);
        if constexpr (F::kCorr)
          p = _mm256_add_epi32(p, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + 2 * K + 32 * b)));
        const __m256 dx = _mm256_loadu_ps(reinterpret_cast<const float*>(col + K) + b * 8);
        acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, dx), acc[c]);
        if constexpr (F::kMin) mins[c] += mw * reinterpret_cast<const float*>(col + 2 * K)[b * 8];
      }
    };
    const int64_t pf = prefetch_bytes();
    int64_t b = 0;
    for (; b + 4 <= nb; b += 4) {
      for (int64_t o = 0; o < 4 * static_cast<int64_t>(sizeof(Block)); o += 64) prefetch(wb + b, pf + o);
      step(b);
      step(b + 1);
      step(b + 2);
      step(b + 3);
    }
    for (; b < nb; ++b) step(b);
    for (int c = 0; c < NC; ++c) r[c] = hsum(acc[c]) + mins[c];
  }
};

}  // namespace

const KernelTable& kernels_q32_avx2() {
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
