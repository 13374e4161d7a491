// The pieces of the FP4 formats (MXFP4, NVFP4) shared by their decoder (quant/quant_fp4.cpp) and
// their scalar row-dot (ref/rowdot_ref_fp4.cpp): the E2M1 code table and the two scale
// conversions, each defined as ggml defines them (ggml-common.h kvalues_mxfp4, ggml-impl.h
// ggml_e8m0_to_fp32_half / ggml_ue4m3_to_fp32). Both conversions return HALF the scale, because
// the table holds the E2M1 values doubled (integers), so value = code * (scale / 2) exactly.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace seek {

// E2M1 code -> 2 * its value. Bit 3 is the sign, bits 2..1 the exponent, bit 0 the mantissa:
// 0, 0.5, 1, 1.5, 2, 3, 4, 6 doubled; codes 8..15 are the same negated (8 is -0, i.e. 0).
inline constexpr int8_t kFp4Values[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// E8M0 (a bare biased exponent, bias 127: scale = 2^(e - 127)) -> scale / 2 = 2^(e - 128), built
// from bits: e = 0 and 1 give the subnormals 2^-128 and 2^-127 (fraction bit 21 or 22), e >= 2
// the normal float with biased exponent e - 1. e = 255 (NaN in the MX spec) is not special-cased:
// it gives 2^127, as in ggml.
inline float e8m0_half_to_fp32(uint8_t e) {
  const uint32_t bits = e < 2 ? 0x00200000u << e : static_cast<uint32_t>(e - 1) << 23;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// UE4M3 (unsigned: exponent bits 6..3, bias 7; mantissa bits 2..0) -> scale / 2. As in ggml:
// bit 7 is ignored (not a sign), 0x00 and 0x7F (NaN in E4M3) give 0, exponent 0 is subnormal
// (man * 2^-9), else (1 + man / 8) * 2^(exp - 7). Every step is exact in float.
inline float ue4m3_half_to_fp32(uint8_t x) {
  if (x == 0 || x == 0x7F) return 0.0f;
  const int exp = (x >> 3) & 0xF, man = x & 0x7;
  const float raw = exp == 0 ? std::ldexp(static_cast<float>(man), -9)
                             : std::ldexp(1.0f + static_cast<float>(man) / 8.0f, exp - 7);
  return raw * 0.5f;
}

}  // namespace seek
