// libFuzzer target: the weight-type dispatch on any bytes. The input picks a ggml type id (any of
// 0..255, so unknown and non-computable ids are tried too), a row length and the kernel level;
// the rest is taken as the row's blocks. Whatever the bytes (grid indices, sign bits, E8M0 /
// UE4M3 scales, NaN fp16 scales), dequantize_row and the row-dot at every level must read only
// the row's bytes and either compute or throw seek's FormatError naming the type: never crash.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensor.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/quant/quant.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seek;
  if (size < 3) return 0;
  const int32_t id = data[0];
  const int64_t blocks = 1 + data[1] % 4;
  const KernelLevel level = static_cast<KernelLevel>(data[2] % 3);
  data += 3;
  size -= 3;
  if (!dtype_known(id)) return 0;
  const DType t = static_cast<DType>(id);
  const DTypeInfo& info = dtype_info(t);
  const int64_t K = blocks * info.block_size;
  const size_t rb = static_cast<size_t>(blocks * info.type_size);
  if (size < rb) return 0;
  // An exact-size heap copy, so AddressSanitizer sees any read past the row.
  std::vector<uint8_t> row(data, data + rb);
  std::vector<float> out(static_cast<size_t>(K));
  try {
    dequantize_row(t, row.data(), out.data(), K);
  } catch (const FormatError&) {
  }
  if (level <= detected_kernel_level()) set_kernel_level(level);
  std::vector<float> x(static_cast<size_t>(K) * 2);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 17) - 8) * 0.25f;
  float y[2] = {0, 0};
  try {
    if (t == DType::Q8_K || t == DType::Q8_1 || !dtype_computable(t)) throw FormatError("not a weight type");
    TensorView w = TensorView::contiguous(t, {1, K}, row.data());
    std::vector<float> scale(static_cast<size_t>((K + 127) / 128), 1.0f);
    if (t == DType::F8_E4M3) w.block_scale = scale.data();
    matvec_here(w, x.data(), y);          // the level's kernel
    ref::matvec(w, x.data() + K, y + 1);  // the scalar reference
  } catch (const FormatError&) {
  }
  return 0;
}
