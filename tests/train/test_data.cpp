// Token shards, data prepare and the packing loader: shard header validation, every document's
// ids (from the tokenizer, independently) land in exactly one split in order with EOS after it,
// windows are the stream cut at stride T, order is deterministic per seed, ranks take disjoint
// windows that cover the epoch, and a saved position restores the exact next batch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "core/error.h"
#include "tokenizer/tokenizer.h"
#include "train/data.h"

namespace seek {
namespace {

namespace fs = std::filesystem;

std::string tmp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("seek_test_data_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

void write_text(const std::string& path, const std::string& s) { std::ofstream(path, std::ios::binary) << s; }

std::vector<uint32_t> read_split(const DataManifest& m, bool val) {
  std::vector<uint32_t> all;
  for (const auto& n : val ? m.val_shards : m.train_shards) {
    TokenShard s(m.dir + "/" + n);
    all.insert(all.end(), s.ids(), s.ids() + s.size());
  }
  return all;
}

// A data directory whose train split is the ids 0, 1, 2, ... n-1, split over shards.
DataManifest synthetic(const std::string& dir, int64_t n, int64_t per_shard, int32_t vocab = 1 << 20) {
  nlohmann::json train = nlohmann::json::array();
  for (int64_t at = 0, k = 0; at < n; at += per_shard, ++k) {
    std::vector<uint32_t> ids;
    for (int64_t i = at; i < std::min(n, at + per_shard); ++i) ids.push_back(static_cast<uint32_t>(i));
    const std::string name = "train-" + std::to_string(k) + ".bin";
    write_shard(dir + "/" + name, ids);
    train.push_back({{"file", name}, {"tokens", ids.size()}});
  }
  nlohmann::json m = {
      {"format", "seek-token-shards"}, {"version", 1}, {"vocab_size", vocab}, {"eos_id", 1}, {"train", train},
      {"val", nlohmann::json::array()}};
  write_text(dir + "/manifest.json", m.dump());
  return DataManifest::load(dir);
}

TEST(TokenShard, RoundTripAndHeaderErrors) {
  const std::string dir = tmp_dir("shard");
  const std::vector<uint32_t> ids = {5, 0, 4294967295u, 7};
  write_shard(dir + "/a.bin", ids);
  TokenShard s(dir + "/a.bin");
  ASSERT_EQ(s.size(), 4);
  EXPECT_TRUE(std::equal(ids.begin(), ids.end(), s.ids()));
  EXPECT_EQ(fs::file_size(dir + "/a.bin"), 24u + 16u);

  auto expect_error = [&](const std::string& bytes, const std::string& msg) {
    write_text(dir + "/bad.bin", bytes);
    try {
      TokenShard bad(dir + "/bad.bin");
      FAIL() << "no error for " << msg;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
    }
  };
  std::ifstream in(dir + "/a.bin", std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(in)), {});
  expect_error(good.substr(0, 10), "shorter than its 24-byte header");
  std::string m = good;
  m[0] = 'X';
  expect_error(m, "magic");
  m = good;
  m[8] = 2;
  expect_error(m, "version 2");
  m = good;
  m[12] = 1;
  expect_error(m, "dtype 1");
  expect_error(good.substr(0, good.size() - 1), "header says 4 ids");
  expect_error(good + "abcd", "header says 4 ids");
  fs::remove_all(dir);
}

TEST(DataPrepare, EveryDocumentInOneSplitWithEos) {
  const std::string dir = tmp_dir("prepare");
  const std::string vocab = std::string(SEEK_TEST_DATA) + "/vocab/ggml-vocab-deepseek-coder.gguf";
  auto tok = Tokenizer::from_gguf_path(vocab);
  std::vector<std::string> docs;
  for (int i = 0; i < 240; ++i)
    docs.push_back("Document " + std::to_string(i) + ": the keeper wrote " + std::string(i % 7 + 1, 'x') + " words.\n");
  std::string joined;
  for (const auto& d : docs) joined += d + "@@";
  write_text(dir + "/corpus.txt", joined);
  write_text(dir + "/more.jsonl", nlohmann::json({{"text", "json line one"}}).dump() + "\n\n" +
                                      nlohmann::json({{"text", "json line two"}}).dump() + "\n");
  DataPrepareOptions opt;
  opt.tokenizer_path = vocab;
  opt.out_dir = dir + "/out";
  opt.val_fraction = 0.25;
  opt.shard_tokens = 1024;  // several shards
  opt.doc_separator = "@@";
  const DataPrepareResult r = prepare_data(opt, {dir + "/corpus.txt", dir + "/more.jsonl"});
  docs.push_back("json line one");
  docs.push_back("json line two");
  EXPECT_EQ(r.n_docs_train + r.n_docs_val, static_cast<int64_t>(docs.size()));
  EXPECT_GT(r.n_docs_val, 5);
  EXPECT_GT(r.n_docs_train, 30);

  const DataManifest m = DataManifest::load(opt.out_dir);
  EXPECT_EQ(m.vocab_size, tok->n_vocab());
  EXPECT_EQ(m.eos_id, tok->eos());
  EXPECT_GT(m.train_shards.size(), 1u);
  EXPECT_EQ(m.tokenizer_gguf, "tokenizer.gguf");
  // The copied tokenizer encodes like the original.
  auto copy = Tokenizer::from_gguf_path(opt.out_dir + "/tokenizer.gguf");
  EXPECT_EQ(copy->encode(docs[3], false, false), tok->encode(docs[3], false, false));

  // Merge the two splits back in document order: each split is a subsequence of the documents.
  const std::vector<uint32_t> train = read_split(m, false), val = read_split(m, true);
  EXPECT_EQ(static_cast<int64_t>(train.size()), r.n_tokens_train);
  size_t ti = 0, vi = 0;
  for (const std::string& d : docs) {
    std::vector<int32_t> want = tok->encode(d, false, false);
    want.push_back(tok->eos());
    auto matches = [&](const std::vector<uint32_t>& s, size_t at) {
      if (at + want.size() > s.size()) return false;
      for (size_t i = 0; i < want.size(); ++i)
        if (s[at + i] != static_cast<uint32_t>(want[i])) return false;
      return true;
    };
    if (matches(train, ti)) ti += want.size();
    else if (matches(val, vi)) vi += want.size();
    else FAIL() << "document not found in either split: " << d;
  }
  EXPECT_EQ(ti, train.size());
  EXPECT_EQ(vi, val.size());
  fs::remove_all(dir);
}

TEST(DataPrepare, SingleDocumentStillGetsValidation) {
  const std::string dir = tmp_dir("single");
  write_text(dir + "/a.txt", "one small file with a few words in it and nothing more than that at all");
  DataPrepareOptions opt;
  opt.tokenizer_path = std::string(SEEK_TEST_DATA) + "/vocab/ggml-vocab-deepseek-coder.gguf";
  opt.out_dir = dir + "/out";
  opt.val_fraction = 0.1;
  const DataPrepareResult r = prepare_data(opt, {dir + "/a.txt"});
  EXPECT_GE(r.n_tokens_val, 2);
  EXPECT_GT(r.n_tokens_train, r.n_tokens_val);
  EXPECT_THROW(prepare_data(opt, {dir + "/missing.txt"}), Error);
  opt.val_fraction = 1.5;
  EXPECT_THROW(prepare_data(opt, {dir + "/a.txt"}), UsageError);
  fs::remove_all(dir);
}

TEST(TokenLoader, WindowsAreTheStreamAtStrideT) {
  const std::string dir = tmp_dir("windows");
  const DataManifest m = synthetic(dir, 1000, 97);  // windows cross shard boundaries
  const int64_t B = 3, T = 16;
  TokenLoader plain(m, {.batch = B, .seq = T, .seed = 1, .shuffle = false});
  EXPECT_EQ(plain.n_windows(), (1000 - 1) / T);
  std::vector<int32_t> batch;
  for (int64_t g = 0; g < 4; ++g) {
    plain.next(batch);
    ASSERT_EQ(batch.size(), static_cast<size_t>(B * (T + 1)));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t <= T; ++t) EXPECT_EQ(batch[b * (T + 1) + t], (g * B + b) * T + t);
  }
  fs::remove_all(dir);
}

TEST(TokenLoader, DeterministicShuffleRanksAndResume) {
  const std::string dir = tmp_dir("shuffle");
  const DataManifest m = synthetic(dir, 5000, 1000);
  const int64_t B = 2, T = 8, W = 3;
  auto first_ids = [&](uint64_t seed, int rank, int world, int steps) {
    TokenLoader l(m, {.batch = B, .seq = T, .seed = seed, .rank = rank, .world = world});
    std::vector<int32_t> out, batch;
    for (int s = 0; s < steps; ++s) {
      l.next(batch);
      for (int64_t b = 0; b < B; ++b) out.push_back(batch[b * (T + 1)]);
    }
    return out;
  };
  EXPECT_EQ(first_ids(7, 0, 1, 20), first_ids(7, 0, 1, 20));
  EXPECT_NE(first_ids(7, 0, 1, 20), first_ids(8, 0, 1, 20));

  // One epoch over W ranks: disjoint windows, together every window of the full batches.
  TokenLoader probe(m, {.batch = B, .seq = T, .seed = 7, .world = W});
  const int64_t steps = probe.batches_per_epoch();
  std::multiset<int32_t> seen;
  for (int r = 0; r < W; ++r)
    for (int32_t id : first_ids(7, r, W, static_cast<int>(steps))) seen.insert(id);
  EXPECT_EQ(static_cast<int64_t>(seen.size()), steps * B * W);
  std::set<int32_t> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a window was visited twice in one epoch";
  for (int32_t id : unique) EXPECT_EQ(id % T, 0);

  // The single-rank run continues identically from a saved position, across an epoch boundary.
  TokenLoader a(m, {.batch = B, .seq = T, .seed = 7, .rank = 1, .world = W});
  std::vector<int32_t> x, y;
  for (int64_t s = 0; s < steps - 2; ++s) a.next(x);
  const DataPosition p = a.position();
  TokenLoader b(m, {.batch = B, .seq = T, .seed = 7, .rank = 1, .world = W});
  b.set_position(p);
  for (int s = 0; s < 6; ++s) {
    a.next(x);
    b.next(y);
    ASSERT_EQ(x, y) << "step " << s;
  }
  EXPECT_EQ(a.position().epoch, 1);
  EXPECT_THROW(b.set_position({0, 1 << 30}), UsageError);
  fs::remove_all(dir);
}

TEST(TokenLoader, RejectsTooLittleDataAndOutOfVocabIds) {
  const std::string dir = tmp_dir("small");
  const DataManifest m = synthetic(dir, 50, 50, 40);  // ids 40..49 are outside a 40-token vocab
  EXPECT_THROW(TokenLoader(m, {.batch = 1, .seq = 64, .seed = 1}), UsageError);
  EXPECT_THROW(TokenLoader(m, {.batch = 8, .seq = 8, .seed = 1}), UsageError);  // 6 windows < one batch of 8
  TokenLoader l(m, {.batch = 1, .seq = 8, .seed = 1, .shuffle = false});
  std::vector<int32_t> batch;
  for (int i = 0; i < 4; ++i) l.next(batch);
  EXPECT_THROW(l.next(batch), FormatError);  // window 4 holds ids 32..40
  fs::remove_all(dir);
}

}  // namespace
}  // namespace seek
