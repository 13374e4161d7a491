// `seek quickstart`: R1's recipe end to end at laptop scale (deepseek.md 7), each stage a file in
// OUT so any of them can be inspected or rerun with the ordinary commands:
//   1. corpus.jsonl      R1-Zero prompts + worked solutions of the task's train split, at an easy
//                        and a hard difficulty, in varied wordings (the cold-start data);
//   2. tokenizer.json    a byte-level BPE trained on that corpus (Qwen2's pre-tokenizer: single
//                        digits; the R1-Zero preamble one user token) + data/ token shards;
//   3. sft/              a DeepSeek-V3-architecture model (MLA + DeepSeekMoE + MTP) trained from
//                        scratch on the corpus by the pretraining loop (`seek train`);
//   4. held-out accuracy of the supervised model on both difficulties;
//   5. rl/               GRPO on the hard difficulty (`seek rl`), then held-out accuracy again;
//   6. model.gguf        the result, with a chat template that wraps a question in the R1-Zero
//                        prompt, so `seek chat` / `seek serve` use it as it was trained.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "reason/eval.h"
#include "reason/grpo_trainer.h"
#include "train/train_config.h"

namespace seek::reason {

struct QuickstartConfig {
  std::string out = "quickstart";
  std::string task = "arithmetic";
  int easy = 1, hard = 2;           // task difficulties: the cold start covers both, GRPO the hard one
  int64_t corpus_problems = 40000;  // worked solutions written for the supervised stage
  double canonical_share = 0.2;     // of the corpus in the canonical wording; the rest in random training wordings
  int32_t vocab_size = 1024;        // BPE vocabulary (bytes + merges + the special token)
  TrainConfig train;                // supervised stage (preset, steps, batch, lr, ...); data/out set here
  RlConfig rl;                      // GRPO stage; task and difficulty set here
  int64_t eval_n = 200;             // held-out problems per difficulty and evaluation
  int threads = 0;
  uint64_t seed = 1;
  bool quiet = false;
  QuickstartConfig();     // the defaults that fit the 10-minute budget on 2 cores
  void validate() const;  // UsageError naming the bad field
};

struct QuickstartResult {
  EvalResult easy_sft, hard_sft, easy_rl, hard_rl;  // the canonical wording ("What is a + b? Give the exact integer")
  // After GRPO, the same held-out problems worded as in training (random training wordings) and in
  // wordings that no corpus contains (task.h Phrasing): how well the model reads questions people type.
  EvalResult easy_train_wording, hard_train_wording, easy_heldout_wording, hard_heldout_wording;
  std::string model_path;  // OUT/model.gguf
  double seconds = 0;
};
nlohmann::json quickstart_result_to_json(const QuickstartResult& r);

// Runs every stage; progress bars on stderr, a summary table on stdout.
QuickstartResult run_quickstart(const QuickstartConfig& c);

}  // namespace seek::reason
