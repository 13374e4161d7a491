// seek train: pretrain a DeepSeek-V3-architecture model from scratch (train/trainer.h).
// Settings come from, in order: the defaults, the checkpoint of --resume, a --config JSON file,
// then the flags given on the command line (each flag is the JSON key with '-' for '_').
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/progress.h"
#include "model/presets.h"
#include "train/trainer.h"

namespace seek::cli {

int cmd_train(int argc, char** argv) {
  CLI::App app{"Pretrain a DeepSeek-V3-architecture model (MLA, MoE with aux-loss-free balancing, MTP)", "seek train"};
  TrainConfig f;  // flag targets; only the flags actually given are applied
  std::string config_file;
  std::string presets;
  for (const std::string& n : preset_names()) presets += (presets.empty() ? "" : ", ") + n;
  app.add_option("--preset", f.preset, "model shape: " + presets + " (default ds-2m)");
  app.add_option("--config", config_file, "JSON file of settings (same names as the flags, '_' for '-')");
  app.add_option("--layers", f.layers, "override the preset's num_hidden_layers");
  app.add_option("--hidden", f.hidden, "override the preset's hidden_size");
  app.add_option("--experts", f.experts, "override the preset's n_routed_experts");
  app.add_option("--init-std", f.init_std, "initialisation std of matrices (default 0.02)");
  app.add_option("--data", f.data, "data directory from `seek data prepare`");
  app.add_option("--batch", f.batch, "sequences per micro-batch per rank (default 8)");
  app.add_option("--seq", f.seq, "tokens predicted per sequence (default 128)");
  app.add_option("--grad-accum", f.grad_accum, "micro-batches per optimizer step (default 1)");
  app.add_option("--steps", f.steps, "optimizer steps in total (default 200)");
  app.add_option("--stop-at", f.stop_at,
                 "stop after this step; the learning-rate schedule still spans --steps, so a shorter run "
                 "(an ablation) follows the same curve (default 0: run all --steps)");
  app.add_option("--warmup", f.warmup, "linear warmup steps (default 20)");
  app.add_option("--lr", f.lr, "peak learning rate (default 3e-3)");
  app.add_option("--lr-min", f.lr_min, "final learning rate of the cosine decay (default 3e-4)");
  app.add_option("--beta1", f.beta1, "AdamW beta1 (default 0.9)");
  app.add_option("--beta2", f.beta2, "AdamW beta2 (default 0.95)");
  app.add_option("--eps", f.eps, "AdamW epsilon (default 1e-8)");
  app.add_option("--weight-decay", f.weight_decay, "AdamW decoupled weight decay on matrices (default 0.1)");
  app.add_option("--clip", f.clip, "global gradient-norm clip, 0 = off (default 1.0)");
  app.add_option("--lambda-mtp", f.lambda_mtp, "MTP loss weight (default 0.3)");
  app.add_option("--alpha", f.alpha, "sequence-wise balance loss weight (default 1e-4)");
  app.add_option("--gamma", f.gamma, "router bias update speed (default 1e-3)");
  add_seed_option(app, f.seed, "initialisation and data-order seed (default 1)");
  app.add_flag("--expert-parallel", f.expert_parallel,
               "under mpirun: split each MoE layer's routed experts over the ranks (all-to-all dispatch/combine)");
  app.add_option("--grad-bucket-mb", f.grad_bucket_mb, "gradient all-reduce bucket size in MB (default 4)");
  app.add_option("--grad-overlap", f.grad_overlap,
                 "start each bucket's all-reduce while backward runs: true/false (default true)");
  add_threads_option(app, f.threads);
  app.add_option("--eval-every", f.eval_every, "validation every N steps, 0 = never (default 50)");
  app.add_option("--eval-batches", f.eval_batches, "validation batches per evaluation (default 4)");
  app.add_option("--save-every", f.save_every, "checkpoint every N steps, 0 = only at the end (default 100)");
  app.add_option("--keep", f.keep, "checkpoints to keep, 0 = all (default 3)");
  app.add_option("--out", f.out, "output directory: checkpoints, metrics.jsonl, model.gguf (default train-out)");
  app.add_option("--resume", f.resume, "continue from a checkpoint file, or the newest one in a directory");
  app.add_option("--export", f.export_path, "GGUF written at the end (default OUT/model.gguf; 'none' to skip)");
  app.add_option("--vocab", f.vocab, "GGUF whose tokenizer.* keys the export copies (default: the data's tokenizer)");
  app.add_flag("-q,--quiet", f.quiet, "no progress bar");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;

  // The flags given, as settings: option "--grad-accum" is key "grad_accum".
  const nlohmann::json all = train_config_to_json(f);
  nlohmann::json given = nlohmann::json::object();
  for (const CLI::Option* o : app.get_options()) {
    if (o->count() == 0 || o->get_lnames().empty()) continue;
    std::string key = o->get_lnames()[0];
    for (char& c : key)
      if (c == '-') c = '_';
    if (all.contains(key)) given[key] = all[key];
  }
  TrainConfig c;
  if (!f.resume.empty()) c = resume_base_config(f.resume);
  if (!config_file.empty()) c = train_config_from_file(config_file, c);
  train_config_update(c, given, "command line");

  Trainer trainer(c);
  const TrainModel& m = trainer.model();
  if (trainer.rank() == 0)
    std::fprintf(stderr, "train: %s; %s parameters; %lld steps of %lld tokens (%d rank%s)%s\n",
                 m.config().summary().c_str(), human_count(static_cast<double>(m.n_params())).c_str(),
                 static_cast<long long>(c.steps),
                 static_cast<long long>(c.batch * c.seq * c.grad_accum * trainer.world()), trainer.world(),
                 trainer.world() > 1 ? "s" : "", c.resume.empty() ? "" : (", resuming " + c.resume).c_str());
  if (trainer.rank() == 0 && c.expert_parallel)
    std::fprintf(stderr,
                 trainer.expert_parallel()
                     ? "train: expert parallel: %lld routed experts per MoE layer on each of %d ranks\n"
                     : "train: --expert-parallel on %lld experts and %d process: every expert is local, "
                       "ordinary training (launch with mpirun -np N to split them)\n",
                 static_cast<long long>(m.config().n_routed_experts / trainer.world()), trainer.world());
  const TrainResult r = trainer.run();
  if (trainer.rank() == 0 && r.steps_run == 0) {
    std::fprintf(stderr,
                 "train: nothing to train: the checkpoint is at step %lld and this run ends at step %lld (%s %lld); "
                 "raise --steps to train further\n",
                 static_cast<long long>(r.steps), static_cast<long long>(r.end),
                 c.stop_at > 0 && c.stop_at < c.steps ? "--stop-at" : "--steps", static_cast<long long>(r.end));
    if (!r.exported.empty())
      std::fprintf(stderr, "train: exported %s again from that checkpoint\n", r.exported.c_str());
  } else if (trainer.rank() == 0) {
    std::fprintf(stderr, "train: step %lld, loss %.4f", static_cast<long long>(r.steps), r.loss);
    if (r.val_loss >= 0) std::fprintf(stderr, ", validation loss %.4f", r.val_loss);
    std::fprintf(stderr, ", %s tokens/s\n", human_count(r.tokens_per_s).c_str());
    if (r.allreduce_s >= 0) {
      std::fprintf(stderr, "train: communication per step (rank 0): gradient all-reduce %.2f ms (%.2f ms blocked)",
                   r.allreduce_s * 1e3, r.allreduce_wait_s * 1e3);
      if (r.alltoall_s >= 0) std::fprintf(stderr, ", expert all-to-all %.2f ms", r.alltoall_s * 1e3);
      std::fprintf(stderr, "\n");
    }
    if (!r.checkpoint.empty()) std::fprintf(stderr, "train: checkpoint %s\n", r.checkpoint.c_str());
    if (!r.exported.empty()) std::fprintf(stderr, "train: exported %s\n", r.exported.c_str());
  }
  return 0;
}

}  // namespace seek::cli
