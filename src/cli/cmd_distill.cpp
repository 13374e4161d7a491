// seek distill: a smaller student learns a task from a teacher (reason/distill.h). --mode sft
// (default, DeepSeek's R1-Distill recipe): the teacher samples traces, those the rule reward
// accepts become SFT data. --mode logits: the student matches the teacher's softened next-token
// distributions (KL, temperature T, scaled by T^2) on the teacher's traces. Writes
// OUT/metrics.jsonl and OUT/model.gguf, and reports the student's held-out accuracy.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/progress.h"
#include "reason/distill.h"
#include "reason/eval.h"
#include "reason/grpo_trainer.h"
#include "train/export_gguf.h"

namespace seek::cli {

int cmd_distill(int argc, char** argv) {
  CLI::App app{"Distil a teacher's reasoning on a task into a student (trace SFT or logit KL)", "seek distill"};
  std::string teacher_path, student_path, mode = "sft", out_dir = "distill-out", export_path, vocab;
  reason::TraceOptions to;
  reason::SftConfig sc;
  double kd_temp = 2.0;
  int64_t eval_n = 50;
  int threads = 0;
  bool quiet = false, keep_all = false;
  app.add_option("--teacher", teacher_path, "teacher model: GGUF file or HF directory")->required();
  app.add_option("--student", student_path, "student model to train (same tokenizer), e.g. from `seek init`")
      ->required();
  app.add_option("--mode", mode, "sft (reward-filtered teacher traces) or logits (KL to the teacher)");
  app.add_option("--task", sc.task, "task (default countdown)");
  app.add_option("--difficulty", sc.difficulty, "task difficulty; 0 = default");
  app.add_option("--prompts", to.n_prompts, "teacher prompts to sample (default 64)");
  app.add_option("--samples", to.samples_per_prompt, "teacher samples per prompt (default 4)");
  app.add_option("--max-new", to.max_new_tokens, "teacher completion budget (default 256)");
  app.add_option("--teacher-temp", to.temperature, "teacher sampling temperature (default 0.7)");
  app.add_flag("--keep-all", keep_all, "--mode logits: use unfiltered traces (default: only rewarded ones)");
  app.add_option("--kd-temp", kd_temp, "--mode logits: softmax temperature T (default 2)");
  app.add_option("--steps", sc.steps, "student optimizer steps (default 200)");
  app.add_option("--batch", sc.batch, "sequences per step (default 8)");
  app.add_option("--micro-batch", sc.micro_batch, "sequences per forward/backward (default 8)");
  app.add_option("--lr", sc.lr, "student learning rate (default 1e-4)");
  add_seed_option(app, sc.seed, "seed (default 1)");
  app.add_option("--eval-n", eval_n, "held-out problems for the final evaluation (default 50)");
  app.add_option("--out", out_dir, "output directory (default distill-out)");
  app.add_option("--export", export_path, "GGUF written at the end (default OUT/model.gguf; 'none' to skip)");
  app.add_option("--vocab", vocab, "GGUF whose tokenizer the export copies (default: the student when a GGUF)");
  add_threads_option(app, threads);
  app.add_flag("-q,--quiet", quiet, "no progress bar");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  if (mode != "sft" && mode != "logits") throw UsageError(str("--mode '", mode, "': expected sft or logits"));
  for (const auto& p : {teacher_path, student_path})
    if (!std::filesystem::exists(p)) throw Error(str("model file not found: ", p));
  to.keep_only_correct = mode == "sft" || !keep_all;
  to.difficulty = sc.difficulty;
  to.seed = sc.seed;
  ProgressBar::set_enabled(!quiet);
  ThreadPool pool(threads);
  std::unique_ptr<Tokenizer> tok = reason::load_tokenizer_for(student_path);
  auto task = reason::make_task(sc.task);

  std::unique_ptr<Model> teacher = Model::load(teacher_path);
  if (teacher->config().vocab_size < tok->n_vocab())
    throw UsageError(str("the teacher's vocabulary (", teacher->config().vocab_size,
                         ") is smaller than the student's tokenizer (", tok->n_vocab(), ")"));
  reason::TraceSet traces = reason::generate_traces(*teacher, *tok, *task, to, pool);
  std::fprintf(stderr, "distill: teacher accuracy %.3f; kept %lld of %lld traces\n", traces.teacher_accuracy,
               static_cast<long long>(traces.n_kept), static_cast<long long>(traces.n_generated));
  if (traces.n_kept == 0)
    throw Error("distill: the teacher produced no usable trace (raise --prompts/--samples, or use a stronger teacher)");

  std::unique_ptr<TrainModel> student = TrainModel::from_pretrained(student_path);
  std::unique_ptr<TrainModel> teacher_tm;
  if (mode == "logits") {
    teacher.reset();
    teacher_tm = TrainModel::from_pretrained(teacher_path);
  }
  std::filesystem::create_directories(out_dir);
  std::ofstream log(std::filesystem::path(out_dir) / "metrics.jsonl");
  if (!log) throw Error(str("cannot write ", out_dir, "/metrics.jsonl"));

  std::unique_ptr<reason::SftTrainer> sft;
  std::unique_ptr<AdamW> adam;
  if (mode == "sft") sft = std::make_unique<reason::SftTrainer>(*student, *tok, sc, pool, traces.seqs);
  else adam = std::make_unique<AdamW>(student->n_params());
  ProgressBar bar("distill", sc.steps, "steps");
  for (int64_t s = 1; s <= sc.steps; ++s) {
    nlohmann::json row;
    double loss = 0;
    if (sft) {
      const reason::SftStepStats st = sft->step();
      row = reason::sft_stats_to_json(st);
      loss = st.loss;
    } else {
      reason::SequenceBatch b;
      for (int64_t j = 0; j < sc.batch; ++j) {
        const int64_t k = ((s - 1) * sc.batch + j) % traces.seqs.size();
        b.add(traces.seqs.tokens[k], traces.seqs.prompt_len[k]);
      }
      student->zero_grad();
      const reason::SftLoss l = reason::kd_accumulate(*student, *teacher_tm, b, kd_temp, sc.micro_batch, pool);
      const double gn = adam->step(*student, sc.lr, sc.adam, pool);
      loss = l.loss;
      row = {{"step", s}, {"loss", l.loss}, {"grad_norm", gn}, {"lr", sc.lr}, {"tokens", l.n_tokens}};
    }
    log << row.dump() << "\n" << std::flush;
    bar.update(s, str("loss ", loss));
  }
  bar.finish();
  reason::EvalOptions eo;
  eo.n_problems = eval_n;
  eo.difficulty = sc.difficulty;
  eo.max_new_tokens = to.max_new_tokens;
  std::unique_ptr<Model> trained = student->to_inference_model();
  const reason::EvalResult r = reason::evaluate_task(*trained, *tok, *task, eo, pool);
  std::printf("student %s: accuracy %.3f, format %.3f over %lld held-out problems\n", r.task.c_str(), r.accuracy,
              r.format, static_cast<long long>(r.n));
  if (export_path != "none") {
    if (export_path.empty()) export_path = (std::filesystem::path(out_dir) / "model.gguf").string();
    if (vocab.empty() && !std::filesystem::is_directory(student_path)) vocab = student_path;
    if (vocab.empty()) throw UsageError("--vocab: a GGUF with the tokenizer is needed to export from an HF directory");
    export_gguf(*student, vocab, export_path);
    std::fprintf(stderr, "distill: exported %s\n", export_path.c_str());
  }
  return 0;
}

}  // namespace seek::cli
