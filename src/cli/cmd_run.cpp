// seek run: generate from a prompt, streaming tokens as they are made, then prefill and decode
// speed. Greedy by default (temperature 0), like llama.cpp's --temp 0. `--speculative mtp` drafts
// with the model's MTP head and reports the acceptance rate (same output as plain greedy).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/file.h"
#include "runtime/generate.h"
#include "runtime/speculative.h"

namespace seek::cli {

int cmd_run(int argc, char** argv) {
  CLI::App app{"Generate text from a prompt", "seek run"};
  ModelArgs margs;
  SamplingArgs sargs;
  std::string prompt, prompt_file;
  GenerateOptions opt;
  std::string speculative;
  bool no_bos = false, quiet = false, raw = false, json = false;
  margs.add_to(app, false);  // default: $SEEK_MODEL, else the bundled quickstart model, as chat and serve
  sargs.add_to(app);
  app.add_option("-p,--prompt", prompt, "prompt text (empty or none: generate from BOS alone)");
  app.add_option("-f,--file", prompt_file, "read the prompt from a file");
  app.add_option("-n,--max-tokens", opt.max_tokens, "tokens to generate")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--stop", opt.stop, "stop string (repeatable)");
  app.add_flag("--ignore-eos", opt.ignore_eos, "keep going past end-of-sequence");
  app.add_option("-b,--batch", opt.n_batch, "prefill batch size")->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  app.add_flag("--no-bos", no_bos, "do not add the BOS token");
  app.add_flag("--raw", raw, "the prompt is sent as is (no special-token parsing)");
  app.add_option("--speculative", speculative, "speculative decoding: mtp (greedy only; drafts with the MTP head)")
      ->check(CLI::IsMember({"mtp"}));
  app.add_flag("-q,--quiet", quiet, "print only the generated text");
  app.add_flag("--json", json,
               "print one JSON object instead of the text: {\"prompt_ids\", \"ids\" (generated), \"text\", "
               "\"finish_reason\"}");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  if (!prompt_file.empty()) prompt = read_file(prompt_file, "prompt file");
  opt.sampling = sargs.p;
  opt.sampling.validate();

  LoadedModel lm = load_model(margs, quiet);
  ThreadPool pool(margs.threads);
  const bool add_bos = !no_bos && lm.tokenizer->add_bos_default() && lm.tokenizer->bos() >= 0;
  std::vector<int32_t> ids = lm.tokenizer->encode(prompt, add_bos, !raw);
  if (ids.empty() && !no_bos && lm.tokenizer->bos() >= 0) ids.push_back(lm.tokenizer->bos());  // as llama.cpp does
  if (ids.empty())
    throw UsageError(no_bos ? "the prompt is empty and --no-bos was given: nothing to generate from"
                            : "the prompt is empty and the model has no BOS token: give -p TEXT or -f FILE");
  if (static_cast<int64_t>(ids.size()) >= margs.ctx)
    throw UsageError(str("the prompt is ", ids.size(), " tokens but the context holds ", margs.ctx,
                         " (raise --ctx or shorten the prompt)"));
  KVCache cache(lm.model->config(), 1, margs.ctx, margs.cache_dtype());
  if (!quiet && !json) {
    std::fputs(prompt.c_str(), stdout);
    std::fflush(stdout);
  }
  auto stream = [json](const std::string& piece) {
    if (json) return true;
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
  };
  SpeculativeResult sr;
  if (speculative == "mtp") sr = generate_speculative_mtp(*lm.model, *lm.tokenizer, cache, ids, opt, pool, stream);
  else static_cast<GenerateResult&>(sr) = generate(*lm.model, *lm.tokenizer, cache, ids, opt, pool, stream);
  const GenerateResult& r = sr;
  if (json) {
    const nlohmann::json out = {
        {"prompt_ids", ids}, {"ids", r.tokens}, {"text", r.text}, {"finish_reason", r.finish_reason}};
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fputc('\n', stdout);
  }
  if (!quiet) {
    const double pp = r.prefill_seconds > 0 ? r.n_prompt / r.prefill_seconds : 0;
    const double tg = r.decode_seconds > 0 ? r.tokens.size() / r.decode_seconds : 0;
    std::fprintf(stderr,
                 "\nseek: prefill %lld tokens in %.3f s (%.1f tok/s); decode %zu tokens in %.3f s (%.2f tok/s); "
                 "threads %d; finish: %s\n",
                 static_cast<long long>(r.n_prompt), r.prefill_seconds, pp, r.tokens.size(), r.decode_seconds, tg,
                 pool.size(), r.finish_reason.c_str());
    if (speculative == "mtp")
      std::fprintf(stderr,
                   "seek: speculative mtp: accepted %lld of %lld drafts (%.1f%%); %lld decode forwards for %zu tokens; "
                   "%.2f tok/s\n",
                   static_cast<long long>(sr.accepted), static_cast<long long>(sr.drafted),
                   100.0 * sr.acceptance_rate(), static_cast<long long>(sr.n_forward), r.tokens.size(),
                   sr.tokens_per_second());
  }
  return 0;
}

}  // namespace seek::cli
