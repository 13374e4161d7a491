// `seek bench -m FILE`: llama-bench style model benchmark. pp = prefill of p random tokens in
// one batch (tokens/s), tg = decode of n random tokens one at a time (tokens/s), each after a
// warm-up and repeated --reps times (mean, best and spread reported), plus GB/s of weights
// streamed per decoded token, resident memory (/proc/self/status) and KV cache bytes per token.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/threadpool.h"
#include "kernels/cpu/dispatch.h"
#include "model/model.h"

namespace seek::cli {

namespace {

struct BenchOptions {
  std::string model;
  int threads = 2;
  int64_t n_prompt = 512, n_gen = 128;
  int reps = 3;
  bool json = false;
  std::string cache_type = "f16";  // as llama-bench's default
};

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// "VmRSS:   12345 kB" -> bytes; 0 if absent (non-Linux).
size_t proc_status_bytes(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string k = str(key, ":");
  while (std::getline(f, line))
    if (line.compare(0, k.size(), k) == 0) return std::stoull(line.substr(k.size())) * 1024;
  return 0;
}

// The weight type holding the most bytes (what llama-bench calls the model type).
std::string main_type(const Model& m) {
  if (!m.gguf()) return "hf";
  std::map<std::string, size_t> by;
  for (const GGUFTensorInfo& t : m.gguf()->tensors()) by[dtype_name(t.dtype)] += t.nbytes;
  std::string best;
  size_t most = 0;
  for (auto& [name, b] : by)
    if (b > most) most = b, best = name;
  return best;
}

struct Stats {
  double mean = 0, best = 0, worst = 0;  // tokens/s
};

Stats stats(const std::vector<double>& tps) {
  Stats s;
  s.best = *std::max_element(tps.begin(), tps.end());
  s.worst = *std::min_element(tps.begin(), tps.end());
  for (double v : tps) s.mean += v / static_cast<double>(tps.size());
  return s;
}

}  // namespace

int bench_model(int argc, char** argv) {
  BenchOptions o;
  CLI::App app{"seek bench -m FILE: prefill (pp) and decode (tg) tokens/s of a model, llama-bench style", "seek bench"};
  app.add_option("-m,--model", o.model, "model: a GGUF file or an HF checkpoint directory")->required();
  app.add_option("-t,--threads", o.threads, "threads")->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("-p,--n-prompt", o.n_prompt, "prompt tokens (0: no pp test)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 24))
      ->capture_default_str();
  app.add_option("-n,--n-gen", o.n_gen, "generated tokens (0: no tg test)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 24))
      ->capture_default_str();
  app.add_option("-r,--reps", o.reps, "repetitions")->check(CLI::Range(1, 1 << 24))->capture_default_str();
  app.add_option("--cache-type", o.cache_type, "KV cache type: f32, f16, bf16, q8_0, q4_0")->capture_default_str();
  app.add_flag("--json", o.json, "print one JSON object");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  std::unique_ptr<Model> model = Model::load(o.model);
  const ModelConfig& c = model->config();
  ThreadPool pool(o.threads);
  const int64_t max_seq = std::max<int64_t>(o.n_prompt, o.n_gen + 1) + 1;
  KVCache cache(c, 1, max_seq, kv_cache_type_from_name(o.cache_type));
  model->reserve(std::max<int64_t>(o.n_prompt, 1), max_seq, pool.size());
  std::vector<float> logits(static_cast<size_t>(c.vocab_size));
  std::mt19937 rng(42);
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(c.vocab_size - 1));
  Batch batch;

  // One prefill of n tokens from position 0, logits for the last one only. Returns seconds.
  auto prefill = [&](int64_t n) {
    batch.clear();
    for (int64_t i = 0; i < n; ++i) batch.add(tok(rng), static_cast<int32_t>(i), 0, i + 1 == n);
    const double t0 = now_s();
    model->forward(batch, cache, pool, logits.data());
    return now_s() - t0;
  };
  // n single-token forwards at positions 0..n-1 (as llama-bench's tg: from an empty context).
  auto decode = [&](int64_t n) {
    const double t0 = now_s();
    for (int64_t i = 0; i < n; ++i) {
      batch.clear();
      batch.add(tok(rng), static_cast<int32_t>(i), 0, true);
      model->forward(batch, cache, pool, logits.data());
    }
    return now_s() - t0;
  };

  std::vector<double> pp, tg;
  if (o.n_prompt > 0) {
    prefill(std::min<int64_t>(o.n_prompt, 16));  // warm-up: pages in the weights
    for (int r = 0; r < o.reps; ++r) pp.push_back(static_cast<double>(o.n_prompt) / prefill(o.n_prompt));
  }
  if (o.n_gen > 0) {
    decode(std::min<int64_t>(o.n_gen, 4));
    for (int r = 0; r < o.reps; ++r) tg.push_back(static_cast<double>(o.n_gen) / decode(o.n_gen));
  }
  const Stats ps = pp.empty() ? Stats{} : stats(pp), ts = tg.empty() ? Stats{} : stats(tg);
  const double bpt = static_cast<double>(model->bytes_per_token());
  const double gbs = bpt * ts.mean / 1e9;
  const size_t rss = proc_status_bytes("VmRSS"), hwm = proc_status_bytes("VmHWM");
  const std::string type = main_type(*model);
  const double size_gb = static_cast<double>(model->total_weight_bytes()) / 1e9;
  const std::string name = c.name.empty() ? o.model : c.name;

  if (o.json) {
    const nlohmann::ordered_json j = {{"model", name},
                                      {"file", o.model},
                                      {"type", type},
                                      {"size_bytes", model->total_weight_bytes()},
                                      {"bytes_per_token", bpt},
                                      {"threads", o.threads},
                                      {"kernel_level", kernel_level_name(kernel_level())},
                                      {"n_prompt", o.n_prompt},
                                      {"n_gen", o.n_gen},
                                      {"reps", o.reps},
                                      {"pp_tps", ps.mean},
                                      {"pp_tps_best", ps.best},
                                      {"pp_tps_worst", ps.worst},
                                      {"tg_tps", ts.mean},
                                      {"tg_tps_best", ts.best},
                                      {"tg_tps_worst", ts.worst},
                                      {"tg_weight_gbs", gbs},
                                      {"vm_rss_bytes", rss},
                                      {"vm_hwm_bytes", hwm},
                                      {"kv_cache_type", dtype_name(cache.type())},
                                      {"kv_bytes_per_token", cache.bytes_per_token()}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("| %-16s | %9s | %-6s | %7s | %-22s | %-22s | %8s | %9s | %9s | %8s |\n", "model", "size", "type",
              "threads", str("pp", o.n_prompt, " t/s (best..worst)").c_str(),
              str("tg", o.n_gen, " t/s (best..worst)").c_str(), "tg GB/s", "RSS", "peak RSS", "KV/token");
  std::printf("| %-16s | %6.2f GB | %-6s | %7d | %7.1f (%5.1f..%5.1f) | %7.2f (%5.2f..%5.2f) | %8.1f | %6.0f MB | "
              "%6.0f MB | %6.1f KB |\n",
              name.substr(0, 16).c_str(), size_gb, type.c_str(), o.threads, ps.mean, ps.best, ps.worst, ts.mean,
              ts.best, ts.worst, gbs, rss / 1e6, hwm / 1e6, cache.bytes_per_token() / 1e3);
  return 0;
}

}  // namespace seek::cli
