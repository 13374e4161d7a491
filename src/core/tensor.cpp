// TensorView helpers: contiguous construction, sizes, slicing.
#include "core/tensor.h"

#include "core/error.h"

namespace seek {

TensorView TensorView::contiguous(DType dtype, std::initializer_list<int64_t> shape, void* data) {
  return contiguous(dtype, shape.begin(), static_cast<int>(shape.size()), data);
}

TensorView TensorView::contiguous(DType dtype, const int64_t* shape, int ndim, void* data) {
  SEEK_ASSERT(ndim >= 0 && ndim <= kMaxDims);
  TensorView t;
  t.dtype = dtype;
  t.ndim = ndim;
  t.data = data;
  if (ndim == 0) return t;
  for (int i = 0; i < ndim; ++i) t.shape[i] = shape[i];
  const DTypeInfo& info = dtype_info(dtype);
  t.stride[ndim - 1] = info.type_size;  // per block along the contiguous dim
  int64_t s = static_cast<int64_t>(row_bytes(dtype, shape[ndim - 1]));
  for (int i = ndim - 2; i >= 0; --i) {
    t.stride[i] = s;
    s *= shape[i];
  }
  return t;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int i = 0; i < ndim; ++i) n *= shape[i];
  return n;
}

size_t TensorView::nbytes() const {
  if (ndim == 0) return dtype_info(dtype).type_size;
  if (shape[ndim - 1] == 0) return 0;
  return row_bytes(dtype, shape[ndim - 1]) * static_cast<size_t>(numel() / shape[ndim - 1]);
}

bool TensorView::is_contiguous() const {
  if (ndim == 0) return true;
  int64_t s = static_cast<int64_t>(row_bytes(dtype, shape[ndim - 1]));
  for (int i = ndim - 2; i >= 0; --i) {
    if (stride[i] != s) return false;
    s *= shape[i];
  }
  return true;
}

TensorView TensorView::slice0(int64_t i) const {
  SEEK_ASSERT(ndim >= 1 && i >= 0 && i < shape[0]);
  TensorView t;
  t.dtype = dtype;
  t.ndim = ndim - 1;
  for (int d = 1; d < ndim; ++d) {
    t.shape[d - 1] = shape[d];
    t.stride[d - 1] = stride[d];
  }
  t.data = static_cast<char*>(data) + i * stride[0];
  t.block_scale = block_scale;  // F8 3-D tensors are not sliced by seek's loaders
  return t;
}

std::string TensorView::shape_str() const {
  std::string s = "[";
  for (int i = 0; i < ndim; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace seek
