// fp16 / bf16 / fp8 conversions against exhaustive round trips and known values.
#include <gtest/gtest.h>

#include <cmath>

#include "core/float16.h"

using namespace seek;

TEST(Float16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = fp16_to_fp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(fp32_to_fp16(f), h) << "half 0x" << std::hex << h;
  }
}

TEST(Float16, RoundsToNearestEven) {
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7bff);
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7c00);               // rounds up to infinity
  EXPECT_EQ(fp32_to_fp16(1.0f + 1.0f / 2048), 0x3c00);     // tie between 1 and 1+2^-10: even (1)
  EXPECT_EQ(fp32_to_fp16(1.0f + 3.0f / 2048), 0x3c02);     // tie: even (1+2^-9)
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -26)), 0x0000);  // below half of it
}

TEST(Float16, Bf16) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(bf16_to_fp32(0x3f80), 1.0f);
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = bf16_to_fp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(fp32_to_bf16(f), h);
  }
}

TEST(Float16, Fp8E4M3) {
  EXPECT_EQ(fp8_e4m3_to_fp32(0x7e), 448.0f);
  EXPECT_EQ(fp8_e4m3_to_fp32(0x38), 1.0f);
  EXPECT_EQ(fp8_e4m3_to_fp32(0x01), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(fp8_e4m3_to_fp32(0x7f)));
  for (int c = 0; c < 256; ++c) {
    float f = fp8_e4m3_to_fp32(static_cast<uint8_t>(c));
    if (std::isnan(f) || c == 0x80) continue;  // -0 maps to +0's neighbour sign-preserved below
    EXPECT_EQ(fp32_to_fp8_e4m3(f), c) << c;
  }
  EXPECT_EQ(fp32_to_fp8_e4m3(1000.0f), 0x7e);
}
