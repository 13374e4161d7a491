// `seek quantize` against llama-quantize de3ff81's own output. The input is a GGUF holding two
// tensors of the ds2-zoo F32 master (tests/data/gguf-quants/zoo-f32-*.bin) under the master's
// deepseek2 hyperparameters; for each of the 13 file types in llama_quantize_bytes.json, seek's
// output must hold each tensor in the type llama-quantize chose for it in the full model and with
// the same bytes (sha256). With --imatrix (the zoo's own llama-imatrix file, ds2-zoo.imatrix.gguf),
// each of the 24 weight types of llama_quantize_bytes_imatrix.json, forced by --tensor-type as
// llama-quantize was, gives llama-quantize's bytes, and the file records the matrix as
// llama-quantize does. Then bad input: a type that needs an importance matrix without one, a
// matrix made for another model, clashing flags, an unknown file type.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/file.h"
#include "formats/gguf.h"
#include "kernels/sha256.h"
#include "model/quant_mix.h"

using namespace seek;
using nlohmann::json;

namespace {

std::string zoo(const std::string& f) { return std::string(SEEK_TEST_DATA) + "/gguf-quants/" + f; }

struct CliRun {
  int status;
  std::string output;
};
// Files of one test are named after it: ctest runs the tests of this file in parallel.
std::string tmp(const std::string& name) {
  return testing::TempDir() + "seek_quantize_" + testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
         name;
}

CliRun seek_cli(const std::string& args) {
  const std::string log = tmp("cli.log");
  const int rc = std::system((std::string(SEEK_BINARY) + " " + args + " > " + log + " 2>&1").c_str());
  return {WEXITSTATUS(rc), read_file(log)};
}

// The two master tensors as a deepseek2 GGUF with the zoo's hyperparameters (what the mix reads).
std::string write_input(std::vector<std::string>& keep) {
  const json q = json::parse(read_file(zoo("llama_quantize_bytes.json")));
  const json hp = json::parse(read_file(zoo("llama_quantize_types.json")))["files"]["ds2-zoo-Q4_K_M.gguf"]["hparams"];
  GGUFWriter w;
  w.set("general.architecture", GGUFValue::of_string("deepseek2"));
  w.set("general.file_type", GGUFValue::of_u32(0));
  w.set("deepseek2.block_count", GGUFValue::of_u32(hp["block_count"].get<uint32_t>()));
  w.set("deepseek2.expert_count", GGUFValue::of_u32(hp["expert_count"].get<uint32_t>()));
  w.set("deepseek2.attention.head_count", GGUFValue::of_u32(hp["head_count"].get<uint32_t>()));
  w.set("deepseek2.attention.head_count_kv", GGUFValue::of_u32(hp["head_count_kv"].get<uint32_t>()));
  keep.reserve(2);
  for (const auto& [name, t] : q["tensors"].items()) {
    keep.push_back(read_file(zoo(t["f32_file"].get<std::string>())));
    EXPECT_EQ(test::sha256_hex(keep.back().data(), keep.back().size()), t["f32_sha256"].get<std::string>());
    std::vector<int64_t> shape = t["ne"].get<std::vector<int64_t>>();
    std::reverse(shape.begin(), shape.end());
    w.add_tensor(name,
                 TensorView::contiguous(DType::F32, shape.data(), static_cast<int>(shape.size()), keep.back().data()));
  }
  const std::string path = tmp("in.gguf");
  w.write(path);
  return path;
}

}  // namespace

TEST(QuantizeCli, TensorBytesMatchLlamaQuantize) {
  std::vector<std::string> keep;
  const std::string in = write_input(keep);
  const json files = json::parse(read_file(zoo("llama_quantize_bytes.json")))["files"];
  int checked = 0;
  for (const auto& [file, rec] : files.items()) {
    const std::string ftype = file.substr(8, file.size() - 8 - 5);  // ds2-zoo-<FTYPE>.gguf
    const std::string out = tmp(ftype + ".gguf");
    const CliRun r = seek_cli("quantize " + in + " " + out + " " + ftype + " -t 2");
    ASSERT_EQ(r.status, 0) << ftype << ": " << r.output;
    const GGUFFile f = GGUFFile::open(out);
    EXPECT_EQ(f.get_int("general.file_type"), static_cast<int64_t>(parse_quant_ftype(ftype).ftype)) << ftype;
    for (const auto& [name, want] : rec["tensors"].items()) {
      const GGUFTensorInfo* t = f.find_tensor(name);
      ASSERT_NE(t, nullptr) << ftype << " " << name;
      EXPECT_EQ(t->dtype, static_cast<DType>(want["ggml_type_id"].get<int32_t>())) << ftype << " " << name;
      EXPECT_EQ(test::sha256_hex(t->view.data, t->nbytes), want["sha256"].get<std::string>()) << ftype << " " << name;
      ++checked;
    }
    std::remove(out.c_str());
  }
  EXPECT_EQ(checked, 26);  // 13 file types x 2 tensors
}

