// GGUF reader against files written by llama.cpp: metadata and tensor types against
// expected.json (llama.cpp's own dump), weights against the llama2.c checkpoint they were
// converted from, and a byte-identical rewrite of every file through GGUFWriter.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/error.h"
#include "formats/gguf.h"

namespace seek {
namespace {

const std::string kData = SEEK_TEST_DATA;

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A GGUF value as llama.cpp's dump writes it in JSON.
void expect_same(const GGUFValue& v, const nlohmann::json& want, const std::string& key) {
  SCOPED_TRACE(key);
  if (want.is_string()) EXPECT_EQ(v.as_string(key), want.get<std::string>());
  else if (want.is_boolean()) EXPECT_EQ(v.as_bool(key), want.get<bool>());
  else if (want.is_number_integer()) EXPECT_EQ(v.as_int(key), want.get<int64_t>());
  else if (want.is_number_float())
    EXPECT_NEAR(v.as_float(key), want.get<double>(), 1e-6 * std::abs(want.get<double>()));
  else ADD_FAILURE() << "unexpected JSON in expected.json: " << want.dump();
}

TEST(GGUFRead, MatchesLlamaCppDump) {
  std::ifstream in(kData + "/gguf/expected.json");
  nlohmann::json exp = nlohmann::json::parse(in);
  int files = 0;
  for (auto& [dev_name, e] : exp["files"].items()) {
    std::string name = dev_name.substr(dev_name.rfind('/') + 1);
    SCOPED_TRACE(name);
    GGUFFile f = GGUFFile::open(kData + "/gguf/" + name);
    EXPECT_EQ(f.version(), 3u);
    for (auto& [key, want] : e["gguf_kv"].items()) {
      const GGUFValue* v = f.find(key);
      ASSERT_NE(v, nullptr) << key;
      expect_same(*v, want, key);
    }
    EXPECT_EQ(f.tensors().size(), e["n_tensors"].get<size_t>());
    std::regex blk("^blk\\.[0-9]+\\.");
    for (const GGUFTensorInfo& t : f.tensors()) {
      std::string generic = std::regex_replace(t.name, blk, "blk.N.");
      ASSERT_TRUE(e["tensor_types"].contains(generic)) << t.name;
      // Layer 0 is dense and MoE layers share names; the dump lists one type per generic name.
      EXPECT_EQ(dtype_name(t.dtype), e["tensor_types"][generic].get<std::string>()) << t.name;
    }
    ++files;
  }
  EXPECT_EQ(files, 4);
}

TEST(GGUFRead, ShapesArePyTorchOrder) {
  GGUFFile f = GGUFFile::open(kData + "/gguf/ds2-micro-F32.gguf");
  const GGUFTensorInfo* emb = f.find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->n_dims, 2);
  EXPECT_EQ(emb->ne[0], 64);
  EXPECT_EQ(emb->ne[1], 32256);
  EXPECT_EQ(emb->view.shape_str(), "[32256, 64]");
  const GGUFTensorInfo* exps = f.find_tensor("blk.1.ffn_gate_exps.weight");
  ASSERT_NE(exps, nullptr);
  EXPECT_EQ(exps->view.shape_str(), "[8, 32, 64]");  // ne = {in 64, out 32, n_expert 8}
  EXPECT_EQ(f.architecture(), "deepseek2");
  EXPECT_EQ(f.get_int("deepseek2.block_count"), 4);
  EXPECT_THROW(f.get_int("deepseek2.no_such_key"), FormatError);
  EXPECT_EQ(f.get_int_or("deepseek2.no_such_key", 7), 7);
  EXPECT_THROW(f.get_int("general.name"), FormatError);  // a string, not an integer
  EXPECT_EQ(f.find_tensor("nope"), nullptr);
}

// stories260K-F32.gguf was converted from stories260K.bin (llama2.c: 7 int32 header, then
// token_embedding_table [vocab, dim] and rms_att_weight [n_layers, dim] in fp32).
TEST(GGUFRead, WeightsMatchSourceCheckpoint) {
  GGUFFile f = GGUFFile::open(kData + "/gguf/stories260K-F32.gguf");
  std::vector<uint8_t> bin = read_all(kData + "/llama2c/stories260K.bin");
  int32_t hdr[7];
  std::memcpy(hdr, bin.data(), sizeof hdr);
  const int dim = hdr[0], n_layers = hdr[2], vocab = hdr[5];
  ASSERT_EQ(dim, 64);
  const float* src = reinterpret_cast<const float*>(bin.data() + sizeof hdr);
  const GGUFTensorInfo* emb = f.find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  ASSERT_EQ(emb->view.shape_str(), str("[", vocab, ", ", dim, "]"));
  EXPECT_EQ(std::memcmp(emb->view.data, src, size_t(vocab) * dim * 4), 0);
  const float* att_norm = src + size_t(vocab) * dim;
  for (int l = 0; l < n_layers; ++l) {
    const GGUFTensorInfo* t = f.find_tensor(str("blk.", l, ".attn_norm.weight"));
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(std::memcmp(t->view.data, att_norm + size_t(l) * dim, dim * 4), 0) << l;
  }
}

// Reading then writing every test file reproduces llama.cpp's bytes exactly: same key order
// and types, same tensor packing and zero padding.
TEST(GGUFRead, RewriteIsByteIdentical) {
  for (std::string rel :
       {"gguf/ds2-micro-F32.gguf", "gguf/ds2-micro-F16.gguf", "gguf/ds2-micro-Q8_0.gguf", "gguf/ds2-micro-Q4_0.gguf",
        "gguf/stories260K-F32.gguf", "vocab/ggml-vocab-deepseek-coder.gguf", "vocab/ggml-vocab-deepseek-llm.gguf"}) {
    SCOPED_TRACE(rel);
    GGUFFile f = GGUFFile::open(kData + "/" + rel);
    GGUFWriter w;
    for (const auto& [k, v] : f.metadata()) w.set(k, v);
    for (const GGUFTensorInfo& t : f.tensors()) w.add_tensor(t.name, t.view);
    std::vector<uint8_t> orig = read_all(kData + "/" + rel);
    std::vector<uint8_t> out = w.to_bytes();
    ASSERT_EQ(out.size(), orig.size());
    EXPECT_EQ(w.file_size(), orig.size());
    size_t first_diff = 0;
    while (first_diff < out.size() && out[first_diff] == orig[first_diff]) ++first_diff;
    EXPECT_EQ(first_diff, out.size()) << "first differing byte";
  }
}

TEST(GGUFRead, VocabArrays) {
  GGUFFile f = GGUFFile::open(kData + "/vocab/ggml-vocab-deepseek-llm.gguf");
  EXPECT_EQ(f.find("tokenizer.ggml.tokens")->as_strings().size(), 102400u);
  EXPECT_EQ(f.find("tokenizer.ggml.merges")->as_strings().size(), 99757u);
  EXPECT_EQ(f.get_int("tokenizer.ggml.bos_token_id"), 100000);
  EXPECT_EQ(f.get_int("tokenizer.ggml.eos_token_id"), 100001);
  EXPECT_EQ(f.get_string("tokenizer.ggml.pre"), "deepseek-llm");
  EXPECT_THROW(f.find("tokenizer.ggml.tokens")->as_ints(), FormatError);
}

}  // namespace
}  // namespace seek
