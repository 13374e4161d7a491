// Token shards, manifest and the packing loader (format in data.h and docs/training.md).
#include "train/data.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/file.h"
#include "core/threadpool.h"
#include "formats/atomic_write.h"
#include "formats/gguf.h"
#include "model/gguf_export.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_gguf.h"

namespace seek {

namespace {

constexpr char kShardMagic[8] = {'S', 'E', 'E', 'K', 'T', 'O', 'K', 'S'};
constexpr uint32_t kShardVersion = 1;
constexpr size_t kShardHeader = 24;

// The documents of one input file (see DataPrepareOptions).
std::vector<std::string> split_documents(const std::string& path, const std::string& text, const std::string& sep) {
  std::vector<std::string> docs;
  if (ends_with(path, ".jsonl")) {
    std::istringstream in(text);
    std::string line;
    for (int64_t ln = 1; std::getline(in, line); ++ln) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        throw FormatError(str(path, ":", ln, ": not JSON (", e.what(), ")"));
      }
      if (!j.is_object() || !j.contains("text") || !j["text"].is_string())
        throw FormatError(str(path, ":", ln, ": expected an object with a string \"text\""));
      docs.push_back(j["text"].get<std::string>());
    }
  } else if (sep.empty()) {
    docs.push_back(text);
  } else {
    size_t at = 0;
    while (at <= text.size()) {
      size_t next = text.find(sep, at);
      if (next == std::string::npos) next = text.size();
      docs.push_back(text.substr(at, next - at));
      at = next + sep.size();
    }
  }
  docs.erase(std::remove_if(docs.begin(), docs.end(),
                            [](const std::string& d) { return d.find_first_not_of(" \t\r\n") == std::string::npos; }),
             docs.end());
  return docs;
}

// SplitMix64: a fixed, documented hash so the train/val split never depends on the library.
uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Accumulates one split's ids and writes a shard every `shard_tokens` ids.
struct ShardSink {
  std::string dir, prefix;
  int64_t shard_tokens;
  std::vector<uint32_t> buf;
  std::vector<std::pair<std::string, int64_t>> written;
  int64_t total = 0, docs = 0;

  void add(const std::vector<int32_t>& ids) {
    for (int32_t id : ids) {
      buf.push_back(static_cast<uint32_t>(id));
      if (static_cast<int64_t>(buf.size()) == shard_tokens) flush();
    }
    total += static_cast<int64_t>(ids.size());
    ++docs;
  }
  void flush() {
    if (buf.empty()) return;
    char name[64];
    std::snprintf(name, sizeof name, "%s-%05zu.bin", prefix.c_str(), written.size());
    write_shard(dir + "/" + name, buf);
    written.emplace_back(name, static_cast<int64_t>(buf.size()));
    buf.clear();
  }
};

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path, std::unique_ptr<GGUFFile>& gguf) {
  if (ends_with(path, ".gguf")) {
    gguf = std::make_unique<GGUFFile>(GGUFFile::open(path));
    return Tokenizer::from_gguf(*gguf);
  }
  return Tokenizer::from_hf_json(path);
}

// tokenizer.gguf beside the shards, so export needs nothing outside the data directory.
std::string write_tokenizer_gguf(const std::string& dir, const Tokenizer& tok, const GGUFFile* source) {
  GGUFWriter w;
  w.set("general.architecture", GGUFValue::of_string("deepseek2"));
  w.set("general.name", GGUFValue::of_string("seek data tokenizer"));
  try {
    if (source) copy_tokenizer_keys(w, *source);
    else gguf_set_tokenizer(w, tok);
  } catch (const Error&) {
    return "";  // e.g. a tokenizer.json without a GGUF pre-tokenizer name: export then needs --vocab
  }
  w.write(dir + "/tokenizer.gguf");
  return "tokenizer.gguf";
}

nlohmann::json shard_list(const ShardSink& s) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [name, n] : s.written) a.push_back({{"file", name}, {"tokens", n}});
  return a;
}

}  // namespace

void write_shard(const std::string& path, const std::vector<uint32_t>& ids) {
  atomic_write(path, [&](const ByteSink& sink) {
    uint8_t h[kShardHeader] = {};
    std::memcpy(h, kShardMagic, 8);
    const uint32_t dtype = 0;
    const uint64_t count = ids.size();
    std::memcpy(h + 8, &kShardVersion, 4);
    std::memcpy(h + 12, &dtype, 4);
    std::memcpy(h + 16, &count, 8);
    sink(h, sizeof h);
    sink(ids.data(), ids.size() * sizeof(uint32_t));
  });
}

