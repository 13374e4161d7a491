// Byte layouts of the GGUF block formats seek computes with, exactly as ggml stores them
// (little-endian, no padding): one struct per format, sizes checked against ggml's.
// Q4_0/Q4_1/Q5_0/Q5_1/Q8_0: 32 elements per block; Q4_K/Q6_K/Q8_K: 256-element super-blocks (QK_K).
#pragma once
#include <cstdint>

namespace seek {

constexpr int kQK = 32;    // elements per Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0 block
constexpr int kQKK = 256;  // elements per K-quant super-block

// value[j] = (q - 8) * d; qs[j] low nibble = element j, high nibble = element j + 16.
struct BlockQ4_0 {
  uint16_t d;  // fp16 scale
  uint8_t qs[16];
};
// value = q * d + m, q a 4-bit nibble laid out as in Q4_0.
struct BlockQ4_1 {
  uint16_t d;  // fp16 scale
  uint16_t m;  // fp16 min
  uint8_t qs[16];
};
// value = (q - 16) * d, q 5-bit: the low 4 bits as Q4_0's nibbles, bit 4 of element j in bit j of
// the little-endian uint32 qh.
struct BlockQ5_0 {
  uint16_t d;  // fp16 scale
  uint8_t qh[4];
  uint8_t qs[16];
};
// value = q * d + m, q 5-bit as in Q5_0.
struct BlockQ5_1 {
  uint16_t d;  // fp16 scale
  uint16_t m;  // fp16 min
  uint8_t qh[4];
  uint8_t qs[16];
};
// value[j] = qs[j] * d
struct BlockQ8_0 {
  uint16_t d;  // fp16 scale
  int8_t qs[32];
};
// 8 sub-blocks of 32: value = d * sc[j] * q - dmin * m[j], q a 4-bit unsigned nibble; sc/m are
// 6-bit, packed into 12 bytes (see unpack_q4_K_scales). qs: 4 chunks of 32 bytes, chunk c holds
// elements 64c..64c+31 in its low nibbles and 64c+32..64c+63 in its high nibbles.
struct BlockQ4_K {
  uint16_t d;     // fp16 super-block scale for the scales
  uint16_t dmin;  // fp16 super-block scale for the mins
  uint8_t scales[12];
  uint8_t qs[128];
};
// 16 sub-blocks of 16: value = d * (sc & 15) * q - dmin * (sc >> 4), sc = scales[e / 16], q 2-bit:
// element 128n + 32j + l is bits 2j..2j+1 of qs[32n + l].
struct BlockQ2_K {
  uint8_t scales[16];
  uint8_t qs[64];
  uint16_t d;     // fp16
  uint16_t dmin;  // fp16
};
// 16 sub-blocks of 16: value = d * (s - 32) * (q - 4 * !h), s the 6-bit scale of e / 16 (see
// q3_K_scale), q 2-bit as Q2_K's, h bit n * 4 + j of hmask[l] (element 128n + 32j + l).
struct BlockQ3_K {
  uint8_t hmask[32];
  uint8_t qs[64];
  uint8_t scales[12];
  uint16_t d;  // fp16
};
// Q4_K's scales and mins with a 5th bit: element 64c + l (l < 32) is the low nibble of qs[32c + l]
// plus 16 * bit 2c of qh[l]; element 64c + 32 + l the high nibble plus 16 * bit 2c + 1.
struct BlockQ5_K {
  uint16_t d;     // fp16
  uint16_t dmin;  // fp16
  uint8_t scales[12];
  uint8_t qh[32];
  uint8_t qs[128];
};
// 16 sub-blocks of 16: value = d * scales[e / 16] * (q - 32), q 6-bit = 4 low bits in ql and
// 2 high bits in qh (layout in quant_k.cpp).
struct BlockQ6_K {
  uint8_t ql[128];
  uint8_t qh[64];
  int8_t scales[16];
  uint16_t d;  // fp16
};
// The non-linear 4-bit codes of IQ4_NL / IQ4_XS: value = scale * kIq4Values[q].
inline constexpr int8_t kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
// value = d * kIq4Values[q], q nibbles laid out as Q4_0's.
struct BlockIQ4_NL {
  uint16_t d;  // fp16
  uint8_t qs[16];
};
// 8 sub-blocks of 32: value = d * (ls - 32) * kIq4Values[q], ls 6-bit: low 4 bits in scales_l[j / 2]
// (nibble j % 2), high 2 bits at bit 2j of scales_h; each sub-block's nibbles laid out as Q4_0's.
struct BlockIQ4_XS {
  uint16_t d;  // fp16
  uint16_t scales_h;
  uint8_t scales_l[4];
  uint8_t qs[128];
};
inline int iq4_xs_scale(const BlockIQ4_XS& b, int j) {
  return (((b.scales_l[j / 2] >> (4 * (j % 2))) & 0xF) | (((b.scales_h >> (2 * j)) & 3) << 4)) - 32;
}
// The grid ("IQ") types of 256-element super-blocks: each group of 8 (IQ2, IQ1) or 4 (IQ3) elements
// is an index into a fixed codebook of magnitudes (iq_grids.h), with sign bits where the
// type has them. Layouts as ggml-common.h; the decoders (quant_iq2.cpp, quant_iq3.cpp,
// quant_iq1.cpp) say how each field is read.
struct BlockIQ2_XXS {
  uint16_t d;  // fp16
  uint16_t qs[32];
};
struct BlockIQ2_XS {
  uint16_t d;  // fp16
  uint16_t qs[32];
  uint8_t scales[8];
};
struct BlockIQ2_S {
  uint16_t d;  // fp16
  uint8_t qs[64];
  uint8_t qh[8];
  uint8_t scales[8];
};
struct BlockIQ3_XXS {
  uint16_t d;  // fp16
  uint8_t qs[96];
};
struct BlockIQ3_S {
  uint16_t d;  // fp16
  uint8_t qs[64];
  uint8_t qh[8];
  uint8_t signs[32];
  uint8_t scales[4];
};
struct BlockIQ1_S {
  uint16_t d;  // fp16
  uint8_t qs[32];
  uint16_t qh[8];
};
struct BlockIQ1_M {  // no d field: the fp16 scale is spread over the top nibbles of the scales
  uint8_t qs[32];
  uint8_t qh[16];
  uint8_t scales[8];
};
// Ternary types (values -1, 0, +1 times d), 256-element super-blocks.
struct BlockTQ1_0 {
  uint8_t qs[48];  // 5 trits per byte
  uint8_t qh[4];   // 4 trits per byte
  uint16_t d;      // fp16
};
struct BlockTQ2_0 {
  uint8_t qs[64];  // 2 bits per element
  uint16_t d;      // fp16
};
// FP4 (E2M1) types: MXFP4, 32 elements with one E8M0 (power of two) scale; NVFP4, 64 elements
// with one UE4M3 scale per 16.
struct BlockMXFP4 {
  uint8_t e;  // E8M0
  uint8_t qs[16];
};
struct BlockNVFP4 {
  uint8_t d[4];  // UE4M3
  uint8_t qs[32];
};
// Low-bit linear types: Q1_0, 128 elements of 1 bit (+-d); Q2_0, 64 elements of 2 bits.
constexpr int kQK1_0 = 128, kQK2_0 = 64, kQKNVFP4 = 64;
struct BlockQ1_0 {
  uint16_t d;  // fp16
  uint8_t qs[16];
};
struct BlockQ2_0 {
  uint16_t d;  // fp16
  uint8_t qs[16];
};
// Activation format paired with the K-quants: value = d * qs; bsums = sums of each 16 quants.
struct BlockQ8_K {
  float d;
  int8_t qs[256];
  int16_t bsums[16];
};

static_assert(sizeof(BlockQ4_0) == 18, "block_q4_0 is 18 bytes");
static_assert(sizeof(BlockQ4_1) == 20, "block_q4_1 is 20 bytes");
static_assert(sizeof(BlockQ5_0) == 22, "block_q5_0 is 22 bytes");
static_assert(sizeof(BlockQ5_1) == 24, "block_q5_1 is 24 bytes");
static_assert(sizeof(BlockQ8_0) == 34, "block_q8_0 is 34 bytes");
static_assert(sizeof(BlockQ2_K) == 84, "block_q2_K is 84 bytes");
static_assert(sizeof(BlockQ3_K) == 110, "block_q3_K is 110 bytes");
static_assert(sizeof(BlockQ4_K) == 144, "block_q4_K is 144 bytes");
static_assert(sizeof(BlockQ5_K) == 176, "block_q5_K is 176 bytes");
static_assert(sizeof(BlockQ6_K) == 210, "block_q6_K is 210 bytes");
static_assert(sizeof(BlockQ8_K) == 292, "block_q8_K is 292 bytes");
static_assert(sizeof(BlockIQ4_NL) == 18, "block_iq4_nl is 18 bytes");
static_assert(sizeof(BlockIQ4_XS) == 136, "block_iq4_xs is 136 bytes");
static_assert(sizeof(BlockIQ2_XXS) == 66, "block_iq2_xxs is 66 bytes");
static_assert(sizeof(BlockIQ2_XS) == 74, "block_iq2_xs is 74 bytes");
static_assert(sizeof(BlockIQ2_S) == 82, "block_iq2_s is 82 bytes");
static_assert(sizeof(BlockIQ3_XXS) == 98, "block_iq3_xxs is 98 bytes");
static_assert(sizeof(BlockIQ3_S) == 110, "block_iq3_s is 110 bytes");
static_assert(sizeof(BlockIQ1_S) == 50, "block_iq1_s is 50 bytes");
static_assert(sizeof(BlockIQ1_M) == 56, "block_iq1_m is 56 bytes");
static_assert(sizeof(BlockTQ1_0) == 54, "block_tq1_0 is 54 bytes");
static_assert(sizeof(BlockTQ2_0) == 66, "block_tq2_0 is 66 bytes");
static_assert(sizeof(BlockMXFP4) == 17, "block_mxfp4 is 17 bytes");
static_assert(sizeof(BlockNVFP4) == 36, "block_nvfp4 is 36 bytes");
static_assert(sizeof(BlockQ1_0) == 18, "block_q1_0 is 18 bytes");
static_assert(sizeof(BlockQ2_0) == 18, "block_q2_0 is 18 bytes");

// The 5-bit codes of elements j and j + 16 (j < 16) of a Q5_0 / Q5_1 block.
inline int q5_lo(const uint8_t* qs, uint32_t qh, int j) { return (qs[j] & 0x0F) | (((qh >> j) & 1) << 4); }
inline int q5_hi(const uint8_t* qs, uint32_t qh, int j) { return (qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4); }
inline uint32_t q5_high_bits(const uint8_t* qh) {
  return uint32_t(qh[0]) | uint32_t(qh[1]) << 8 | uint32_t(qh[2]) << 16 | uint32_t(qh[3]) << 24;
}

// The 6-bit scale and min of Q4_K sub-block j (0..7) from the 12 packed bytes.
inline void q4_K_scale_min(int j, const uint8_t* s, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = s[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

// The signed scale (-32..31) of Q3_K sub-block j (0..15): 4 low bits from byte j (j < 8) or the
// high nibble of byte j - 8, 2 high bits from byte 8 + j % 4 at bit 2 * (j / 4).
inline int q3_K_scale(int j, const uint8_t* s) {
  const int lo = j < 8 ? s[j] & 0xF : s[j - 8] >> 4;
  const int hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (lo | (hi << 4)) - 32;
}

// The 2-bit code of element e (0..255) of a Q2_K / Q3_K super-block.
inline int k_quant_2bit(const uint8_t* qs, int e) {
  return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

}  // namespace seek
