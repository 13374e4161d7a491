// Pretraining data: token shards on disk and the streaming loader that packs them into
// [B, T+1] windows. A shard is a 24-byte header (magic "SEEKTOKS", u32 version 1, u32 dtype
// 0 = uint32, u64 count) then `count` little-endian uint32 ids; documents are separated by EOS.
// A data directory holds train-NNNNN.bin, val-NNNNN.bin, manifest.json and tokenizer.gguf.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "formats/mmap_file.h"

namespace seek {

class Tokenizer;

struct DataPrepareOptions {
  std::string tokenizer_path;  // tokenizer.json or a GGUF with tokenizer.* keys
  std::string out_dir;
  double val_fraction = 0.01;      // share of documents held out (at least one when > 0)
  int64_t shard_tokens = 1 << 24;  // ids per shard file
  std::string doc_separator;       // "" = each file is one document; .jsonl: one "text" per line
  uint64_t seed = 1;               // which documents go to validation
  int threads = 0;
};

struct DataPrepareResult {
  int64_t n_docs_train = 0, n_docs_val = 0, n_tokens_train = 0, n_tokens_val = 0, n_bytes = 0;
  int32_t vocab_size = 0, eos_id = -1;
};

// Tokenizes `files` (each document, EOS appended) into shards + manifest.json in out_dir.
// Throws Error naming an unreadable file; UsageError when the tokenizer has no EOS.
DataPrepareResult prepare_data(const DataPrepareOptions& opt, const std::vector<std::string>& files);

// Shard writer/reader primitives (also used by tests).
void write_shard(const std::string& path, const std::vector<uint32_t>& ids);
// Validates the header against the file size; FormatError naming path and field otherwise.
class TokenShard {
 public:
  explicit TokenShard(const std::string& path);
  int64_t size() const { return count_; }
  const uint32_t* ids() const { return ids_; }

 private:
  MappedFile file_;
  const uint32_t* ids_ = nullptr;
  int64_t count_ = 0;
};

// manifest.json of a data directory.
struct DataManifest {
  std::string dir;
  int32_t vocab_size = 0, eos_id = -1, bos_id = -1;
  std::string tokenizer_source;                       // what prepare was given
  std::string tokenizer_gguf;                         // "" when the tokenizer could not be written as GGUF
  std::vector<std::string> train_shards, val_shards;  // file names inside dir
  static DataManifest load(const std::string& dir);   // FormatError on a bad manifest
};

// Where a loader stands: a checkpoint saves and restores it.
struct DataPosition {
  int64_t epoch = 0;
  int64_t cursor = 0;  // windows consumed in this epoch (all ranks together)
};

// Which split a TokenLoader reads and how: batches [batch, seq + 1] of this rank (rank of world),
// windows shuffled per epoch from seed unless shuffle is false (file order).
struct LoaderOptions {
  bool validation = false;  // the validation split (else train)
  int64_t batch = 0;        // B, windows per batch on this rank (>= 1)
  int64_t seq = 0;          // T, each window is T + 1 ids (>= 1)
  uint64_t seed = 0;
  int rank = 0;
  int world = 1;
  bool shuffle = true;
};

// Streaming loader over one split. The split's ids form one stream (shards in order); window w
// is ids [w*T, w*T + T] (T+1 ids, consecutive windows share one id), so every id is a target
// once per epoch. Each epoch visits windows in a permutation drawn from (seed, epoch); batch g of
// rank r takes permuted windows [(g*world + r)*B, ... + B). shuffle=false keeps file order.
class TokenLoader {
 public:
  TokenLoader(const DataManifest& m, const LoaderOptions& o);
  // Fills out [B, T+1] with the next batch of this rank and advances every rank's position.
  void next(std::vector<int32_t>& out);
  int64_t n_windows() const { return n_windows_; }
  int64_t n_tokens() const { return n_tokens_; }
  int64_t batches_per_epoch() const;  // full global batches (all ranks) per epoch
  DataPosition position() const { return pos_; }
  void set_position(const DataPosition& p);  // UsageError when out of range
  void reset() { set_position({}); }

 private:
  void copy_window(int64_t w, int32_t* dst) const;
  void build_permutation();

  std::vector<std::unique_ptr<TokenShard>> shards_;
  std::vector<int64_t> starts_;  // [n_shards + 1] stream offset of each shard
  int64_t B_, T_, n_tokens_ = 0, n_windows_ = 0;
  uint64_t seed_;
  int rank_, world_;
  bool shuffle_;
  int32_t vocab_size_;
  DataPosition pos_;
  int64_t perm_epoch_ = -1;
  std::vector<int64_t> perm_;  // [n_windows]
};

}  // namespace seek
