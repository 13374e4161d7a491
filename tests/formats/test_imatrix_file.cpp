// The importance matrix file (formats/imatrix_file.h): llama-imatrix de3ff81's GGUF output read
// and written back byte for byte, round trips, the legacy .dat layout (built here from its
// documented layout), llama-quantize's per-column importance, and one error per bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "core/file.h"
#include "formats/gguf.h"
#include "formats/imatrix_file.h"

namespace seek {
namespace {

const std::string kZoo = std::string(SEEK_TEST_DATA) + "/gguf-quants/ds2-zoo-Q4_K_M.imatrix.gguf";

// Throws FormatError whose message holds every needle.
void expect_error(const std::vector<uint8_t>& b, const std::vector<std::string>& needles) {
  try {
    parse_imatrix(b.data(), b.size(), "bad.imatrix");
    ADD_FAILURE() << "no error, expected one containing: " << needles[0];
  } catch (const FormatError& e) {
    for (const std::string& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << "message: " << e.what() << "\nwanted: " << n;
  }
}

// A small imatrix: a plain weight, a per-head 3-D one (one count for all heads) and an expert
// tensor with an expert no token reached.
Imatrix sample() {
  Imatrix m;
  m.datasets = {"calib.txt", "more.txt"};
  m.chunk_count = 3;
  m.chunk_size = 64;
  m.entries["blk.0.attn_q_a.weight"] = {{1.5f, 2.5f, 4.0f, 8.0f}, {192}};
  m.entries["blk.0.attn_k_b.weight"] = {{1, 2, 3, 4, 5, 6}, {100}};
  m.entries["blk.1.ffn_up_exps.weight"] = {{10, 20, 0, 0, 30, 60}, {5, 0, 10}};
  return m;
}

// GGUF with chosen keys and tensors (f32 unless given), for the bad-input cases.
struct Gguf {
  GGUFWriter w;
  std::vector<std::vector<float>> keep;
  Gguf(bool meta = true) {
    if (!meta) return;
    w.set("general.type", GGUFValue::of_string("imatrix"));
    w.set("imatrix.datasets", GGUFValue::of_strings({"t.txt"}));
    w.set("imatrix.chunk_count", GGUFValue::of_u32(1));
    w.set("imatrix.chunk_size", GGUFValue::of_u32(8));
  }
  Gguf& t(const std::string& name, std::vector<float> v) {
    keep.push_back(std::move(v));
    w.add_tensor(name,
                 TensorView::contiguous(DType::F32, {static_cast<int64_t>(keep.back().size())}, keep.back().data()));
    return *this;
  }
  std::vector<uint8_t> bytes() const { return w.to_bytes(); }
};

// The legacy layout, written as llama-imatrix's save_imatrix_legacy does.
struct Legacy {
  std::vector<uint8_t> b;
  template <typename T>
  Legacy& put(T v) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
    return *this;
  }
  Legacy& text(const std::string& s) {
    put<int32_t>(static_cast<int32_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Legacy& entry(const std::string& name, int32_t ncall, const std::vector<float>& v) {
    text(name).put<int32_t>(ncall).put<int32_t>(static_cast<int32_t>(v.size()));
    for (float x : v) put(x);
    return *this;
  }
};

Legacy legacy_file(bool trailer) {
  Legacy l;
  l.put<int32_t>(2);
  l.entry("blk.0.ffn_down.weight", 4, {4, 8, 12});
  l.entry("blk.0.attn_q_a.weight", 0, {0.5f, 1.5f});
  if (trailer) l.put<int32_t>(7).text("wiki.train.raw");
  return l;
}

}  // namespace

TEST(ImatrixFile, ReadsLlamaImatrixOutput) {
  const Imatrix m = read_imatrix(kZoo);
  EXPECT_FALSE(m.legacy);
  EXPECT_EQ(m.datasets, std::vector<std::string>{"tests/data/gguf-quants/ppl.txt"});
  EXPECT_EQ(m.chunk_count, 6);
  EXPECT_EQ(m.chunk_size, 128);
  EXPECT_EQ(m.entries.size(), 35u);  // 3 layers' blk.* weights; no token_embd, no output
  const ImatrixEntry& q = m.entries.at("blk.0.attn_q_a.weight");
  EXPECT_EQ(q.counts, std::vector<int64_t>{768});  // 6 chunks of 128 tokens
  EXPECT_EQ(q.sums.size(), 256u);
  const ImatrixEntry& vb = m.entries.at("blk.0.attn_v_b.weight");  // 4 heads of 256 inputs, one count
  EXPECT_EQ(vb.sums.size(), 1024u);
  EXPECT_EQ(vb.counts, std::vector<int64_t>{768});
  const ImatrixEntry& ex = m.entries.at("blk.1.ffn_down_exps.weight");  // per expert
  ASSERT_EQ(ex.counts.size(), 16u);
  EXPECT_EQ(std::accumulate(ex.counts.begin(), ex.counts.end(), int64_t{0}), 768 * 4);  // 4 experts a token
  EXPECT_EQ(ex.row_size(), 256);
  // llama-quantize's importance: each expert's block over that expert's count.
  const std::vector<float> imp = m.importance("blk.1.ffn_down_exps.weight");
  ASSERT_EQ(imp.size(), ex.sums.size());
  for (int64_t j = 0; j < 16; ++j)
    for (int64_t i = 0; i < 256; i += 51)
      EXPECT_EQ(imp[j * 256 + i], ex.sums[j * 256 + i] / static_cast<float>(ex.counts[j]));
  EXPECT_TRUE(m.importance("token_embd.weight").empty());
}

TEST(ImatrixFile, RewritesLlamaImatrixOutputByteForByte) {
  const std::string raw = read_file(kZoo);
  const std::vector<uint8_t> again = imatrix_to_bytes(read_imatrix(kZoo));
  ASSERT_EQ(again.size(), raw.size());
  EXPECT_EQ(0, std::memcmp(again.data(), raw.data(), raw.size()));
}

TEST(ImatrixFile, RoundTrip) {
  const Imatrix m = sample();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("seek_imatrix_" + std::to_string(::getpid()) + ".gguf")).string();
  write_imatrix(m, path);
  const Imatrix r = read_imatrix(path);
  std::filesystem::remove(path);
  EXPECT_EQ(r.datasets, m.datasets);
  EXPECT_EQ(r.chunk_count, 3);
  EXPECT_EQ(r.chunk_size, 64);
  ASSERT_EQ(r.entries.size(), m.entries.size());
  for (const auto& [name, e] : m.entries) {
    EXPECT_EQ(r.entries.at(name).sums, e.sums) << name;
    EXPECT_EQ(r.entries.at(name).counts, e.counts) << name;
  }
  // Shapes as ggml writes them: one block 1-D, several [ne0, n_mat] with counts [1, n_mat].
  const std::vector<uint8_t> b = imatrix_to_bytes(m);
  const GGUFFile f = GGUFFile::parse(b.data(), b.size());
  ASSERT_EQ(f.tensors().size(), 6u);
  EXPECT_EQ(f.tensors()[0].name, "blk.0.attn_k_b.weight.in_sum2");  // sorted by weight name
  EXPECT_EQ(f.tensors()[1].name, "blk.0.attn_k_b.weight.counts");
  EXPECT_EQ(f.tensors()[0].n_dims, 1);
  EXPECT_EQ(f.tensors()[1].n_dims, 1);
  const GGUFTensorInfo* ex = f.find_tensor("blk.1.ffn_up_exps.weight.in_sum2");
  EXPECT_EQ(ex->n_dims, 2);
  EXPECT_EQ(ex->ne[0], 2);
  EXPECT_EQ(ex->ne[1], 3);
  const GGUFTensorInfo* cnt = f.find_tensor("blk.1.ffn_up_exps.weight.counts");
  EXPECT_EQ(cnt->n_dims, 2);
  EXPECT_EQ(cnt->ne[0], 1);
  EXPECT_EQ(cnt->ne[1], 3);
  ASSERT_EQ(f.metadata().size(), 4u);
  EXPECT_EQ(f.metadata()[0].first, "general.type");
  EXPECT_EQ(f.metadata()[1].first, "imatrix.datasets");
  EXPECT_EQ(f.metadata()[2].first, "imatrix.chunk_count");
  EXPECT_EQ(f.metadata()[3].first, "imatrix.chunk_size");
}

TEST(ImatrixFile, ImportanceAsLlamaQuantize) {
  const Imatrix m = sample();
  EXPECT_EQ(m.importance("blk.0.attn_q_a.weight"),
            (std::vector<float>{1.5f / 192, 2.5f / 192, 4.0f / 192, 8.0f / 192}));
  // One count covers every head's block.
  EXPECT_EQ(m.importance("blk.0.attn_k_b.weight"),
            (std::vector<float>{1 / 100.f, 2 / 100.f, 3 / 100.f, 4 / 100.f, 5 / 100.f, 6 / 100.f}));
  // The unreached expert's block is all 1.
  EXPECT_EQ(m.importance("blk.1.ffn_up_exps.weight"), (std::vector<float>{2, 4, 1, 1, 3, 6}));
}

TEST(ImatrixFile, ReadsLegacyLayout) {
  const std::vector<uint8_t> b = legacy_file(true).b;
  const Imatrix m = parse_imatrix(b.data(), b.size(), "legacy.dat");
  EXPECT_TRUE(m.legacy);
  EXPECT_EQ(m.chunk_count, 7);
  EXPECT_EQ(m.chunk_size, 0);
  EXPECT_EQ(m.datasets, std::vector<std::string>{"wiki.train.raw"});
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries.at("blk.0.ffn_down.weight").counts, std::vector<int64_t>{4});
  // Stored values are mean x^2 times ncall: llama-quantize divides by ncall (none when 0).
  EXPECT_EQ(m.importance("blk.0.ffn_down.weight"), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(m.importance("blk.0.attn_q_a.weight"), (std::vector<float>{0.5f, 1.5f}));
  // Older writers stopped after the entries, or after the chunk count.
  const std::vector<uint8_t> bare = legacy_file(false).b;
  const Imatrix old = parse_imatrix(bare.data(), bare.size(), "old.dat");
  EXPECT_EQ(old.chunk_count, 0);
  EXPECT_TRUE(old.datasets.empty());
  std::vector<uint8_t> count_only = bare;
  Legacy tail;
  tail.put<int32_t>(5);
  count_only.insert(count_only.end(), tail.b.begin(), tail.b.end());
  EXPECT_EQ(parse_imatrix(count_only.data(), count_only.size(), "c.dat").chunk_count, 5);
}

TEST(ImatrixFile, BadGguf) {
  {
    Gguf g(false);
    g.w.set("general.type", GGUFValue::of_string("model"));
    g.t("blk.0.a.weight.in_sum2", {1}).t("blk.0.a.weight.counts", {1});
    expect_error(g.bytes(), {"bad.imatrix", "general.type is 'model'"});
  }
  {
    Gguf g(false);
    g.t("blk.0.a.weight.in_sum2", {1}).t("blk.0.a.weight.counts", {1});
    expect_error(g.bytes(), {"bad.imatrix", "general.type is missing"});
  }
  {
    Gguf g(false);
    g.w.set("general.type", GGUFValue::of_string("imatrix"));
    g.w.set("imatrix.datasets", GGUFValue::of_strings({"t.txt"}));
    g.w.set("imatrix.chunk_count", GGUFValue::of_u32(1));
    g.t("blk.0.a.weight.in_sum2", {1}).t("blk.0.a.weight.counts", {1});
    expect_error(g.bytes(), {"bad.imatrix", "missing key imatrix.chunk_size"});
  }
  {
    Gguf g;
    g.t("blk.0.a.weight.in_sum2", {1, 2}).t("blk.0.a.weight.counts", {1}).t("blk.0.b.weight.in_sum2", {1});
    expect_error(g.bytes(), {"bad.imatrix", "entry blk.0.b.weight has .in_sum2 but no .counts"});
  }
  {
    Gguf g;
    g.t("blk.0.b.weight.counts", {3});
    expect_error(g.bytes(), {"bad.imatrix", "entry blk.0.b.weight has .counts but no .in_sum2"});
  }
  {
    Gguf g;
    g.t("blk.0.a.weight.in_sum2", std::vector<float>(10, 1.0f)).t("blk.0.a.weight.counts", {1, 2, 3});
    expect_error(g.bytes(), {"bad.imatrix", "entry blk.0.a.weight", "10 sums are not a whole number of blocks for 3"});
  }
  {
    Gguf g;
    g.t("blk.0.a.weight.in_sum2", {1, 2}).t("blk.0.a.weight.counts", {1, -2});
    expect_error(g.bytes(), {"bad.imatrix", "entry blk.0.a.weight", "count 1 is -2"});
  }
  {
    Gguf g;
    g.t("blk.0.a.weight.in_sum2", {1}).t("blk.0.a.weight.counts", {std::nanf("")});
    expect_error(g.bytes(), {"bad.imatrix", "entry blk.0.a.weight", "count 0 is nan"});
  }
  {
    Gguf g;
    g.t("blk.0.a.weight.in_sum2", {1, std::numeric_limits<float>::infinity()}).t("blk.0.a.weight.counts", {1});
    expect_error(g.bytes(), {"bad.imatrix", "entry blk.0.a.weight", "value 1 is inf"});
  }
  {
    Gguf g;
    std::vector<uint16_t> half = {0x3c00};
    g.w.add_tensor("blk.0.a.weight.in_sum2", TensorView::contiguous(DType::F16, {1}, half.data()));
    g.t("blk.0.a.weight.counts", {1});
    expect_error(g.bytes(), {"bad.imatrix", "blk.0.a.weight.in_sum2 is f16"});
  }
  {
    Gguf g;
    g.t("output_norm.weight", {1});
    expect_error(g.bytes(), {"bad.imatrix", "no imatrix entries"});
  }
  {
    Gguf g(false);
    g.w.set("general.type", GGUFValue::of_string("imatrix"));
    g.w.set("imatrix.datasets", GGUFValue::of_string("t.txt"));
    g.w.set("imatrix.chunk_count", GGUFValue::of_u32(1));
    g.w.set("imatrix.chunk_size", GGUFValue::of_u32(8));
    g.t("blk.0.a.weight.in_sum2", {1}).t("blk.0.a.weight.counts", {1});
    expect_error(g.bytes(), {"bad.imatrix", "imatrix.datasets: expected an array of string"});
  }
  // A GGUF cut short is the GGUF reader's error, with the file's name.
  const std::vector<uint8_t> good = imatrix_to_bytes(sample());
  expect_error(std::vector<uint8_t>(good.begin(), good.begin() + good.size() / 2), {"bad.imatrix"});
}

TEST(ImatrixFile, BadLegacy) {
  const std::vector<uint8_t> good = legacy_file(true).b;
  // Every cut inside the entries is an error naming the file; the trailer, once started, too.
  const size_t entries_end = legacy_file(false).b.size();
  for (size_t n = 0; n < good.size(); ++n) {
    if (n == entries_end || n == entries_end + 4) continue;  // the layouts of older writers
    std::vector<uint8_t> cut(good.begin(), good.begin() + n);
    EXPECT_THROW(parse_imatrix(cut.data(), cut.size(), "cut.dat"), FormatError) << n << " bytes";
  }
  {  // the values of the second entry cut short: names the entry
    std::vector<uint8_t> cut(good.begin(), good.begin() + entries_end - 2);
    expect_error(cut, {"bad.imatrix", "entry 2 of 2 (blk.0.attn_q_a.weight) values"});
  }
  Legacy zero;
  zero.put<int32_t>(0);
  expect_error(zero.b, {"bad.imatrix", "entry count 0"});
  Legacy neg;
  neg.put<int32_t>(1).entry("blk.0.a.weight", -3, {1});
  expect_error(neg.b, {"bad.imatrix", "entry 1 of 1 (blk.0.a.weight)", "ncall -3 is negative"});
  Legacy empty;
  empty.put<int32_t>(1).text("blk.0.a.weight").put<int32_t>(1).put<int32_t>(0);
  expect_error(empty.b, {"bad.imatrix", "entry 1 of 1 (blk.0.a.weight)", "value count 0"});
  Legacy nan;
  nan.put<int32_t>(1).entry("blk.0.a.weight", 1, {1, std::nanf("")});
  expect_error(nan.b, {"bad.imatrix", "entry blk.0.a.weight", "value 1 is nan"});
  Legacy name;
  name.put<int32_t>(1).put<int32_t>(1000).put<int32_t>(0);
  expect_error(name.b, {"bad.imatrix", "entry 1 of 1: name length 1000"});
  Legacy dup;
  dup.put<int32_t>(2).entry("blk.0.a.weight", 1, {1}).entry("blk.0.a.weight", 1, {2});
  expect_error(dup.b, {"bad.imatrix", "duplicate entry name"});
  // A value count far beyond the file (found by fuzz_imatrix: it used to allocate 8 GB first).
  Legacy huge;
  huge.put<int32_t>(1).text("blk.0.a.weight").put<int32_t>(1).put<int32_t>(2000000000).put<float>(1.0f);
  expect_error(huge.b, {"bad.imatrix", "entry 1 of 1 (blk.0.a.weight) values"});
}

}  // namespace seek
