// Load-time helpers shared by every loader (weights.h).
#include "model/weights.h"

#include "core/error.h"
#include "kernels/quant/quant.h"

namespace seek {

TensorView ModelWeights::new_f32(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  owned.emplace_back(new float[static_cast<size_t>(n)]());
  return TensorView::contiguous(DType::F32, shape.data(), static_cast<int>(shape.size()), owned.back().get());
}

TensorView ModelWeights::new_f32(std::initializer_list<int64_t> shape) { return new_f32(std::vector<int64_t>(shape)); }

TensorView to_f32(const TensorView& t, ModelWeights& mw) {
  if (t.dtype == DType::F32) return t;
  const int64_t n = t.numel();
  mw.owned.emplace_back(new float[static_cast<size_t>(n)]);
  float* dst = mw.owned.back().get();
  const int64_t cols = t.cols();
  for (int64_t r = 0; r < t.rows(); ++r) dequantize_row(t.dtype, t.row(r), dst + r * cols, cols);
  if (t.dtype == DType::F8_E4M3 && t.block_scale) {
    // DeepSeek-V3 FP8: multiply each 128x128 block by its weight_scale_inv entry.
    const int64_t rows = t.rows(), bc = (cols + 127) / 128;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j) dst[r * cols + j] *= t.block_scale[(r / 128) * bc + j / 128];
  }
  return TensorView::contiguous(DType::F32, t.shape.data(), t.ndim, dst);
}

void check_shape(const TensorView& t, const std::string& name, const std::vector<int64_t>& shape) {
  bool ok = t.ndim == static_cast<int>(shape.size());
  for (size_t i = 0; ok && i < shape.size(); ++i) ok = t.shape[i] == shape[i];
  if (ok) return;
  std::string want = "[";
  for (size_t i = 0; i < shape.size(); ++i) want += (i ? ", " : "") + std::to_string(shape[i]);
  want += "]";
  throw FormatError(str("tensor ", name, ": expected ", want, ", got ", t.shape_str()));
}

}  // namespace seek
