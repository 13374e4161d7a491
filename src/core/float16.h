// Scalar conversions between fp32 and the narrow float formats seek reads and writes:
// IEEE half (GGUF F16), bfloat16 (GGUF BF16), FP8 E4M3 (DeepSeek-V3 weights, OCP "fn" variant:
// no infinities, 0x7F/0xFF are NaN, max 448). Rounding is to nearest, ties to even, as ggml does.
#pragma once
#include <cstdint>
#include <cstring>

namespace seek {

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);

inline float bf16_to_fp32(uint16_t h) { return f32_from_bits(static_cast<uint32_t>(h) << 16); }
inline uint16_t fp32_to_bf16(float f) {
  uint32_t u = f32_bits(f);
  if ((u & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((u >> 16) | 64);  // quiet NaN
  return static_cast<uint16_t>((u + (0x7fff + ((u >> 16) & 1))) >> 16);
}

float fp8_e4m3_to_fp32(uint8_t v);
uint8_t fp32_to_fp8_e4m3(float f);  // saturates to +-448, NaN stays NaN

}  // namespace seek
