// A view's bytes in row-major (PyTorch) order, as the writers store them: one call for a
// contiguous view, row by row otherwise. Internal to the formats layer.
#pragma once
#include <functional>

#include "core/tensor.h"

namespace seek::detail {

void emit_tensor_bytes(const TensorView& t, const std::function<void(const void*, size_t)>& sink);

}  // namespace seek::detail
