// Choosing a tokenizer from command-line options (shared by tokenize, template, tokenizer
// train): --model FILE (GGUF) or --tokenizer tokenizer.json. Header-only so that the CLI's
// options live next to the loader they select.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace seek::cli {

struct TokenizerSource {
  std::string model;      // GGUF file
  std::string tokenizer;  // tokenizer.json
};

inline void add_tokenizer_options(CLI::App& app, TokenizerSource& s) {
  app.add_option("-m,--model", s.model, "GGUF model (or vocab-only GGUF) whose tokenizer to use");
  app.add_option("-t,--tokenizer", s.tokenizer, "HF tokenizer.json (tokenizer_config.json beside it is read too)");
}

inline std::unique_ptr<Tokenizer> load_tokenizer(const TokenizerSource& s) {
  if (!s.model.empty() && !s.tokenizer.empty()) throw UsageError("give --model or --tokenizer, not both");
  if (!s.model.empty()) return Tokenizer::from_gguf_path(s.model);
  if (!s.tokenizer.empty()) return Tokenizer::from_hf_json(s.tokenizer);
  throw UsageError("no tokenizer: give --model FILE.gguf or --tokenizer tokenizer.json");
}

}  // namespace seek::cli
