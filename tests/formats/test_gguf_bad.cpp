// Malformed GGUF: every truncation of a small file, and one hand-built image per rule of the
// format. Each must throw FormatError naming the problem, fast and without huge allocations.
#include <gtest/gtest.h>

#include <chrono>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_raw.h"

namespace seek {
namespace {

using test::Raw;

void expect_error(const std::vector<uint8_t>& b, const std::string& needle) {
  try {
    GGUFFile::parse(b.data(), b.size(), "bad.gguf");
    ADD_FAILURE() << "no error, expected one containing: " << needle;
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message: " << e.what() << "\nwanted: " << needle;
  }
}

// A valid file: two keys (string, array of strings) and two tensors, alignment 32.
Raw good_file() {
  Raw r;
  r.header(2, 2).kv_str("general.architecture", "llama");
  r.s("tokenizer.ggml.tokens").u32(9).u32(8).u64(3).s("a").s("bb").s("");
  r.tensor("w", {4, 2}, 0, 0).tensor("n", {4}, 1, 32).pad(32);
  for (int k = 0; k < 8; ++k) r.put<float>(float(k));
  r.pad(32);
  for (int k = 0; k < 4; ++k) r.put<uint16_t>(0x3c00);
  return r;  // ends right after the last tensor: no trailing padding
}

TEST(GGUFBad, GoodFileParses) {
  Raw r = good_file();
  GGUFFile f = GGUFFile::parse(r.b.data(), r.b.size());
  EXPECT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.find_tensor("w")->view.as<float>()[7], 7.0f);
}

TEST(GGUFBad, EveryTruncationFails) {
  Raw r = good_file();
  for (size_t n = 0; n < r.b.size(); ++n) {
    std::vector<uint8_t> cut(r.b.begin(), r.b.begin() + n);  // a fresh buffer: ASan sees any overread
    EXPECT_THROW(GGUFFile::parse(cut.data(), cut.size(), "cut"), FormatError) << "prefix of " << n << " bytes";
  }
}

TEST(GGUFBad, Header) {
  Raw r = good_file();
  std::vector<uint8_t> b = r.b;
  b[3] = 'X';
  expect_error(b, "not a GGUF file");
  b = r.b;
  b[4] = 1;
  expect_error(b, "GGUF version 1 is not supported");
  b[4] = 4;
  expect_error(b, "unsupported GGUF version 4");
  b[4] = 0;
  b[7] = 3;
  expect_error(b, "big-endian");
  b = r.b;
  b[4] = 2;  // v2 has the same layout
  EXPECT_EQ(GGUFFile::parse(b.data(), b.size()).version(), 2u);
  expect_error({}, "truncated reading magic");
}

TEST(GGUFBad, AbsurdCountsFailFast) {
  auto t0 = std::chrono::steady_clock::now();
  expect_error(Raw().header(0, uint64_t(1) << 62).b, "key/values");
  expect_error(Raw().header(uint64_t(1) << 62, 0).b, "tensors");
  expect_error(Raw().header(0, ~uint64_t(0)).b, "key/values");
  expect_error(Raw().header(0, 1).s("k").u32(8).u64(uint64_t(1) << 62).b, "truncated reading string value");
  expect_error(Raw().header(0, 1).u64(~uint64_t(0)).zeros(32).b, "truncated reading key");
  expect_error(Raw().header(0, 1).s("k").u32(9).u32(10).u64(uint64_t(1) << 61).zeros(64).b, "array of");
  expect_error(Raw().header(0, 1).s("k").u32(9).u32(8).u64(1000).zeros(64).b, "only 64 left");
  // An array of 2^40 empty arrays: 12 bytes each at least.
  expect_error(Raw().header(0, 1).s("k").u32(9).u32(9).u64(uint64_t(1) << 40).b, "array of");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(ms, 1000);
}

TEST(GGUFBad, Values) {
  expect_error(Raw().header(0, 1).s("k").u32(13).u32(0).b, "unknown value type id 13");
  expect_error(Raw().header(0, 1).s("k").u32(9).u32(77).u64(0).b, "unknown value type id 77");
  expect_error(Raw().header(0, 2).kv_u32("k", 1).kv_u32("k", 2).b, "duplicate key k");
  Raw deep = Raw().header(0, 1).s("k").u32(9);
  for (int d = 0; d < 20; ++d) deep.u32(9).u64(1);
  expect_error(deep.zeros(64).b, "nested deeper");
  expect_error(Raw().header(0, 1).kv_u32("general.alignment", 48).b, "not a power of two");
  expect_error(Raw().header(0, 1).kv_u32("general.alignment", 0).b, "not a power of two");
  expect_error(Raw().header(0, 1).kv_str("general.alignment", "32").b, "general.alignment must be an integer");
}

// One tensor info + data section; `ne`, type and offset as given.
std::vector<uint8_t> one_tensor(std::vector<int64_t> ne, uint32_t type, uint64_t offset, size_t data = 64) {
  return Raw().header(1, 0).tensor("t", ne, type, offset).pad(32).zeros(data).b;
}

TEST(GGUFBad, TensorInfos) {
  expect_error(one_tensor({1, 1, 1, 1, 1}, 0, 0), "n_dims = 5");
  expect_error(Raw().header(1, 0).s("t").u32(0).u32(0).u64(0).zeros(64).b, "n_dims = 0");
  expect_error(one_tensor({4, 0}, 0, 0), "ne[1] = 0");
  expect_error(one_tensor({-4}, 0, 0), "ne[0] = -4");
  expect_error(one_tensor({int64_t(1) << 40, int64_t(1) << 40}, 0, 0), "overflows");
  expect_error(one_tensor({int64_t(1) << 61}, 0, 0), "byte size overflows");
  expect_error(one_tensor({4}, 99, 0), "unknown tensor type id 99");
  expect_error(one_tensor({4}, 1000, 0), "unknown tensor type id 1000");  // seek's FP8 id is not a ggml type
  expect_error(one_tensor({16}, 8, 0), "not a whole number of q8_0 blocks");
  // The message names the tensor, its type and its shape.
  expect_error(one_tensor({4, 3}, 99, 0), "tensor t of shape [4, 3]: unknown tensor type id 99");
  expect_error(one_tensor({64, 2}, 16, 0), "tensor t of type iq2_xxs and shape [64, 2]: row of 64 elements");
  expect_error(one_tensor({96}, 41, 0), "not a whole number of q1_0 blocks of 128");
  expect_error(one_tensor({32}, 40, 0), "not a whole number of nvfp4 blocks of 64");
  expect_error(one_tensor({32}, 31, 0), "unknown tensor type id 31");  // a retired ggml id (Q4_0_4_4)
  expect_error(one_tensor({4}, 0, 16), "not a multiple of the alignment 32");
  expect_error(one_tensor({4}, 0, 64), "runs past the end");
  expect_error(one_tensor({32}, 0, 0, 100), "runs past the end");
  expect_error(one_tensor({4}, 0, ~uint64_t(0) & ~uint64_t(31)), "runs past the end");
  expect_error(Raw().header(2, 0).tensor("t", {4}, 0, 0).tensor("t", {4}, 0, 32).pad(32).zeros(64).b,
               "duplicate tensor name t");
  expect_error(Raw().header(2, 0).tensor("a", {16}, 0, 0).tensor("b", {4}, 0, 32).pad(32).zeros(128).b, "overlap");
  expect_error(Raw().header(1, 0).tensor("t", {4}, 0, 0).b, "data section should start at");
}

}  // namespace
}  // namespace seek
