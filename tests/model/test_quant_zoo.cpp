// seek on llama.cpp's own quantized DeepSeek files (tests/data/gguf-quants: ds2-zoo, a random-weight
// V3-style deepseek2 model made by gguf-py and llama-quantize de3ff81, README there):
// (1) dequantize_row of one tensor per weight type (all 28 that llama-quantize writes) is bit-identical
//     to gguf-py's / ggml's to_float (expected.json "dequant": the first 256 values and the sha256 of
//     the whole tensor as f32; "derived_dequant": the same made by de3ff81's gguf-py for tensors of
//     the shipped files where upstream's record names a file not shipped);
// (2) each shipped file against llama.cpp's exact-attention run ("kv_f32_fa_off": -fa off -ctk f32
//     -ctv f32): perplexity within the bound (2% for ds2-zoo-Q4_K_M.gguf, the mix
//     llama-quantize writes for Q4_K_M: q4_K, q6_K and q5_0 on the 64-wide attn_k_b rows; 8% for the
//     MIX-A / MIX-B files, which hold every type, 1- and 2-bit ones included), and the teacher-forced
//     top-1 wherever llama.cpp's top-1/top-2 gap exceeds 0.5 (on the MIX files, all but at most 2 of
//     those 16 steps, each reported with its logits and seek's routing margin; see the test).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
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

const char* kMode = "kv_f32_fa_off";
const char* kShipped[] = {"ds2-zoo-Q4_K_M.gguf", "ds2-zoo-MIX-A.gguf", "ds2-zoo-MIX-B.gguf"};

std::string data_dir() { return std::string(SEEK_TEST_DATA) + "/gguf-quants"; }

const json& expected() {
  static const json j = json::parse(read_file(data_dir() + "/expected.json"));
  return j;
}

// The raw bytes of a dequant record's tensor, from the GGUF shipped here that holds it; for a record
// of a file not shipped, the same tensor of a shipped file if its bytes are the same (sha256), as
// unquantized tensors (f32 routers) are in every file of the zoo.
bool raw_bytes(const json& rec, std::string& out) {
  const std::string file = rec["file"].get<std::string>();
  const bool shipped = std::find(std::begin(kShipped), std::end(kShipped), file) != std::end(kShipped);
  for (const char* f : kShipped) {
    if (shipped && file != f) continue;
    const GGUFFile g = GGUFFile::open(data_dir() + "/" + f);
    const GGUFTensorInfo* t = g.find_tensor(rec["tensor"].get<std::string>());
    if (!t) continue;
    out.assign(static_cast<const char*>(t->view.data), t->nbytes);
    if (shipped || test::sha256_hex(out.data(), out.size()) == rec["raw_sha256"].get<std::string>()) return true;
  }
  return false;
}

}  // namespace

TEST(QuantZoo, DequantizeIsBitIdenticalToLlamaCpp) {
  std::vector<std::string> checked;
  // Upstream's records, then those made the same way for tensors it has none of (tools/gguf_py_dequant.py).
  json records = expected()["dequant"];
  for (const auto& [type, rec] : expected()["derived_dequant"].items()) records[type + " (derived)"] = rec;
  for (const auto& [type, rec] : records.items()) {
    const int32_t id = rec["ggml_type_id"].get<int32_t>();
    ASSERT_TRUE(dtype_known(id) && dtype_computable(static_cast<DType>(id))) << type;
    const DType t = static_cast<DType>(id);
    std::string raw;
    if (!raw_bytes(rec, raw)) continue;
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
  // Every weight type llama-quantize writes was compared, from upstream's record or a derived one.
  for (const char* must : {"f32",
                           "f16",
                           "bf16",
                           "q8_0 (derived)",
                           "q4_0",
                           "q4_1",
                           "q5_0",
                           "q5_1",
                           "q2_k (derived)",
                           "q3_k",
                           "q4_k",
                           "q5_k (derived)",
                           "q6_k",
                           "iq2_xxs (derived)",
                           "iq2_xs",
                           "iq2_s",
                           "iq3_xxs",
                           "iq3_s",
                           "iq1_s",
                           "iq1_m",
                           "iq4_nl (derived)",
                           "iq4_xs",
                           "tq1_0",
                           "tq2_0",
                           "mxfp4",
                           "nvfp4",
                           "q1_0",
                           "q2_0"})
    EXPECT_NE(std::find(checked.begin(), checked.end(), must), checked.end()) << must;
}

class ShippedFile : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedFile, PerplexityMatchesLlamaCpp) {
  const std::string file = GetParam();
  const json& e = expected()["files"][file];
  const double bound = file == "ds2-zoo-Q4_K_M.gguf" ? 0.02 : 0.08;
  auto model = Model::load_gguf(data_dir() + "/" + file);
  auto tok = Tokenizer::from_gguf(*model->gguf());
  const std::vector<int32_t> ids = tok->encode(read_file(data_dir() + "/ppl.txt"), true, false);
  const json& p = e["perplexity"];
  ThreadPool pool(2);
  const PerplexityResult r = perplexity(*model, ids, p["n_ctx"].get<int64_t>(), pool);
  EXPECT_EQ(r.scored_tokens, p["scored_tokens"].get<int64_t>());
  const double ref = p[kMode]["final"].get<double>(), rel = r.final_ppl / ref - 1.0;
  EXPECT_LT(std::fabs(rel), bound) << file << ": seek " << r.final_ppl << " vs llama.cpp " << ref;
  std::printf("[ %s ] perplexity seek %.4f, llama.cpp %s %.4f (%+.3f%%), numpy exact-math %.4f\n", file.c_str(),
              r.final_ppl, kMode, ref, 100 * rel, p["numpy_exact"]["final"].get<double>());
}

