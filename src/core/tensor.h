// Non-owning tensor views in PyTorch dimension order: shape[ndim-1] is the contiguous one.
// A weight of PyTorch shape (out, in) is GGUF ne = {in, out} with the same bytes; seek always
// speaks PyTorch order. Block-quantized types are viewed as rows of whole blocks.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/dtype.h"

namespace seek {

constexpr int kMaxDims = 4;

struct TensorView {
  DType dtype = DType::F32;
  int ndim = 0;
  std::array<int64_t, kMaxDims> shape{};   // PyTorch order
  std::array<int64_t, kMaxDims> stride{};  // bytes between neighbours along each dim (last dim: per block)
  void* data = nullptr;
  // F8_E4M3 only: fp32 multipliers, one per 128x128 block of the last two dims
  // ([ceil(rows/128), ceil(cols/128)], DeepSeek-V3's weight_scale_inv), else null.
  const float* block_scale = nullptr;

  // A contiguous view of `data` with this shape (throws FormatError if the last dim is not whole blocks).
  static TensorView contiguous(DType dtype, std::initializer_list<int64_t> shape, void* data);
  static TensorView contiguous(DType dtype, const int64_t* shape, int ndim, void* data);

  int64_t numel() const;
  size_t nbytes() const;  // of a contiguous tensor with this shape
  int64_t cols() const { return ndim ? shape[ndim - 1] : 1; }
  int64_t rows() const { return ndim == 0 ? 1 : cols() == 0 ? 0 : numel() / cols(); }  // all leading dims flattened
  bool is_contiguous() const;
  // Pointer to row r of the flattened [rows, cols] matrix (contiguous leading dims assumed).
  void* row(int64_t r) const { return ndim >= 2 ? static_cast<char*>(data) + r * stride[ndim - 2] : data; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
  // Sub-tensor i along dim 0 (drops that dim).
  TensorView slice0(int64_t i) const;
  std::string shape_str() const;  // "[576, 7168]"
};

}  // namespace seek
