// safetensors: reading reference files written from the spec by tools/make_bad_files.py (values
// by formula), sharded checkpoints, writer round trips (single and sharded), malformed input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/float16.h"
#include "formats/safetensors.h"

namespace seek {
namespace {

namespace fs = std::filesystem;
const std::string kRef = std::string(SEEK_TEST_DATA) + "/../formats/data/ref";

// Element k of a view; the reference file packs tensors at odd offsets, so no direct loads.
template <typename T>
T at(const TensorView& v, int k) {
  T x;
  std::memcpy(&x, static_cast<const char*>(v.data) + k * sizeof(T), sizeof(T));
  return x;
}

// The generator's element k is (k - 3) (times 0.5 for floats).
void check_reference(const SafetensorsFile& f) {
  EXPECT_EQ(f.tensors().size(), 13u);
  TensorView a = f.find("a.f64");
  EXPECT_EQ(a.shape_str(), "[2, 3]");
  for (int k = 0; k < 6; ++k) EXPECT_EQ(at<double>(a, k), (k - 3) * 0.5);
  TensorView b = f.find("b.f32");
  for (int k = 0; k < 7; ++k) EXPECT_EQ(at<float>(b, k), (k - 3) * 0.5f);
  TensorView c = f.find("c.f16");
  EXPECT_EQ(c.dtype, DType::F16);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(fp16_to_fp32(at<uint16_t>(c, k)), (k - 3) * 0.5f);
  TensorView d = f.find("d.bf16");
  EXPECT_EQ(d.shape_str(), "[3, 1, 2]");
  for (int k = 0; k < 6; ++k) EXPECT_EQ(bf16_to_fp32(at<uint16_t>(d, k)), (k - 3) * 0.5f);
  for (int k = 0; k < 2; ++k) EXPECT_EQ(at<int64_t>(f.find("e.i64"), k), k - 3);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(at<int32_t>(f.find("f.i32"), k), k - 3);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(at<int16_t>(f.find("g.i16"), k), k - 3);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(f.find("h.i8").as<int8_t>()[k], k - 3);
  EXPECT_EQ(f.find_info("i.u8")->st_dtype, "U8");
  EXPECT_EQ(f.find("i.u8").dtype, DType::I8);
  EXPECT_EQ(f.find("j.bool").as<uint8_t>()[1], 1);
  TensorView s = f.find("k.scalar");
  EXPECT_EQ(s.ndim, 0);
  EXPECT_EQ(at<float>(s, 0), -1.5f);
  TensorView w = f.find("w.weight");
  EXPECT_EQ(w.dtype, DType::F8_E4M3);
  EXPECT_EQ(w.shape_str(), "[130, 2]");
  ASSERT_NE(w.block_scale, nullptr);  // [ceil(130/128), ceil(2/128)] = [2, 1]
  EXPECT_EQ(w.block_scale[1], 2.0f);
  EXPECT_EQ(w.as<uint8_t>()[129], (129 * 37) % 256 & 0x7f);
  EXPECT_EQ(f.find("w.weight_scale_inv").block_scale, nullptr);
  EXPECT_THROW(f.find("missing"), FormatError);
}

TEST(Safetensors, ReadsReferenceFile) {
  SafetensorsFile f = SafetensorsFile::open(kRef + "/all_dtypes.safetensors");
  check_reference(f);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().at("k"), "v");
  EXPECT_EQ(f.tensors().front().name, "a.f64");  // file order
}

TEST(Safetensors, ReadsShardedCheckpoint) {
  for (std::string p : {kRef + "/sharded", kRef + "/sharded/model.safetensors.index.json"}) {
    SafetensorsFile f = SafetensorsFile::open(p);
    check_reference(f);
    EXPECT_EQ(f.files().size(), 2u);
    EXPECT_EQ(f.find_info("w.weight")->file_index, 1);
    EXPECT_EQ(f.find_info("a.f64")->file_index, 0);
    EXPECT_TRUE(f.metadata().count("total_size"));
  }
}

std::string temp_dir(const std::string& tag) {
  std::string d = fs::temp_directory_path() / ("seek_st_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(Safetensors, WriterRoundTripsReference) {
  SafetensorsFile ref = SafetensorsFile::open(kRef + "/all_dtypes.safetensors");
  SafetensorsWriter w;
  for (const auto& t : ref.tensors()) w.add(t.name, t.view, t.st_dtype);
  for (const auto& [k, v] : ref.metadata()) w.set_metadata(k, v);
  std::string dir = temp_dir("rt");
  w.write(dir + "/one.safetensors");
  SafetensorsFile one = SafetensorsFile::open(dir + "/one.safetensors");
  // U8/BOOL come back as I8 (the bytes are the same); everything else is as written.
  EXPECT_EQ(one.tensors().size(), ref.tensors().size());
  for (const auto& t : ref.tensors()) {
    const SafetensorsTensorInfo* u = one.find_info(t.name);
    ASSERT_NE(u, nullptr) << t.name;
    EXPECT_EQ(u->view.shape, t.view.shape);
    EXPECT_EQ(u->end - u->begin, t.end - t.begin);
    EXPECT_EQ(std::memcmp(u->view.data, t.view.data, t.end - t.begin), 0) << t.name;
  }
  EXPECT_EQ(one.metadata(), ref.metadata());
  for (const auto& t : one.tensors()) {  // seek's own files keep every view aligned
    size_t esize = dtype_info(t.view.dtype).type_size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.view.data) % esize, 0u) << t.name;
  }
  // The header is a multiple of 8 bytes, padded with spaces.
  std::vector<uint8_t> bytes = w.to_bytes();
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  auto h = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + n);
  EXPECT_EQ(h["b.f32"]["dtype"], "F32");

  std::vector<std::string> files = w.write_sharded(dir, 100, "model");
  EXPECT_GE(files.size(), 4u);  // >= 3 shards + index
  SafetensorsFile sh = SafetensorsFile::open(dir);
  EXPECT_GE(sh.files().size(), 3u);
  check_reference(sh);
  fs::remove_all(dir);
}

