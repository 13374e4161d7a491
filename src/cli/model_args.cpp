// Shared model flags and loading.
#include "cli/model_args.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "model/kv_cache.h"

namespace seek::cli {

void ModelArgs::add_to(CLI::App& app, bool model_required) {
  auto* m = app.add_option("-m,--model", model_path,
                           model_required ? "model: a GGUF file or an HF checkpoint directory"
                                          : "model: a GGUF file or an HF checkpoint directory (default: $SEEK_MODEL, "
                                            "else the bundled models/seek-quickstart.gguf)");
  // an explicit empty path is a mistake (an unset shell variable), not a request for the default
  m->check([](const std::string& v) { return v.empty() ? std::string("the model path is empty") : std::string(); });
  if (model_required) m->required();
  add_threads_option(app, threads)->capture_default_str();
  app.add_option("-c,--ctx", ctx, "context length in tokens")
      ->check(CLI::Range(int64_t{16}, int64_t{1} << 22))
      ->capture_default_str();
  app.add_option("--cache-type", cache_type,
                 "KV cache type: f32, f16 (as llama.cpp's default), bf16, q8_0, q4_0 (rows of whole 32-blocks)")
      ->check([](const std::string& v) {
        try {
          kv_cache_type_from_name(v);
          return std::string();
        } catch (const Error& e) {
          return std::string(e.what());
        }
      })
      ->capture_default_str();
}

DType ModelArgs::cache_dtype() const { return kv_cache_type_from_name(cache_type); }

void SamplingArgs::add_to(CLI::App& app) {
  app.add_option("--temp", p.temperature, "temperature (0 = greedy)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--top-k", p.top_k, "top-k (0 = off)")->check(CLI::Range(0, 1 << 30))->capture_default_str();
  app.add_option("--top-p", p.top_p, "top-p nucleus (1 = off)")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--min-p", p.min_p, "min-p (0 = off)")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--repeat-penalty", p.repeat_penalty, "repetition penalty (1 = off)")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  app.add_option("--repeat-last-n", p.repeat_last_n, "penalty window (-1 = all)")
      ->check(CLI::Range(-1, 1 << 30))
      ->capture_default_str();
  app.add_option("--presence-penalty", p.presence_penalty, "presence penalty")
      ->check(CLI::Range(-2.0, 2.0))
      ->capture_default_str();
  app.add_option("--frequency-penalty", p.frequency_penalty, "frequency penalty")
      ->check(CLI::Range(-2.0, 2.0))
      ->capture_default_str();
  add_seed_option(app, p.seed, "random seed");
}

CLI::Option* add_threads_option(CLI::App& app, int& threads, const std::string& help) {
  return app.add_option("-t,--threads", threads, help)->check(CLI::Range(0, 1024));
}

CLI::Option* add_seed_option(CLI::App& app, uint64_t& seed, const std::string& help) {
  return app.add_option("--seed", seed, help)->check([](const std::string& v) {
    const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
    return digits ? std::string() : "expects a whole number >= 0 in digits, got '" + v + "'";
  });
}

std::string default_model_path() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("SEEK_MODEL"); env && *env) return env;
  std::error_code ec;
  std::vector<fs::path> candidates;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "models" / "seek-quickstart.gguf");
#ifdef SEEK_SOURCE_DIR
  candidates.push_back(fs::path(SEEK_SOURCE_DIR) / "models" / "seek-quickstart.gguf");
#endif
  for (const auto& p : candidates)
    if (fs::is_regular_file(p, ec)) return p.string();
  throw UsageError("no -m MODEL given and the bundled models/seek-quickstart.gguf was not found; "
                   "pass -m FILE, set SEEK_MODEL, or train one with `seek quickstart`");
}

LoadedModel load_model(const ModelArgs& args, bool quiet) {
  ModelArgs a = args;
  if (a.model_path.empty()) a.model_path = default_model_path();
  LoadedModel lm;
  lm.model = Model::load(a.model_path);
  std::error_code ec;
  if (std::filesystem::is_directory(a.model_path, ec)) {
    const std::string tj = (std::filesystem::path(a.model_path) / "tokenizer.json").string();
    if (!std::filesystem::exists(tj, ec)) throw Error(str(a.model_path, ": no tokenizer.json beside the weights"));
    lm.tokenizer = Tokenizer::from_hf_json(tj);
  } else {
    lm.tokenizer = Tokenizer::from_gguf(*lm.model->gguf());
  }
  if (lm.tokenizer->n_vocab() > lm.model->config().vocab_size)
    throw FormatError(str("the tokenizer has ", lm.tokenizer->n_vocab(), " tokens but the model only ",
                          lm.model->config().vocab_size));
  if (!quiet) std::fprintf(stderr, "seek: %s: %s\n", a.model_path.c_str(), lm.model->config().summary().c_str());
  return lm;
}

int parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return 0;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  }
  return -1;
}

}  // namespace seek::cli
