// random_valid_blocks: random bytes, then each scale field of the layout (blocks.h) overwritten.
#include "kernels/quant/random_blocks.h"

#include <cstring>
#include <random>

#include "core/error.h"
#include "core/float16.h"
#include "kernels/quant/blocks.h"

namespace seek {

namespace {

// A scale in [0.005, 0.015) as fp16 at byte offset `at` of the block.
void put_fp16_scale(uint8_t* blk, size_t at, std::mt19937& rng) {
  const uint16_t h = fp32_to_fp16(0.005f + 0.01f * static_cast<float>(rng() % 1000) / 1000.0f);
  std::memcpy(blk + at, &h, 2);
}

}  // namespace

void random_valid_blocks(DType t, uint8_t* dst, int64_t n_blocks, uint32_t seed) {
  const DTypeInfo& info = dtype_info(t);
  if (!info.is_quantized) throw FormatError(str("random_valid_blocks: ", info.name, " is not a block type"));
  const size_t bs = static_cast<size_t>(info.type_size);
  std::mt19937 rng(seed);
  for (int64_t b = 0; b < n_blocks; ++b) {
    uint8_t* blk = dst + static_cast<size_t>(b) * bs;
    for (size_t i = 0; i < bs; ++i) blk[i] = static_cast<uint8_t>(rng());
    switch (t) {
      case DType::Q4_1:
      case DType::Q5_1:
      case DType::Q4_K:
      case DType::Q5_K:  // d and a min scale lead the block
        put_fp16_scale(blk, 0, rng);
        put_fp16_scale(blk, 2, rng);
        break;
      case DType::Q2_K:
        put_fp16_scale(blk, offsetof(BlockQ2_K, d), rng);
        put_fp16_scale(blk, offsetof(BlockQ2_K, dmin), rng);
        break;
      case DType::Q3_K: put_fp16_scale(blk, offsetof(BlockQ3_K, d), rng); break;
      case DType::Q6_K: put_fp16_scale(blk, offsetof(BlockQ6_K, d), rng); break;
      case DType::TQ1_0: put_fp16_scale(blk, offsetof(BlockTQ1_0, d), rng); break;
      case DType::TQ2_0: put_fp16_scale(blk, offsetof(BlockTQ2_0, d), rng); break;
      case DType::Q8_K: {  // float d, then qs; bsums must be the sums of each 16 qs
        BlockQ8_K k;
        std::memcpy(&k, blk, sizeof k);
        k.d = 0.01f;
        for (int j = 0; j < 16; ++j) {
          int s = 0;
          for (int l = 0; l < 16; ++l) s += k.qs[16 * j + l];
          k.bsums[j] = static_cast<int16_t>(s);
        }
        std::memcpy(blk, &k, sizeof k);
        break;
      }
      case DType::IQ1_M: {  // the fp16 scale is the top nibble of each of the 4 uint16 scale words
        const uint16_t h = fp32_to_fp16(0.005f + 0.01f * static_cast<float>(rng() % 1000) / 1000.0f);
        uint16_t sc[4];
        std::memcpy(sc, blk + offsetof(BlockIQ1_M, scales), 8);
        for (int i = 0; i < 4; ++i) sc[i] = static_cast<uint16_t>((sc[i] & 0x0FFF) | (((h >> (4 * i)) & 0xF) << 12));
        std::memcpy(blk + offsetof(BlockIQ1_M, scales), sc, 8);
        break;
      }
      case DType::MXFP4: blk[0] = static_cast<uint8_t>(120 + rng() % 8); break;  // E8M0: 2^-7 .. 2^0
      case DType::NVFP4:  // UE4M3 sub-block scales 2^-4 .. 2^0 (exponent field 3..7, bias 7)
        for (int i = 0; i < 4; ++i) blk[i] = static_cast<uint8_t>(((3 + rng() % 5) << 3) | (rng() & 7));
        break;
      case DType::Q8_1:  // d, then s = d * sum(qs) (not used by any weight path)
        put_fp16_scale(blk, 0, rng);
        put_fp16_scale(blk, 2, rng);
        break;
      default: put_fp16_scale(blk, 0, rng); break;  // every other block type leads with its fp16 d
    }
  }
}

}  // namespace seek
