// The quantizers with an importance matrix against llama.cpp: quantize_row_imatrix() of three F32
// tensors of the quant zoo's master (attn_q_a [256, 256]; attn_v_b [256, 64, 4] and attn_k_b
// [64, 256, 4], one matrix per head) with llama-quantize's per-column importance of each
// (zoo-imatrix-<tensor>.bin: in_sum2 / count of the zoo's llama-imatrix file, a block of ne0 values
// per head) must give the sha256 of the bytes llama-quantize de3ff81 wrote with --imatrix, for 24
// weight types (llama_quantize_bytes_imatrix.json, made by tools/record_imatrix_bytes.py). The
// IQ3 types also without importance (llama_quantize_bytes_iq3_noimatrix.json), and the types
// ggml cannot quantize without one are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/file.h"
#include "kernels/quant/quant.h"
#include "kernels/sha256.h"

namespace seek {
namespace {

const std::string kDir = std::string(SEEK_TEST_DATA) + "/gguf-quants/";

struct Input {
  std::string f32_file, imatrix_file;
  int64_t K;  // ne0: values per row
};
const std::map<std::string, Input> kInputs = {
    {"blk.0.attn_q_a.weight", {"zoo-f32-attn_q_a.bin", "zoo-imatrix-attn_q_a.bin", 256}},
    {"blk.0.attn_v_b.weight", {"zoo-f32-attn_v_b.bin", "zoo-imatrix-attn_v_b.bin", 256}},
    {"blk.0.attn_k_b.weight", {"zoo-f32-attn_k_b.bin", "zoo-imatrix-attn_k_b.bin", 64}},
};

std::vector<float> floats(const std::string& file) {
  const std::string b = read_file(kDir + file);
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), v.size() * 4);
  return v;
}

// Every row through quantize_row_imatrix, each with its matrix's importance block (the tensor's
// rows split evenly into imp.size() / K matrices), or none; concatenated.
std::vector<uint8_t> quantize_tensor(DType t, const std::vector<float>& x, int64_t K, const std::vector<float>* imp) {
  const int64_t rows = static_cast<int64_t>(x.size()) / K;
  const int64_t n_mat = imp ? static_cast<int64_t>(imp->size()) / K : 1;
  const int64_t rows_per_mat = rows / n_mat;
  const size_t rb = row_bytes(t, K);
  std::vector<uint8_t> q(rb * rows);
  for (int64_t r = 0; r < rows; ++r)
    quantize_row_imatrix(t, x.data() + r * K, q.data() + r * rb, K,
                         imp ? imp->data() + (r / rows_per_mat) * K : nullptr);
  return q;
}

void check_file(const std::string& json_file, bool with_imatrix, size_t want_types) {
  const nlohmann::json j = nlohmann::json::parse(read_file(kDir + json_file));
  std::set<std::string> types;
  for (const auto& [type, rec] : j["files"].items()) {
    for (const auto& [name, t] : rec["tensors"].items()) {
      SCOPED_TRACE(type + " " + name);
      ASSERT_TRUE(kInputs.count(name));
      const Input& in = kInputs.at(name);
      const DType dt = dtype_from_name(t["type"].get<std::string>());
      ASSERT_TRUE(can_quantize(dt));
      const std::vector<float> x = floats(in.f32_file);
      const std::vector<float> imp = floats(in.imatrix_file);
      if (with_imatrix) {
        ASSERT_EQ(test::sha256_hex(imp.data(), imp.size() * 4), j["weights"][name]["sha256"].get<std::string>());
        ASSERT_EQ(imp.size() % in.K, 0u);
      }
      const std::vector<uint8_t> q = quantize_tensor(dt, x, in.K, with_imatrix ? &imp : nullptr);
      EXPECT_EQ(q.size(), t["nbytes"].get<size_t>());
      EXPECT_EQ(test::sha256_hex(q.data(), q.size()), t["sha256"].get<std::string>()) << json_file;
      types.insert(dtype_name(dt));
    }
  }
  EXPECT_EQ(types.size(), want_types) << json_file;
}

TEST(QuantizeImatrix, MatchesLlamaQuantizeWithImportance) { check_file("llama_quantize_bytes_imatrix.json", true, 24); }

TEST(QuantizeImatrix, Iq3MatchesGgmlWithoutImportance) {
  check_file("llama_quantize_bytes_iq3_noimatrix.json", false, 2);
}

// The importance changes the bytes of the types that use it (else the test above could pass with
// an ignored argument for them): quantizing with all-equal importance differs from the real one.
TEST(QuantizeImatrix, ImportanceIsUsed) {
  const Input& in = kInputs.at("blk.0.attn_q_a.weight");
  const std::vector<float> x = floats(in.f32_file), imp = floats(in.imatrix_file);
  const std::vector<float> flat(imp.size(), 1.0f);
  for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K, DType::Q3_K, DType::Q4_K,
                  DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS, DType::IQ2_XXS, DType::IQ2_XS, DType::IQ2_S,
                  DType::IQ3_XXS, DType::IQ3_S, DType::IQ1_S, DType::IQ1_M}) {
    EXPECT_NE(quantize_tensor(t, x, in.K, &imp), quantize_tensor(t, x, in.K, &flat)) << dtype_name(t);
  }
}

// Round trip: every grid type written here decodes to within a bound of its input (relative RMS
// error; measured 0.25-0.50 for the 1.5-3.4 bit types on this tensor), below 1 (an all-zero row).
TEST(QuantizeImatrix, GridTypesRoundTrip) {
  const Input& in = kInputs.at("blk.0.attn_q_a.weight");
  const std::vector<float> x = floats(in.f32_file), imp = floats(in.imatrix_file);
  const std::map<DType, double> bound = {{DType::IQ2_XXS, 0.45}, {DType::IQ2_XS, 0.40}, {DType::IQ2_S, 0.33},
                                         {DType::IQ3_XXS, 0.26}, {DType::IQ3_S, 0.22},  {DType::IQ1_S, 0.56},
                                         {DType::IQ1_M, 0.52}};
  for (const auto& [t, b] : bound) {
    const std::vector<uint8_t> q = quantize_tensor(t, x, in.K, &imp);
    std::vector<float> y(x.size());
    const size_t rb = row_bytes(t, in.K);
    for (size_t r = 0; r < x.size() / in.K; ++r) dequantize_row(t, q.data() + r * rb, y.data() + r * in.K, in.K);
    double err = 0, ref = 0;
    for (size_t i = 0; i < x.size(); ++i) err += (y[i] - x[i]) * (y[i] - x[i]), ref += x[i] * x[i];
    EXPECT_LT(std::sqrt(err / ref), b) << dtype_name(t);
  }
}

TEST(QuantizeImatrix, RefusesWithoutRequiredImportance) {
  std::vector<float> x(256, 0.5f);
  std::vector<uint8_t> q(row_bytes(DType::IQ2_XXS, 256) + row_bytes(DType::IQ1_S, 256));
  for (DType t : {DType::IQ2_XXS, DType::IQ2_XS, DType::IQ1_S}) {
    EXPECT_TRUE(quantize_needs_imatrix(t));
    try {
      quantize_row(t, x.data(), q.data(), 256);
      ADD_FAILURE() << dtype_name(t) << " quantized without an importance matrix";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("importance"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(quantize_needs_imatrix(DType::IQ2_S));
  EXPECT_FALSE(quantize_needs_imatrix(DType::IQ1_M));
  EXPECT_THROW(quantize_row_imatrix(DType::IQ2_S, x.data(), q.data(), 255, nullptr), FormatError);
}

}  // namespace
}  // namespace seek
