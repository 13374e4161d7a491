// Row-parallel loop over [0, N) used by the per-token loss kernels: on the pool when one is
// given, else inline on the caller.
#pragma once
#include <cstdint>

#include "core/threadpool.h"

namespace seek::reason {

template <typename F>
void for_rows(int64_t N, ThreadPool* pool, F&& f) {
  if (pool && N > 1) {
    pool->parallel_for(N, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) f(i);
    });
  } else {
    for (int64_t i = 0; i < N; ++i) f(i);
  }
}

}  // namespace seek::reason
