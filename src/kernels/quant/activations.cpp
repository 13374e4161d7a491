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

// One Q8_0 / Q8_1 activation block as llama.cpp's CPU backend makes it on x86
// (ggml-cpu quantize_row_q8_0 / _q8_1): d = amax / 127 stored as fp16, q = x * (127 / amax)
// rounded half to even. (Weights use the reference quantizer instead: roundf(x / d),
// quant_legacy.cpp; the two differ in about one value in 10^4.) Returns the unrounded d.
float q8_activation_block(const float* x, int8_t* qs, uint16_t* d16) {
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) amax = std::fmax(amax, std::fabs(x[j]));
  const float d = amax / 127.f;
  const float id = amax != 0.0f ? 127.f / amax : 0.0f;
  *d16 = fp32_to_fp16(d);
  for (int j = 0; j < kQK; ++j) qs[j] = static_cast<int8_t>(std::nearbyint(x[j] * id));
  return d;
}

// One column in Q8_0 lanes form: the block qs, the lane scales (the fp16 d of the lane's block),
// then each lane's offset correction -offset * (sum of its 4 qs) for weights read as unsigned
// (Q4_0 nibbles are w + 8, Q5_0 codes w + 16, Q8_0 bytes xor 0x80 are w + 128). Q8_1 lanes
// (Q4_1 / Q5_1 weights) carry each block's s = fp16(d * sum of qs) as float in corr's place.
void pack_q8_lanes(const float* x, int64_t K, bool q8_1, int32_t offset, uint8_t* dst) {
  int8_t* qs = reinterpret_cast<int8_t*>(dst);
  float* ds = reinterpret_cast<float*>(dst + K);
  int32_t* corr = reinterpret_cast<int32_t*>(dst + 2 * K);
  float* sums = reinterpret_cast<float*>(dst + 2 * K);
  for (int64_t i = 0; i < K / kQK; ++i) {
    int8_t* q = qs + i * kQK;
    uint16_t d16;
    const float d = q8_activation_block(x + i * kQK, q, &d16);
    float s = 0;  // Q8_1's block sum, as ggml's block_q8_1 stores it
    if (q8_1) {
      int sum = 0;
      for (int j = 0; j < kQK; ++j) sum += q[j];
      s = fp16_to_fp32(fp32_to_fp16(static_cast<float>(sum) * d));
    }
    for (int l = 0; l < kQK / 4; ++l) {
      ds[i * (kQK / 4) + l] = fp16_to_fp32(d16);
      if (q8_1) sums[i * (kQK / 4) + l] = s;
      else corr[i * (kQK / 4) + l] = -offset * (q[4 * l] + q[4 * l + 1] + q[4 * l + 2] + q[4 * l + 3]);
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
    case DType::IQ4_NL:
    case DType::MXFP4:
    case DType::NVFP4:
    case DType::Q1_0:
    case DType::Q2_0:
    case DType::Q8_0: return DType::Q8_0;
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::IQ4_XS:
    case DType::IQ2_XXS:
    case DType::IQ2_XS:
    case DType::IQ2_S:
    case DType::IQ3_XXS:
    case DType::IQ3_S:
    case DType::IQ1_S:
    case DType::IQ1_M:
    case DType::TQ1_0:
    case DType::TQ2_0:
    case DType::Q6_K: return DType::Q8_K;
    case DType::F16: return DType::F16;
    case DType::BF16: return DType::BF16;
    default: return DType::F32;
  }
}

size_t activation_col_bytes(DType w, int64_t K) {
  DType a = activation_type(w);
  if (a == DType::Q8_0 || a == DType::Q8_1) {
    row_bytes(DType::Q8_0, K);  // throws unless whole blocks
    return round64(3 * static_cast<size_t>(K));
  }
  if (a == DType::F16 || a == DType::BF16) return round64(4 * static_cast<size_t>(K));  // rounded, kept as f32
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
      pack_q8_lanes(x, K, true, 0, o);
    } else if (a == DType::Q8_0) {
      const int32_t offset = w == DType::Q4_0 ? 8 : w == DType::Q5_0 ? 16 : 128;
      if (simd) {
        simd::pack_q8_0_lanes_avx512(x, K, offset, o);
      } else {
        pack_q8_lanes(x, K, false, offset, o);
      }
    } else if (a == DType::Q8_K) {
      if (simd) {
        simd::quantize_q8_K_avx512(x, reinterpret_cast<BlockQ8_K*>(o), K / kQKK);
      } else {
        quant::quantize_q8_K(x, reinterpret_cast<BlockQ8_K*>(o), K / kQKK);
      }
    } else if ((a == DType::F16 || a == DType::BF16) && simd) {
      simd::round_half_avx512(x, K, a == DType::F16, reinterpret_cast<float*>(o));
    } else {
      std::memcpy(o, x, static_cast<size_t>(K) * 4);
      round_through_activation(a, reinterpret_cast<float*>(o), K);
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

void round_through_activation(DType a, float* x, int64_t n) {
  if (a == DType::F32) return;
  if (a == DType::F16 || a == DType::BF16) {
    const bool f16 = a == DType::F16;
    for (int64_t i = 0; i < n; ++i) x[i] = f16 ? fp16_to_fp32(fp32_to_fp16(x[i])) : bf16_to_fp32(fp32_to_bf16(x[i]));
    return;
  }
  row_bytes(a == DType::Q8_K ? DType::Q8_K : DType::Q8_0, n);  // throws unless whole blocks
  if (a == DType::Q8_K) {
    BlockQ8_K b;
    for (int64_t i = 0; i < n; i += kQKK) {
      quant::quantize_q8_K(x + i, &b, 1);
      quant::dequantize_q8_K(&b, x + i, 1);
    }
    return;
  }
  int8_t q[kQK];
  for (int64_t i = 0; i < n; i += kQK) {
    uint16_t d16;
    q8_activation_block(x + i, q, &d16);
    const float d = fp16_to_fp32(d16);
    for (int j = 0; j < kQK; ++j) x[i + j] = static_cast<float>(q[j]) * d;
  }
}

}  // namespace seek