TokenShard::TokenShard(const std::string& path) : file_(path) {
  const uint8_t* d = file_.data();
  if (file_.size() < kShardHeader) throw FormatError(str(path, ": token shard shorter than its 24-byte header"));
  if (std::memcmp(d, kShardMagic, 8) != 0) throw FormatError(str(path, ": not a token shard (magic is not SEEKTOKS)"));
  uint32_t version, dtype;
  uint64_t count;
  std::memcpy(&version, d + 8, 4);
  std::memcpy(&dtype, d + 12, 4);
  std::memcpy(&count, d + 16, 8);
  if (version != kShardVersion) throw FormatError(str(path, ": token shard version ", version, ", expected 1"));
  if (dtype != 0) throw FormatError(str(path, ": token shard dtype ", dtype, ", expected 0 (uint32)"));
  const uint64_t payload = file_.size() - kShardHeader;
  if (count > payload / 4 || payload != count * 4)
    throw FormatError(str(path, ": token shard header says ", count, " ids (", count * 4, " bytes), file holds ",
                          payload, " bytes after the header"));
  ids_ = reinterpret_cast<const uint32_t*>(d + kShardHeader);
  count_ = static_cast<int64_t>(count);
}

DataPrepareResult prepare_data(const DataPrepareOptions& opt, const std::vector<std::string>& files) {
  if (files.empty()) throw UsageError("data prepare: no input files");
  if (opt.val_fraction < 0 || opt.val_fraction >= 1)
    throw UsageError(str("--val-fraction must be in [0, 1), got ", opt.val_fraction));
  if (opt.shard_tokens < 1024) throw UsageError(str("--shard-tokens must be >= 1024, got ", opt.shard_tokens));
  std::unique_ptr<GGUFFile> gguf;
  std::unique_ptr<Tokenizer> tok = load_tokenizer(opt.tokenizer_path, gguf);
  if (tok->eos() < 0)
    throw UsageError(str(opt.tokenizer_path, ": the tokenizer has no EOS token to separate documents"));
  std::filesystem::create_directories(opt.out_dir);

  ShardSink train{opt.out_dir, "train", opt.shard_tokens, {}, {}, 0, 0};
  ShardSink val{opt.out_dir, "val", opt.shard_tokens, {}, {}, 0, 0};
  ThreadPool pool(opt.threads);
  DataPrepareResult r;
  int64_t doc_index = 0;
  const uint64_t threshold = static_cast<uint64_t>(opt.val_fraction * 18446744073709551615.0);
  for (const std::string& path : files) {
    const std::string text = read_file(path);
    r.n_bytes += static_cast<int64_t>(text.size());
    const std::vector<std::string> docs = split_documents(path, text, opt.doc_separator);
    std::vector<std::vector<int32_t>> ids(docs.size());
    pool.parallel_for(static_cast<int64_t>(docs.size()), 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        ids[i] = tok->encode(docs[i], false, false);
        ids[i].push_back(tok->eos());
      }
    });
    for (auto& d : ids) {
      const bool is_val = opt.val_fraction > 0 && mix64(opt.seed * 0x100000001B3ull + doc_index++) < threshold;
      (is_val ? val : train).add(d);
    }
  }
  // Too few documents for the fraction to pick one: hold out the tail of the train stream.
  if (opt.val_fraction > 0 && val.total == 0 && train.written.empty()) {
    const int64_t n = static_cast<int64_t>(train.buf.size());
    const int64_t k = std::min<int64_t>(n / 2, std::max<int64_t>(2, static_cast<int64_t>(n * opt.val_fraction)));
    std::vector<int32_t> tail(train.buf.end() - k, train.buf.end());
    train.buf.resize(n - k);
    train.total -= k;
    val.add(tail);
  }
  train.flush();
  val.flush();
  if (train.total == 0) throw UsageError("data prepare: the input files hold no text");

  r.n_docs_train = train.docs;
  r.n_docs_val = val.docs;
  r.n_tokens_train = train.total;
  r.n_tokens_val = val.total;
  r.vocab_size = tok->n_vocab();
  r.eos_id = tok->eos();
  nlohmann::json m = {
      {"format", "seek-token-shards"},
      {"version", 1},
      {"dtype", "uint32"},
      {"vocab_size", tok->n_vocab()},
      {"eos_id", tok->eos()},
      {"bos_id", tok->bos()},
      {"tokenizer_source", std::filesystem::absolute(opt.tokenizer_path).string()},
      {"tokenizer_gguf", write_tokenizer_gguf(opt.out_dir, *tok, gguf.get())},
      {"n_docs", {{"train", r.n_docs_train}, {"val", r.n_docs_val}}},
      {"train", shard_list(train)},
      {"val", shard_list(val)},
  };
  const std::string text = m.dump(2) + "\n";
  atomic_write(opt.out_dir + "/manifest.json", [&](const ByteSink& sink) { sink(text.data(), text.size()); });
  return r;
}

DataManifest DataManifest::load(const std::string& dir) {
  const std::string path = dir + "/manifest.json";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(str(path, ": not JSON (", e.what(), ")"));
  }
  DataManifest m;
  m.dir = dir;
  try {
    if (j.at("format").get<std::string>() != "seek-token-shards" || j.at("version").get<int>() != 1)
      throw FormatError(str(path, ": expected format seek-token-shards version 1"));
    m.vocab_size = j.at("vocab_size").get<int32_t>();
    m.eos_id = j.at("eos_id").get<int32_t>();
    m.bos_id = j.value("bos_id", -1);
    m.tokenizer_source = j.value("tokenizer_source", "");
    m.tokenizer_gguf = j.value("tokenizer_gguf", "");
    for (const auto& s : j.at("train")) m.train_shards.push_back(s.at("file").get<std::string>());
    for (const auto& s : j.at("val")) m.val_shards.push_back(s.at("file").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(str(path, ": ", e.what()));
  }
  if (m.vocab_size <= 0) throw FormatError(str(path, ": vocab_size must be > 0, got ", m.vocab_size));
  for (const auto& f : m.train_shards)
    if (f.find('/') != std::string::npos)
      throw FormatError(str(path, ": shard name '", f, "' must be a plain file name"));
  return m;
}

