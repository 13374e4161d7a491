// Random valid blocks of the ternary, FP4 and 1- / 2-bit types (TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0,
// Q2_0) for tests that have no quantizer to make them: every code value occurs, scales are finite
// and of moderate size (fp16 d in [0.01, 0.02), MXFP4 exponents 2^-8..2^1, NVFP4 any UE4M3 scale
// but the NaN code 0x7F, so 0, subnormals and the largest, 448, occur too).
// TQ1_0 bytes are packed from random trits the way ggml's quantizer packs them (ceil(v * 256 / 243));
// TQ2_0 codes are 0..2 (code 3 decodes to +2 but is not ternary, and no quantizer writes it).
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/float16.h"
#include "kernels/quant/blocks.h"

namespace seek {

// Fills bytes (already sized to whole blocks of t) with random valid blocks of t; false (bytes
// untouched) if t is not one of the six types above.
inline bool random_blocks_lowbit(DType t, std::vector<uint8_t>& bytes, uint32_t seed) {
  if (t != DType::TQ1_0 && t != DType::TQ2_0 && t != DType::MXFP4 && t != DType::NVFP4 && t != DType::Q1_0 &&
      t != DType::Q2_0)
    return false;
  std::mt19937 rng(seed);
  const auto fp16_scale = [&] { return fp32_to_fp16(0.01f * (1 + static_cast<float>(rng() % 100) / 100)); };
  // A TQ1_0 byte of n random trits (n = 5, or 4 followed by a 0 trit as qh bytes hold them).
  const auto trit_byte = [&](int n) {
    uint32_t v = 0;
    for (int i = 0; i < 5; ++i) v = 3 * v + (i < n ? static_cast<uint32_t>(rng() % 3) : 0);
    return static_cast<uint8_t>((v * 256 + 242) / 243);
  };
  const size_t bs = static_cast<size_t>(dtype_info(t).type_size), nb = bytes.size() / bs;
  for (size_t i = 0; i < nb; ++i) {
    uint8_t* p = bytes.data() + i * bs;
    switch (t) {
      case DType::TQ1_0: {
        BlockTQ1_0 b;
        for (uint8_t& q : b.qs) q = trit_byte(5);
        for (uint8_t& q : b.qh) q = trit_byte(4);
        b.d = fp16_scale();
        std::memcpy(p, &b, sizeof b);
        break;
      }
      case DType::TQ2_0: {
        BlockTQ2_0 b;
        for (uint8_t& q : b.qs) {
          q = 0;
          for (int l = 0; l < 4; ++l) q = static_cast<uint8_t>(q | (rng() % 3) << (2 * l));
        }
        b.d = fp16_scale();
        std::memcpy(p, &b, sizeof b);
        break;
      }
      case DType::MXFP4: {
        BlockMXFP4 b;
        b.e = static_cast<uint8_t>(119 + rng() % 10);  // 2^-8 .. 2^1
        for (uint8_t& q : b.qs) q = static_cast<uint8_t>(rng());
        std::memcpy(p, &b, sizeof b);
        break;
      }
      case DType::NVFP4: {
        BlockNVFP4 b;
        for (uint8_t& d : b.d) d = static_cast<uint8_t>(rng() % 0x7F);  // 0x00 .. 0x7E
        for (uint8_t& q : b.qs) q = static_cast<uint8_t>(rng());
        std::memcpy(p, &b, sizeof b);
        break;
      }
      case DType::Q1_0: {
        BlockQ1_0 b;
        b.d = fp16_scale();
        for (uint8_t& q : b.qs) q = static_cast<uint8_t>(rng());
        std::memcpy(p, &b, sizeof b);
        break;
      }
      default: {  // Q2_0
        BlockQ2_0 b;
        b.d = fp16_scale();
        for (uint8_t& q : b.qs) q = static_cast<uint8_t>(rng());
        std::memcpy(p, &b, sizeof b);
        break;
      }
    }
  }
  return true;
}

}  // namespace seek
