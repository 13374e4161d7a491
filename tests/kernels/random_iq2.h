// Random valid IQ2_XXS / IQ2_XS / IQ2_S blocks for the kernel tests (these types have no quantizer
// in seek). Every grid index, sign pattern and 4-bit scale is a valid code, so only the fp16 scale d
// needs care: it gets a random sign and a magnitude in [0.01, 0.02). The grid indices walk the
// codebook with a random odd stride from a random start, so any run of N consecutive groups (N = 256,
// 512, 1024 entries) uses every index once; signs and sub-block scales are random bits.
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/float16.h"
#include "kernels/quant/blocks.h"

namespace seek {

// Fills bytes (a whole number of blocks of type t) with random valid blocks; false if t is not an
// IQ2 type (bytes untouched).
inline bool random_blocks_iq2(DType t, std::vector<uint8_t>& bytes, uint32_t seed) {
  if (t != DType::IQ2_XXS && t != DType::IQ2_XS && t != DType::IQ2_S) return false;
  std::mt19937 rng(seed);
  const uint32_t n_grid = t == DType::IQ2_XXS ? 256 : t == DType::IQ2_XS ? 512 : 1024;
  const uint32_t stride = static_cast<uint32_t>(rng()) | 1;  // odd: coprime to the power-of-two n_grid
  uint32_t next = static_cast<uint32_t>(rng());
  auto next_index = [&] { return (next += stride) % n_grid; };
  auto scale = [&] {
    const float m = 0.01f * (1 + static_cast<float>(rng() % 1000) / 1000);
    return fp32_to_fp16(rng() & 1 ? -m : m);
  };
  auto fill = [&](uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(rng());
  };
  if (t == DType::IQ2_XXS) {
    // Per sub-block: qs[4 ib..4 ib+1] hold the 4 grid indices (a byte each), qs[4 ib+2..4 ib+3]
    // the 4 x 7 sign bits and the scale (bits 28..31 of that uint32): random.
    for (size_t off = 0; off + sizeof(BlockIQ2_XXS) <= bytes.size(); off += sizeof(BlockIQ2_XXS)) {
      BlockIQ2_XXS b;
      b.d = scale();
      for (int ib = 0; ib < 8; ++ib) {
        uint32_t idx = 0;
        for (int l = 0; l < 4; ++l) idx |= next_index() << (8 * l);
        const uint32_t sgn = static_cast<uint32_t>(rng());
        std::memcpy(b.qs + 4 * ib, &idx, 4);
        std::memcpy(b.qs + 4 * ib + 2, &sgn, 4);
      }
      std::memcpy(bytes.data() + off, &b, sizeof b);
    }
  } else if (t == DType::IQ2_XS) {
    // qs[g]: 9-bit grid index, 7 sign bits above it; scales: two random nibbles per sub-block.
    for (size_t off = 0; off + sizeof(BlockIQ2_XS) <= bytes.size(); off += sizeof(BlockIQ2_XS)) {
      BlockIQ2_XS b;
      b.d = scale();
      for (int g = 0; g < 32; ++g) b.qs[g] = static_cast<uint16_t>(next_index() | ((rng() & 0x7F) << 9));
      fill(b.scales, sizeof b.scales);
      std::memcpy(bytes.data() + off, &b, sizeof b);
    }
  } else {
    // qs[g] (g < 32): low 8 index bits; qh[g / 4] bits 2 (g % 4), +1: index bits 8, 9; qs[32 + g]:
    // the group's 8 sign bits; scales: two random nibbles per sub-block.
    for (size_t off = 0; off + sizeof(BlockIQ2_S) <= bytes.size(); off += sizeof(BlockIQ2_S)) {
      BlockIQ2_S b;
      b.d = scale();
      std::memset(b.qh, 0, sizeof b.qh);
      for (int g = 0; g < 32; ++g) {
        const uint32_t i = next_index();
        b.qs[g] = static_cast<uint8_t>(i & 0xFF);
        b.qh[g / 4] = static_cast<uint8_t>(b.qh[g / 4] | ((i >> 8) << (2 * (g % 4))));
      }
      fill(b.qs + 32, 32);
      fill(b.scales, sizeof b.scales);
      std::memcpy(bytes.data() + off, &b, sizeof b);
    }
  }
  return true;
}

}  // namespace seek
