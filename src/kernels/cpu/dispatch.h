// Run-time choice of the SIMD level (CPUID): AVX-512 (F, BW, VL, DQ, VNNI) > AVX2 + FMA + F16C
// > scalar. Only files named *_avx2.cpp / *_avx512.cpp contain those instructions, and they
// are called only through the table picked here, so the program runs on any x86-64.
// SEEK_KERNEL_LEVEL=scalar|avx2|avx512 in the environment caps the level (benchmarks, tests).
#pragma once
#include <string>

#include "kernels/cpu/rowdot.h"

namespace seek {

enum class KernelLevel { Scalar = 0, AVX2 = 1, AVX512 = 2 };

// The best level this CPU supports.
KernelLevel detected_kernel_level();
// The level in use (the detected one, capped by SEEK_KERNEL_LEVEL, unless set_kernel_level()).
KernelLevel kernel_level();
// Forces a level (tests, benchmarks). Throws UsageError if the CPU lacks it. Not thread-safe
// against running kernels: call between matmuls.
void set_kernel_level(KernelLevel level);
const char* kernel_level_name(KernelLevel level);
// "scalar", "avx2", "avx512" -> level; throws UsageError otherwise.
KernelLevel kernel_level_from_name(const std::string& name);

namespace kern {
// Row-dot for weight type t at the current level (falls back to a lower level's kernel).
RowDotFn row_dot(DType t);
// The row-dot with the aux activation form it reads (from the same table).
struct Kernel {
  RowDotFn fn = nullptr;
  AuxPack aux;
};
Kernel kernel_for(DType t);
}  // namespace kern

}  // namespace seek
