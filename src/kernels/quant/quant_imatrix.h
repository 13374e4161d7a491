// Quantizers that take an importance matrix: llama-quantize's ggml_quantize_chunk for ONE row of
// n_per_row values, with qw[0..n_per_row) the per-column importance llama-quantize derives from an
// imatrix file (in_sum2 / count), or nullptr where the type allows none. Each writes the same bytes
// as ggml de3ff81's quantize_<type>(src, dst, 1, n_per_row, qw). Internal to kernels/: other layers
// call quantize_row_imatrix (quant.h).
#pragma once
#include <cstdint>

#include "kernels/quant/blocks.h"

namespace seek::quant {

// Legacy and K-quants (quant_imatrix_legacy.cpp, quant_imatrix_k.cpp). With qw == nullptr these
// equal the reference quantizers (quant_legacy.cpp / quant_k.cpp), as ggml's do.
void quantize_q4_0_imatrix(const float* x, BlockQ4_0* y, int64_t n_per_row, const float* qw);
void quantize_q4_1_imatrix(const float* x, BlockQ4_1* y, int64_t n_per_row, const float* qw);
void quantize_q5_0_imatrix(const float* x, BlockQ5_0* y, int64_t n_per_row, const float* qw);
void quantize_q5_1_imatrix(const float* x, BlockQ5_1* y, int64_t n_per_row, const float* qw);
void quantize_q2_K_imatrix(const float* x, BlockQ2_K* y, int64_t n_per_row, const float* qw);
void quantize_q3_K_imatrix(const float* x, BlockQ3_K* y, int64_t n_per_row, const float* qw);
void quantize_q4_K_imatrix(const float* x, BlockQ4_K* y, int64_t n_per_row, const float* qw);
void quantize_q5_K_imatrix(const float* x, BlockQ5_K* y, int64_t n_per_row, const float* qw);
void quantize_q6_K_imatrix(const float* x, BlockQ6_K* y, int64_t n_per_row, const float* qw);
// IQ4 (quant_iq.cpp): with qw == nullptr the same as quantize_iq4_nl / quantize_iq4_xs.
void quantize_iq4_nl_imatrix(const float* x, BlockIQ4_NL* y, int64_t n_per_row, const float* qw);
void quantize_iq4_xs_imatrix(const float* x, BlockIQ4_XS* y, int64_t n_per_row, const float* qw);

// The grid types. IQ2 (quant_iq2_quantize.cpp): IQ2_XXS and IQ2_XS need qw (ggml asserts it);
// IQ2_S takes nullptr. IQ3 (quant_iq3_quantize.cpp): both take nullptr. IQ1 (quant_iq1_quantize.cpp):
// IQ1_S needs qw; IQ1_M takes nullptr.
void quantize_iq2_xxs_imatrix(const float* x, BlockIQ2_XXS* y, int64_t n_per_row, const float* qw);
void quantize_iq2_xs_imatrix(const float* x, BlockIQ2_XS* y, int64_t n_per_row, const float* qw);
void quantize_iq2_s_imatrix(const float* x, BlockIQ2_S* y, int64_t n_per_row, const float* qw);
void quantize_iq3_xxs_imatrix(const float* x, BlockIQ3_XXS* y, int64_t n_per_row, const float* qw);
void quantize_iq3_s_imatrix(const float* x, BlockIQ3_S* y, int64_t n_per_row, const float* qw);
void quantize_iq1_s_imatrix(const float* x, BlockIQ1_S* y, int64_t n_per_row, const float* qw);
void quantize_iq1_m_imatrix(const float* x, BlockIQ1_M* y, int64_t n_per_row, const float* qw);

}  // namespace seek::quant
