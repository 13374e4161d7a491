// seek rl: reasoning by reinforcement learning on verifiable tasks (reason/grpo_trainer.h): GRPO
// as in R1-Zero, with Dr. GRPO and DAPO as options; --sft trains on worked solutions instead
// (the cold start); --eval only reports greedy held-out accuracy. Writes OUT/metrics.jsonl (one
// row per step, readable by `seek plot`) and exports OUT/model.gguf at the end.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/progress.h"
#include "dist/comm.h"
#include "reason/eval.h"
#include "reason/grpo_trainer.h"
#include "reason/sft.h"
#include "train/export_gguf.h"

namespace seek::cli {
namespace {

struct EvalArgs {
  int64_t every = 0, n = 50, max_new_tokens = 0, samples = 1, examples = 3;
  float temperature = 1.0f;
  std::string phrasing = "canonical";
};

void print_eval(const reason::EvalResult& r, bool json) {
  if (json) {
    // sampled completions of a weak model can split a UTF-8 sequence: replace rather than throw
    std::printf("%s\n", reason::eval_to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("%s (difficulty %d, %s wording): accuracy %.3f, format %.3f, mean length %.1f tokens over %lld held-out "
              "problems\n",
              r.task.c_str(), r.difficulty, reason::phrasing_name(r.phrasing), r.accuracy, r.format, r.response_length,
              static_cast<long long>(r.n));
  if (r.samples > 1)
    std::printf("  %lld samples per problem: mean accuracy %.3f, pass@%lld %.3f\n", static_cast<long long>(r.samples),
                r.accuracy, static_cast<long long>(r.samples), r.pass_at_k);
  for (const reason::EvalExample& e : r.examples)
    std::printf("  Q: %s\n  A:%s\n", e.question.c_str(), e.completion.c_str());
}

// Held-out evaluation of the policy (tm) or of a loaded model (m); `full` adds the --eval-only knobs
// (samples, temperature, kept examples), which the during-training evaluations leave at their defaults.
reason::EvalResult run_eval(TrainModel* tm, Model* m, const Tokenizer& tok, const reason::RlConfig& c,
                            const EvalArgs& ev, ThreadPool& pool, bool full) {
  auto task = reason::make_task(c.task);
  reason::EvalOptions eo;
  eo.n_problems = ev.n;
  eo.difficulty = c.difficulty;
  eo.split = c.split;
  eo.max_new_tokens = c.max_new_tokens;
  eo.phrasing = reason::parse_phrasing(ev.phrasing);
  if (full) {
    eo.samples = ev.samples;
    eo.temperature = ev.temperature;
    eo.seed = c.seed;
    eo.keep_examples = ev.examples;
  }
  std::unique_ptr<Model> owned;
  if (!m) {
    owned = tm->to_inference_model();
    m = owned.get();
  }
  return reason::evaluate_task(*m, tok, *task, eo, pool);
}

}  // namespace

int cmd_rl(int argc, char** argv) {
  CLI::App app{"Reinforcement learning on verifiable reasoning tasks (GRPO, the R1-Zero recipe)", "seek rl"};
  std::string model_path, out_dir = "rl-out", vocab, export_path, mode_name = "grpo", agg;
  reason::RlConfig c;
  reason::SftConfig sc;
  EvalArgs ev;
  bool sft = false, eval_only = false, quiet = false, json = false;
  std::string phrasing = "canonical";
  int threads = 0;
  double eps = -1;
  std::string tasks;
  for (const auto& n : reason::task_names()) tasks += (tasks.empty() ? "" : ", ") + n;
  app.add_option("-m,--model", model_path, "starting model: GGUF file or HF directory")->required();
  app.add_option("--task", c.task, "task: " + tasks + " (default countdown)");
  app.add_option("--difficulty", c.difficulty, "task difficulty (countdown: numbers; arithmetic: digits); 0 = default");
  app.add_option("--replay-difficulty", c.replay_difficulty,
                 "GRPO: draw a share of each step's prompts at this difficulty too (keeps an easier level)");
  app.add_option("--replay-share", c.replay_share, "GRPO: that share of the prompts, 0..1 (default 0)");
  app.add_option("--split-seed", c.split.seed, "seed of the train/test split");
  app.add_option("--steps", c.steps, "optimizer steps (default 50)");
  app.add_option("--prompts", c.prompts_per_step, "prompts (groups) per step (default 4)");
  app.add_option("-G,--group", c.grpo.group_size, "completions per prompt (default 16)");
  app.add_option("--max-new", c.max_new_tokens, "completion budget in tokens (default 128)");
  app.add_option("--temp", c.temperature, "rollout temperature (default 1)");
  app.add_option("--epochs", c.inner_epochs, "PPO epochs per batch of rollouts (default 1)");
  app.add_option("--micro-batch", c.micro_batch, "sequences per forward/backward (default 8)");
  app.add_option("--lr", c.lr, "learning rate (default 1e-6; --sft: 1e-4)");
  app.add_option("--beta", c.grpo.beta, "KL weight to the frozen reference (default 0.04)");
  app.add_option("--eps", eps, "clip range of the ratio, both sides (default 0.2)");
  app.add_option("--eps-high", c.grpo.eps_high, "upper clip range (DAPO clip-higher: 0.28)");
  app.add_option("--mode", mode_name, "grpo, dr-grpo or dapo: sets the defaults below (default grpo)");
  app.add_option("--aggregation", agg, "loss averaging: seq-mean, token-mean or constant");
  app.add_option("--weight-decay", c.adam.weight_decay, "AdamW weight decay (default 0)");
  app.add_option("--clip", c.adam.clip, "gradient-norm clip, 0 = off (default 1)");
  add_seed_option(app, c.seed, "seed of problems and sampling (default 1)");
  app.add_flag("--sft", sft, "supervised fine-tuning on worked solutions instead (cold start)");
  app.add_option("--batch", sc.batch, "--sft: sequences per step (default 8)");
  app.add_flag("--eval", eval_only, "only evaluate: greedy accuracy on the held-out split");
  app.add_option("--eval-every", ev.every, "evaluate every N steps, 0 = at the end only (default 0)");
  app.add_option("--eval-n", ev.n, "held-out problems per evaluation (default 50)");
  app.add_option("--eval-samples", ev.samples,
                 "--eval: k sampled completions per problem instead of one greedy; reports pass@k (default 1)");
  app.add_option("--eval-temp", ev.temperature, "--eval with --eval-samples > 1: sampling temperature (default 1)");
  app.add_option("--eval-examples", ev.examples, "--eval: completions kept in the report (default 3)");
  app.add_option("--eval-phrasing", ev.phrasing,
                 "wording of the evaluation questions: canonical, train (the training wordings) or held-out "
                 "(wordings no corpus contains; arithmetic only varies) (default canonical)")
      ->check(CLI::IsMember({"canonical", "train", "held-out"}));
  app.add_option("--phrasing", phrasing, "wording of the RL prompts: canonical or train (default canonical)")
      ->check(CLI::IsMember({"canonical", "train"}));
  app.add_flag("--json", json, "evaluation result as JSON");
  app.add_option("--out", out_dir, "output directory: metrics.jsonl, model.gguf (default rl-out)");
  app.add_option("--export", export_path, "GGUF written at the end (default OUT/model.gguf; 'none' to skip)");
  app.add_option("--vocab", vocab, "GGUF whose tokenizer the export copies (default: the model when a GGUF)");
  add_threads_option(app, threads);
  app.add_flag("-q,--quiet", quiet, "no progress bar");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  c.phrasing = reason::parse_phrasing(phrasing);

  // --mode picks a recipe; flags given explicitly still win.
  const bool given_agg = !agg.empty(), given_beta = app.count("--beta") > 0, given_eh = app.count("--eps-high") > 0;
  reason::GrpoConfig base;
  if (mode_name == "grpo") base = reason::GrpoConfig::grpo();
  else if (mode_name == "dr-grpo") base = reason::GrpoConfig::dr_grpo(c.max_new_tokens);
  else if (mode_name == "dapo") base = reason::GrpoConfig::dapo();
  else throw UsageError(str("--mode '", mode_name, "': expected grpo, dr-grpo or dapo"));
  base.group_size = c.grpo.group_size;
  if (given_beta) base.beta = c.grpo.beta;
  if (eps >= 0) base.eps_low = base.eps_high = eps;
  if (given_eh) base.eps_high = c.grpo.eps_high;
  if (given_agg) base.aggregation = reason::parse_aggregation(agg);
  c.grpo = base;
  if (c.grpo.aggregation == reason::LossAggregation::ConstantLength && c.grpo.constant_length < 1)
    c.grpo.constant_length = c.max_new_tokens;
  if (!std::filesystem::exists(model_path)) throw Error(str("model file not found: ", model_path));
  ProgressBar::set_enabled(!quiet);
  ThreadPool pool(threads);
  std::unique_ptr<Tokenizer> tok = reason::load_tokenizer_for(model_path);

  if (eval_only) {
    std::unique_ptr<Model> m = Model::load(model_path);
    print_eval(run_eval(nullptr, m.get(), *tok, c, ev, pool, true), json);
    return 0;
  }

  std::unique_ptr<TrainModel> policy = TrainModel::from_pretrained(model_path);
  // under mpirun every rank runs the same loop (GRPO spreads the rollouts); rank 0 writes the files
  const bool lead = Comm::world().rank() == 0;
  std::ofstream log;
  if (lead) {
    std::filesystem::create_directories(out_dir);
    log.open(std::filesystem::path(out_dir) / "metrics.jsonl");
    if (!log) throw Error(str("cannot write ", out_dir, "/metrics.jsonl"));
  }
  std::fprintf(stderr, "rl: %s, %s parameters; %s on %s\n", policy->config().summary().c_str(),
               human_count(static_cast<double>(policy->n_params())).c_str(), sft ? "SFT" : mode_name.c_str(),
               c.task.c_str());

  std::unique_ptr<reason::GrpoTrainer> grpo;
  std::unique_ptr<reason::SftTrainer> sftt;
  if (sft) {
    sc.task = c.task;
    sc.difficulty = c.difficulty;
    sc.split = c.split;
    sc.steps = c.steps;
    sc.micro_batch = c.micro_batch;
    sc.lr = app.count("--lr") ? c.lr : 1e-4;
    sc.adam = c.adam;
    sc.seed = c.seed;
    sftt = std::make_unique<reason::SftTrainer>(*policy, *tok, sc, pool);
  } else {
    grpo = std::make_unique<reason::GrpoTrainer>(*policy, *tok, c, pool);
  }
  ProgressBar bar(sft ? "sft" : "rl", c.steps, "steps");
  for (int64_t s = 1; s <= c.steps; ++s) {
    nlohmann::json row;
    std::string extra;
    if (sftt) {
      const reason::SftStepStats st = sftt->step();
      row = reason::sft_stats_to_json(st);
      extra = str("loss ", st.loss);
    } else {
      const reason::RlStepStats st = grpo->step();
      row = reason::rl_stats_to_json(st);
      extra = str("reward ", st.reward, " acc ", st.accuracy, " len ", st.response_length);
    }
    if (ev.every > 0 && (s % ev.every == 0 || s == c.steps)) {
      const auto r = run_eval(policy.get(), nullptr, *tok, c, ev, pool, false);
      row["eval_accuracy"] = r.accuracy;
      row["eval_format"] = r.format;
    }
    if (lead) log << row.dump() << "\n" << std::flush;
    bar.update(s, extra);
  }
  bar.finish();
  const auto r = run_eval(policy.get(), nullptr, *tok, c, ev, pool, false);
  if (!lead) return 0;
  print_eval(r, json);
  if (export_path != "none") {
    if (export_path.empty()) export_path = (std::filesystem::path(out_dir) / "model.gguf").string();
    if (vocab.empty() && !std::filesystem::is_directory(model_path)) vocab = model_path;
    if (vocab.empty()) throw UsageError("--vocab: a GGUF with the tokenizer is needed to export from an HF directory");
    export_gguf(*policy, vocab, export_path);
    std::fprintf(stderr, "rl: exported %s\n", export_path.c_str());
  }
  return 0;
}

}  // namespace seek::cli
