// quantize_row / dequantize_row: the dtype switch over the block formats (quant_legacy.cpp,
// quant_k.cpp) and the plain float formats (F32, F16, BF16, FP8 E4M3 elementwise).
#include "kernels/quant/quant.h"

#include <cstring>

#include "core/error.h"
#include "core/float16.h"
#include "kernels/quant/quant_impl.h"

namespace seek {

namespace {

int64_t whole_blocks(DType t, int64_t n, const char* what) {
  const DTypeInfo& info = dtype_info(t);
  if (n < 0 || n % info.block_size != 0)
    throw FormatError(str(what, ": a row of ", n, " elements is not a whole number of ", info.name, " blocks of ",
                          info.block_size));
  return n / info.block_size;
}

}  // namespace

void dequantize_row(DType t, const void* src, float* dst, int64_t n) {
  const int64_t nb = whole_blocks(t, n, "dequantize_row");
  switch (t) {
    case DType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case DType::F16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
      return;
    }
    case DType::BF16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(s[i]);
      return;
    }
    case DType::F8_E4M3: {
      const uint8_t* s = static_cast<const uint8_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = fp8_e4m3_to_fp32(s[i]);
      return;
    }
    case DType::Q4_0: return quant::dequantize_q4_0(static_cast<const BlockQ4_0*>(src), dst, nb);
    case DType::Q4_1: return quant::dequantize_q4_1(static_cast<const BlockQ4_1*>(src), dst, nb);
    case DType::Q5_0: return quant::dequantize_q5_0(static_cast<const BlockQ5_0*>(src), dst, nb);
    case DType::Q5_1: return quant::dequantize_q5_1(static_cast<const BlockQ5_1*>(src), dst, nb);
    case DType::Q8_0: return quant::dequantize_q8_0(static_cast<const BlockQ8_0*>(src), dst, nb);
    case DType::Q2_K: return quant::dequantize_q2_K(static_cast<const BlockQ2_K*>(src), dst, nb);
    case DType::Q3_K: return quant::dequantize_q3_K(static_cast<const BlockQ3_K*>(src), dst, nb);
    case DType::Q4_K: return quant::dequantize_q4_K(static_cast<const BlockQ4_K*>(src), dst, nb);
    case DType::Q5_K: return quant::dequantize_q5_K(static_cast<const BlockQ5_K*>(src), dst, nb);
    case DType::Q6_K: return quant::dequantize_q6_K(static_cast<const BlockQ6_K*>(src), dst, nb);
    case DType::Q8_K: return quant::dequantize_q8_K(static_cast<const BlockQ8_K*>(src), dst, nb);
    case DType::IQ4_NL: return quant::dequantize_iq4_nl(static_cast<const BlockIQ4_NL*>(src), dst, nb);
    case DType::IQ4_XS: return quant::dequantize_iq4_xs(static_cast<const BlockIQ4_XS*>(src), dst, nb);
    case DType::IQ2_XXS: return quant::dequantize_iq2_xxs(static_cast<const BlockIQ2_XXS*>(src), dst, nb);
    case DType::IQ2_XS: return quant::dequantize_iq2_xs(static_cast<const BlockIQ2_XS*>(src), dst, nb);
    case DType::IQ2_S: return quant::dequantize_iq2_s(static_cast<const BlockIQ2_S*>(src), dst, nb);
    case DType::IQ3_XXS: return quant::dequantize_iq3_xxs(static_cast<const BlockIQ3_XXS*>(src), dst, nb);
    case DType::IQ3_S: return quant::dequantize_iq3_s(static_cast<const BlockIQ3_S*>(src), dst, nb);
    case DType::IQ1_S: return quant::dequantize_iq1_s(static_cast<const BlockIQ1_S*>(src), dst, nb);
    case DType::IQ1_M: return quant::dequantize_iq1_m(static_cast<const BlockIQ1_M*>(src), dst, nb);
    case DType::TQ1_0: return quant::dequantize_tq1_0(static_cast<const BlockTQ1_0*>(src), dst, nb);
    case DType::TQ2_0: return quant::dequantize_tq2_0(static_cast<const BlockTQ2_0*>(src), dst, nb);
    case DType::MXFP4: return quant::dequantize_mxfp4(static_cast<const BlockMXFP4*>(src), dst, nb);
    case DType::NVFP4: return quant::dequantize_nvfp4(static_cast<const BlockNVFP4*>(src), dst, nb);
    case DType::Q1_0: return quant::dequantize_q1_0(static_cast<const BlockQ1_0*>(src), dst, nb);
    case DType::Q2_0: return quant::dequantize_q2_0(static_cast<const BlockQ2_0*>(src), dst, nb);
    default:
      throw FormatError(
          str("dequantize_row: type ", dtype_name(t),
              " is not supported (expected one of f32, f16, "
              "bf16, f8_e4m3, q4_0, q4_1, q5_0, q5_1, q8_0, q2_K, q3_K, q4_K, q5_K, q6_K, q8_K, iq2_xxs, iq2_xs, "
              "iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m, iq4_nl, iq4_xs, tq1_0, tq2_0, mxfp4, nvfp4, q1_0, q2_0)"));
  }
}

