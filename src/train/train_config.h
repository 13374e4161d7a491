// Everything a pretraining run is configured by: the model preset and shape overrides, data,
// optimisation (V3 recipe scaled down, deepseek.md 2.5) and bookkeeping. The same field names are
// the `seek train` flags (dashes for underscores) and the keys of a --config JSON file.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "model/config.h"
#include "model/config_io.h"  // config_to_hf_json for checkpoints

namespace seek {

struct TrainConfig {
  // model: a preset (model/presets.h) with optional overrides (0 = keep the preset's)
  std::string preset = "ds-2m";
  int64_t layers = 0, hidden = 0, experts = 0;
  double init_std = 0.02;
  // data
  std::string data;        // directory written by `seek data prepare`
  int64_t batch = 8;       // sequences per micro-batch per rank
  int64_t seq = 128;       // tokens predicted per sequence (windows hold seq + 1 ids)
  int64_t grad_accum = 1;  // micro-batches per optimizer step
  // optimisation
  int64_t steps = 200, warmup = 20;
  int64_t stop_at = 0;              // stop after this step, the schedule still spanning `steps` (0 = at `steps`)
  double lr = 3e-3, lr_min = 3e-4;  // cosine decay from lr to lr_min after warmup
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.1, clip = 1.0;
  double lambda_mtp = 0.3;  // MTP loss weight (deepseek.md 2.3)
  double alpha = 1e-4;      // sequence-wise balance loss weight (2.4)
  double gamma = 1e-3;      // router bias update speed (2.4)
  uint64_t seed = 1;
  // distribution over MPI ranks (docs/distributed.md); nothing changes with one process
  bool expert_parallel = false;  // routed experts split over the ranks, tokens sent by all-to-all
  double grad_bucket_mb = 4;     // gradient all-reduce bucket size
  bool grad_overlap = true;      // start a bucket's all-reduce as soon as backward finished it
  // bookkeeping
  int threads = 0;
  int64_t eval_every = 50, eval_batches = 4, save_every = 100, keep = 3;
  std::string out = "train-out";  // checkpoints, metrics.jsonl, model.gguf
  std::string resume;             // checkpoint file or directory (newest)
  std::string export_path;        // GGUF written at the end ("" = OUT/model.gguf; "none" = skip)
  std::string vocab;              // GGUF whose tokenizer.* keys the export copies ("" = the data's)
  bool quiet = false;             // no progress bar
};

nlohmann::json train_config_to_json(const TrainConfig& c);
// Sets every key of `j` (same names as the fields; "export" for export_path); unknown keys and
// wrong types throw UsageError naming `source`.
void train_config_update(TrainConfig& c, const nlohmann::json& j, const std::string& source);
TrainConfig train_config_from_file(const std::string& path, TrainConfig base = {});
// Ranges and consistency; UsageError naming the field.
void validate_train_config(const TrainConfig& c);
// Fields that fix the model or the data order: a resumed run may not change them.
bool is_run_shape_key(const std::string& key);

// Preset + overrides + the data's vocabulary -> a validated model config.
ModelConfig build_model_config(const TrainConfig& c, int32_t vocab_size, int32_t bos_id, int32_t eos_id);

}  // namespace seek
