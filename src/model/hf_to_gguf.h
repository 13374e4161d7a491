// A Hugging Face checkpoint directory (config.json + safetensors + tokenizer files) seen as the
// GGUF that llama.cpp's convert_hf_to_gguf.py (de3ff81) would write from it: the same general.*,
// <arch>.* and tokenizer.* keys in the same order, the same tensor names, shapes, stored types and
// order, and the same values (DeepSeek's kv_b split into attn_k_b / attn_v_b, routed experts
// stacked, Llama's q/k rows permuted, FP8 weights multiplied by their 128x128 weight_scale_inv
// blocks, everything rounded to the converter's --outtype). Nothing is converted up front: rows
// are made on demand (read_rows), so `seek quantize` can stream a 671B checkpoint into any type.
// Architectures: DeepSeek-V2/V3/R1 (deepseek2), R1-Distill-Qwen (qwen2), R1-Distill-Llama (llama).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "formats/gguf.h"

namespace seek {

class ThreadPool;

struct HfGgufTensor {
  std::string name;            // GGUF name ("blk.3.attn_k_b.weight")
  DType dtype = DType::F32;    // as the converter stores it: F32 for 1-D, norms, routers, biases; else outtype
  std::vector<int64_t> shape;  // PyTorch order (GGUF ne reversed)
  int64_t cols() const { return shape.back(); }
  int64_t rows() const;  // every dim but the last
};

class HfGguf {
 public:
  // `outtype` is the converter's --outtype: "auto" (its default: BF16 or F16 as the first 2-D
  // BF16/F16 tensor of the checkpoint, else F16), "f32", "f16" or "bf16". Throws FormatError for
  // an architecture, tensor or quantization method the converter would refuse or seek lacks.
  static HfGguf open(const std::string& dir, const std::string& outtype = "auto");
  HfGguf(HfGguf&&) noexcept;
  HfGguf& operator=(HfGguf&&) noexcept;
  ~HfGguf();

  const std::string& dir() const;
  // general.architecture first, then general.*, <arch>.*, general.file_type (of the outtype),
  // general.quantization_version and tokenizer.*, in the converter's order.
  const std::vector<std::pair<std::string, GGUFValue>>& metadata() const;
  const std::vector<HfGgufTensor>& tensors() const;
  // The bytes of rows [r0, r1) of tensor i as the converted file holds them (row_bytes(dtype,
  // cols) each); rows are made in parallel on `pool`.
  void read_rows(size_t i, int64_t r0, int64_t r1, void* dst, ThreadPool& pool) const;
  // The converter's whole file (metadata and tensors, written tensor by tensor).
  void write(const std::string& path, ThreadPool& pool) const;

 private:
  struct Impl;
  explicit HfGguf(std::unique_ptr<Impl> impl);
  static HfGguf open_checked(const std::string& dir, const std::string& outtype);
  std::unique_ptr<Impl> impl_;
};

// Whether `path` is a directory holding config.json (a checkpoint to convert, not a GGUF file).
bool is_hf_checkpoint_dir(const std::string& path);

}  // namespace seek
