// Column grouping for the SIMD row-dots: calls Kernel::run<NC> on groups of 4, 2, 1 columns.
// Included only by *_avx2.cpp / *_avx512.cpp; everything here has internal linkage (an inline
// function with external linkage compiled with AVX could be picked by the linker for scalar code).
#pragma once
#include <xmmintrin.h>

#include "kernels/cpu/rowdot.h"

namespace seek::kern {
namespace {

// Software prefetch of the weight stream, two requests per 64-byte line: into L1 (prefetcht0)
// 2 KiB ahead of the loads and into L2 (prefetcht2) 4 KiB ahead. With one thread per core the
// hardware prefetcher alone leaves the stream latency-bound, and the L1 requests alone stay
// within the core's few L1 miss buffers; the far ones use the L2's longer miss queue, so more
// of the stream is in flight while the core does arithmetic (+6 to +19 % GB/s per type over the
// near prefetch alone, 8 alternating runs, docs/benchmarks.md). 2 KiB near was best of 1, 2 and
// 4 KiB; beyond a row's end they fetch the next row, which is where a chunk of rows goes next.
// (kPrefetchBytes, kPrefetchFarBytes: rowdot.h.)
inline int64_t prefetch_bytes() { return kPrefetchBytes; }
inline void prefetch(const void* p, int64_t off) {
  const char* line = static_cast<const char*>(p) + off;
  _mm_prefetch(line, _MM_HINT_T0);
  _mm_prefetch(line + (kPrefetchFarBytes - kPrefetchBytes), _MM_HINT_T2);
}

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
