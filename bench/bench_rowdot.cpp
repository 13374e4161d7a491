// Row-dot compute cost (a benchmark, never a test): one weight row against one activation
// column, the inner kernel of every matvec, timed on data that stays in L2 (16 rows), so the
// memory system is out of the picture. Prints per type: GB/s of weights per core and core
// cycles per 64 weights, at the core clock measured by a chain of dependent imuls (3 cycles
// each); matvec can stream at most this fast per thread. The thread's CPU clock is used, so
// other jobs on the machine do not count.
// Usage: bench_rowdot [K (multiple of 256, default 4096)] [seconds per type (default 0.3)]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/float16.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/quant/activations.h"
#include "kernels/quant/quant.h"

namespace {

using namespace seek;

double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Core clock in GHz: 3e8 dependent imuls at 3 cycles each.
double core_ghz() {
  uint64_t x = 3;
  const int64_t n = 300000000;
  const double t0 = cpu_seconds();
  for (int64_t i = 0; i < n; i += 10)
    __asm__ volatile("imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n"
                     "imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n"
                     : "+r"(x));
  return 3.0 * static_cast<double>(n) / (cpu_seconds() - t0) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t K = argc > 1 ? std::atoll(argv[1]) : 4096;
  const double budget = argc > 2 ? std::atof(argv[2]) : 0.3;
  if (K < 256 || K % 256) {
    std::fprintf(stderr, "bench_rowdot: K must be a multiple of 256, got %lld\n", static_cast<long long>(K));
    return 1;
  }
  const double ghz = core_ghz();
  std::printf("kernel level %s, K = %lld, core clock %.2f GHz (imul chain)\n", kernel_level_name(kernel_level()),
              static_cast<long long>(K), ghz);
  std::printf("%-10s %12s %16s\n", "type", "GB/s/core", "cycles/64 w");
  constexpr int64_t kRows = 16;
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> x(K), row(K);
  for (float& v : x) v = nd(rng);
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::F8_E4M3, DType::Q8_0, DType::Q4_0, DType::Q4_K,
                  DType::Q6_K}) {
    const size_t rb = row_bytes(t, K);
    std::vector<uint8_t> w(rb * kRows);
    for (int64_t r = 0; r < kRows; ++r) {
      for (float& v : row) v = nd(rng);
      if (t == DType::F8_E4M3) {  // as FP8 checkpoints quantize a block: amax to 448
        float amax = 0;
        for (float v : row) amax = std::max(amax, std::fabs(v));
        for (int64_t k = 0; k < K; ++k) w[r * rb + k] = fp32_to_fp8_e4m3(row[k] * (448.0f / amax));
      } else {
        quantize_row(t, row.data(), w.data() + r * rb, K);
      }
    }
    std::vector<float> scales((K + 127) / 128, 0.01f);
    const kern::Kernel kernel = kern::kernel_for(t);
    kern::ActPack a;
    a.kind = activation_type(t);
    a.K = K;
    a.N = 1;
    std::vector<uint8_t> packed, aux;
    if (a.kind == DType::F32) {
      a.data = reinterpret_cast<const uint8_t*>(x.data());
      a.col_bytes = static_cast<size_t>(K) * 4;
    } else {
      a.col_bytes = activation_col_bytes(t, K);
      packed.resize(a.col_bytes);
      quantize_activations(t, x.data(), 1, K, packed.data());
      a.data = packed.data();
    }
    if (kernel.aux.pack) {
      a.aux_col_bytes = (kernel.aux.col_bytes(K) + 63) / 64 * 64;
      aux.resize(a.aux_col_bytes);
      kernel.aux.pack(x.data(), a.col(0), K, aux.data());
      a.aux = aux.data();
    }
    float out = 0, sink = 0;
    kern::RowDotArgs args;
    args.x = &a;
    args.c0 = 0;
    args.c1 = 1;
    args.out = &out;
    args.fp8_scale = scales.data();
    int64_t calls = 0;
    const double t0 = cpu_seconds();
    double el = 0;
    while (el < budget) {
      for (int rep = 0; rep < 64; ++rep)
        for (int64_t r = 0; r < kRows; ++r) {
          kernel.fn(w.data() + r * rb, args);
          sink += out;
        }
      calls += 64 * kRows;
      el = cpu_seconds() - t0;
    }
    const double per_row = el / static_cast<double>(calls);
    std::printf("%-10s %12.1f %16.2f%s\n", dtype_name(t).c_str(), static_cast<double>(rb) / per_row / 1e9,
                per_row * ghz * 1e9 / (static_cast<double>(K) / 64), sink == sink ? "" : " (nan)");
  }
  return 0;
}