TEST_P(ShippedFile, TeacherForcedTop1WhereLlamaCppIsSure) {
  const std::string file = GetParam();
  const json& e = expected()["files"][file];
  const json& g = e["greedy"][kMode];
  auto model = Model::load_gguf(data_dir() + "/" + file);
  ThreadPool pool(2);
  const std::vector<int32_t> ref = g["ids"].get<std::vector<int32_t>>();
  std::vector<int32_t> routes;
  std::vector<float> margins;
  model->set_route_log(&routes, &margins);
  const std::vector<int32_t> prompt = e["prompt_ids"].get<std::vector<int32_t>>();
  const auto steps = test::step_logits(*model, prompt, ref, pool);
  model->set_route_log(nullptr);
  const size_t P = prompt.size(), L = margins.size() / (P + steps.size() - 1);
  auto step_margin = [&](size_t s) {  // the current token's closest routing decision over the MoE layers
    float m = 1e30f;
    for (size_t l = 0; l < L; ++l) m = std::min(m, s == 0 ? margins[l * P + P - 1] : margins[L * P + (s - 1) * L + l]);
    return m;
  };
  int sure = 0, agree = 0, differ = 0;
  for (size_t s = 0; s < steps.size(); ++s) {
    if (g["gap12"][s].get<double>() <= 0.5) continue;
    ++sure;
    const int32_t top1 = argmax(steps[s].data(), model->config().vocab_size);
    if (top1 == ref[s]) {
      ++agree;
      continue;
    }
    std::string top5;  // llama.cpp's top 5 with its logit and seek's, for the message
    for (const auto& e5 : g["top5"][s])
      top5 += str(" ", e5[0].get<int32_t>(), ": ", e5[1].get<double>(), " (seek ", steps[s][e5[0].get<int32_t>()], ")");
    const std::string what = str(file, " step ", s, " gap ", g["gap12"][s].get<double>(), ", routing margin ",
                                 step_margin(s), "; seek's top-1 ", top1, " logit ", steps[s][top1],
                                 "; llama.cpp's top 5:", top5);
    // Reported, not failed at once: see the limit below.
    ++differ;
    std::printf("[ %s ] top-1 differs: %s\n", file.c_str(), what.c_str());
  }
  // The Q4_K_M file agrees on every such step. The MIX files (1- and 2-bit types) may differ on at
  // most 2 of 16: seek's logits are within 5e-4 of llama.cpp's until 16 tokens are cached, where
  // llama.cpp's CPU matmul starts taking its tinyBLAS sgemm for the attention products (inner
  // length a multiple of 16), whose sums round differently; in this random model (mean NLL 18.4
  // nats) that moves later logits by ~0.1-0.3, and seek's own kernel levels, which differ only in
  // summation order, flip some of the same late steps between themselves.
  EXPECT_LE(differ, file == "ds2-zoo-Q4_K_M.gguf" ? 0 : 2) << file;
  EXPECT_GE(sure, 16) << file;  // of the 32 recorded steps
  std::printf("[ %s ] teacher-forced top-1: %d of %d steps with gap > 0.5 agree with llama.cpp\n", file.c_str(), agree,
              sure);
}

INSTANTIATE_TEST_SUITE_P(QuantZoo, ShippedFile, ::testing::ValuesIn(kShipped),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           std::string n = i.param;
                           n = n.substr(8, n.size() - 8 - 5);  // "ds2-zoo-" ... ".gguf"
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });
