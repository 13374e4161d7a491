// seek on llama.cpp's own quantized DeepSeek files (tests/data/gguf-quants: ds2-zoo, a random-weight
// V3-style deepseek2 model made by gguf-py and llama-quantize de3ff81, README there):
// (1) dequantize_row of one tensor per weight type is bit-identical to gguf-py's / ggml's to_float
//     (expected.json "dequant": the first 256 values and the sha256 of the whole tensor as f32;
//     "derived_dequant": the same made by de3ff81's gguf-py for small MIX-A tensors of q2_K, q3_K, q5_K,
//     iq4_nl, iq4_xs);
// (2) ds2-zoo-Q4_K_M.gguf, the mix llama-quantize writes for Q4_K_M (q4_K, q6_K, and q5_0 on the
//     64-wide attn_k_b rows it cannot store as q4_K), against llama.cpp's exact-attention run
//     ("kv_f32_fa_off": -fa off -ctk f32 -ctv f32): perplexity within 2%, and the teacher-forced
//     top-1 wherever llama.cpp's top-1/top-2 gap exceeds 0.5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "formats/gguf.h"
#include "kernels/quant/quant.h"
#include "kernels/sha256.h"
#include "model/llamacpp_runs.h"
#include "model/model.h"
#include "runtime/perplexity.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

using namespace seek;
using nlohmann::json;

namespace {

const char* kFile = "ds2-zoo-Q4_K_M.gguf";
const char* kMode = "kv_f32_fa_off";

std::string data_dir() { return std::string(SEEK_TEST_DATA) + "/gguf-quants"; }

const json& expected() {
  static const json j = json::parse(read_file(data_dir() + "/expected.json"));
  return j;
}

// The raw bytes of a dequant record's tensor: a slice file, or the tensor in a GGUF shipped here.
bool raw_bytes(const std::string& type, const json& rec, std::string& out) {
  if (rec.contains("raw_file")) {
    out = read_file(data_dir() + "/" + rec["raw_file"].get<std::string>());
    return true;
  }
  const json& slices = expected()["raw_slices"];
  if (slices.contains(type)) {
    out = read_file(data_dir() + "/" + slices[type].get<std::string>());
    return true;
  }
  if (rec["file"] != kFile) return false;
  const GGUFFile f = GGUFFile::open(data_dir() + "/" + kFile);
  const GGUFTensorInfo* t = f.find_tensor(rec["tensor"].get<std::string>());
  if (!t) return false;
  out.assign(static_cast<const char*>(t->view.data), t->nbytes);
  return true;
}

}  // namespace

TEST(QuantZoo, DequantizeIsBitIdenticalToLlamaCpp) {
  std::vector<std::string> checked;
  // Upstream's records, then those made the same way for tensors it has none of (tools/gguf_py_dequant.py).
  json records = expected()["dequant"];
  for (const auto& [type, rec] : expected()["derived_dequant"].items()) records[type + " (derived)"] = rec;
  for (const auto& [type, rec] : records.items()) {
    const int32_t id = rec["ggml_type_id"].get<int32_t>();
    if (!dtype_known(id) || !dtype_computable(static_cast<DType>(id))) continue;
    const DType t = static_cast<DType>(id);
    std::string raw;
    if (!raw_bytes(type, rec, raw)) continue;
    ASSERT_EQ(test::sha256_hex(raw.data(), raw.size()), rec["raw_sha256"].get<std::string>()) << type;
    const int64_t n = rec["n_elements"].get<int64_t>(), cols = rec["ne"][0].get<int64_t>();
    ASSERT_EQ(raw.size(), row_bytes(t, cols) * static_cast<size_t>(n / cols)) << type;
    std::vector<float> out(static_cast<size_t>(n));
    for (int64_t r = 0; r < n / cols; ++r)
      dequantize_row(t, raw.data() + r * row_bytes(t, cols), out.data() + r * cols, cols);
    const json& first = rec["first256"];
    for (size_t i = 0; i < first.size(); ++i) {
      const float want = static_cast<float>(first[i].get<double>());  // exact decimals of float32 values
      ASSERT_EQ(std::memcmp(&out[i], &want, 4), 0) << type << " value " << i << ": " << out[i] << " vs " << want;
    }
    EXPECT_EQ(test::sha256_hex(out.data(), out.size() * 4), rec["f32_sha256"].get<std::string>()) << type;
    checked.push_back(type);
  }
  // Every type of this file and the slices (q4_1, q5_1 from the MIX-A file) was compared.
  for (const char* must : {"q4_1", "q5_0", "q5_1", "q4_k", "q6_k", "q2_k (derived)", "q3_k (derived)", "q5_k (derived)",
                           "iq4_nl (derived)", "iq4_xs (derived)"})
    EXPECT_NE(std::find(checked.begin(), checked.end(), must), checked.end()) << must;
}

TEST(QuantZoo, Q4_K_M_PerplexityMatchesLlamaCpp) {
  const json& e = expected()["files"][kFile];
  auto model = Model::load_gguf(data_dir() + "/" + kFile);
  auto tok = Tokenizer::from_gguf(*model->gguf());
  const std::vector<int32_t> ids = tok->encode(read_file(data_dir() + "/ppl.txt"), true, false);
  const json& p = e["perplexity"];
  ThreadPool pool(2);
  const PerplexityResult r = perplexity(*model, ids, p["n_ctx"].get<int64_t>(), pool);
  EXPECT_EQ(r.scored_tokens, p["scored_tokens"].get<int64_t>());
  const double ref = p[kMode]["final"].get<double>(), rel = r.final_ppl / ref - 1.0;
  EXPECT_LT(std::fabs(rel), 0.02) << "seek " << r.final_ppl << " vs llama.cpp " << ref;
  std::printf("[ Q4_K_M ] perplexity seek %.4f, llama.cpp %s %.4f (%+.3f%%), numpy exact-math %.4f\n", r.final_ppl,
              kMode, ref, 100 * rel, p["numpy_exact"]["final"].get<double>());
}

TEST(QuantZoo, Q4_K_M_TeacherForcedTop1WhereLlamaCppIsSure) {
  const json& e = expected()["files"][kFile];
  const json& g = e["greedy"][kMode];
  auto model = Model::load_gguf(data_dir() + "/" + kFile);
  ThreadPool pool(2);
  const std::vector<int32_t> ref = g["ids"].get<std::vector<int32_t>>();
  const auto steps = test::step_logits(*model, e["prompt_ids"].get<std::vector<int32_t>>(), ref, pool);
  int sure = 0, agree = 0;
  for (size_t s = 0; s < steps.size(); ++s) {
    if (g["gap12"][s].get<double>() <= 0.5) continue;
    ++sure;
    const int32_t top1 = argmax(steps[s].data(), model->config().vocab_size);
    agree += top1 == ref[s];
    EXPECT_EQ(top1, ref[s]) << "step " << s << " gap " << g["gap12"][s];
  }
  EXPECT_GE(sure, 16);  // 16 of the 32 recorded steps
  std::printf("[ Q4_K_M ] teacher-forced top-1: %d of %d steps with gap > 0.5 agree with llama.cpp\n", agree, sure);
}
