// seek imatrix: llama-imatrix's importance matrix (model/imatrix_collector.h) from seek's own
// forward pass, written in llama.cpp's GGUF imatrix format for `seek quantize --imatrix` and
// llama-quantize --imatrix.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/file.h"
#include "core/progress.h"
#include "formats/imatrix_file.h"
#include "model/imatrix_collector.h"

namespace seek::cli {

int cmd_imatrix(int argc, char** argv) {
  CLI::App app{"Importance matrix of a model on a text file (llama-imatrix's method and GGUF format)", "seek imatrix"};
  ModelArgs margs;
  margs.ctx = 512;
  ImatrixOptions o;
  std::string text_file, out_file = "imatrix.gguf";
  bool parse_special = false;
  margs.add_to(app);
  app.add_option("-f,--file", text_file, "calibration text file")->required();
  app.add_option("-o,--output", out_file, "output file (GGUF imatrix)")->capture_default_str();
  app.add_option("-b,--batch-size", o.n_batch, "tokens per forward batch (as llama-imatrix's -b)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 22))
      ->capture_default_str();
  app.add_option("--chunks", o.max_chunks, "process at most this many chunks of -c tokens (default: all)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_flag("--process-output", o.process_output, "collect output.weight too (llama-imatrix's --process-output)");
  app.add_flag("--parse-special", parse_special, "special tokens written in the text become their ids");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  if (out_file.empty()) throw UsageError("-o: the output path is empty");
  // Found out now rather than after the whole run.
  const std::filesystem::path out_dir = std::filesystem::absolute(out_file).parent_path();
  if (!is_dir(out_dir.string()))
    throw UsageError(str("-o ", out_file, ": the folder ", out_dir.string(), " does not exist"));

  std::string text = read_file(text_file, "text file");
  if (!text.empty() && text.back() == '\n') text.pop_back();  // as llama.cpp's -f reads a prompt file
  LoadedModel lm = load_model(margs);
  o.n_ctx = margs.ctx;
  o.cache_type = margs.cache_dtype();
  o.datasets = {text_file};
  const bool add_bos = lm.tokenizer->add_bos_default() && lm.tokenizer->bos() >= 0;
  const std::vector<int32_t> ids = lm.tokenizer->encode(text, add_bos, parse_special);
  ThreadPool pool(margs.threads);
  std::unique_ptr<ProgressBar> bar;  // made once the run has checked the text is long enough
  const Imatrix m = compute_imatrix(*lm.model, ids, add_bos ? lm.tokenizer->bos() : -1, o, pool,
                                    [&](int64_t done, int64_t total) {
                                      if (!bar) bar = std::make_unique<ProgressBar>("imatrix", total, "chunks");
                                      bar->update(done);
                                    });
  if (bar) bar->finish();
  write_imatrix(m, out_file);
  std::printf("imatrix: %zu entries from %d chunks of %d tokens (%zu tokens in %s) -> %s\n", m.entries.size(),
              m.chunk_count, m.chunk_size, ids.size(), text_file.c_str(), out_file.c_str());
  return 0;
}

}  // namespace seek::cli