TokenLoader::TokenLoader(const DataManifest& m, const LoaderOptions& o)
    : B_(o.batch),
      T_(o.seq),
      seed_(o.seed),
      rank_(o.rank),
      world_(o.world),
      shuffle_(o.shuffle),
      vocab_size_(m.vocab_size) {
  const bool validation = o.validation;
  const int64_t B = o.batch, T = o.seq;
  const int rank = o.rank, world = o.world;
  if (B < 1 || T < 1) throw UsageError(str("batch and sequence length must be >= 1, got ", B, " and ", T));
  if (world < 1 || rank < 0 || rank >= world) throw UsageError(str("rank ", rank, " of ", world, " is out of range"));
  const auto& names = validation ? m.val_shards : m.train_shards;
  starts_.push_back(0);
  for (const auto& n : names) {
    shards_.push_back(std::make_unique<TokenShard>(m.dir + "/" + n));
    n_tokens_ += shards_.back()->size();
    starts_.push_back(n_tokens_);
  }
  const char* split = validation ? "validation" : "train";
  if (n_tokens_ < T + 1)
    throw UsageError(str(m.dir, ": the ", split, " split holds ", n_tokens_,
                         " tokens; one window needs --seq + 1 = ", T + 1));
  n_windows_ = (n_tokens_ - 1) / T;
  if (!validation && batches_per_epoch() < 1)
    throw UsageError(str(m.dir, ": the train split holds ", n_windows_, " windows of ", T + 1,
                         " tokens; one step needs ", B * world, " (batch x ranks)"));
}

int64_t TokenLoader::batches_per_epoch() const { return n_windows_ / (B_ * world_); }

void TokenLoader::set_position(const DataPosition& p) {
  if (p.epoch < 0 || p.cursor < 0 || p.cursor > n_windows_)
    throw UsageError(str("data position (epoch ", p.epoch, ", window ", p.cursor, ") is outside this split of ",
                         n_windows_, " windows"));
  pos_ = p;
}

void TokenLoader::build_permutation() {
  perm_.resize(n_windows_);
  for (int64_t i = 0; i < n_windows_; ++i) perm_[i] = i;
  if (shuffle_) {
    // Fisher-Yates with a raw mt19937_64 draw (no std distribution: identical on every library).
    std::mt19937_64 rng(mix64(seed_) ^ mix64(static_cast<uint64_t>(pos_.epoch) + 0x5EEDull));
    for (int64_t i = n_windows_ - 1; i > 0; --i) std::swap(perm_[i], perm_[rng() % static_cast<uint64_t>(i + 1)]);
  }
  perm_epoch_ = pos_.epoch;
}

void TokenLoader::copy_window(int64_t w, int32_t* dst) const {
  int64_t at = w * T_, left = T_ + 1;
  size_t s = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), at) - starts_.begin() - 1);
  while (left > 0) {
    SEEK_ASSERT(s < shards_.size());
    const int64_t off = at - starts_[s], n = std::min(left, shards_[s]->size() - off);
    const uint32_t* src = shards_[s]->ids() + off;
    for (int64_t i = 0; i < n; ++i) {
      if (src[i] >= static_cast<uint32_t>(vocab_size_))
        throw FormatError(str("token shard ", s, ": id ", src[i], " at ", off + i, " is outside the vocabulary of ",
                              vocab_size_));
      *dst++ = static_cast<int32_t>(src[i]);
    }
    at += n;
    left -= n;
    ++s;
  }
}

void TokenLoader::next(std::vector<int32_t>& out) {
  const int64_t step = B_ * world_;
  if (pos_.cursor + step > n_windows_) {
    // A split smaller than one global batch (validation) wraps within the epoch.
    if (step > n_windows_) {
      if (perm_epoch_ != pos_.epoch) build_permutation();
      out.resize(B_ * (T_ + 1));
      for (int64_t b = 0; b < B_; ++b)
        copy_window(perm_[(pos_.cursor + rank_ * B_ + b) % n_windows_], out.data() + b * (T_ + 1));
      pos_.cursor = (pos_.cursor + step) % n_windows_;
      return;
    }
    ++pos_.epoch;
    pos_.cursor = 0;
  }
  if (perm_epoch_ != pos_.epoch) build_permutation();
  out.resize(B_ * (T_ + 1));
  for (int64_t b = 0; b < B_; ++b) copy_window(perm_[pos_.cursor + rank_ * B_ + b], out.data() + b * (T_ + 1));
  pos_.cursor += step;
}

}  // namespace seek