TEST(Safetensors, NonContiguousAndErrors) {
  std::vector<float> m = {0, 1, 2, 3, 4, 5};  // [3, 2]
  TensorView v = TensorView::contiguous(DType::F32, {3, 2}, m.data());
  v.shape[0] = 2;
  v.stride[0] = 16;  // rows 0 and 2
  SafetensorsWriter w;
  w.add("x", v);
  EXPECT_THROW(w.add("x", v), UsageError);
  uint8_t q[34] = {};
  EXPECT_THROW(w.add("q", TensorView::contiguous(DType::Q8_0, {32}, q)), UsageError);
  EXPECT_THROW(w.add("__metadata__", v), UsageError);
  EXPECT_THROW(w.add("y", v, "I32"), UsageError);  // spelling does not match the view
  EXPECT_THROW(w.add("y", v, "C64"), UsageError);
  w.add("", v);  // found by fuzz_safetensors: readers accept an empty name, so the writer does
  std::vector<uint8_t> b = w.to_bytes();
  SafetensorsFile f = SafetensorsFile::parse(b.data(), b.size());
  EXPECT_TRUE(f.has(""));
  const float* got = f.find("x").as<float>();
  EXPECT_EQ(std::vector<float>(got, got + 4), (std::vector<float>{0, 1, 4, 5}));
}

std::vector<uint8_t> image(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> b(8);
  uint64_t n = header.size();
  std::memcpy(b.data(), &n, 8);
  b.insert(b.end(), header.begin(), header.end());
  b.resize(b.size() + data_bytes);
  return b;
}

void expect_error(const std::vector<uint8_t>& b, const std::string& needle) {
  try {
    SafetensorsFile::parse(b.data(), b.size(), "bad.safetensors");
    ADD_FAILURE() << "no error, expected " << needle;
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what() << "\nwanted: " << needle;
  }
}

