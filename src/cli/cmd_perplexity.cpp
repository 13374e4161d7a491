// seek perplexity: llama-perplexity's chunked estimate (runtime/perplexity.h) on a text file.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/file.h"
#include "core/progress.h"
#include "runtime/perplexity.h"

namespace seek::cli {

int cmd_perplexity(int argc, char** argv) {
  CLI::App app{"Perplexity of a model on a text file (llama-perplexity's method)", "seek perplexity"};
  ModelArgs margs;
  margs.ctx = 512;
  std::string text_file;
  bool json_out = false;
  margs.add_to(app);
  app.add_option("-f,--file", text_file, "text file")->required();
  app.add_flag("--json", json_out, "print one JSON object");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  const std::string text = read_file(text_file, "text file");
  LoadedModel lm = load_model(margs, json_out);
  ThreadPool pool(margs.threads);
  std::vector<int32_t> ids = lm.tokenizer->encode(text, lm.tokenizer->bos() >= 0, false);
  ProgressBar bar("perplexity", static_cast<int64_t>(ids.size()) / margs.ctx, "chunks");
  PerplexityResult r = perplexity(
      *lm.model, ids, margs.ctx, pool, [&](int64_t k, int64_t, double ppl) { bar.update(k, str("ppl ", ppl)); },
      margs.cache_dtype());
  bar.finish();
  if (json_out) {
    nlohmann::json j = {{"model", margs.model_path}, {"file", text_file},         {"n_tokens", ids.size()},
                        {"n_ctx", r.n_ctx},          {"n_chunks", r.n_chunks},    {"scored_tokens", r.scored_tokens},
                        {"mean_nll", r.mean_nll},    {"perplexity", r.final_ppl}, {"cumulative", r.cumulative}};
    std::printf("%s\n", j.dump(1).c_str());
  } else {
    for (size_t k = 0; k < r.cumulative.size(); ++k) std::printf("[%zu]%.4f ", k + 1, r.cumulative[k]);
    std::printf("\nperplexity: %.4f over %lld tokens (%lld chunks of %lld)\n", r.final_ppl,
                static_cast<long long>(r.scored_tokens), static_cast<long long>(r.n_chunks),
                static_cast<long long>(r.n_ctx));
  }
  return 0;
}

}  // namespace seek::cli
