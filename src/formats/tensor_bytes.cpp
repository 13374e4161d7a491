// emit_tensor_bytes: walks the leading dims by their strides; the last dim is contiguous.
#include "formats/tensor_bytes.h"

namespace seek::detail {

void emit_tensor_bytes(const TensorView& t, const std::function<void(const void*, size_t)>& sink) {
  if (t.is_contiguous()) {
    if (t.nbytes()) sink(t.data, t.nbytes());
    return;
  }
  size_t row = row_bytes(t.dtype, t.cols());
  int64_t idx[kMaxDims] = {};
  for (int64_t r = 0; r < t.rows(); ++r) {
    const char* p = static_cast<const char*>(t.data);
    for (int d = 0; d + 1 < t.ndim; ++d) p += idx[d] * t.stride[d];
    if (row) sink(p, row);
    for (int d = t.ndim - 2; d >= 0; --d) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace seek::detail
