// Load-time weight transforms shared by the GGUF and safetensors loaders.
#include "model/weights.h"

#include <cstring>

#include "core/error.h"
#include "kernels/quant/quant.h"

namespace seek {

TensorView ModelWeights::new_f32(std::initializer_list<int64_t> shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  owned.emplace_back(new float[static_cast<size_t>(n)]());
  return TensorView::contiguous(DType::F32, shape, owned.back().get());
}

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
  TensorView out = TensorView::contiguous(DType::F32, t.shape.data(), t.ndim, dst);
  return out;
}

void split_wkv_b(const TensorView& wkv_b, const ModelConfig& c, MlaWeights& w, ModelWeights& mw) {
  const int64_t H = c.num_attention_heads, nope = c.qk_nope_head_dim, v = c.v_head_dim, r = c.kv_lora_rank;
  TensorView full = to_f32(wkv_b, mw);  // [H*(nope+v), r]
  const float* src = full.as<float>();
  w.w_uk_t = mw.new_f32({H, r, nope});
  w.w_uv = mw.new_f32({H, v, r});
  float* uk = w.w_uk_t.as<float>();
  float* uv = w.w_uv.as<float>();
  for (int64_t h = 0; h < H; ++h) {
    const float* head = src + h * (nope + v) * r;
    for (int64_t n = 0; n < nope; ++n)
      for (int64_t j = 0; j < r; ++j) uk[(h * r + j) * nope + n] = head[n * r + j];
    std::memcpy(uv + h * v * r, head + nope * r, sizeof(float) * v * r);
  }
}

void check_shape(const TensorView& t, const std::string& name, std::initializer_list<int64_t> shape) {
  bool ok = t.ndim == static_cast<int>(shape.size());
  int i = 0;
  for (int64_t s : shape) ok = ok && t.shape[i++] == s;
  if (ok) return;
  std::string want = "[";
  i = 0;
  for (int64_t s : shape) want += (i++ ? ", " : "") + std::to_string(s);
  want += "]";
  throw FormatError(str("tensor ", name, ": expected ", want, ", got ", t.shape_str()));
}

}  // namespace seek
