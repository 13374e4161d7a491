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
#include "model/gguf_export.h"
#include "model/presets.h"

namespace seek::cli {

namespace {

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
  app.add_option("--type", type_name,
                 "weight type: F32, F16, BF16, Q8_0, Q6_K, Q5_K, Q5_1, Q5_0, Q4_K, Q4_1, Q4_0, Q3_K, Q2_K");
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

  gguf_file_type(type);  // refuse an unwritable type before any work
  int64_t total = 0;
  for (const TensorInstance& t : gguf_tensors(c)) {
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    total += n;
  }
  std::fprintf(stderr, "init: %s, %s parameters, type %s\n", c.summary().c_str(),
               human_count(static_cast<double>(total)).c_str(), dtype_name(type).c_str());
  ThreadPool pool(threads);
  ProgressBar bar("init", total, "params");
  const float std_dev = 0.02f;
  auto fill = [&](const TensorInstance& t, size_t index, int64_t row, float* out) {
    const int64_t cols = t.shape.back();
    switch (t.def->init) {
      case Init::One: std::fill(out, out + cols, 1.0f); break;
      case Init::Zero: std::fill(out, out + cols, 0.0f); break;
      case Init::Normal:
        fill_normal(out, cols, std_dev, seed * 1000003ull + index * 7919ull + static_cast<uint64_t>(row));
    }
  };
  write_gguf_model(out, c, vocab, type, fill, pool, [&](int64_t done) { bar.update(done); });
  bar.finish();
  std::fprintf(stderr, "init: wrote %s\n", out.c_str());
  return 0;
}

}  // namespace seek::cli
