// Flags every model-using subcommand shares (-m, -t, -c, sampling) and loading a model with its
// tokenizer, so each cmd_*.cpp only adds what is its own.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace seek::cli {

struct ModelArgs {
  std::string model_path;
  int threads = 0;  // 0: all cores
  int64_t ctx = 4096;
  std::string cache_type = "f16";  // --cache-type: f32, f16, bf16, q8_0, q4_0 (kv_cache.h)

  DType cache_dtype() const;
  void add_to(CLI::App& app, bool model_required = true);
};

// The model `seek chat` and `seek serve` use without -m: $SEEK_MODEL, else the bundled
// models/seek-quickstart.gguf (beside the executable's ../, or in the source tree it was built
// from). Throws UsageError saying how to get one when none exists.
std::string default_model_path();

struct SamplingArgs {
  SamplingParams p;
  void add_to(CLI::App& app);
};

struct LoadedModel {
  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tokenizer;
};

// Loads the model and its tokenizer (GGUF keys, or tokenizer.json in an HF directory);
// prints one line about it to stderr unless quiet.
// An empty model_path means default_model_path().
LoadedModel load_model(const ModelArgs& a, bool quiet = false);

// -t/--threads as every command takes it: 0 (all cores) to 1024; anything else is refused by name.
CLI::Option* add_threads_option(CLI::App& app, int& threads, const std::string& help = "threads (0: all cores)");
// --seed: a whole number >= 0 written in digits (an empty or fractional value is refused, never read as 0).
CLI::Option* add_seed_option(CLI::App& app, uint64_t& seed, const std::string& help);

// Parses argv with CLI11; returns -1 to go on, or the exit status (0 for --help, 1 for errors).
int parse_or_exit(CLI::App& app, int argc, char** argv);

}  // namespace seek::cli
