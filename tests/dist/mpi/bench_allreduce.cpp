// Measures the data-parallel gradient all-reduce (not a test; docs/distributed.md quotes it):
//   mpirun -np 2 bench_dist_allreduce N_FLOATS [BUCKET_MB] [STEPS]
// prints, on rank 0, the mean per-step time of one Comm::allreduce_sum over the whole buffer and
// of GradAllReduce (buckets marked last-to-first as backward would), with the bus bandwidth
// 2 (R - 1) / R * bytes / time of a ring all-reduce.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dist/comm.h"
#include "dist/grad_allreduce.h"

int main(int argc, char** argv) {
  try {
    seek::Comm& c = seek::Comm::world();
    const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const double mb = argc > 2 ? std::atof(argv[2]) : 25;
    const int steps = argc > 3 ? std::atoi(argv[3]) : 20;
    std::vector<float> g(n, 1.0f);
    using clock = std::chrono::steady_clock;
    auto secs = [](clock::time_point a) { return std::chrono::duration<double>(clock::now() - a).count(); };
    c.allreduce_sum(g.data(), n);  // warm-up: connections, buffers
    c.barrier();
    auto t0 = clock::now();
    for (int s = 0; s < steps; ++s) c.allreduce_sum(g.data(), n);
    const double whole = secs(t0) / steps;
    seek::GradAllReduce ar(c, g.data(), n, size_t(mb * (1 << 20)));
    const size_t piece = std::max<size_t>(1, n / 64);  // 64 "tensors", announced last to first
    double comm = 0, wait = 0;
    c.barrier();
    t0 = clock::now();
    for (int s = 0; s < steps; ++s) {
      for (size_t end = n; end > 0;) {
        const size_t off = end > piece ? end - piece : 0;
        ar.mark_ready(off, end - off);
        end = off;
      }
      const seek::GradSyncStats& st = ar.wait_all();
      comm += st.comm_s(), wait += st.wait_s;
    }
    const double bucketed = secs(t0) / steps;
    if (c.rank() == 0) {
      const double bytes = double(n) * 4, R = c.size(), bus = 2 * (R - 1) / R * bytes;
      std::printf("ranks %d, %zu floats (%.2f MB), %d steps\n", c.size(), n, bytes / 1e6, steps);
      std::printf("  one all-reduce:  %.3f ms/step, bus bandwidth %.2f GB/s\n", whole * 1e3, bus / whole / 1e9);
      std::printf("  bucketed %.1f MB (%zu buckets): %.3f ms/step (comm %.3f, blocked in wait_all %.3f), %.2f GB/s\n",
                  mb, ar.n_buckets(), bucketed * 1e3, comm / steps * 1e3, wait / steps * 1e3, bus / bucketed / 1e9);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dist_allreduce: %s\n", e.what());
    return 1;
  }
  return 0;
}
