// seek quickstart: the main job (README). Trains a tiny DeepSeek-V3-architecture model from
// scratch on a verifiable task (cold start on worked solutions, then GRPO), prints held-out
// accuracy before and after RL, and serves the result with the web UI (reason/quickstart.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "reason/quickstart.h"

namespace seek::cli {
namespace {

void print_summary(const reason::QuickstartResult& r, const reason::QuickstartConfig& c) {
  auto row = [](const char* stage, const reason::EvalResult& e, const reason::EvalResult& h) {
    std::printf("%-22s %10.1f%% %10.1f%% %12.1f\n", stage, 100 * e.accuracy, 100 * h.accuracy, h.response_length);
  };
  // the held-out split may hold fewer problems than asked for (1-digit arithmetic has 27)
  std::printf("\nheld-out accuracy (%s; easy: difficulty %d, %lld problems; hard: difficulty %d, %lld problems)\n",
              c.task.c_str(), c.easy, static_cast<long long>(r.easy_sft.n), c.hard,
              static_cast<long long>(r.hard_sft.n));
  std::printf("%-22s %11s %11s %12s\n", "", "easy", "hard", "hard length");
  row("after supervised start", r.easy_sft, r.hard_sft);
  row("after GRPO", r.easy_rl, r.hard_rl);
  row("  training wordings", r.easy_train_wording, r.hard_train_wording);
  row("  held-out wordings", r.easy_heldout_wording, r.hard_heldout_wording);
  std::printf("(canonical wording: \"%s\"; held-out wordings never occur in the corpus or in GRPO's prompts)\n",
              r.hard_rl.examples.empty() ? "" : r.hard_rl.examples[0].question.c_str());
  if (!r.hard_rl.examples.empty())
    std::printf("\nexample (held out): %s\n%s\n", r.hard_rl.examples[0].question.c_str(),
                r.hard_rl.examples[0].completion.c_str());
  std::printf("\nmodel: %s (%.1f MB); %.0f s in all\n", r.model_path.c_str(),
              static_cast<double>(std::filesystem::file_size(r.model_path)) / 1e6, r.seconds);
  std::fflush(stdout);
}

}  // namespace

int cmd_quickstart(int argc, char** argv) {
  CLI::App app{
      "Train a tiny reasoning model from scratch (cold start, then GRPO), report held-out accuracy, and serve it",
      "seek quickstart"};
  reason::QuickstartConfig c;
  bool no_serve = false;
  int port = 8080;
  app.add_option("--out", c.out, "output directory (corpus, tokenizer, data, sft/, rl/, model.gguf)")
      ->capture_default_str();
  app.add_option("--task", c.task, "task: countdown, arithmetic or linear")->capture_default_str();
  app.add_option("--easy", c.easy, "easy difficulty (kept while GRPO trains the hard one)")->capture_default_str();
  app.add_option("--hard", c.hard, "hard difficulty (GRPO trains on it)")->capture_default_str();
  app.add_option("--corpus", c.corpus_problems, "worked solutions in the cold-start corpus")->capture_default_str();
  app.add_option("--vocab-size", c.vocab_size, "BPE vocabulary size")->capture_default_str();
  app.add_option("--preset", c.train.preset, "model preset")->capture_default_str();
  app.add_option("--sft-steps", c.train.steps, "supervised steps")->capture_default_str();
  app.add_option("--sft-batch", c.train.batch, "supervised sequences per step")->capture_default_str();
  app.add_option("--sft-seq", c.train.seq, "supervised sequence length")->capture_default_str();
  app.add_option("--sft-lr", c.train.lr, "supervised peak learning rate")->capture_default_str();
  app.add_option("--rl-steps", c.rl.steps, "GRPO steps")->capture_default_str();
  app.add_option("--rl-prompts", c.rl.prompts_per_step, "GRPO prompts per step")->capture_default_str();
  app.add_option("-G,--group", c.rl.grpo.group_size, "GRPO samples per prompt")->capture_default_str();
  app.add_option("--rl-lr", c.rl.lr, "GRPO learning rate")->capture_default_str();
  app.add_option("--replay-share", c.rl.replay_share, "share of GRPO prompts drawn at the easy difficulty")
      ->capture_default_str();
  app.add_option("--beta", c.rl.grpo.beta, "GRPO KL weight")->capture_default_str();
  app.add_option("--max-new", c.rl.max_new_tokens, "completion budget in tokens")->capture_default_str();
  app.add_option("--eval-n", c.eval_n, "held-out problems per difficulty")->capture_default_str();
  add_seed_option(app, c.seed, "seed (data, initialisation, sampling)")->capture_default_str();
  add_threads_option(app, c.threads);
  app.add_option("--port", port, "port of the web UI served at the end")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_flag("--no-serve", no_serve, "stop after training instead of serving the model");
  app.add_flag("-q,--quiet", c.quiet, "no progress bars");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  c.rl.seed = c.seed;

  const reason::QuickstartResult r = reason::run_quickstart(c);
  print_summary(r, c);
  if (no_serve) return 0;
  std::printf("\nserving it: open http://127.0.0.1:%d/ and ask e.g. \"What is 47 + 38?\" or \"Compute 15 plus 27\" "
              "(Ctrl-C stops)\n",
              port);
  std::fflush(stdout);
  std::vector<std::string> args = {"serve",          "-m", r.model_path, "--port", std::to_string(port), "--alias",
                                   "seek-quickstart"};
  if (c.threads > 0) args.insert(args.end(), {"-t", std::to_string(c.threads)});
  std::vector<char*> argv2;
  for (auto& a : args) argv2.push_back(a.data());
  return cmd_serve(static_cast<int>(argv2.size()), argv2.data());
}

}  // namespace seek::cli
