// seek bench: `seek bench kernels` measures the machine's memory read bandwidth, then matvec
// GB/s of weights streamed per type (and its fraction of that bandwidth), matmul batching
// (rows/s for N = 1..16 sharing one weight stream) and sgemm GFLOP/s. `seek bench -m FILE`
// (the model benchmark: pp / tg tokens/s) lives in bench_model.cpp.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/float16.h"
#include "core/tensor.h"
#include "core/threadpool.h"
#include "kernels/blas_core.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/quant/quant.h"
#include "kernels/quant/random_blocks.h"

namespace seek::cli {

int bench_model(int argc, char** argv);  // bench_model.cpp

namespace {

using ojson = nlohmann::ordered_json;

struct Options {
  int threads = 2;
  bool json = false;
  // Weights per type: 4x the 260 MiB L3 of the 2-core Xeon in docs/benchmarks.md, so the
  // stream comes from DRAM (with 256 MB, f32 read 102-108 % of the streaming-sum bandwidth).
  size_t weight_mb = 1024;
  int reps = 8;
  int64_t K = 4096;
  bool batching = true;
  std::string level;
  std::vector<DType> types = all_weight_types();

  // Every type a weight can have here: the float types, FP8, then the ggml block types in id order.
  static std::vector<DType> all_weight_types() {
    std::vector<DType> t = {DType::F32, DType::F16, DType::BF16, DType::F8_E4M3};
    for (int32_t id = 2; id < 64; ++id) {
      if (!dtype_known(id)) continue;
      const DType d = static_cast<DType>(id);
      if (dtype_info(d).is_quantized && dtype_computable(d) && d != DType::Q8_K && d != DType::Q8_1) t.push_back(d);
    }
    return t;
  }
};

// --cpu-time: the calling thread's CPU clock instead of the wall clock, so that on a shared
// machine a 1-thread, in-cache run measures the kernel's compute cost, not the time slices lost.
bool g_cpu_clock = false;

double now_s() {
  if (g_cpu_clock) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Best of `reps` timings of fn (after one warm-up run), in seconds.
double best_time(int reps, const std::function<void()>& fn) {
  fn();
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    double t0 = now_s();
    fn();
    best = std::min(best, now_s() - t0);
  }
  return best;
}

// Cost of one parallel region with no work (dispatch to the workers and the wait for them),
// the floor under every matvec of a decode step. Median of many calls, in microseconds.
double region_overhead_us(ThreadPool& pool) {
  std::vector<double> t;
  for (int i = 0; i < 2000; ++i) {
    const double t0 = now_s();
    pool.run([](int, int) {});
    t.push_back(now_s() - t0);
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2] * 1e6;
}

// Streaming read: each thread walks its contiguous share of a buffer far larger than cache and
// adds one word of every 64-byte line (the whole line is fetched), so arithmetic never limits.
// Two loops, best of 5 runs each, and the faster one counts: plain loads (the hardware
// prefetcher alone), and the same loads behind the software prefetches the AVX-512 row-dots
// issue (prefetcht0 and prefetcht2 at kern::kPrefetchBytes / kPrefetchFarBytes ahead), which
// read 1-5 % faster on the 2-core Xeon of docs/benchmarks.md. The matvecs are compared with the
// best the memory system gave either way.
double read_bandwidth(ThreadPool& pool, size_t bytes) {
  std::vector<uint64_t> buf(bytes / 8);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = i;
  std::vector<uint64_t> sink(pool.size() * 8);
  const int64_t lines = static_cast<int64_t>(buf.size() / 8);
  auto stream = [&](bool prefetch) {
    pool.parallel_static(lines / 4, [&](int64_t b, int64_t e, int th) {
      const uint64_t* p = buf.data();
      uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int64_t i = b * 32; i < e * 32; i += 32) {
        if (prefetch) {
          const char* c = reinterpret_cast<const char*>(p + i);
          for (int l = 0; l < 256; l += 64) {
            __builtin_prefetch(c + kern::kPrefetchBytes + l, 0, 3);     // prefetcht0
            __builtin_prefetch(c + kern::kPrefetchFarBytes + l, 0, 1);  // prefetcht2
          }
        }
        s0 += p[i], s1 += p[i + 8], s2 += p[i + 16], s3 += p[i + 24];
      }
      sink[th * 8] = s0 + s1 + s2 + s3;
    });
  };
  const double t = std::min(best_time(5, [&] { stream(false); }), best_time(5, [&] { stream(true); }));
  return static_cast<double>(buf.size() * 8) / t / 1e9;
}

// A [M, K] weight of type t of about `mb` MB: 64 quantized random rows repeated (the bytes
// streamed are what matters, not their variety).
struct BenchWeight {
  std::vector<uint8_t> bytes;
  std::vector<float> scales;
  TensorView view;
};

void make_weight(BenchWeight& w, DType t, int64_t K, size_t mb) {
  const size_t rb = row_bytes(t, K);
  const int64_t M = std::max<int64_t>(64, static_cast<int64_t>(mb * 1000000 / rb) / 64 * 64);
  w.bytes.resize(rb * M);
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> row(K);
  for (int64_t r = 0; r < 64; ++r) {
    for (float& v : row) v = nd(rng);
    if (t == DType::F8_E4M3) {  // as FP8 checkpoints quantize: amax to 448, round to E4M3
      float amax = 0;
      for (float v : row) amax = std::max(amax, std::fabs(v));
      for (int64_t k = 0; k < K; ++k) w.bytes[r * rb + k] = fp32_to_fp8_e4m3(row[k] * (448.0f / amax));
    } else if (can_quantize(t)) {  // the grid types need an importance matrix: a flat one
      const std::vector<float> flat(static_cast<size_t>(K), 1.0f);
      quantize_row_imatrix(t, row.data(), w.bytes.data() + r * rb, K, flat.data());
    } else {  // a type seek reads but does not write: random codes, moderate scales
      random_valid_blocks(t, w.bytes.data() + r * rb, K / dtype_info(t).block_size, static_cast<uint32_t>(r));
    }
  }
  for (int64_t r = 64; r < M; ++r) std::memcpy(w.bytes.data() + r * rb, w.bytes.data() + (r % 64) * rb, rb);
  w.view = TensorView::contiguous(t, {M, K}, w.bytes.data());
  if (t == DType::F8_E4M3) {
    w.scales.assign(((M + 127) / 128) * ((K + 127) / 128), 0.01f);
    w.view.block_scale = w.scales.data();
  }
}

// Core clock in GHz from 3e8 dependent imuls (3 cycles each), timed by now_s() (with --cpu-time,
// the thread's CPU clock): turns --cpu-time's in-cache rates into core cycles per 64 weights.
double core_ghz() {
  uint64_t x = 3;
  const int64_t n = 300000000;
  const double t0 = now_s();
  for (int64_t i = 0; i < n; i += 10)
    __asm__ volatile("imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n"
                     "imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n imul %0,%0\n"
                     : "+r"(x));
  return 3.0 * static_cast<double>(n) / (now_s() - t0) / 1e9;
}

struct Row {
  std::string name;
  double value, pct;            // GB/s of weights at --threads, % of that many threads' read bandwidth
  double cycles;                // core cycles per 64 weights (--cpu-time), else 0
  double value1 = 0, pct1 = 0;  // the same with 1 thread (when --threads > 1)
};

int bench_kernels(int argc, char** argv) {
  Options o;
  std::vector<std::string> types;
  CLI::App app{"seek bench kernels: memory read bandwidth, matvec GB/s of weights per type, matmul batching and "
               "sgemm GFLOP/s",
               "seek bench kernels"};
  app.add_option("-t,--threads", o.threads, "threads")->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_flag("--json", o.json, "print one JSON object");
  app.add_option("--mb", o.weight_mb, "MB of weights per type")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--level", o.level, "kernel level: scalar, avx2, avx512 (default: the best this CPU runs)");
  app.add_option("--types", types, "weight types, comma-separated (e.g. f16,q8_0; default: all)")->delimiter(',');
  app.add_option("--reps", o.reps, "timed runs per type, best counts")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_flag("!--no-batch", o.batching, "skip the matmul batching table");
  app.add_option("--k", o.K, "row length, a multiple of 256")
      ->check(CLI::Range(int64_t{256}, int64_t{1} << 20))
      ->check([](const std::string& v) { return std::stoll(v) % 256 ? "must be a multiple of 256" : ""; })
      ->capture_default_str();
  app.add_flag("--cpu-time", g_cpu_clock,
               "time with the thread's CPU clock (with --threads 1 and a small --mb: the kernels' compute cost on a "
               "machine shared with other jobs) and print core cycles per 64 weights at the measured core clock");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  if (!types.empty()) {
    o.types.clear();
    for (const std::string& t : types) o.types.push_back(dtype_from_name(t));
  }
  if (!o.level.empty()) set_kernel_level(kernel_level_from_name(o.level));
  if (g_cpu_clock && o.threads != 1) throw UsageError("bench kernels: --cpu-time needs --threads 1");
  ThreadPool pool(o.threads), pool1(1);
  const double bw = read_bandwidth(pool, 1024ull << 20);
  const double bw1 = o.threads > 1 ? read_bandwidth(pool1, 1024ull << 20) : bw;
  const double region_us = region_overhead_us(pool);
  if (!o.json)
    std::printf("kernel level %s, %d threads\nmemory read bandwidth: %.1f GB/s (1 GiB streaming sum, with or without "
                "software prefetch)\n"
                "empty parallel region: %.2f us (median of 2000)\n",
                kernel_level_name(kernel_level()), o.threads, bw, region_us);
  if (!o.json && o.threads > 1) std::printf("memory read bandwidth, 1 thread: %.1f GB/s\n", bw1);
  if (!o.json) std::printf("\n");

  const double ghz = g_cpu_clock ? core_ghz() : 0.0;
  if (g_cpu_clock && !o.json) std::printf("core clock: %.2f GHz (dependent imul chain)\n\n", ghz);

  const int64_t K = o.K;
  std::vector<float> X(16 * K);
  for (size_t i = 0; i < X.size(); ++i) X[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f - 0.5f;
  std::vector<Row> mv;
  std::vector<std::pair<std::string, std::vector<double>>> batch;
  BenchWeight w;
  for (DType t : o.types) {
    make_weight(w, t, K, o.weight_mb);
    const int64_t M = w.view.shape[0];
    std::vector<float> Y(16 * M);
    const double sec = best_time(o.reps, [&] { matvec(w.view, X.data(), Y.data(), pool); });
    const double gbs = static_cast<double>(w.bytes.size()) / sec / 1e9;
    mv.push_back({dtype_name(t), gbs, 100.0 * gbs / bw, sec * ghz * 1e9 / (static_cast<double>(M * K) / 64)});
    if (o.threads > 1) {
      const double sec1 = best_time(std::max(2, o.reps / 2), [&] { matvec(w.view, X.data(), Y.data(), pool1); });
      mv.back().value1 = static_cast<double>(w.bytes.size()) / sec1 / 1e9;
      mv.back().pct1 = 100.0 * mv.back().value1 / bw1;
    }
    if (o.batching && (t == DType::Q4_0 || t == DType::Q8_0 || t == DType::F16 || t == DType::Q4_K)) {
      std::vector<double> rows_per_s;
      for (int64_t N : {1, 2, 4, 8, 16}) {
        const double s = best_time(4, [&] { matmul(w.view, X.data(), N, Y.data(), pool); });
        rows_per_s.push_back(static_cast<double>(N * M) / s);
      }
      batch.push_back({dtype_name(t), rows_per_s});
    }
  }
  w = BenchWeight();

  std::vector<std::pair<std::string, double>> gemm;
  blas_set_threads(o.threads);  // OpenBLAS threading itself, at the thread count asked for
  for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1024, 1024, 1024}, {512, 4096, 4096}}) {
    std::vector<float> A(m * k, 0.5f), B(k * n, 0.25f), C(m * n);
    const double s = best_time(3,
                               [&] { sgemm(false, true, m, n, k, 1.0f, A.data(), k, B.data(), k, 0.0f, C.data(), n); });
    gemm.push_back({str(m, "x", n, "x", k), 2.0 * m * n * k / s / 1e9});
  }

  if (o.json) {
    ojson j = {{"level", kernel_level_name(kernel_level())},
               {"threads", o.threads},
               {"read_bandwidth_gbs", bw},
               {"read_bandwidth_gbs_1_thread", bw1},
               {"region_us", region_us}};
    if (g_cpu_clock) j["core_ghz"] = ghz;
    for (const Row& r : mv) {
      ojson row = {{"type", r.name}, {"gbs", r.value}, {"pct_of_read_bw", r.pct}};
      if (o.threads > 1) row["gbs_1_thread"] = r.value1, row["pct_of_read_bw_1_thread"] = r.pct1;
      if (g_cpu_clock) row["cycles_per_64"] = r.cycles;
      j["matvec"].push_back(row);
    }
    j["matmul_rows_per_s"] = ojson::object();
    for (auto& [name, v] : batch) j["matmul_rows_per_s"][name] = v;
    j["blas_core"] = blas_core_name();
    for (auto& [shape, g] : gemm) j["sgemm_gflops"][shape] = g;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf(
      "matvec, K = %lld, ~%zu MB of weights per type (GB/s of weights streamed; %% of the read bandwidth at the "
      "same thread count)\n%-10s",
      static_cast<long long>(K), o.weight_mb, "type");
  if (o.threads > 1) std::printf(" %10s %12s", "GB/s 1t", "% of read");
  std::printf(" %10s %12s%s\n", str("GB/s ", o.threads, "t").c_str(), "% of read", g_cpu_clock ? "  cycles/64 w" : "");
  for (const Row& r : mv) {
    std::printf("%-10s", r.name.c_str());
    if (o.threads > 1) std::printf(" %10.1f %11.0f%%", r.value1, r.pct1);
    std::printf(" %10.1f %11.0f%%", r.value, r.pct);
    if (g_cpu_clock) std::printf(" %13.2f", r.cycles);
    std::printf("\n");
  }
  std::printf("\nmatmul batching (weight rows x activation rows per second, millions)\n%-10s", "type");
  for (int n : {1, 2, 4, 8, 16}) std::printf(" %8s", str("N=", n).c_str());
  std::printf("\n");
  for (auto& [name, v] : batch) {
    std::printf("%-10s", name.c_str());
    for (double x : v) std::printf(" %8.1f", x / 1e6);
    std::printf("\n");
  }
  std::printf("\nsgemm (OpenBLAS, %s kernels)\n", blas_core_name());
  for (auto& [shape, g] : gemm) std::printf("%-16s %8.1f GFLOP/s\n", shape.c_str(), g);
  return 0;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::printf("usage: seek bench kernels [--threads N] [--json] [--mb MB] [--level L]\n"
                "       seek bench -m FILE [-t N] [-p 512] [-n 128] [--reps R] [--json]   (model: pp / tg t/s)\n");
    return argc < 2 ? 1 : 0;
  }
  const std::string what = argv[1];
  if (what == "kernels") return bench_kernels(argc - 1, argv + 1);
  for (int i = 1; i < argc; ++i)  // a model benchmark wherever -m stands among its flags
    if (!std::strcmp(argv[i], "-m") || !std::strcmp(argv[i], "--model")) return bench_model(argc, argv);
  throw UsageError(str("seek bench: '", what,
                       "' is not a benchmark: use `seek bench kernels ...` or `seek bench -m FILE ...`"));
}

}  // namespace seek::cli
