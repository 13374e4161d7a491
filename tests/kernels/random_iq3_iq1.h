// Random valid IQ3_XXS / IQ3_S / IQ1_S / IQ1_M blocks for the kernel tests (these types have no
// quantizer in seek). Every grid index, sign bit, delta sign and 3- or 4-bit sub-block scale is a
// valid code, so only the fp16 super-block scale d needs care: it gets a random sign and a magnitude
// in [0.01, 0.02) (IQ1_M keeps it in the top nibbles of its 4 scale words). The grid indices walk
// the codebook with a random odd stride from a random start, so any run of N consecutive groups
// (N = 256, 512, 2048 codebook entries) uses every index once; everything else is random bits.
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/float16.h"
#include "kernels/quant/blocks.h"

namespace seek {

// Fills bytes (a whole number of blocks of type t) with random valid blocks; false if t is not one
// of IQ3_XXS, IQ3_S, IQ1_S, IQ1_M (bytes untouched).
inline bool random_blocks_iq3_iq1(DType t, std::vector<uint8_t>& bytes, uint32_t seed) {
  if (t != DType::IQ3_XXS && t != DType::IQ3_S && t != DType::IQ1_S && t != DType::IQ1_M) return false;
  std::mt19937 rng(seed);
  const uint32_t n_grid = t == DType::IQ3_XXS ? 256 : t == DType::IQ3_S ? 512 : 2048;
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
  auto each_block = [&](size_t block_bytes, auto make) {
    for (size_t off = 0; off + block_bytes <= bytes.size(); off += block_bytes) make(bytes.data() + off);
  };
  if (t == DType::IQ3_XXS) {
    // qs[0..64): one grid index (a byte) per group of 4; qs[64..96): per sub-block 4 x 7 sign bits
    // and the 4-bit scale (bits 28..31 of a uint32): random.
    each_block(sizeof(BlockIQ3_XXS), [&](uint8_t* p) {
      BlockIQ3_XXS b;
      b.d = scale();
      for (int g = 0; g < 64; ++g) b.qs[g] = static_cast<uint8_t>(next_index());
      fill(b.qs + 64, 32);
      std::memcpy(p, &b, sizeof b);
    });
  } else if (t == DType::IQ3_S) {
    // qs[g] (g < 64): low 8 bits of the 9-bit index of group g of 4; qh[g / 8] bit g % 8: bit 8.
    // signs (8 per group of 8) and scales (a nibble per sub-block): random.
    each_block(sizeof(BlockIQ3_S), [&](uint8_t* p) {
      BlockIQ3_S b;
      b.d = scale();
      std::memset(b.qh, 0, sizeof b.qh);
      for (int g = 0; g < 64; ++g) {
        const uint32_t i = next_index();
        b.qs[g] = static_cast<uint8_t>(i & 0xFF);
        b.qh[g / 8] = static_cast<uint8_t>(b.qh[g / 8] | ((i >> 8) << (g % 8)));
      }
      fill(b.signs, sizeof b.signs);
      fill(b.scales, sizeof b.scales);
      std::memcpy(p, &b, sizeof b);
    });
  } else if (t == DType::IQ1_S) {
    // qs[4 ib + l]: low 8 bits of the 11-bit index of group l of sub-block ib; qh[ib] bits 3 l..3 l + 2:
    // its bits 8..10; qh[ib] bits 12..14 (scale) and 15 (delta sign): random.
    each_block(sizeof(BlockIQ1_S), [&](uint8_t* p) {
      BlockIQ1_S b;
      b.d = scale();
      for (int ib = 0; ib < 8; ++ib) {
        uint32_t qh = static_cast<uint32_t>(rng()) & 0xF000;
        for (int l = 0; l < 4; ++l) {
          const uint32_t i = next_index();
          b.qs[4 * ib + l] = static_cast<uint8_t>(i & 0xFF);
          qh |= (i >> 8) << (3 * l);
        }
        b.qh[ib] = static_cast<uint16_t>(qh);
      }
      std::memcpy(p, &b, sizeof b);
    });
  } else {
    // qs[4 ib + l]: low 8 bits of the 11-bit index of group l of sub-block ib; nibble l % 2 of
    // qh[2 ib + l / 2]: bits 0..2 its bits 8..10, bit 3 the delta sign (random); the 4 uint16 scale
    // words: random 3-bit scales in bits 0..11, the nibbles of d (lowest first) in bits 12..15.
    each_block(sizeof(BlockIQ1_M), [&](uint8_t* p) {
      BlockIQ1_M b;
      const uint16_t d = scale();
      for (int ib = 0; ib < 8; ++ib) {
        uint8_t qh[2] = {0, 0};
        for (int l = 0; l < 4; ++l) {
          const uint32_t i = next_index();
          b.qs[4 * ib + l] = static_cast<uint8_t>(i & 0xFF);
          const uint32_t nibble = (i >> 8) | (rng() & 8);
          qh[l / 2] = static_cast<uint8_t>(qh[l / 2] | (nibble << (4 * (l % 2))));
        }
        b.qh[2 * ib] = qh[0];
        b.qh[2 * ib + 1] = qh[1];
      }
      for (int k = 0; k < 4; ++k) {
        const uint32_t word = (static_cast<uint32_t>(rng()) & 0x0FFF) | ((d >> (4 * k)) & 0xFu) << 12;
        b.scales[2 * k] = static_cast<uint8_t>(word & 0xFF);
        b.scales[2 * k + 1] = static_cast<uint8_t>(word >> 8);
      }
      std::memcpy(p, &b, sizeof b);
    });
  }
  return true;
}

}  // namespace seek