TEST(Safetensors, BadFiles) {
  expect_error({1, 2, 3}, "truncated");
  std::vector<uint8_t> b = image("{}", 0);
  b[0] = 100;
  expect_error(b, "runs past the end");
  expect_error(image("{\"a\": [1", 0), "not valid JSON");
  expect_error(image("[1]", 0), "must be a JSON object");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4), "outside the data section");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "needs 3 x 4");
  expect_error(image(R"({"x":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", 8),
               "unknown or unsupported dtype \"C64\"");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 8), "outside");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[1,1,1,1,1],"data_offsets":[0,4]}})", 8), "at most 4 dims");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 8), "non-negative");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 8), "[begin, end]");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[1]}})", 8), "missing \"data_offsets\"");
  expect_error(image(R"({"x":{"dtype":"I8","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})", 8),
               "overflows");
  expect_error(
      image(
          R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
          8),
      "overlap");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}})", 8), "overflows");
  // Found by fuzz_safetensors: a 0 last dim made TensorView::nbytes() divide by zero.
  expect_error(image(R"({"x":{"dtype":"F32","shape":[4,0],"data_offsets":[0,0]}})", 8), "has a 0 dimension");
  expect_error(image(R"({"x":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]}})", 8), "has a 0 dimension");
  expect_error(image(R"({"__metadata__":{"a":1}})", 0), "must be a string");
  // F8 weight with a scale of the wrong shape: the file parses, find() names the problem.
  std::vector<uint8_t> f8 = image(R"({"w":{"dtype":"F8_E4M3","shape":[2,2],"data_offsets":[0,4]},)"
                                  R"("w_scale_inv":{"dtype":"F32","shape":[2,1],"data_offsets":[4,12]}})",
                                  12);
  SafetensorsFile f = SafetensorsFile::parse(f8.data(), f8.size());
  EXPECT_THROW(f.find("w"), FormatError);
}

TEST(Safetensors, EveryTruncationFails) {
  std::vector<uint8_t> full;
  {
    SafetensorsFile ref = SafetensorsFile::open(kRef + "/all_dtypes.safetensors");
    SafetensorsWriter w;
    for (const auto& t : ref.tensors()) w.add(t.name, t.view);
    full = w.to_bytes();
  }
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<uint8_t> cut(full.begin(), full.begin() + n);
    EXPECT_THROW(SafetensorsFile::parse(cut.data(), cut.size()), FormatError) << n;
  }
}

TEST(Safetensors, ShardedIndexErrors) {
  std::string dir = temp_dir("idx");
  float x = 1;
  SafetensorsWriter w;
  w.add("a", TensorView::contiguous(DType::F32, {1}, &x));
  w.write(dir + "/s1.safetensors");
  auto write_index = [&](const std::string& text) {
    FILE* fp = std::fopen((dir + "/model.safetensors.index.json").c_str(), "w");
    std::fputs(text.c_str(), fp);
    std::fclose(fp);
  };
  write_index(R"({"weight_map": {"a": "s1.safetensors", "b": "s1.safetensors"}})");
  EXPECT_THROW(SafetensorsFile::open(dir), FormatError);
  write_index(R"({"weight_map": {"a": "../s1.safetensors"}})");
  EXPECT_THROW(SafetensorsFile::open(dir), FormatError);
  write_index(R"({"weight_map": {"a": "missing.safetensors"}})");
  EXPECT_THROW(SafetensorsFile::open(dir), Error);
  write_index(R"({"weight_map": [1]})");
  EXPECT_THROW(SafetensorsFile::open(dir), FormatError);
  write_index(R"({"weight_map": {"a": "s1.safetensors"}})");
  EXPECT_EQ(SafetensorsFile::open(dir).tensors().size(), 1u);
  fs::remove_all(dir);
  EXPECT_THROW(SafetensorsFile::open(dir), Error);
}

}  // namespace
}  // namespace seek
