// quantize_row_imatrix: the dtype switch over the weighted quantizers (quant_imatrix.h). Types whose
// ggml quantizer ignores the importance (Q8_0, TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0, Q2_0, the float
// types) go to quantize_row.
#include "kernels/quant/quant_imatrix.h"

#include "core/error.h"
#include "kernels/quant/quant.h"

namespace seek {

void quantize_row_imatrix(DType t, const float* src, void* dst, int64_t n, const float* imatrix) {
  row_bytes(t, n);  // throws FormatError unless n is a whole number of t's blocks
  using namespace quant;
  switch (t) {
    case DType::Q4_0: return quantize_q4_0_imatrix(src, static_cast<BlockQ4_0*>(dst), n, imatrix);
    case DType::Q4_1: return quantize_q4_1_imatrix(src, static_cast<BlockQ4_1*>(dst), n, imatrix);
    case DType::Q5_0: return quantize_q5_0_imatrix(src, static_cast<BlockQ5_0*>(dst), n, imatrix);
    case DType::Q5_1: return quantize_q5_1_imatrix(src, static_cast<BlockQ5_1*>(dst), n, imatrix);
    case DType::Q2_K: return quantize_q2_K_imatrix(src, static_cast<BlockQ2_K*>(dst), n, imatrix);
    case DType::Q3_K: return quantize_q3_K_imatrix(src, static_cast<BlockQ3_K*>(dst), n, imatrix);
    case DType::Q4_K: return quantize_q4_K_imatrix(src, static_cast<BlockQ4_K*>(dst), n, imatrix);
    case DType::Q5_K: return quantize_q5_K_imatrix(src, static_cast<BlockQ5_K*>(dst), n, imatrix);
    case DType::Q6_K: return quantize_q6_K_imatrix(src, static_cast<BlockQ6_K*>(dst), n, imatrix);
    case DType::IQ4_NL: return quantize_iq4_nl_imatrix(src, static_cast<BlockIQ4_NL*>(dst), n, imatrix);
    case DType::IQ4_XS: return quantize_iq4_xs_imatrix(src, static_cast<BlockIQ4_XS*>(dst), n, imatrix);
    case DType::IQ2_XXS: return quantize_iq2_xxs_imatrix(src, static_cast<BlockIQ2_XXS*>(dst), n, imatrix);
    case DType::IQ2_XS: return quantize_iq2_xs_imatrix(src, static_cast<BlockIQ2_XS*>(dst), n, imatrix);
    case DType::IQ2_S: return quantize_iq2_s_imatrix(src, static_cast<BlockIQ2_S*>(dst), n, imatrix);
    case DType::IQ3_XXS: return quantize_iq3_xxs_imatrix(src, static_cast<BlockIQ3_XXS*>(dst), n, imatrix);
    case DType::IQ3_S: return quantize_iq3_s_imatrix(src, static_cast<BlockIQ3_S*>(dst), n, imatrix);
    case DType::IQ1_S: return quantize_iq1_s_imatrix(src, static_cast<BlockIQ1_S*>(dst), n, imatrix);
    case DType::IQ1_M: return quantize_iq1_m_imatrix(src, static_cast<BlockIQ1_M*>(dst), n, imatrix);
    default: return quantize_row(t, src, dst, n);
  }
}

bool quantize_needs_imatrix(DType t) { return t == DType::IQ2_XXS || t == DType::IQ2_XS || t == DType::IQ1_S; }

}  // namespace seek
