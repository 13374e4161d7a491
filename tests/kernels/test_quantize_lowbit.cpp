// The quantizers of IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0 and Q2_0 against llama.cpp:
// quantize_row() of three F32 tensors of the quant zoo's master (attn_q_a [256, 256], attn_k_b
// [64, 256, 4], attn_v_b [256, 64, 4]) must have the sha256 of the bytes llama-quantize de3ff81
// wrote for them without an importance matrix (gguf-quants/llama_quantize_bytes_lowbit.json, which
// records the commands). Also: dequantize_row(quantize_row(x)) stays within a per-type error bound
// of x, and a zero block comes back as zeros.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/file.h"
#include "kernels/quant/quant.h"
#include "kernels/sha256.h"

namespace seek {
namespace {

const std::string kDir = std::string(SEEK_TEST_DATA) + "/gguf-quants/";

const std::vector<DType> kTypes = {DType::IQ4_NL, DType::IQ4_XS, DType::TQ1_0, DType::TQ2_0,
                                   DType::MXFP4,  DType::NVFP4,  DType::Q1_0,  DType::Q2_0};

// Every row of t (rows of K elements) through quantize_row, concatenated.
std::vector<uint8_t> quantize_tensor(DType t, const float* x, int64_t K, int64_t rows) {
  const size_t rb = row_bytes(t, K);
  std::vector<uint8_t> q(rb * rows);
  for (int64_t r = 0; r < rows; ++r) quantize_row(t, x + r * K, q.data() + r * rb, K);
  return q;
}

struct F32Tensor {
  std::string bytes;
  int64_t K = 0, rows = 0;
  const float* data() const { return reinterpret_cast<const float*>(bytes.data()); }
};

F32Tensor load_f32(const nlohmann::json& src) {
  F32Tensor t;
  t.bytes = read_file(kDir + src["f32_file"].get<std::string>());
  t.K = src["ne"][0].get<int64_t>();
  t.rows = static_cast<int64_t>(t.bytes.size() / 4) / t.K;
  return t;
}

TEST(QuantizeLowbit, MatchesLlamaQuantize) {
  const nlohmann::json j = nlohmann::json::parse(read_file(kDir + "llama_quantize_bytes_lowbit.json"));
  std::set<std::string> types;
  for (const auto& [file, rec] : j["files"].items()) {
    for (const auto& [name, t] : rec["tensors"].items()) {
      const nlohmann::json& src = j["tensors"][name];
      const F32Tensor f = load_f32(src);
      ASSERT_EQ(test::sha256_hex(f.bytes.data(), f.bytes.size()), src["f32_sha256"].get<std::string>()) << name;
      const DType dt = static_cast<DType>(t["ggml_type_id"].get<int32_t>());
      ASSERT_EQ(dtype_name(dt), t["type"].get<std::string>()) << file << " " << name;
      ASSERT_TRUE(can_quantize(dt)) << dtype_name(dt);
      const std::vector<uint8_t> q = quantize_tensor(dt, f.data(), f.K, f.rows);
      EXPECT_EQ(test::sha256_hex(q.data(), q.size()), t["sha256"].get<std::string>())
          << file << " " << name << " (" << dtype_name(dt) << ")";
      types.insert(dtype_name(dt));
    }
  }
  std::set<std::string> want;
  for (DType t : kTypes) want.insert(dtype_name(t));
  EXPECT_EQ(types, want);
}

// dequantize_row(quantize_row(x)) against x over the attn_q_a tensor (Gaussian-like values):
// the relative RMS error |deq - x| / |x| and the worst error of one element relative to its row's
// largest magnitude, each bounded a little above what the codes give here (4-bit non-linear 0.076
// / 0.091; MXFP4 0.116 / 0.244; NVFP4 0.095 / 0.170; the 2-bit and ternary codes round to
// multiples of the block max, so at most half of it off, 0.72-0.81 RMS; Q1_0 keeps only signs with
// d = mean |x|, 0.60 RMS, near sqrt(1 - 2 / pi) for a Gaussian). All RMS bounds are below 1, the
// error of an all-zero reconstruction.
TEST(QuantizeLowbit, RoundTripIsClose) {
  const nlohmann::json j = nlohmann::json::parse(read_file(kDir + "llama_quantize_bytes_lowbit.json"));
  const F32Tensor f = load_f32(j["tensors"]["blk.0.attn_q_a.weight"]);
  struct Bound {
    double rms, worst;
  };
  const std::map<DType, Bound> bound = {{DType::IQ4_NL, {0.09, 0.11}}, {DType::IQ4_XS, {0.09, 0.11}},
                                        {DType::MXFP4, {0.14, 0.30}},  {DType::NVFP4, {0.11, 0.20}},
                                        {DType::Q2_0, {0.75, 0.51}},   {DType::TQ2_0, {0.85, 0.51}},
                                        {DType::TQ1_0, {0.85, 0.51}},  {DType::Q1_0, {0.65, 1.0}}};
  for (DType t : kTypes) {
    const std::vector<uint8_t> q = quantize_tensor(t, f.data(), f.K, f.rows);
    std::vector<float> y(f.K);
    double err = 0, ref = 0, worst = 0;
    for (int64_t r = 0; r < f.rows; ++r) {
      dequantize_row(t, q.data() + r * row_bytes(t, f.K), y.data(), f.K);
      const float* x = f.data() + r * f.K;
      float amax = 0;
      for (int64_t k = 0; k < f.K; ++k) amax = std::max(amax, std::fabs(x[k]));
      for (int64_t k = 0; k < f.K; ++k) {
        ASSERT_TRUE(std::isfinite(y[k])) << dtype_name(t);
        err += (double(y[k]) - x[k]) * (double(y[k]) - x[k]);
        ref += double(x[k]) * x[k];
        worst = std::max(worst, std::fabs(double(y[k]) - x[k]) / amax);
      }
    }
    const double rel = std::sqrt(err / ref);
    EXPECT_LT(rel, bound.at(t).rms) << dtype_name(t);
    EXPECT_GT(rel, 0.0) << dtype_name(t);
    EXPECT_LT(worst, bound.at(t).worst) << dtype_name(t);
  }
}

TEST(QuantizeLowbit, ZeroBlocksGiveZeros) {
  for (DType t : kTypes) {
    const int64_t n = 256;  // a whole number of blocks of every type here
    std::vector<float> x(n, 0.0f), y(n, 1.0f);
    std::vector<uint8_t> q(row_bytes(t, n));
    quantize_row(t, x.data(), q.data(), n);
    dequantize_row(t, q.data(), y.data(), n);
    for (int64_t k = 0; k < n; ++k) ASSERT_EQ(y[k], 0.0f) << dtype_name(t) << " " << k;
  }
}

}  // namespace
}  // namespace seek
