// seek init: write a deepseek2 GGUF with random weights and a real vocabulary, for benchmarks
// (loadable by llama.cpp too: every key its deepseek2 loader requires is written).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <random>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/threadpool.h"
#include "formats/gguf.h"
#include "kernels/quant/quant.h"
#include "model/gguf_export.h"
#include "model/presets.h"

namespace seek::cli {

namespace {

int32_t file_type_of(DType t) {
  switch (t) {
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::Q4_0: return 2;
    case DType::Q8_0: return 7;
    case DType::Q4_K: return 15;  // llama.cpp's Q4_K_M
    case DType::Q6_K: return 18;
    case DType::BF16: return 32;
    default: throw UsageError(str("--type ", dtype_name(t), " is not supported by init (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)"));
  }
}

// Fills `n` values with N(0, std^2) from a per-row seeded generator (deterministic under threads).
void fill_normal(float* dst, int64_t n, float std_dev, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(0.0f, std_dev);
  for (int64_t i = 0; i < n; ++i) dst[i] = dist(rng);
}

}  // namespace

int cmd_init(int argc, char** argv) {
  CLI::App app{"Write a deepseek2 GGUF with random weights and a real vocabulary", "seek init"};
  std::string preset, vocab_path, out, type_name = "F32";
  uint64_t seed = 1;
  int threads = 0;
  app.add_option("--preset", preset, "model shape (ds-1b, ds-tiny, ds-2m, ds-20m, ds-100m)")->required();
  app.add_option("--vocab", vocab_path, "GGUF file whose tokenizer.* keys to copy")->required();
  app.add_option("--out", out, "output .gguf path")->required();
  app.add_option("--type", type_name, "weight type: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K");
  add_seed_option(app, seed, "random seed");
  add_threads_option(app, threads);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  const DType type = dtype_from_name(type_name);
  ModelConfig c = preset_config(preset);
  GGUFFile vocab = GGUFFile::open(vocab_path);
  const GGUFValue* tokens = vocab.find("tokenizer.ggml.tokens");
  if (!tokens) throw FormatError(str(vocab_path, ": no tokenizer.ggml.tokens"));
  c.vocab_size = static_cast<int64_t>(tokens->arr.size());
  c.bos_token_id = static_cast<int32_t>(vocab.get_int_or("tokenizer.ggml.bos_token_id", c.bos_token_id));
  c.eos_token_id = static_cast<int32_t>(vocab.get_int_or("tokenizer.ggml.eos_token_id", c.eos_token_id));
  c.validate();

  GGUFWriter w;
  add_gguf_config_keys(w, c, file_type_of(type));
  copy_tokenizer_keys(w, vocab);
  std::vector<TensorSpec> specs = gguf_tensor_specs(c);
  int64_t total = 0;
  for (const TensorSpec& s : specs) {
    int64_t n = 1;
    for (int64_t d : s.shape) n *= d;
    total += n;
  }
  std::fprintf(stderr, "init: %s, %s parameters, type %s\n", c.summary().c_str(), human_count(static_cast<double>(total)).c_str(),
               dtype_name(type).c_str());
  ThreadPool pool(threads);
  std::vector<std::vector<uint8_t>> storage;
  storage.reserve(specs.size());
  ProgressBar bar("init", total, "params");
  int64_t done = 0;
  const float std_dev = 0.02f;
  for (size_t si = 0; si < specs.size(); ++si) {
    const TensorSpec& s = specs[si];
    const DType st = storage_type(s, type);
    const int64_t cols = s.shape.back();
    int64_t rows = 1;
    for (size_t d = 0; d + 1 < s.shape.size(); ++d) rows *= s.shape[d];
    const size_t rb = row_bytes(st, cols);
    storage.emplace_back(rb * rows);
    uint8_t* dst = storage.back().data();
    const bool is_norm = s.keep_f32 && s.name.find("norm") != std::string::npos;
    const bool is_bias = s.name.find(".bias") != std::string::npos;
    pool.parallel_for(rows, 16, [&](int64_t b, int64_t e) {
      std::vector<float> row(cols);
      for (int64_t r = b; r < e; ++r) {
        if (is_norm) std::fill(row.begin(), row.end(), 1.0f);
        else if (is_bias) std::fill(row.begin(), row.end(), 0.0f);
        else fill_normal(row.data(), cols, std_dev, seed * 1000003ull + si * 7919ull + static_cast<uint64_t>(r));
        quantize_row(st, row.data(), dst + r * rb, cols);
      }
    });
    std::vector<int64_t> shape = s.shape;
    w.add_tensor(s.name, TensorView::contiguous(st, shape.data(), static_cast<int>(shape.size()), dst));
    done += rows * cols;
    bar.update(done);
  }
  bar.finish();
  w.write(out);
  std::fprintf(stderr, "init: wrote %s\n", out.c_str());
  return 0;
}

}  // namespace seek::cli