TEST(QuantizeCli, RefusesWhatItCannotDo) {
  std::vector<std::string> keep;
  const std::string in = write_input(keep);
  const std::string out = tmp("bad.gguf");
  CliRun r = seek_cli("quantize " + in + " " + out + " IQ2_XXS");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("needs an importance matrix"), std::string::npos) << r.output;
  r = seek_cli("quantize " + in + " " + out + " Q4_K_M --imatrix " + tmp("missing.gguf"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("missing.gguf"), std::string::npos) << r.output;
  // ds2-micro's matrix has 64-wide entries; the zoo's attn_q_a rows are 256 wide
  r = seek_cli("quantize " + in + " " + out + " IQ4_XS --imatrix " + std::string(SEEK_TEST_DATA) +
               "/gguf/ds2-micro-F32.imatrix.gguf");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("another model"), std::string::npos) << r.output;
  r = seek_cli("quantize " + in + " " + out + " IQ4_XS --imatrix " + zoo("ds2-zoo.imatrix.gguf") +
               " --include-weights attn --exclude-weights ffn");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("cannot be used together"), std::string::npos) << r.output;
  r = seek_cli("quantize " + in + " " + out + " Q4_K_X");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("Q4_K_M"), std::string::npos) << r.output;  // the valid names are listed
  EXPECT_FALSE(is_regular_file(out));                                 // nothing written on refusal
}

TEST(QuantizeCli, ImatrixTensorBytesMatchLlamaQuantize) {
  std::vector<std::string> keep;
  const std::string in = write_input(keep);  // attn_q_a [256, 256] and attn_k_b [64, 256, 4]
  const std::string imatrix = zoo("ds2-zoo.imatrix.gguf");
  const json files = json::parse(read_file(zoo("llama_quantize_bytes_imatrix.json")))["files"];
  int checked = 0;
  for (const auto& [type, rec] : files.items()) {
    const bool small_blocks = rec["tensors"].contains("blk.0.attn_k_b.weight");
    const std::string out = tmp(type + ".gguf");
    const CliRun r = seek_cli("quantize --imatrix " + imatrix + " --tensor-type attn_q_a=" + type +
                              (small_blocks ? " --tensor-type attn_k_b=" + type : std::string()) + " " + in + " " +
                              out + " Q8_0 -t 2");
    ASSERT_EQ(r.status, 0) << type << ": " << r.output;
    const GGUFFile f = GGUFFile::open(out);
    for (const auto& [name, want] : rec["tensors"].items()) {
      const GGUFTensorInfo* t = f.find_tensor(name);
      if (!t) continue;  // attn_v_b is not in the input
      EXPECT_EQ(t->dtype, dtype_from_name(want["type"].get<std::string>())) << type << " " << name;
      EXPECT_EQ(test::sha256_hex(t->view.data, t->nbytes), want["sha256"].get<std::string>()) << type << " " << name;
      ++checked;
    }
    if (type == "iq2_xxs") {  // llama-quantize's record of the matrix
      EXPECT_EQ(f.get_string("quantize.imatrix.file"), imatrix.substr(0, 127));  // cut as llama-quantize does
      EXPECT_EQ(f.get_int("quantize.imatrix.entries_count"), 35);
      EXPECT_EQ(f.get_int("quantize.imatrix.chunks_count"), 6);
      EXPECT_NE(f.find("quantize.imatrix.dataset"), nullptr);
    }
    std::remove(out.c_str());
  }
  EXPECT_EQ(checked, 24 + 9);  // attn_q_a in 24 types, attn_k_b in the 9 with 32-element blocks
}

// The user's path end to end: `seek imatrix` on a model and text, then `seek quantize --imatrix`
// with its file. The matrix has llama-imatrix's entries for the same run (its file, made with
// exact attention as here); the quantized file records it and loads; IQ types refuse without it.
TEST(QuantizeCli, ImatrixThenQuantize) {
  const std::string data = SEEK_TEST_DATA;
  const std::string im = tmp("micro.imatrix.gguf"), out = tmp("micro-IQ4_NL.gguf");
  CliRun r = seek_cli("imatrix -m " + data + "/gguf/ds2-micro-F32.gguf -f " + data +
                      "/gguf/ppl.txt -c 128 -b 128 -t 2 --cache-type f32 -o " + im);
  ASSERT_EQ(r.status, 0) << r.output;
  const GGUFFile mine = GGUFFile::open(im), llama = GGUFFile::open(data + "/gguf/ds2-micro-F32.imatrix.gguf");
  ASSERT_EQ(mine.tensors().size(), llama.tensors().size());
  for (size_t i = 0; i < mine.tensors().size(); ++i) {
    EXPECT_EQ(mine.tensors()[i].name, llama.tensors()[i].name);
    EXPECT_EQ(mine.tensors()[i].nbytes, llama.tensors()[i].nbytes) << mine.tensors()[i].name;
  }
  EXPECT_EQ(mine.get_int("imatrix.chunk_count"), llama.get_int("imatrix.chunk_count"));
  r = seek_cli("quantize --imatrix " + im + " " + data + "/gguf/ds2-micro-F32.gguf " + out + " IQ4_NL -t 2");
  ASSERT_EQ(r.status, 0) << r.output;
  const GGUFFile q = GGUFFile::open(out);
  EXPECT_EQ(q.get_string("quantize.imatrix.file"), im.substr(0, 127));
  EXPECT_EQ(q.get_int("quantize.imatrix.entries_count"), static_cast<int64_t>(mine.tensors().size() / 2));
  r = seek_cli("run -m " + out + " -p 'Once upon a time' -n 4 --temp 0");
  EXPECT_EQ(r.status, 0) << r.output;
  std::remove(out.c_str());
  // bad flags: a missing text file, a context below llama-imatrix's minimum
  r = seek_cli("imatrix -m " + data + "/gguf/ds2-micro-F32.gguf -f " + tmp("no-such.txt") + " -o " + im);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("no-such.txt"), std::string::npos) << r.output;
  r = seek_cli("imatrix -m " + data + "/gguf/ds2-micro-F32.gguf -f " + data + "/gguf/ppl.txt -c 4 -o " + im);
  EXPECT_NE(r.status, 0);
  std::remove(im.c_str());
}
