// The inner-kernel contract shared by the scalar, AVX2 and AVX-512 levels: one weight row
// against a group of activation columns. Each column's result depends only on the weight row
// and that column (never on how many columns share the call), which is what makes row n of
// matmul() equal matvec() on X[n] bit for bit while the weight row is read once for all columns.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace seek::kern {

// Activations of N columns in the form a weight type pairs with (quant/activations.h):
// F32: float[K]; Q8_0 lanes: int8 qs[K], float ds[K/4] (ds[i] = scale of element 4i's block),
// int32 corr[K/4] (offset correction for unsigned weight codes, see activations.h); Q8_1 lanes:
// the same with float s[K/4] (the block's d * sum of qs) in place of corr;
// Q8_K: BlockQ8_K[K/256]. Column n starts at data + n * col_bytes.
struct ActPack {
  DType kind = DType::F32;
  int64_t K = 0, N = 0;
  const uint8_t* data = nullptr;
  size_t col_bytes = 0;
  // A second form of every column that the chosen kernel asked for (KernelTable's *_aux, e.g.
  // F8_E4M3 on AVX512_BF16: x split into bf16 hi and lo), built once per call; else null.
  const uint8_t* aux = nullptr;
  size_t aux_col_bytes = 0;
  const uint8_t* col(int64_t n) const { return data + static_cast<size_t>(n) * col_bytes; }
  const uint8_t* aux_col(int64_t n) const { return aux + static_cast<size_t>(n) * aux_col_bytes; }
};

// An extra activation layout a kernel wants beside the standard one: bytes per column of K
// (the driver rounds up to 64) and the packer of one column, from the f32 column x and its
// standard packed form (the same pointer as x for F32). Empty (null) for most kernels.
struct AuxPack {
  size_t (*col_bytes)(int64_t K) = nullptr;
  void (*pack)(const float* x, const uint8_t* primary, int64_t K, uint8_t* dst) = nullptr;
};

struct RowDotArgs {
  const ActPack* x = nullptr;
  int64_t c0 = 0, c1 = 0;  // columns [c0, c1)
  float* out = nullptr;    // out[(c - c0) * out_stride] = dot(w_row, column c)
  int64_t out_stride = 1;
  const float* fp8_scale = nullptr;  // F8_E4M3: this row's 128-row block of scales, ceil(K/128)
};

using RowDotFn = void (*)(const void* w_row, const RowDotArgs& a);

// Software prefetch distances of the AVX-512 row-dots, in weight bytes ahead of the loads: into
// L1 and into L2 (cpu/simd_groups.h says why). `seek bench kernels` streams its read-bandwidth
// buffer behind the same two.
constexpr int64_t kPrefetchBytes = 2048, kPrefetchFarBytes = 4096;

// One row-dot per weight type; null where a level has no kernel (the driver falls back).
struct KernelTable {
  RowDotFn f32 = nullptr, f16 = nullptr, bf16 = nullptr, f8_e4m3 = nullptr;
  RowDotFn q4_0 = nullptr, q8_0 = nullptr, q4_K = nullptr, q6_K = nullptr;
  RowDotFn q4_1 = nullptr, q5_0 = nullptr, q5_1 = nullptr, q2_K = nullptr, q3_K = nullptr, q5_K = nullptr;
  RowDotFn iq4_nl = nullptr, iq4_xs = nullptr;
  RowDotFn iq2_xxs = nullptr, iq2_xs = nullptr, iq2_s = nullptr, iq3_xxs = nullptr, iq3_s = nullptr;
  RowDotFn iq1_s = nullptr, iq1_m = nullptr, tq1_0 = nullptr, tq2_0 = nullptr;
  RowDotFn mxfp4 = nullptr, nvfp4 = nullptr, q1_0 = nullptr, q2_0 = nullptr;
  AuxPack f8_e4m3_aux, q4_0_aux, q4_K_aux;  // the aux forms these read, if any
  RowDotFn get(DType t) const;
  // Takes every row-dot `o` has (non-null), keeping this table's others: how a level's table
  // gathers the per-family tables below.
  void take(const KernelTable& o);
  AuxPack aux(DType t) const {
    return t == DType::F8_E4M3 ? f8_e4m3_aux : t == DType::Q4_0 ? q4_0_aux : t == DType::Q4_K ? q4_K_aux : AuxPack{};
  }
};

// Defined in ref/rowdot_ref.cpp, cpu/rowdot_avx2.cpp, cpu/rowdot_avx512.cpp. Call the SIMD
// ones only after checking the CPU (cpu/dispatch.h).
const KernelTable& kernels_scalar();
const KernelTable& kernels_avx2();
const KernelTable& kernels_avx512();       // the base table plus GFNI / VBMI kernels where CPUID has them
const KernelTable& kernels_avx512_base();  // AVX-512 F/BW/VL/DQ/VNNI only (tests reach it here)
// The AVX-512 K-quant row-dots (cpu/rowdot_kquant_avx512.cpp), merged into kernels_avx512().
const KernelTable& kernels_kquant_avx512();
// The 32-element formats Q4_1, Q5_0, Q5_1, IQ4_NL (cpu/rowdot_q32_*.cpp) and the low-bit K-quants
// Q2_K, Q3_K, Q5_K with IQ4_XS (cpu/rowdot_kquant_low_*.cpp), merged into kernels_avx2() and
// kernels_avx512_base().
const KernelTable& kernels_q32_avx2();
const KernelTable& kernels_q32_avx512();
const KernelTable& kernels_kquant_low_avx2();
const KernelTable& kernels_kquant_low_avx512();
// IQ2_XXS, IQ2_XS, IQ2_S (cpu/rowdot_iq2_*.cpp), merged the same way.
const KernelTable& kernels_iq2_avx2();
const KernelTable& kernels_iq2_avx512();
// IQ3_XXS, IQ3_S, IQ1_S, IQ1_M (cpu/rowdot_iq3_iq1_*.cpp), merged the same way.
const KernelTable& kernels_iq3_iq1_avx2();
const KernelTable& kernels_iq3_iq1_avx512();
// The AVX-512 row-dots of IQ2_XXS, IQ2_XS, IQ2_S that also need AVX512_VBMI and GFNI, and of
// IQ3_XXS, IQ3_S that also need AVX512_VBMI (Ice Lake, Zen 4 and later): merged into
// kernels_avx512() where CPUID has them.
const KernelTable& kernels_iq2_vbmi_avx512();
const KernelTable& kernels_iq3_vbmi_avx512();
// TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0, Q2_0 (cpu/rowdot_lowbit_*.cpp), merged the same way.
const KernelTable& kernels_lowbit_avx2();
const KernelTable& kernels_lowbit_avx512();
// Q8_0 in llama.cpp's own order of operations (cpu/rowdot_q80_ggml_*.cpp; the scalar statement
// is ref/rowdot_ref.cpp's dot_q8_0), the q8_0 entry of kernels_avx2() / kernels_avx512_base().
void dot_q8_0_ggml_avx2(const void* w, const RowDotArgs& a);
void dot_q8_0_ggml_avx512(const void* w, const RowDotArgs& a);
// AVX-512 kernels that also need GFNI (cpu/rowdot_gfni_avx512.cpp): Q4_0 and F8_E4M3 (with its
// aux activation form); call only if CPUID has it.
const KernelTable& kernels_gfni_avx512();

}  // namespace seek::kern
