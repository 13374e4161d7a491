// What `seek quantize` reads: a GGUF file, or a Hugging Face checkpoint directory seen as the GGUF
// llama.cpp's convert_hf_to_gguf.py would write from it (model/hf_to_gguf.h), so that quantizing a
// checkpoint gives what convert_hf_to_gguf.py followed by llama-quantize gives. The accessors are
// GGUFFile's, so the command reads both the same way; tensor bytes come through rows(), which for
// a checkpoint makes them on demand (no converted copy is ever written or held whole).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats/gguf.h"

namespace seek {

class HfGguf;
class ThreadPool;

namespace cli {

class QuantInput {
 public:
  // A directory holding config.json is a checkpoint, converted with `hf_outtype` as the
  // converter's --outtype (auto, f32, f16, bf16); anything else is opened as a GGUF file.
  static QuantInput open(const std::string& path, const std::string& hf_outtype = "auto");
  QuantInput(QuantInput&&) noexcept;
  ~QuantInput();

  const std::string& path() const { return path_; }
  bool is_hf() const { return hf_ != nullptr; }
  const std::vector<std::pair<std::string, GGUFValue>>& metadata() const;
  const GGUFValue* find(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  int64_t get_int_or(const std::string& key, int64_t def) const;
  std::string architecture() const;
  // Every tensor's name, type, n_dims, ne and shape, in file order. For a checkpoint, view.data
  // is null: read the bytes with rows().
  const std::vector<GGUFTensorInfo>& tensors() const { return tensors_; }
  // The stored bytes of rows [r0, r1) of tensor i (a row: ne[0] values), valid until the next
  // call; made in parallel on `pool` for a checkpoint.
  const uint8_t* rows(size_t i, int64_t r0, int64_t r1, ThreadPool& pool) const;

 private:
  QuantInput() = default;
  std::string path_;
  std::unique_ptr<GGUFFile> gguf_;
  std::unique_ptr<HfGguf> hf_;
  std::vector<GGUFTensorInfo> tensors_;
  mutable std::vector<uint8_t> buf_;
};

}  // namespace cli
}  // namespace seek
