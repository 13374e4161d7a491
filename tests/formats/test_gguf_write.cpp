// GGUF writer round trips: every value type (nested arrays included) and several tensor types
// come back identical; the layout is checked against a hand-built image; atomic writes; splits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_raw.h"

namespace seek {
namespace {

namespace fs = std::filesystem;

std::string temp_dir(const std::string& tag) {
  std::string d = fs::temp_directory_path() / ("seek_fmt_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

GGUFValue every_type_array() {
  GGUFValue inner1 = GGUFValue::of_array(GGUFType::I16,
                                         {GGUFValue::of_int(GGUFType::I16, -3), GGUFValue::of_int(GGUFType::I16, 7)});
  GGUFValue inner2 = GGUFValue::of_array(GGUFType::I16, {});
  return GGUFValue::of_array(GGUFType::ARRAY, {inner1, inner2});
}

std::vector<std::pair<std::string, GGUFValue>> all_values() {
  return {
      {"t.u8", GGUFValue::of_int(GGUFType::U8, 255)},
      {"t.i8", GGUFValue::of_int(GGUFType::I8, -128)},
      {"t.u16", GGUFValue::of_int(GGUFType::U16, 65535)},
      {"t.i16", GGUFValue::of_int(GGUFType::I16, -32768)},
      {"t.u32", GGUFValue::of_u32(4000000000u)},
      {"t.i32", GGUFValue::of_i32(-2000000000)},
      {"t.f32", GGUFValue::of_f32(0.1f)},
      {"t.bool", GGUFValue::of_bool(true)},
      {"t.string", GGUFValue::of_string(std::string("h\xc3\xa9llo\0x", 8))},
      {"t.u64", GGUFValue::of_u64(18000000000000000000ull)},
      {"t.i64", GGUFValue::of_i64(-9000000000000000000ll)},
      {"t.f64", GGUFValue::of_f64(-1.0 / 3.0)},
      {"t.strings", GGUFValue::of_strings({"a", "", "ccc"})},
      {"t.i32s", GGUFValue::of_i32s({1, -2, 3})},
      {"t.f32s", GGUFValue::of_f32s({1.5f, -0.25f})},
      {"t.bools", GGUFValue::of_array(GGUFType::BOOL, {GGUFValue::of_bool(false), GGUFValue::of_bool(true)})},
      {"t.f64s", GGUFValue::of_array(GGUFType::F64, {GGUFValue::of_f64(1e300)})},
      {"t.nested", every_type_array()},
      {"t.empty", GGUFValue::of_array(GGUFType::U8, {})},
  };
}

TEST(GGUFWrite, EveryValueTypeRoundTrips) {
  GGUFWriter w;
  auto values = all_values();
  for (const auto& [k, v] : values) w.set(k, v);
  w.set("t.u8", GGUFValue::of_int(GGUFType::U8, 254));  // replacing keeps the position
  values[0].second = GGUFValue::of_int(GGUFType::U8, 254);
  std::vector<uint8_t> bytes = w.to_bytes();
  GGUFFile f = GGUFFile::parse(bytes.data(), bytes.size());
  ASSERT_EQ(f.metadata().size(), values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    EXPECT_EQ(f.metadata()[k].first, values[k].first);
    EXPECT_TRUE(f.metadata()[k].second == values[k].second) << values[k].first;
  }
  EXPECT_EQ(f.get_int("t.i64"), -9000000000000000000ll);
  EXPECT_THROW(f.get_int("t.u64"), FormatError);  // does not fit int64
  EXPECT_EQ(f.find("t.f32")->f, static_cast<double>(0.1f));
  EXPECT_EQ(f.find("t.nested")->arr[0].as_ints(), (std::vector<int64_t>{-3, 7}));
}

TEST(GGUFWrite, TensorsRoundTripAndLayoutMatchesSpec) {
  // F32 [2, 3], F16 [4], Q8_0 [2, 32] (34-byte blocks), Q4_K [1, 256], BF16 [1, 2, 1, 3], I32 [5].
  std::vector<float> f32 = {1, 2, 3, 4, 5, 6};
  std::vector<uint16_t> f16 = {0x3c00, 0x4000, 0xc000, 0x0001};
  std::vector<uint8_t> q8(2 * 34), q4k(144), bf16(12);
  for (size_t k = 0; k < q8.size(); ++k) q8[k] = uint8_t(k * 7 + 1);
  for (size_t k = 0; k < q4k.size(); ++k) q4k[k] = uint8_t(k ^ 0x5a);
  for (size_t k = 0; k < bf16.size(); ++k) bf16[k] = uint8_t(200 - k);
  std::vector<int32_t> i32 = {-1, 2, -3, 4, -5};
  GGUFWriter w;
  w.set("general.architecture", GGUFValue::of_string("test"));
  w.set_alignment(64);
  w.add_tensor("a", TensorView::contiguous(DType::F32, {2, 3}, f32.data()));
  w.add_tensor("b", TensorView::contiguous(DType::F16, {4}, f16.data()));
  w.add_tensor("c", TensorView::contiguous(DType::Q8_0, {2, 32}, q8.data()));
  w.add_tensor("d", TensorView::contiguous(DType::Q4_K, {1, 256}, q4k.data()));
  w.add_tensor("e", TensorView::contiguous(DType::BF16, {1, 2, 1, 3}, bf16.data()));
  w.add_tensor("f", TensorView::contiguous(DType::I32, {5}, i32.data()));
  std::vector<uint8_t> bytes = w.to_bytes();

  // The same file by hand, following the spec.
  test::Raw r;
  r.header(6, 2).kv_str("general.architecture", "test").kv_u32("general.alignment", 64);
  r.tensor("a", {3, 2}, 0, 0).tensor("b", {4}, 1, 64).tensor("c", {32, 2}, 8, 128).tensor("d", {256, 1}, 12, 256);
  r.tensor("e", {3, 1, 2, 1}, 30, 448).tensor("f", {5}, 26, 512).pad(64);
  r.bytes(f32.data(), 24).pad(64).bytes(f16.data(), 8).pad(64).bytes(q8.data(), 68).pad(64);
  r.bytes(q4k.data(), 144).pad(64).bytes(bf16.data(), 12).pad(64).bytes(i32.data(), 20).pad(64);
  EXPECT_EQ(bytes, r.b);

  GGUFFile f = GGUFFile::parse(bytes.data(), bytes.size());
  EXPECT_EQ(f.alignment(), 64u);
  ASSERT_EQ(f.tensors().size(), 6u);
  const GGUFTensorInfo& e = *f.find_tensor("e");
  EXPECT_EQ(e.view.shape_str(), "[1, 2, 1, 3]");
  EXPECT_EQ(e.ne[0], 3);
  EXPECT_EQ(e.ne[2], 2);
  EXPECT_EQ(std::memcmp(e.view.data, bf16.data(), 12), 0);
  EXPECT_EQ(std::memcmp(f.find_tensor("d")->view.data, q4k.data(), 144), 0);
  EXPECT_EQ(f.find_tensor("c")->nbytes, 68u);
  EXPECT_EQ(f.find_tensor("c")->view.dtype, DType::Q8_0);
}

// Every prefix of a file holding every value type and a tensor fails to parse, up to the end
// of the tensor's data (only the trailing zero padding may be cut).
TEST(GGUFWrite, EveryTruncationOfEveryValueTypeFails) {
  GGUFWriter w;
  for (const auto& [k, v] : all_values()) w.set(k, v);
  float x[3] = {1, 2, 3};
  w.add_tensor("x", TensorView::contiguous(DType::F32, {3}, x));
  std::vector<uint8_t> bytes = w.to_bytes();
  size_t needed = bytes.size() - (32 - 12);  // 12 data bytes padded to 32
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    if (n < needed) EXPECT_THROW(GGUFFile::parse(cut.data(), cut.size()), FormatError) << n;
    else EXPECT_EQ(GGUFFile::parse(cut.data(), cut.size()).find_tensor("x")->view.as<float>()[2], 3.0f);
  }
}

TEST(GGUFWrite, NonContiguousViewIsPacked) {
  std::vector<float> m = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};  // [3, 4]
  TensorView v = TensorView::contiguous(DType::F32, {3, 4}, m.data());
  v.shape[0] = 2;
  v.stride[0] = 8 * 4;  // rows 0 and 2
  GGUFWriter w;
  w.add_tensor("x", v);
  std::vector<uint8_t> bytes = w.to_bytes();
  GGUFFile f = GGUFFile::parse(bytes.data(), bytes.size());
  const float* got = f.find_tensor("x")->view.as<float>();
  std::vector<float> want = {0, 1, 2, 3, 8, 9, 10, 11};
  EXPECT_EQ(std::vector<float>(got, got + 8), want);
}

TEST(GGUFWrite, RejectsWhatLlamaCppCannotRead) {
  GGUFWriter w;
  float x[32] = {};
  EXPECT_THROW(w.add_tensor(std::string(64, 'n'), TensorView::contiguous(DType::F32, {1}, x)), UsageError);
  EXPECT_THROW(w.add_tensor("fp8", TensorView::contiguous(DType::F8_E4M3, {4}, x)), UsageError);
  w.add_tensor("a", TensorView::contiguous(DType::F32, {1}, x));
  EXPECT_THROW(w.add_tensor("a", TensorView::contiguous(DType::F32, {1}, x)), UsageError);
  EXPECT_THROW(w.set_alignment(48), UsageError);
  EXPECT_THROW(GGUFValue::of_int(GGUFType::U8, 256), UsageError);
  EXPECT_THROW(GGUFValue::of_array(GGUFType::U8, {GGUFValue::of_u32(1)}), UsageError);
}

TEST(GGUFWrite, AtomicWriteLeavesOnlyTheFile) {
  std::string dir = temp_dir("atomic");
  GGUFWriter w;
  w.set("k", GGUFValue::of_string("v1"));
  w.write(dir + "/m.gguf");
  w.set("k", GGUFValue::of_string("v2"));
  w.write(dir + "/m.gguf");  // replaces
  EXPECT_EQ(GGUFFile::open(dir + "/m.gguf").get_string("k"), "v2");
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename() == "m.gguf" ? 1 : 100;
  EXPECT_EQ(n, 1);
  EXPECT_THROW(w.write(dir + "/no/such/dir/m.gguf"), Error);
  fs::remove_all(dir);
}

// gguf-split layout: 3 files, each a complete GGUF, metadata in the first.
void write_split(const std::string& dir, const std::vector<float>& data, int bad_part = -1, int64_t claimed = 3) {
  for (int k = 0; k < 3; ++k) {
    GGUFWriter w;
    if (k == 0) w.set("general.architecture", GGUFValue::of_string("llama"));
    w.set("split.no", GGUFValue::of_int(GGUFType::U16, k == bad_part ? 7 : k));
    w.set("split.count", GGUFValue::of_int(GGUFType::U16, 3));
    w.set("split.tensors.count", GGUFValue::of_int(GGUFType::I32, claimed));
    w.add_tensor("t" + std::to_string(k),
                 TensorView::contiguous(DType::F32, {2}, const_cast<float*>(data.data() + 2 * k)));
    char name[64];
    std::snprintf(name, sizeof name, "/m-%05d-of-%05d.gguf", k + 1, 3);
    w.write(dir + name);
  }
}

TEST(GGUFWrite, SplitFilesMerge) {
  std::string dir = temp_dir("split");
  std::vector<float> data = {1, 2, 3, 4, 5, 6};
  write_split(dir, data);
  for (const char* which : {"/m-00001-of-00003.gguf", "/m-00002-of-00003.gguf"}) {
    GGUFFile f = GGUFFile::open(dir + which);
    EXPECT_EQ(f.n_files(), 3u);
    EXPECT_EQ(f.architecture(), "llama");
    ASSERT_EQ(f.tensors().size(), 3u);
    EXPECT_EQ(f.find_tensor("t2")->file_index, 2);
    EXPECT_EQ(f.find_tensor("t2")->view.as<float>()[1], 6.0f);
    EXPECT_EQ(f.find_tensor("t1")->view.as<float>()[0], 3.0f);
  }
  write_split(dir, data, -1, 4);
  try {
    GGUFFile::open(dir + "/m-00001-of-00003.gguf");
    ADD_FAILURE() << "no throw";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("split.tensors.count = 4"), std::string::npos) << e.what();
  }
  write_split(dir, data, 2);
  EXPECT_THROW(GGUFFile::open(dir + "/m-00001-of-00003.gguf"), FormatError);
  write_split(dir, data);
  fs::remove(dir + "/m-00003-of-00003.gguf");
  EXPECT_THROW(GGUFFile::open(dir + "/m-00001-of-00003.gguf"), Error);
  fs::rename(dir + "/m-00001-of-00003.gguf", dir + "/renamed.gguf");
  EXPECT_THROW(GGUFFile::open(dir + "/renamed.gguf"), FormatError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace seek
