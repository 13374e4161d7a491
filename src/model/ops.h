// Elementwise and row-wise operations of the forward pass, scalar and obvious (the heavy lifting
// is in kernels/matmul). Shapes in PyTorch order; all f32.
#pragma once
#include <cstdint>

#include "core/numeric.h"  // softmax_inplace, shared with the trainer

namespace seek {

// y[n] = x[n] / sqrt(mean(x^2) + eps) * w[n]   (in place allowed)
void rmsnorm(const float* x, const float* w, float* y, int64_t n, float eps);
// gate[i] = silu(gate[i]) * up[i]   (SwiGLU's elementwise part)
void silu_mul(float* gate, const float* up, int64_t n);
// y[i] += a * x[i]
void axpy(float a, const float* x, float* y, int64_t n);
// y[i] += x[i]
void add_inplace(float* y, const float* x, int64_t n);
float dot(const float* a, const float* b, int64_t n);

}  // namespace seek
