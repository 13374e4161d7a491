// GGUF, llama.cpp's model file: reader (versions 2 and 3, mmap, general.alignment, every value
// type, multi-file splits "-0000k-of-0000n.gguf") and writer. Tensor views come out in PyTorch
// dimension order (GGUF ne = {in, out} becomes shape [out, in]); data points into the mapping.
// Every size, count and offset is checked against the file before it is used.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "formats/mmap_file.h"

namespace seek {

enum class GGUFType : int32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};
const char* gguf_type_name(GGUFType t);

// One metadata value. Scalars live in i/u/f/b, strings in s, arrays in arr (element type in
// array_type; nested arrays allowed, as the spec allows).
struct GGUFValue {
  GGUFType type = GGUFType::U32;
  GGUFType array_type = GGUFType::U8;
  int64_t i = 0;   // signed integer types and BOOL (0/1)
  uint64_t u = 0;  // unsigned integer types
  double f = 0;    // F32, F64
  std::string s;   // STRING
  std::vector<GGUFValue> arr;

  bool is_integer() const;
  bool is_float() const { return type == GGUFType::F32 || type == GGUFType::F64; }
  // Conversions that throw FormatError naming `what` when the type does not fit.
  int64_t as_int(const std::string& what = "value") const;   // any integer type or bool
  double as_float(const std::string& what = "value") const;  // any number
  bool as_bool(const std::string& what = "value") const;     // bool or integer
  const std::string& as_string(const std::string& what = "value") const;
  std::vector<std::string> as_strings(const std::string& what = "value") const;  // array of string
  std::vector<int64_t> as_ints(const std::string& what = "value") const;         // array of integers
  std::vector<float> as_floats(const std::string& what = "value") const;         // array of numbers

  static GGUFValue of_u32(uint32_t v);
  static GGUFValue of_i32(int32_t v);
  static GGUFValue of_u64(uint64_t v);
  static GGUFValue of_f32(float v);
  static GGUFValue of_bool(bool v);
  static GGUFValue of_string(std::string v);
  static GGUFValue of_strings(const std::vector<std::string>& v);
  static GGUFValue of_i32s(const std::vector<int32_t>& v);
  static GGUFValue of_f32s(const std::vector<float>& v);
  static GGUFValue of_i64(int64_t v);
  static GGUFValue of_f64(double v);
  // Any scalar integer type (U8..I64) from a value that must fit it (else UsageError).
  static GGUFValue of_int(GGUFType t, int64_t v);
  // An array of `elem` values (all of type `elem`; nested arrays allowed).
  static GGUFValue of_array(GGUFType elem, std::vector<GGUFValue> items);

  // Same type and same value (arrays element-wise; F32/F64 bit-exact on the stored double).
  bool operator==(const GGUFValue& o) const;
};

struct GGUFTensorInfo {
  std::string name;
  DType dtype = DType::F32;
  int n_dims = 0;
  int64_t ne[kMaxDims] = {1, 1, 1, 1};  // GGUF order: ne[0] contiguous
  uint64_t offset = 0;                  // from the start of this tensor's file's data section
  size_t nbytes = 0;
  int file_index = 0;  // which split file holds it
  TensorView view;     // PyTorch order, data in the mapping
};

class GGUFFile {
 public:
  // Rejected with FormatError: version 1 or > 3, counts or lengths the file cannot hold, arrays
  // nested deeper than 8, n_dims outside 1..4, ne <= 0 or byte sizes over int64, unknown type
  // ids, rows that are not whole blocks, duplicate keys or tensor names, a general.alignment
  // that is not a power of two, tensor data misaligned, overlapping or past the end.
  // Opens `path`; when it is split ("name-00001-of-00003.gguf"), opens every part and merges
  // their tensors (metadata from the first). Throws FormatError naming path and problem.
  static GGUFFile open(const std::string& path);
  // Parses an in-memory image (used by the fuzz target and tests); `data` must outlive the result.
  static GGUFFile parse(const uint8_t* data, size_t size, const std::string& name = "<memory>");

  uint32_t version() const { return version_; }
  const std::string& path() const { return path_; }  // the opened (first) file, or the parse name
  size_t n_files() const { return files_.empty() ? 1 : files_.size(); }
  size_t alignment() const { return alignment_; }
  const std::vector<std::pair<std::string, GGUFValue>>& metadata() const { return kv_; }
  const std::vector<GGUFTensorInfo>& tensors() const { return tensors_; }

  const GGUFValue* find(const std::string& key) const;
  const GGUFTensorInfo* find_tensor(const std::string& name) const;
  // Typed getters: the *_or forms return the default when the key is absent; the plain forms
  // throw FormatError("missing key ...") when absent and on a type mismatch.
  int64_t get_int(const std::string& key) const;
  int64_t get_int_or(const std::string& key, int64_t def) const;
  double get_float(const std::string& key) const;
  double get_float_or(const std::string& key, double def) const;
  bool get_bool_or(const std::string& key, bool def) const;
  std::string get_string(const std::string& key) const;
  std::string get_string_or(const std::string& key, const std::string& def) const;
  // general.architecture, e.g. "deepseek2", "llama", "qwen2".
  std::string architecture() const { return get_string_or("general.architecture", ""); }

 private:
  uint32_t version_ = 0;
  std::string path_;
  size_t alignment_ = 32;
  std::vector<std::pair<std::string, GGUFValue>> kv_;
  std::map<std::string, size_t> kv_index_;
  std::vector<GGUFTensorInfo> tensors_;
  std::map<std::string, size_t> tensor_index_;
  std::vector<std::shared_ptr<MappedFile>> files_;
};

// Writes a GGUF v3 file atomically (temporary file, fsync, rename). Tensor data are given as
// views (PyTorch order; written as GGUF ne order) and copied at write() time. The layout is
// llama.cpp's byte for byte (a read-then-write of its files reproduces them); what llama.cpp
// cannot load is refused with UsageError (names over 63 bytes, F8_E4M3, duplicate names).
class GGUFWriter {
 public:
  void set(const std::string& key, GGUFValue v);  // replaces an existing key, keeps order
  void add_tensor(const std::string& name, const TensorView& t);
  // A tensor whose bytes are made at write() time, in file order: produce(sink) must pass exactly
  // the tensor's byte size to sink (e.g. a model quantized tensor by tensor, so the output is never
  // held in memory whole). shape in PyTorch order, as TensorView's.
  using ByteSinkFn = std::function<void(const void*, size_t)>;
  using Producer = std::function<void(const ByteSinkFn& sink)>;
  void add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& shape, Producer produce);
  void set_alignment(size_t a);
  void write(const std::string& path) const;
  // The whole file image in memory (tests, fuzz seeds).
  std::vector<uint8_t> to_bytes() const;
  // Size in bytes of the file write() would produce.
  size_t file_size() const;
  size_t n_tensors() const { return tensors_.size(); }

 private:
  void check_tensor(const std::string& name, const TensorView& t) const;
  // count_only: produced tensors are counted, not made (file_size()).
  void emit(const std::function<void(const void*, size_t)>& sink, bool count_only = false) const;

  std::vector<std::pair<std::string, GGUFValue>> kv_;
  std::vector<std::pair<std::string, TensorView>> tensors_;
  std::vector<Producer> producers_;  // per tensor: empty for a view's bytes
  size_t alignment_ = 32;
};

}  // namespace seek
