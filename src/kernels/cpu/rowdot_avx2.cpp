// AVX2 + FMA + F16C row-dots (any x86-64 from Haswell on). Same arithmetic as the scalar
// reference up to float summation order; the K-quant kernels compute the same integer sums and
// the same per-super-block float steps as the reference, so they match it bit for bit.
// Scalar float steps must not be fused into FMAs behind our back: the K-quant epilogues
// repeat the reference's exact operations (explicit _mm*_fmadd_* intrinsics still fuse).
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

// Float weights against f32 activations: two accumulators per column (16 elements a step).
template <class Load8>
struct FloatDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const float* x[NC];
    __m256 a0[NC], a1[NC];
    for (int c = 0; c < NC; ++c) {
      x[c] = reinterpret_cast<const float*>(cols[c]);
      a0[c] = a1[c] = _mm256_setzero_ps();
    }
    int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
      const __m256 w0 = Load8::load(w, k), w1 = Load8::load(w, k + 8);
      for (int c = 0; c < NC; ++c) {
        a0[c] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x[c] + k), a0[c]);
        a1[c] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x[c] + k + 8), a1[c]);
      }
    }
    for (int c = 0; c < NC; ++c) {
      float s = hsum(_mm256_add_ps(a0[c], a1[c]));
      for (int64_t kk = k; kk < K; ++kk) s += Load8::one(w, kk) * x[c][kk];
      r[c] = s;
    }
  }
};

struct LoadF32 {
  static __m256 load(const void* w, int64_t k) { return _mm256_loadu_ps(static_cast<const float*>(w) + k); }
  static float one(const void* w, int64_t k) { return static_cast<const float*>(w)[k]; }
};
struct LoadF16 {
  static __m256 load(const void* w, int64_t k) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(w) + k)));
  }
  static float one(const void* w, int64_t k) { return h2f(static_cast<const uint16_t*>(w)[k]); }
};
struct LoadBF16 {
  static __m256 load(const void* w, int64_t k) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(w) + k));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static float one(const void* w, int64_t k) {
    uint32_t u = static_cast<uint32_t>(static_cast<const uint16_t*>(w)[k]) << 16;
    return load_f32(&u);
  }
};

// FP8 E4M3 -> fp16 bit pattern (sign, then the 7 exponent/mantissa bits shifted into place):
// an fp16 whose value is the e4m3 value times 2^-8 (normals and subnormals alike; the NaN
// codes 0x7F/0xFF become +-480, which weights never hold). The 2^8 goes into the block scale.
inline __m256 f8x8(const uint8_t* p) {
  __m128i b = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  // (b + (b & 0x80)) << 7: bits 0-6 -> 7-13, and the sign bit carries from 14 into 15.
  __m128i h = _mm_slli_epi16(_mm_add_epi16(b, _mm_and_si128(b, _mm_set1_epi16(0x80))), 7);
  return _mm256_cvtph_ps(h);
}
inline float f8one(uint8_t v) {
  uint16_t h = static_cast<uint16_t>(((v & 0x7F) << 7) | ((v & 0x80) << 8));
  return h2f(h) * 256.0f;
}

struct F8Dot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float* scale, float* r) {
    const uint8_t* wr = static_cast<const uint8_t*>(w);
    const float* x[NC];
    __m256 tot[NC];
    float tail[NC];
    for (int c = 0; c < NC; ++c) {
      x[c] = reinterpret_cast<const float*>(cols[c]);
      tot[c] = _mm256_setzero_ps();
      tail[c] = 0;
    }
    for (int64_t k0 = 0; k0 < K; k0 += 128) {
      const int64_t k1 = k0 + 128 < K ? k0 + 128 : K;
      __m256 seg[NC];
      for (int c = 0; c < NC; ++c) seg[c] = _mm256_setzero_ps();
      int64_t k = k0;
      for (; k + 8 <= k1; k += 8) {
        const __m256 wv = f8x8(wr + k);
        for (int c = 0; c < NC; ++c) seg[c] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x[c] + k), seg[c]);
      }
      const __m256 s = _mm256_set1_ps(scale[k0 / 128] * 256.0f);
      for (int c = 0; c < NC; ++c) {
        tot[c] = _mm256_fmadd_ps(seg[c], s, tot[c]);
        float t = 0;
        for (int64_t kk = k; kk < k1; ++kk) t += f8one(wr[kk]) * x[c][kk];
        tail[c] += scale[k0 / 128] * t;
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = hsum(tot[c]) + tail[c];
  }
};

// Q8_0 / Q4_0 weights against Q8_0 lanes: per block, |w| (unsigned) times x with w's sign
// (maddubs), pairs summed (madd) to 8 int32, scaled by dw * dx in float. Two accumulators
// (even / odd blocks) hide the FMA latency.
template <bool kQ4>
struct Q80Dot {
  static __m256i weights(const void* w, int64_t b) {
    if (kQ4) {
      const BlockQ4_0& blk = static_cast<const BlockQ4_0*>(w)[b];
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.qs));
      const __m256i q = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(v, 4), v), _mm256_set1_epi8(0x0F));
      return _mm256_sub_epi8(q, _mm256_set1_epi8(8));
    }
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const BlockQ8_0*>(w)[b].qs));
  }
  static uint16_t scale(const void* w, int64_t b) {
    return kQ4 ? static_cast<const BlockQ4_0*>(w)[b].d : static_cast<const BlockQ8_0*>(w)[b].d;
  }
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const int64_t nb = K / kQK;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[2][NC];
    for (int c = 0; c < NC; ++c) acc[0][c] = acc[1][c] = _mm256_setzero_ps();
    // The accumulator index must be a compile-time constant (acc[b & 1] would live in memory).
    auto step = [&](int64_t b, __m256 * a) __attribute__((always_inline)) {
      const __m256i wq = weights(w, b);
      const __m256i u = _mm256_sign_epi8(wq, wq);
      const __m256 dw = _mm256_set1_ps(h2f(scale(w, b)));
      for (int c = 0; c < NC; ++c) {
        const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cols[c] + b * kQK));
        const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(u, _mm256_sign_epi8(xq, wq)), ones);
        const __m256 dx = _mm256_loadu_ps(reinterpret_cast<const float*>(cols[c] + K) + b * 8);
        a[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw, dx), a[c]);
      }
    };
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
      step(b, acc[0]);
      step(b + 1, acc[1]);
    }
    if (b < nb) step(b, acc[0]);
    for (int c = 0; c < NC; ++c) r[c] = hsum(_mm256_add_ps(acc[0][c], acc[1][c]));
  }
};

