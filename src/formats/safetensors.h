// safetensors, Hugging Face's weight format: u64 LE header length, a JSON header
// {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then the raw bytes.
// Reader (mmap; single files, sharded checkpoints through model.safetensors.index.json, or a
// directory holding either) and atomic writer (one file, or shards + index).
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

struct SafetensorsTensorInfo {
  std::string name;
  std::string st_dtype;  // as the file spells it: "BF16", "F8_E4M3", "U8", "BOOL", ...
  int file_index = 0;    // which shard holds it (see SafetensorsFile::files())
  uint64_t begin = 0;    // data_offsets, relative to the shard's data section
  uint64_t end = 0;
  TensorView view;  // PyTorch order, data in the mapping. U8 and BOOL are viewed as I8.
};
// Views point into the mapping at the file's offsets, so a file that packs odd-sized tensors
// gives unaligned views; F32 "*_scale_inv" tensors are copied to aligned memory when so.

// The safetensors dtype spelling <-> seek::DType. U8 and BOOL map to I8 (same bytes).
// Throws FormatError for a dtype seek does not read.
DType safetensors_dtype(const std::string& st_dtype);
std::string safetensors_dtype_name(DType t);  // "F32", "BF16", "F8_E4M3", ... (UsageError if none)

class SafetensorsFile {
 public:
  // A .safetensors file, a model.safetensors.index.json, or a directory holding
  // model.safetensors.index.json, model.safetensors or exactly one *.safetensors.
  static SafetensorsFile open(const std::string& path_or_dir);
  // Parses an in-memory image (fuzz target, tests); `data` must outlive the result.
  static SafetensorsFile parse(const uint8_t* data, size_t size, const std::string& name = "<memory>");

  const std::vector<SafetensorsTensorInfo>& tensors() const { return tensors_; }
  const SafetensorsTensorInfo* find_info(const std::string& name) const;
  // The tensor's view; throws FormatError naming the checkpoint when absent. An F8_E4M3
  // "X.weight" gets block_scale from "X.weight_scale_inv" (f32 [ceil(rows/128), ceil(cols/128)]).
  TensorView find(const std::string& name) const;
  bool has(const std::string& name) const { return index_.count(name) != 0; }
  // __metadata__ of the (first) file, merged with the index's "metadata" (stringified).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::vector<std::string>& files() const { return file_names_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<SafetensorsTensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
  std::vector<std::string> file_names_;
  std::vector<std::shared_ptr<MappedFile>> maps_;
  std::vector<std::shared_ptr<std::vector<float>>> owned_;  // aligned copies of misaligned scales

  void align_scales();
  void add_shard(SafetensorsFile&& shard, int file_index);
};

// Collects views and writes them (copied at write time) atomically.
class SafetensorsWriter {
 public:
  // `st_dtype` overrides the spelling written ("U8", "BOOL" for an I8 view); empty = from t.dtype.
  void add(const std::string& name, const TensorView& t, const std::string& st_dtype = "");
  void set_metadata(const std::string& key, const std::string& value);
  void write(const std::string& path) const;
  std::vector<uint8_t> to_bytes() const;
  // Shards of at most `max_shard_bytes` of tensor data (a bigger tensor gets a shard of its own)
  // named PREFIX-0000k-of-0000n.safetensors in `dir`, plus PREFIX.safetensors.index.json.
  // One shard is written as PREFIX.safetensors without an index. Returns the files written.
  std::vector<std::string> write_sharded(const std::string& dir, size_t max_shard_bytes,
                                         const std::string& prefix = "model") const;

 private:
  struct Entry {
    std::string name;
    TensorView view;
    std::string st_dtype;
  };
  std::vector<Entry> tensors_;
  std::map<std::string, std::string> metadata_;
  void emit(const std::vector<size_t>& which, const std::function<void(const void*, size_t)>& sink) const;
};

}  // namespace seek
