// Kernels that also need GFNI (Ice Lake and later; not Skylake-X / Cascade Lake): Q4_0's nibbles
// split by one vgf2p8affineqb, a bit-matrix per 64-bit lane that moves the low or the high
// nibble of every byte to bits 0-3. kernels_avx512() uses these when CPUID reports GFNI.
#include <immintrin.h>
// GFNI for every function below (GCC: target pragma; clang: attribute push, popped at the end).
// GCC 12 also warns inside its own headers on _mm512_cast*128*_512 (undefined upper lanes).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("gfni"))), apply_to = function)
#else
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("gfni")
#endif

#include "kernels/cpu/q80_dot_avx512.h"
#include "kernels/cpu/rowdot.h"
#include "kernels/cpu/simd_groups.h"

namespace seek::kern {

namespace {

// Output bit i of a byte = parity(matrix byte 7 - i AND input byte). Low nibble: bytes 7..4 =
// 1, 2, 4, 8 (bit i from bit i); high nibble: 0x10 .. 0x80 (bit i from bit i + 4); bits 4-7 zero.
struct NibblesGfni {
  static __m512i split(__m512i z) {
    const long long lo = 0x0102040800000000LL, hi = 0x1020408000000000LL;
    return _mm512_gf2p8affine_epi64_epi8(z, _mm512_set_epi64(hi, hi, lo, lo, hi, hi, lo, lo), 0);
  }
};

}  // namespace

const KernelTable& kernels_gfni_avx512() {
  static const KernelTable t = [] {
    KernelTable k;
    k.q4_0 = grouped<Q80Dot<true, NibblesGfni>>;
    return k;
  }();
  return t;
}

}  // namespace seek::kern

#if defined(__clang__)
#pragma clang attribute pop
#endif
