// `seek quantize` against llama-quantize de3ff81's own output. The input is a GGUF holding two
// tensors of the ds2-zoo F32 master (tests/data/gguf-quants/zoo-f32-*.bin) under the master's
// deepseek2 hyperparameters; for each of the 13 file types in llama_quantize_bytes.json, seek's
// output must hold each tensor in the type llama-quantize chose for it in the full model and with
// the same bytes (sha256). Then bad input: a type seek cannot write, --imatrix, an unknown file type.
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
  EXPECT_NE(r.output.find("seek cannot write"), std::string::npos) << r.output;
  r = seek_cli("quantize " + in + " " + out + " Q4_K_M --imatrix x.gguf");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--imatrix is not supported yet"), std::string::npos) << r.output;
  r = seek_cli("quantize " + in + " " + out + " Q4_K_X");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("Q4_K_M"), std::string::npos) << r.output;  // the valid names are listed
  EXPECT_FALSE(is_regular_file(out));                                 // nothing written on refusal
}