bool can_quantize(DType t) {
  switch (t) {
    case DType::F32:
    case DType::F16:
    case DType::BF16:
    case DType::F8_E4M3:
    case DType::Q4_0:
    case DType::Q4_1:
    case DType::Q5_0:
    case DType::Q5_1:
    case DType::Q8_0:
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K:
    case DType::Q8_K:
    case DType::IQ4_NL:
    case DType::IQ4_XS:
    case DType::TQ1_0:
    case DType::TQ2_0:
    case DType::MXFP4:
    case DType::NVFP4:
    case DType::Q1_0:
    case DType::Q2_0:
    case DType::IQ2_XXS:
    case DType::IQ2_XS:
    case DType::IQ2_S:
    case DType::IQ3_XXS:
    case DType::IQ3_S:
    case DType::IQ1_S:
    case DType::IQ1_M: return true;
    default: return false;
  }
}

void quantize_row(DType t, const float* src, void* dst, int64_t n) {
  const int64_t nb = whole_blocks(t, n, "quantize_row");
  switch (t) {
    case DType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case DType::F16: {
      uint16_t* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_fp16(src[i]);
      return;
    }
    case DType::BF16: {
      uint16_t* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_bf16(src[i]);
      return;
    }
    case DType::F8_E4M3: {
      uint8_t* d = static_cast<uint8_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = fp32_to_fp8_e4m3(src[i]);
      return;
    }
    case DType::Q4_0: return quant::quantize_q4_0(src, static_cast<BlockQ4_0*>(dst), nb);
    case DType::Q4_1: return quant::quantize_q4_1(src, static_cast<BlockQ4_1*>(dst), nb);
    case DType::Q5_0: return quant::quantize_q5_0(src, static_cast<BlockQ5_0*>(dst), nb);
    case DType::Q5_1: return quant::quantize_q5_1(src, static_cast<BlockQ5_1*>(dst), nb);
    case DType::Q8_0: return quant::quantize_q8_0(src, static_cast<BlockQ8_0*>(dst), nb);
    case DType::Q2_K: return quant::quantize_q2_K(src, static_cast<BlockQ2_K*>(dst), nb);
    case DType::Q3_K: return quant::quantize_q3_K(src, static_cast<BlockQ3_K*>(dst), nb);
    case DType::Q4_K: return quant::quantize_q4_K(src, static_cast<BlockQ4_K*>(dst), nb);
    case DType::Q5_K: return quant::quantize_q5_K(src, static_cast<BlockQ5_K*>(dst), nb);
    case DType::Q6_K: return quant::quantize_q6_K(src, static_cast<BlockQ6_K*>(dst), nb);
    case DType::Q8_K: return quant::quantize_q8_K(src, static_cast<BlockQ8_K*>(dst), nb);
    case DType::IQ4_NL: return quant::quantize_iq4_nl(src, static_cast<BlockIQ4_NL*>(dst), nb);
    case DType::IQ4_XS: return quant::quantize_iq4_xs(src, static_cast<BlockIQ4_XS*>(dst), nb);
    case DType::TQ1_0: return quant::quantize_tq1_0(src, static_cast<BlockTQ1_0*>(dst), nb);
    case DType::TQ2_0: return quant::quantize_tq2_0(src, static_cast<BlockTQ2_0*>(dst), nb);
    case DType::MXFP4: return quant::quantize_mxfp4(src, static_cast<BlockMXFP4*>(dst), nb);
    case DType::NVFP4: return quant::quantize_nvfp4(src, static_cast<BlockNVFP4*>(dst), nb);
    case DType::Q1_0: return quant::quantize_q1_0(src, static_cast<BlockQ1_0*>(dst), nb);
    case DType::Q2_0: return quant::quantize_q2_0(src, static_cast<BlockQ2_0*>(dst), nb);
    case DType::IQ2_XXS:
    case DType::IQ2_XS:
    case DType::IQ2_S:
    case DType::IQ3_XXS:
    case DType::IQ3_S:
    case DType::IQ1_S:
    case DType::IQ1_M:  // quantized per row (their statistics span the row)
      return quantize_row_imatrix(t, src, dst, n, nullptr);
    default:
      throw FormatError(str("quantize_row: type ", dtype_name(t),
                            " is not supported (expected one of f32, f16, "
                            "bf16, f8_e4m3, q4_0, q4_1, q5_0, q5_1, q8_0, q2_K, q3_K, q4_K, q5_K, q6_K, q8_K, "
                            "iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m, iq4_nl, iq4_xs, tq1_0, tq2_0, "
                            "mxfp4, nvfp4, q1_0, q2_0)"));
  }
}

}  // namespace seek