void q4_K_scales(const uint8_t* s, uint8_t* sc, uint8_t* m) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = s[j] & 63;
    m[j] = s[j + 4] & 63;
  }
  for (int j = 4; j < 8; ++j) {
    sc[j] = static_cast<uint8_t>((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
    m[j] = static_cast<uint8_t>((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

struct Q4KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ4_K* wb = static_cast<const BlockQ4_K*>(w);
    const int64_t nb = K / kQKK;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      uint8_t sc[8], m[8];
      q4_K_scales(wb[b].scales, sc, m);
      const __m128i m8 = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(m)));
      const __m256i mins = _mm256_set_m128i(_mm_unpackhi_epi16(m8, m8), _mm_unpacklo_epi16(m8, m8));
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
      for (int ch = 0; ch < 4; ++ch) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].qs + 32 * ch));
        const __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
        const __m256i slo = _mm256_set1_epi16(sc[2 * ch]), shi = _mm256_set1_epi16(sc[2 * ch + 1]);
        for (int c = 0; c < NC; ++c) {
          const int8_t* xq = reinterpret_cast<const BlockQ8_K*>(cols[c])[b].qs + 64 * ch;
          const __m256i xl = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq));
          const __m256i xh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq + 32));
          acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(lo, xl), slo));
          acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(hi, xh), shi));
        }
      }
      const float wd = h2f(wb[b].d), wdmin = h2f(wb[b].dmin);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = reinterpret_cast<const BlockQ8_K*>(cols[c])[b];
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums));
        const int sumi = hsum_i32(acc[c]), summ = hsum_i32(_mm256_madd_epi16(bs, mins));
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

struct Q6KDot {
  template <int NC>
  static void run(const void* w, const uint8_t* const* cols, int64_t K, const float*, float* r) {
    const BlockQ6_K* wb = static_cast<const BlockQ6_K*>(w);
    const int64_t nb = K / kQKK;
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x03), m30 = _mm256_set1_epi8(0x30);
    float s[NC];
    for (int c = 0; c < NC; ++c) s[c] = 0;
    for (int64_t b = 0; b < nb; ++b) {
      const int8_t* sc = wb[b].scales;
      const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc)));
      __m256i acc[NC];
      for (int c = 0; c < NC; ++c) acc[c] = _mm256_setzero_si256();
      for (int h = 0; h < 2; ++h) {
        const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].ql + 64 * h));
        const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].ql + 64 * h + 32));
        const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wb[b].qh + 32 * h));
        __m256i q[4];
        q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m2), 4));
        q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4),
                               _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x0C)), 2));
        q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_and_si256(qh, m30));
        q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                               _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30));
        for (int g = 0; g < 4; ++g) {
          const int j = 8 * h + 2 * g;
          const __m256i sv = _mm256_set_m128i(_mm_set1_epi16(sc[j + 1]), _mm_set1_epi16(sc[j]));
          for (int c = 0; c < NC; ++c) {
            const int8_t* xq = reinterpret_cast<const BlockQ8_K*>(cols[c])[b].qs + 128 * h + 32 * g;
            const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq));
            acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(q[g], xv), sv));
          }
        }
      }
      const float wd = h2f(wb[b].d);
      for (int c = 0; c < NC; ++c) {
        const BlockQ8_K& xb = reinterpret_cast<const BlockQ8_K*>(cols[c])[b];
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums));
        const int sumi = hsum_i32(acc[c]) - 32 * hsum_i32(_mm256_madd_epi16(bs, sc16));
        s[c] += (wd * load_f32(&xb.d)) * static_cast<float>(sumi);
      }
    }
    for (int c = 0; c < NC; ++c) r[c] = s[c];
  }
};

}  // namespace

const KernelTable& kernels_avx2() {
  static const KernelTable t = [] {
    KernelTable k;
    k.f32 = grouped<FloatDot<LoadF32>>;
    k.f16 = grouped<FloatDot<LoadF16>>;
    k.bf16 = grouped<FloatDot<LoadBF16>>;
    k.f8_e4m3 = grouped<F8Dot>;
    k.q4_0 = grouped<Q80Dot<true>>;
    k.q8_0 = dot_q8_0_ggml_avx2;
    k.q4_K = grouped<Q4KDot>;
    k.q6_K = grouped<Q6KDot>;
    k.take(kernels_q32_avx2());
    k.take(kernels_kquant_low_avx2());
    k.take(kernels_iq2_avx2());
    k.take(kernels_iq3_iq1_avx2());
    k.take(kernels_lowbit_avx2());
    return k;
  }();
  return t;
}

}  // namespace seek::kern
