// seek data prepare: text files -> token shards + manifest.json for `seek train` (train/data.h).
//   seek data prepare --tokenizer tokenizer.json|model.gguf --out DIR [--val-fraction 0.01] FILES...
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/progress.h"
#include "train/data.h"

namespace seek::cli {

int cmd_data(int argc, char** argv) {
  CLI::App app{"Training data tools", "seek data"};
  app.require_subcommand(1);
  CLI::App* prep = app.add_subcommand(
      "prepare", "tokenize text files (each a document; .jsonl: one {\"text\"} per line) into shards");
  DataPrepareOptions opt;
  std::vector<std::string> files;
  prep->add_option("--tokenizer", opt.tokenizer_path, "tokenizer.json, or a GGUF with tokenizer.* keys")->required();
  prep->add_option("--out", opt.out_dir, "output directory")->required();
  prep->add_option("--val-fraction", opt.val_fraction, "share of documents held out for validation (default 0.01)");
  prep->add_option("--shard-tokens", opt.shard_tokens, "token ids per shard file (default 16M)");
  prep->add_option("--doc-sep", opt.doc_separator,
                   "split plain-text files into documents at this string (e.g. '<|endoftext|>')");
  add_seed_option(*prep, opt.seed, "seed of the train/validation split");
  add_threads_option(*prep, opt.threads, "tokenizer threads (0: all cores)");
  prep->add_option("files", files, "input text files")->required();
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  const auto t0 = std::chrono::steady_clock::now();
  const DataPrepareResult r = prepare_data(opt, files);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(
      stderr,
      "data: %s bytes -> %s train tokens (%lld docs), %s validation tokens (%lld docs); vocabulary %d, eos %d; "
      "%.1f s (%s bytes/s)\nwrote %s/manifest.json\n",
      human_count(double(r.n_bytes)).c_str(), human_count(double(r.n_tokens_train)).c_str(),
      static_cast<long long>(r.n_docs_train), human_count(double(r.n_tokens_val)).c_str(),
      static_cast<long long>(r.n_docs_val), r.vocab_size, r.eos_id, s,
      human_count(s > 0 ? double(r.n_bytes) / s : 0).c_str(), opt.out_dir.c_str());
  return 0;
}

}  // namespace seek::cli
