// Activation packing for matmul (see activations.h for the layouts).
#include "kernels/quant/activations.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/float16.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/quant/activations_simd.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_impl.h"

namespace seek {

namespace {

size_t round64(size_t n) { return (n + 63) & ~static_cast<size_t>(63); }

// One column in Q8_0 lanes form: the bytes of quantize_q8_0, split into qs and lane scales,
// then each lane's offset correction -offset * (sum of its 4 qs) for weights read as unsigned
// (Q4_0 nibbles are w + 8, Q8_0 bytes xor 0x80 are w + 128).
void pack_q8_0_lanes(const float* x, int64_t K, int32_t offset, uint8_t* dst) {
  int8_t* qs = reinterpret_cast<int8_t*>(dst);
  float* ds = reinterpret_cast<float*>(dst + K);
  int32_t* corr = reinterpret_cast<int32_t*>(dst + 2 * K);
  BlockQ8_0 b;
  for (int64_t i = 0; i < K / kQK; ++i) {
    quant::quantize_q8_0(x + i * kQK, &b, 1);
    std::memcpy(qs + i * kQK, b.qs, kQK);
    const float d = fp16_to_fp32(b.d);
    for (int l = 0; l < kQK / 4; ++l) {
      ds[i * (kQK / 4) + l] = d;
      const int8_t* q = b.qs + 4 * l;
      corr[i * (kQK / 4) + l] = -offset * (q[0] + q[1] + q[2] + q[3]);
    }
  }
}

// One column in Q8_1 lanes form (Q4_1 / Q5_1 weights): qs and lane scales as Q8_0's, then each
// lane's block sum s = d * sum(qs) as ggml's block_q8_1 stores it (fp16-rounded), as float.
void pack_q8_1_lanes(const float* x, int64_t K, uint8_t* dst) {
  int8_t* qs = reinterpret_cast<int8_t*>(dst);
  float* ds = reinterpret_cast<float*>(dst + K);
  float* sums = reinterpret_cast<float*>(dst + 2 * K);
  BlockQ8_0 b;
  for (int64_t i = 0; i < K / kQK; ++i) {
    const float s = quant::quantize_q8_1(x + i * kQK, &b);
    std::memcpy(qs + i * kQK, b.qs, kQK);
    for (int l = 0; l < kQK / 4; ++l) {
      ds[i * (kQK / 4) + l] = fp16_to_fp32(b.d);
      sums[i * (kQK / 4) + l] = s;
    }
  }
}

}  // namespace

DType activation_type(DType w) {
  switch (w) {
    case DType::Q4_1:
    case DType::Q5_1: return DType::Q8_1;
    case DType::Q4_0:
    case DType::Q5_0:
    case DType::Q8_0: return DType::Q8_0;
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K: return DType::Q8_K;
    default: return DType::F32;
  }
}

size_t activation_col_bytes(DType w, int64_t K) {
  DType a = activation_type(w);
  if (a == DType::Q8_0 || a == DType::Q8_1) {
    row_bytes(DType::Q8_0, K);  // throws unless whole blocks
    return round64(3 * static_cast<size_t>(K));
  }
  return round64(row_bytes(a, K));
}

void quantize_activations(DType w, const float* X, int64_t N, int64_t K, void* dst) {
  const size_t cb = activation_col_bytes(w, K);
  uint8_t* out = static_cast<uint8_t*>(dst);
  const DType a = activation_type(w);
  const bool simd = kernel_level() >= KernelLevel::AVX512;  // same bytes, faster
  for (int64_t n = 0; n < N; ++n) {
    const float* x = X + n * K;
    uint8_t* o = out + n * cb;
    if (a == DType::Q8_1) {
      pack_q8_1_lanes(x, K, o);
    } else if (a == DType::Q8_0) {
      const int32_t offset = w == DType::Q4_0 ? 8 : w == DType::Q5_0 ? 16 : 128;
      if (simd) {
        simd::pack_q8_0_lanes_avx512(x, K, offset, o);
      } else {
        pack_q8_0_lanes(x, K, offset, o);
      }
    } else if (a == DType::Q8_K) {
      if (simd) {
        simd::quantize_q8_K_avx512(x, reinterpret_cast<BlockQ8_K*>(o), K / kQKK);
      } else {
        quant::quantize_q8_K(x, reinterpret_cast<BlockQ8_K*>(o), K / kQKK);
      }
    } else {
      std::memcpy(o, x, static_cast<size_t>(K) * 4);
    }
  }
}

float quantize_row_int8(const float* x, int64_t n, int8_t* q) {
  float amax = 0;
  for (int64_t i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  const float d = amax / 127;
  const float id = d ? 1.0f / d : 0.0f;
  for (int64_t i = 0; i < n; ++i) q[i] = static_cast<int8_t>(std::round(x[i] * id));
  return d;
}

}  // namespace seek
