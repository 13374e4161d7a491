// Training checkpoints: one file holding everything a run needs to continue bit-identically
// (model config, training config, parameters, AdamW m/v/t, router biases, step, RNG state, data
// position). Layout (docs/training.md): "SEEKCKPT", u32 version 1, u32 flags 0, u64 meta_len,
// u64 meta_hash, meta JSON, then 64-byte-aligned f32 blobs with per-blob hashes, then a trailer
// "SEEKCKND" + u64 file size. Written atomically; every field is checked on load.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/data.h"

namespace seek {

struct CheckpointMeta {
  int64_t step = 0;             // optimizer steps done
  nlohmann::json model_config;  // HF config.json fields (config_to_hf_json)
  nlohmann::json train_config;  // TrainConfig as JSON
  nlohmann::json param_table;   // [{name, shape, offset, numel}] of the flat parameter buffer
  std::string rng_state;        // std::mt19937_64 text state
  DataPosition data;            // train loader position
  int64_t adam_t = 0;
};

struct FloatBlob {
  std::string name;  // "params", "adam_m", "adam_v", "router_bias"
  const float* data;
  size_t count;
};

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const std::vector<FloatBlob>& blobs);

struct LoadedCheckpoint {
  CheckpointMeta meta;
  std::map<std::string, std::vector<float>> blobs;
  std::string path;
  // The named blob; FormatError when absent or of another length.
  const std::vector<float>& blob(const std::string& name, size_t expected_count) const;
};
// Throws FormatError naming the file and what is wrong (magic, version, truncation, checksum,
// JSON, blob bounds); Error when it cannot be opened. with_blobs=false checks the header and
// metadata only and leaves blobs empty (reading a resumed run's settings).
LoadedCheckpoint load_checkpoint(const std::string& path, bool with_blobs = true);

// 64-bit FNV-1a over little-endian 64-bit words (tail zero-padded), length mixed in at the end.
uint64_t checkpoint_hash(const void* data, size_t n);

// DIR/ckpt-00000123.seekckpt
std::string checkpoint_path(const std::string& dir, int64_t step);
// The checkpoints in dir, oldest step first.
std::vector<std::string> list_checkpoints(const std::string& dir);
// A checkpoint file, or the newest checkpoint of a directory ("" when it has none).
std::string resolve_checkpoint(const std::string& file_or_dir);
// Deletes all but the newest `keep` checkpoints of dir (keep <= 0 keeps all).
void prune_checkpoints(const std::string& dir, int64_t keep);

}  // namespace seek
