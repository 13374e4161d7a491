// Bit-exactness against llama.cpp: every Q8_0 / Q4_0 tensor that llama-quantize wrote into
// ds2-micro-{Q8_0,Q4_0}.gguf must equal quantize_row() of the same tensor in ds2-micro-F32.gguf,
// and dequantize_row() of it must equal the value-by-value decoding of the Q4_0/Q8_0 spec; and
// for 13 file types of the quant zoo (gguf-quants/llama_quantize_bytes.json: Q2_K ... Q8_0, with
// the fallback types of 64-wide attn_k_b rows) quantize_row() of two F32 master tensors has the
// sha256 of the bytes llama-quantize de3ff81 wrote.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "core/dtype.h"
#include "core/file.h"
#include "core/float16.h"
#include "kernels/gguf_mini.h"
#include "kernels/quant/quant.h"
#include "kernels/sha256.h"

namespace seek {
namespace {

void check_file(const char* quant_file, DType expect_main) {
  test::MiniGGUF f32(std::string(SEEK_TEST_DATA) + "/gguf/ds2-micro-F32.gguf");
  test::MiniGGUF q(std::string(SEEK_TEST_DATA) + "/gguf/" + quant_file);
  int checked = 0, main_type = 0;
  for (const std::string& name : q.names()) {
    const test::MiniTensor& tq = q.tensor(name);
    const DType t = static_cast<DType>(tq.type);
    if (t != DType::Q8_0 && t != DType::Q4_0) continue;
    ASSERT_TRUE(f32.has(name)) << name;
    const test::MiniTensor& tf = f32.tensor(name);
    ASSERT_EQ(tf.type, 0) << name;
    ASSERT_EQ(tf.ne, tq.ne) << name;
    const int64_t K = tq.ne[0];
    int64_t rows = 1;
    for (size_t d = 1; d < tq.ne.size(); ++d) rows *= tq.ne[d];
    const size_t rb = row_bytes(t, K);
    std::vector<uint8_t> mine(rb);
    std::vector<float> deq(K);
    for (int64_t r = 0; r < rows; ++r) {
      const float* src = reinterpret_cast<const float*>(f32.data(tf)) + r * K;
      const uint8_t* theirs = q.data(tq) + r * rb;
      quantize_row(t, src, mine.data(), K);
      ASSERT_EQ(0, std::memcmp(mine.data(), theirs, rb)) << name << " row " << r << " (" << dtype_name(t) << ")";
      // Decode llama.cpp's bytes by the spec, independently of dequantize_row's code.
      dequantize_row(t, theirs, deq.data(), K);
      const size_t bs = t == DType::Q8_0 ? 34 : 18;
      for (int64_t k = 0; k < K; ++k) {
        const uint8_t* blk = theirs + (k / 32) * bs;
        uint16_t dh;
        std::memcpy(&dh, blk, 2);
        const int j = static_cast<int>(k % 32);
        int qv;
        if (t == DType::Q8_0) {
          qv = static_cast<int8_t>(blk[2 + j]);
        } else {
          qv = (j < 16 ? (blk[2 + j] & 0xF) : (blk[2 + j - 16] >> 4)) - 8;
        }
        ASSERT_EQ(deq[k], static_cast<float>(qv) * fp16_to_fp32(dh)) << name << " k " << k;
      }
    }
    ++checked;
    if (t == expect_main) ++main_type;
  }
  EXPECT_GT(checked, 10);
  EXPECT_GT(main_type, 10);
}

TEST(QuantLlamaBytes, Q8_0MatchesLlamaQuantize) { check_file("ds2-micro-Q8_0.gguf", DType::Q8_0); }
TEST(QuantLlamaBytes, Q4_0MatchesLlamaQuantize) { check_file("ds2-micro-Q4_0.gguf", DType::Q4_0); }

// The F16 file was converted from the same weights: fp32 -> fp16 must round the same way.
TEST(QuantLlamaBytes, F16MatchesConverter) {
  test::MiniGGUF f32(std::string(SEEK_TEST_DATA) + "/gguf/ds2-micro-F32.gguf");
  test::MiniGGUF f16(std::string(SEEK_TEST_DATA) + "/gguf/ds2-micro-F16.gguf");
  int checked = 0;
  for (const std::string& name : f16.names()) {
    const test::MiniTensor& th = f16.tensor(name);
    if (th.type != 1 || !f32.has(name)) continue;
    int64_t n = 1;
    for (int64_t d : th.ne) n *= d;
    std::vector<uint8_t> mine(n * 2);
    quantize_row(DType::F16, reinterpret_cast<const float*>(f32.data(f32.tensor(name))), mine.data(), n);
    ASSERT_EQ(0, std::memcmp(mine.data(), f16.data(th), n * 2)) << name;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(QuantLlamaBytes, ZooTypesMatchLlamaQuantize) {
  const std::string dir = std::string(SEEK_TEST_DATA) + "/gguf-quants/";
  const nlohmann::json j = nlohmann::json::parse(read_file(dir + "llama_quantize_bytes.json"));
  std::set<std::string> types;
  for (const auto& [file, rec] : j["files"].items()) {
    for (const auto& [name, t] : rec["tensors"].items()) {
      const nlohmann::json& src = j["tensors"][name];
      const std::string f32 = read_file(dir + src["f32_file"].get<std::string>());
      ASSERT_EQ(test::sha256_hex(f32.data(), f32.size()), src["f32_sha256"].get<std::string>()) << name;
      const DType dt = static_cast<DType>(t["ggml_type_id"].get<int32_t>());
      const int64_t K = src["ne"][0].get<int64_t>(), rows = static_cast<int64_t>(f32.size() / 4) / K;
      std::vector<uint8_t> q(row_bytes(dt, K) * rows);
      for (int64_t r = 0; r < rows; ++r)
        quantize_row(dt, reinterpret_cast<const float*>(f32.data()) + r * K, q.data() + r * row_bytes(dt, K), K);
      EXPECT_EQ(test::sha256_hex(q.data(), q.size()), t["sha256"].get<std::string>())
          << file << " " << name << " (" << dtype_name(dt) << ")";
      types.insert(dtype_name(dt));
    }
  }
  EXPECT_EQ(types,
            (std::set<std::string>{"q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0"}));
}

}  // namespace
}  // namespace seek
