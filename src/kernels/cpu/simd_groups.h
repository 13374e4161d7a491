// Column grouping for the SIMD row-dots: calls Kernel::run<NC> on groups of 4, 2, 1 columns.
// Included only by *_avx2.cpp / *_avx512.cpp; everything here has internal linkage (an inline
// function with external linkage compiled with AVX could be picked by the linker for scalar code).
#pragma once
#include <xmmintrin.h>

#include "kernels/cpu/rowdot.h"

namespace seek::kern {
namespace {

// Software prefetch distance in weight bytes: with one thread per core the hardware prefetcher
// alone leaves the weight stream latency-bound; asking for lines this far ahead of the loads
// keeps enough misses in flight for the stream to overlap the arithmetic. 2 KiB measured best
// of 1, 2 and 4 KiB on the 2-core Xeon (docs/benchmarks.md); beyond a row's end it fetches the
// next row, which is where a chunk of rows goes next.
constexpr int64_t kPrefetchBytes = 2048;
inline int64_t prefetch_bytes() { return kPrefetchBytes; }
inline void prefetch(const void* p, int64_t off) { _mm_prefetch(static_cast<const char*>(p) + off, _MM_HINT_T0); }

template <class Kernel>
void grouped(const void* w, const RowDotArgs& a) {
  const ActPack& x = *a.x;
  const uint8_t* cols[4];
  float r[4];
  int64_t c = a.c0;
  for (; c + 4 <= a.c1; c += 4) {
    for (int i = 0; i < 4; ++i) cols[i] = x.col(c + i);
    Kernel::template run<4>(w, cols, x.K, a.fp8_scale, r);
    for (int i = 0; i < 4; ++i) a.out[(c + i - a.c0) * a.out_stride] = r[i];
  }
  if (c + 2 <= a.c1) {
    for (int i = 0; i < 2; ++i) cols[i] = x.col(c + i);
    Kernel::template run<2>(w, cols, x.K, a.fp8_scale, r);
    for (int i = 0; i < 2; ++i) a.out[(c + i - a.c0) * a.out_stride] = r[i];
    c += 2;
  }
  if (c < a.c1) {
    cols[0] = x.col(c);
    Kernel::template run<1>(w, cols, x.K, a.fp8_scale, r);
    a.out[(c - a.c0) * a.out_stride] = r[0];
  }
}

// The same for kernels that read the table's aux form too: Kernel::run<NC>(w, cols, aux, K, scale, r).
template <class Kernel>
void grouped_aux(const void* w, const RowDotArgs& a) {
  const ActPack& x = *a.x;
  const uint8_t* cols[4];
  const uint8_t* aux[4];
  float r[4];
  int64_t c = a.c0;
  auto run = [&]<int NC>() {
    for (int i = 0; i < NC; ++i) {
      cols[i] = x.col(c + i);
      aux[i] = x.aux_col(c + i);
    }
    Kernel::template run<NC>(w, cols, aux, x.K, a.fp8_scale, r);
    for (int i = 0; i < NC; ++i) a.out[(c + i - a.c0) * a.out_stride] = r[i];
    c += NC;
  };
  while (c + 4 <= a.c1) run.template operator()<4>();
  if (c + 2 <= a.c1) run.template operator()<2>();
  if (c < a.c1) run.template operator()<1>();
}

}  // namespace
}  // namespace seek::kern
