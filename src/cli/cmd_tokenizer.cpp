// seek tokenizer train: trains a byte-level BPE tokenizer on text files and writes an HF
// tokenizer.json (+ tokenizer_config.json beside it) and optionally a vocab-only GGUF.
//   seek tokenizer train --vocab-size 32000 --out tok/tokenizer.json [--gguf-out vocab.gguf] a.txt b.txt
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/progress.h"
#include "formats/atomic_write.h"
#include "formats/gguf.h"
#include "tokenizer/bpe_trainer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_gguf.h"

namespace seek::cli {

namespace {

const std::vector<std::string> kDefaultSpecials = {
    "<\xEF\xBD\x9C"
    "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",  // <｜begin▁of▁sentence｜>
    "<\xEF\xBD\x9C"
    "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",  // <｜end▁of▁sentence｜>
    "<\xEF\xBD\x9C"
    "User\xEF\xBD\x9C>",  // <｜User｜>
    "<\xEF\xBD\x9C"
    "Assistant\xEF\xBD\x9C>",  // <｜Assistant｜>
    "<think>",
    "</think>",
};

void write_text(const std::string& path, const std::string& text) {
  atomic_write(path, [&](const ByteSink& sink) { sink(text.data(), text.size()); });
}

int run_train(const BpeTrainOptions& opt, const std::vector<std::string>& corpus, const std::string& out,
              const std::string& gguf_out) {
  const auto t0 = std::chrono::steady_clock::now();
  BpeTrainer trainer(opt);
  trainer.add_files(corpus);
  const auto t1 = std::chrono::steady_clock::now();
  const BpeTrainResult r = trainer.train();
  const auto t2 = std::chrono::steady_clock::now();

  const std::string json = bpe_tokenizer_json(r), config = bpe_tokenizer_config_json(r);
  const auto tok = Tokenizer::from_hf_json_text(json, config);  // what we write must load
  const std::filesystem::path out_path(out);
  if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());
  write_text(out, json);
  const std::filesystem::path config_path = out_path.parent_path() / "tokenizer_config.json";
  write_text(config_path.string(), config);
  if (!gguf_out.empty()) {
    GGUFWriter w;
    w.set("general.architecture", GGUFValue::of_string("deepseek2"));
    w.set("general.name", GGUFValue::of_string("seek trained tokenizer"));
    gguf_set_tokenizer(w, *tok);
    w.write(gguf_out);
  }
  const double count_s = std::chrono::duration<double>(t1 - t0).count();
  const double merge_s = std::chrono::duration<double>(t2 - t1).count();
  std::fprintf(stderr,
               "trained %d tokens (%zu merges, %zu special) on %s bytes, %s pre-tokens (%s distinct); "
               "counting %.1f s, merging %.1f s\nwrote %s and %s%s%s\n",
               r.n_vocab(), r.merges.size(), r.specials.size(), human_count(double(r.n_bytes)).c_str(),
               human_count(double(r.n_pretokens)).c_str(), human_count(double(r.n_words)).c_str(), count_s, merge_s,
               out.c_str(), config_path.string().c_str(), gguf_out.empty() ? "" : " and ", gguf_out.c_str());
  if (r.n_vocab() < opt.vocab_size)
    std::fprintf(stderr, "note: the corpus ran out of pairs seen >= %lld times before reaching --vocab-size %d\n",
                 static_cast<long long>(opt.min_frequency), opt.vocab_size);
  return 0;
}

}  // namespace

int cmd_tokenizer(int argc, char** argv) {
  CLI::App app{"Tokenizer tools", "seek tokenizer"};
  app.require_subcommand(1);
  CLI::App* train = app.add_subcommand("train", "train a byte-level BPE tokenizer on text files");
  BpeTrainOptions opt;
  std::vector<std::string> specials, corpus;
  std::string out, gguf_out;
  bool quiet = false;
  train->add_option("--vocab-size", opt.vocab_size, "total vocabulary: 256 bytes + merges + special tokens")
      ->required();
  train->add_option("--special", specials,
                    "special tokens, in id order (default: DeepSeek's <｜begin▁of▁sentence｜> <｜end▁of▁sentence｜> "
                    "<｜User｜> <｜Assistant｜> <think> </think>)");
  train->add_option("--pre", opt.pre, "pre-tokenizer: deepseek-v3, deepseek-llm, deepseek-coder, qwen2, llama3, gpt2")
      ->capture_default_str();
  train->add_option("--min-frequency", opt.min_frequency, "merge only pairs seen at least K times")
      ->capture_default_str();
  train->add_option("--bos", opt.bos, "BOS token text (default: the first special token)");
  train->add_option("--eos", opt.eos, "EOS token text (default: the second special token)");
  train->add_option("-o,--out", out, "tokenizer.json to write (tokenizer_config.json goes beside it)")->required();
  train->add_option("--gguf-out", gguf_out, "also write a vocab-only GGUF with the tokenizer.ggml.* keys");
  train->add_flag("-q,--quiet", quiet, "no progress bars");
  train->add_option("corpus", corpus, "text files")->required();
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;  // CLI11's own codes (105, 106) never leak
  opt.special_tokens = train->count("--special") ? specials : kDefaultSpecials;
  opt.progress = !quiet;
  return run_train(opt, corpus, out, gguf_out);
}

}  // namespace seek::cli
