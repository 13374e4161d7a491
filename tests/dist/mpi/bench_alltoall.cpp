// Measures the expert-parallel exchange alone (not a test; docs/distributed.md quotes it):
//   mpirun -np 2 bench_dist_alltoall TOKENS D [K] [EXPERTS] [LAYERS] [STEPS]
// Each rank routes TOKENS tokens to K of EXPERTS experts (uniformly at random, seeded by rank) and
// runs, per layer, the four exchanges of one training step: dispatch, combine, combine_backward,
// dispatch_backward, with no expert compute in between. Prints on rank 0 the mean time per step
// (LAYERS MoE layers) and the bytes that left the rank, i.e. the pure communication of
// `seek train --expert-parallel` without any waiting for a slower peer's compute.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "dist/comm.h"
#include "dist/expert_parallel.h"

int main(int argc, char** argv) {
  try {
    seek::Comm& c = seek::Comm::world();
    const int64_t N = argc > 1 ? std::atoll(argv[1]) : 1024, D = argc > 2 ? std::atoll(argv[2]) : 128;
    const int64_t K = argc > 3 ? std::atoll(argv[3]) : 2, E = argc > 4 ? std::atoll(argv[4]) : 8;
    const int layers = argc > 5 ? std::atoi(argv[5]) : 4, steps = argc > 6 ? std::atoi(argv[6]) : 20;
    if (N < 1 || D < 1 || K < 1 || K > E || layers < 1 || steps < 1) {
      std::fprintf(stderr, "bench_dist_alltoall: need TOKENS, D >= 1, 1 <= K <= EXPERTS, LAYERS, STEPS >= 1\n");
      return 2;
    }
    seek::ExpertParallel ep(c, E);
    std::mt19937 rng(1234 + c.rank());
    std::vector<int32_t> idx(N * K);
    for (int64_t n = 0; n < N; ++n) {  // K distinct experts per token
      std::vector<int32_t> all(E);
      for (int64_t e = 0; e < E; ++e) all[e] = int32_t(e);
      std::shuffle(all.begin(), all.end(), rng);
      for (int64_t j = 0; j < K; ++j) idx[n * K + j] = all[j];
    }
    std::vector<float> x(N * D, 1.0f), out(N * K * D), dx(N * D), grouped, dgrouped;
    seek::EpRoute r;
    int64_t bytes = 0;
    auto round = [&] {
      bytes = 0;
      ep.dispatch(x.data(), idx.data(), N, K, D, r, grouped);
      bytes += ep.last_bytes_sent();
      ep.combine(r, grouped.data(), out.data());
      bytes += ep.last_bytes_sent();
      dgrouped.resize(grouped.size());
      ep.combine_backward(r, out.data(), dgrouped.data());
      bytes += ep.last_bytes_sent();
      std::fill(dx.begin(), dx.end(), 0.0f);
      ep.dispatch_backward(r, dgrouped.data(), dx.data());
      bytes += ep.last_bytes_sent();
    };
    round();  // warm-up
    c.barrier();
    const double s0 = ep.exchange_s();
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < steps; ++s)
      for (int l = 0; l < layers; ++l) round();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;
    const double in_ep = (ep.exchange_s() - s0) / steps;
    if (c.rank() == 0)
      std::printf("ranks %d, %lld tokens x top-%lld of %lld experts, D %lld, %d layers: %.3f ms/step "
                  "(in dispatch/combine %.3f ms), %.2f MB/step left rank 0 (%.2f GB/s)\n",
                  c.size(), (long long)N, (long long)K, (long long)E, (long long)D, layers, wall * 1e3, in_ep * 1e3,
                  double(bytes) * layers / 1e6, double(bytes) * layers / wall / 1e9);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dist_alltoall: %s\n", e.what());
    return 1;
  }
  return 0;
}
