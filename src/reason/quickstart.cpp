// The quickstart pipeline: corpus -> tokenizer -> token shards -> supervised pretraining ->
// evaluation -> GRPO -> evaluation -> export. Each stage calls the library the matching command uses.
#include "reason/quickstart.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/file.h"
#include "core/progress.h"
#include "formats/atomic_write.h"
#include "tokenizer/bpe_trainer.h"
#include "tokenizer/chat_template.h"
#include "train/data.h"
#include "train/export_gguf.h"
#include "train/plot_svg.h"
#include "train/trainer.h"

namespace seek::reason {
namespace fs = std::filesystem;

namespace {

const char* const kEos = "<\xEF\xBD\x9C"
                         "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";  // <｜end▁of▁sentence｜>

void write_text(const fs::path& path, const std::string& text) {
  atomic_write(path.string(), [&](const ByteSink& sink) { sink(text.data(), text.size()); });
}

// Problem i of the cold-start corpus: one in three easy, the rest hard (the hard one needs more);
// a share in the canonical wording, the rest in random training wordings (never a held-out one).
Problem corpus_problem(const Task& task, const QuickstartConfig& c, int64_t i) {
  const int d = i % 3 == 0 ? c.easy : c.hard;
  const uint64_t seed = mix_seed(c.seed ^ 0xC0A5ull, static_cast<uint64_t>(i));
  Problem p = sample_problem(task, Split::Train, c.rl.split, seed, d);
  const bool canonical = Rng(seed ^ 0xCA40ull).uniform01() < c.canonical_share;
  return rephrase(task, std::move(p), canonical ? Phrasing::Canonical : Phrasing::Train, seed ^ 0x3E0Bull);
}

std::string corpus_document(const Task& task, const Problem& p) {
  return r1_zero_prompt(p.question) + task.worked_solution(p);
}

// Stage 1: the cold-start corpus as JSONL (one {"text": ...} per line, what `seek data prepare` reads).
void write_corpus(const Task& task, const QuickstartConfig& c, const fs::path& path) {
  std::string out;
  for (int64_t i = 0; i < c.corpus_problems; ++i)
    out += nlohmann::json{{"text", corpus_document(task, corpus_problem(task, c, i))}}.dump() + "\n";
  write_text(path, out);
}

// Stage 2: a BPE vocabulary for the corpus. The document separator doubles as BOS, so a prompt at
// inference starts the way every document did in training (after the previous one's EOS).
void train_tokenizer(const Task& task, const QuickstartConfig& c, const fs::path& dir) {
  BpeTrainOptions opt;
  opt.vocab_size = c.vocab_size;
  opt.special_tokens = {kEos};
  opt.bos = opt.eos = kEos;
  // Qwen2's pre-tokenizer: one token per digit (what arithmetic needs), and a name llama.cpp, ollama
  // and HF tokenizers all know, so the exported model runs in them unchanged. It cuts the R1-Zero
  // preamble into ~95 word tokens; as one added (user-defined) token, which every tokenizer matches
  // in plain text, a document is 78 tokens instead of 162 (measured on the default corpus), so the
  // same training steps see 2.1x as many worked solutions.
  opt.pre = "qwen2";
  opt.user_tokens = {r1_zero_preamble()};
  opt.progress = !c.quiet;
  BpeTrainer trainer(opt);
  for (int64_t i = 0; i < c.corpus_problems; ++i) trainer.add_text(corpus_document(task, corpus_problem(task, c, i)));
  const BpeTrainResult r = trainer.train();
  nlohmann::json config = nlohmann::json::parse(bpe_tokenizer_config_json(r));
  config["chat_template"] = r1_zero_jinja();
  write_text(dir / "tokenizer.json", bpe_tokenizer_json(r));
  write_text(dir / "tokenizer_config.json", config.dump(2));
}

EvalResult eval_at(Model& m, const Tokenizer& tok, const Task& task, const QuickstartConfig& c, int difficulty,
                   ThreadPool& pool, Phrasing phrasing = Phrasing::Canonical) {
  EvalOptions eo;
  eo.phrasing = phrasing;
  eo.n_problems = c.eval_n;
  eo.difficulty = difficulty;
  eo.split = c.rl.split;
  eo.max_new_tokens = c.rl.max_new_tokens;
  eo.batch = 32;
  return evaluate_task(m, tok, task, eo, pool);
}

void print_stage(const char* what) { std::fprintf(stderr, "\nquickstart: %s\n", what); }

void write_report(const fs::path& metrics, const fs::path& svg, const std::string& title) {
  if (!is_regular_file(metrics.string())) return;
  std::vector<nlohmann::json> rows;
  for (const std::string& line : read_lines(metrics.string(), "metrics file"))
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  if (!rows.empty()) write_text(svg, render_training_svg(rows, title));
}

}  // namespace

QuickstartConfig::QuickstartConfig() {
  train.preset = "ds-2m";
  train.batch = 16;
  train.seq = 128;
  train.steps = 2400;  // 1.9 epochs of the ~78-token documents (1,600 reached 66.7 / 50.0 %, 2,400 77.8 / 67.5 %)
  train.warmup = 30;
  train.lr = 3e-3;
  train.lr_min = 3e-4;
  train.eval_every = 100;
  train.save_every = 200;
  rl.steps = 120;
  rl.prompts_per_step = 8;
  rl.grpo = GrpoConfig::grpo();
  rl.grpo.group_size = 8;
  rl.max_new_tokens = 96;
  rl.lr = 3e-5;
  rl.micro_batch = 16;
  rl.replay_share = 0.25;  // a quarter of the GRPO prompts stay easy, so RL does not unlearn them
}

void QuickstartConfig::validate() const {
  auto task_ptr = make_task(task);
  for (int d : {easy, hard})
    if (d < task_ptr->min_difficulty() || d > task_ptr->max_difficulty())
      throw UsageError(str("quickstart difficulty ", d, ": task ", task, " accepts ", task_ptr->min_difficulty(), "..",
                           task_ptr->max_difficulty()));
  if (corpus_problems < 100) throw UsageError(str("corpus problems: expected >= 100, got ", corpus_problems));
  if (vocab_size < 258 || vocab_size > 65536)
    throw UsageError(str("vocab size: expected 258..65536, got ", vocab_size));
  if (eval_n < 1) throw UsageError(str("eval problems: expected >= 1, got ", eval_n));
  TrainConfig t = train;  // data and out are the pipeline's own
  t.data = t.out = "-";
  validate_train_config(t);
  rl.validate();
}

nlohmann::json quickstart_result_to_json(const QuickstartResult& r) {
  return {{"sft", {{"easy", eval_to_json(r.easy_sft)}, {"hard", eval_to_json(r.hard_sft)}}},
          {"rl", {{"easy", eval_to_json(r.easy_rl)}, {"hard", eval_to_json(r.hard_rl)}}},
          {"rl_train_wording",
           {{"easy", eval_to_json(r.easy_train_wording)}, {"hard", eval_to_json(r.hard_train_wording)}}},
          {"rl_heldout_wording",
           {{"easy", eval_to_json(r.easy_heldout_wording)}, {"hard", eval_to_json(r.hard_heldout_wording)}}},
          {"model", r.model_path},
          {"seconds", r.seconds}};
}

QuickstartResult run_quickstart(const QuickstartConfig& cfg) {
  QuickstartConfig c = cfg;
  c.rl.task = c.task;
  c.rl.difficulty = c.hard;
  c.rl.replay_difficulty = c.easy;
  c.rl.phrasing = Phrasing::Train;
  c.validate();
  const auto t0 = std::chrono::steady_clock::now();
  ProgressBar::set_enabled(!c.quiet);
  const fs::path out(c.out);
  fs::create_directories(out);
  const std::unique_ptr<Task> task = make_task(c.task);

  print_stage(str("1/5 cold-start corpus: ", c.corpus_problems, " worked solutions of ", c.task, " (difficulty ",
                  c.easy, " and ", c.hard, ")")
                  .c_str());
  write_corpus(*task, c, out / "corpus.jsonl");
  train_tokenizer(*task, c, out);
  DataPrepareOptions dp;
  dp.tokenizer_path = (out / "tokenizer.json").string();
  dp.out_dir = (out / "data").string();
  dp.val_fraction = 0.02;
  dp.threads = c.threads;
  const DataPrepareResult data = prepare_data(dp, {(out / "corpus.jsonl").string()});
  std::fprintf(stderr, "quickstart: %d-token vocabulary, %s training tokens\n", data.vocab_size,
               human_count(static_cast<double>(data.n_tokens_train)).c_str());

  print_stage("2/5 supervised cold start: a DeepSeek-V3-architecture model (MLA + MoE + MTP) from scratch");
  TrainConfig tc = c.train;
  tc.data = dp.out_dir;
  tc.out = (out / "sft").string();
  tc.threads = c.threads;
  tc.quiet = c.quiet;
  tc.seed = c.seed;
  std::string sft_model;
  {
    Trainer trainer(tc);
    sft_model = trainer.run().exported;
  }
  write_report(out / "sft" / "metrics.jsonl", out / "sft" / "report.svg", "quickstart: supervised cold start");

  QuickstartResult r;
  ThreadPool pool(c.threads);
  std::unique_ptr<Tokenizer> tok = load_tokenizer_for(sft_model);
  std::unique_ptr<TrainModel> policy = TrainModel::from_pretrained(sft_model);
  print_stage("3/5 held-out accuracy after the supervised stage");
  {
    std::unique_ptr<Model> m = policy->to_inference_model();
    r.easy_sft = eval_at(*m, *tok, *task, c, c.easy, pool);
    r.hard_sft = eval_at(*m, *tok, *task, c, c.hard, pool);
  }
  std::fprintf(stderr, "  easy (difficulty %d): %.1f%%   hard (difficulty %d): %.1f%%\n", c.easy,
               100 * r.easy_sft.accuracy, c.hard, 100 * r.hard_sft.accuracy);

  print_stage(str("4/5 GRPO on the hard task: ", c.rl.steps, " steps x ", c.rl.prompts_per_step, " prompts x ",
                  c.rl.grpo.group_size, " samples")
                  .c_str());
  fs::create_directories(out / "rl");
  {
    std::ofstream log(out / "rl" / "metrics.jsonl");
    if (!log) throw Error(str("cannot write ", (out / "rl" / "metrics.jsonl").string()));
    GrpoTrainer grpo(*policy, *tok, c.rl, pool);
    ProgressBar bar("grpo", c.rl.steps, "steps");
    for (int64_t s = 1; s <= c.rl.steps; ++s) {
      const RlStepStats st = grpo.step();
      log << rl_stats_to_json(st).dump() << "\n" << std::flush;
      bar.update(s, str("reward ", st.reward, " acc ", st.accuracy, " len ", st.response_length));
    }
    bar.finish();
  }
  write_report(out / "rl" / "metrics.jsonl", out / "rl" / "report.svg", "quickstart: GRPO");

  print_stage("5/5 held-out accuracy after GRPO");
  {
    std::unique_ptr<Model> m = policy->to_inference_model();
    r.easy_rl = eval_at(*m, *tok, *task, c, c.easy, pool);
    r.hard_rl = eval_at(*m, *tok, *task, c, c.hard, pool);
    r.easy_train_wording = eval_at(*m, *tok, *task, c, c.easy, pool, Phrasing::Train);
    r.hard_train_wording = eval_at(*m, *tok, *task, c, c.hard, pool, Phrasing::Train);
    r.easy_heldout_wording = eval_at(*m, *tok, *task, c, c.easy, pool, Phrasing::HeldOut);
    r.hard_heldout_wording = eval_at(*m, *tok, *task, c, c.hard, pool, Phrasing::HeldOut);
  }
  r.model_path = (out / "model.gguf").string();
  export_gguf(*policy, sft_model, r.model_path);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // the example completions may hold a split UTF-8 sequence: replace rather than throw
  write_text(out / "result.json",
             quickstart_result_to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  return r;
}

}  // namespace seek::reason
