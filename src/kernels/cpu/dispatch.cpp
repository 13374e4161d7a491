// CPU feature detection and the current kernel level (an atomic, read on every matmul).
#include "kernels/cpu/dispatch.h"

#include <atomic>
#include <cstdlib>

#include "core/error.h"

namespace seek {

namespace {

KernelLevel detect() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  bool f16c = false;
  {
    unsigned a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    f16c = (c >> 29) & 1;
  }
  if (!avx2 || !f16c) return KernelLevel::Scalar;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni"))
    return KernelLevel::AVX512;
  return KernelLevel::AVX2;
#else
  return KernelLevel::Scalar;
#endif
}

KernelLevel initial_level() {
  KernelLevel best = detected_kernel_level();
  if (const char* env = std::getenv("SEEK_KERNEL_LEVEL")) {
    KernelLevel want = kernel_level_from_name(env);
    if (want < best) best = want;
  }
  return best;
}

std::atomic<int>& current() {
  static std::atomic<int> level{static_cast<int>(initial_level())};
  return level;
}

}  // namespace

KernelLevel detected_kernel_level() {
  static const KernelLevel level = detect();
  return level;
}

KernelLevel kernel_level() { return static_cast<KernelLevel>(current().load(std::memory_order_relaxed)); }

void set_kernel_level(KernelLevel level) {
  if (level > detected_kernel_level())
    throw UsageError(str("kernel level ", kernel_level_name(level),
                         " is not supported by this CPU (best: ", kernel_level_name(detected_kernel_level()), ")"));
  current().store(static_cast<int>(level), std::memory_order_relaxed);
}

const char* kernel_level_name(KernelLevel level) {
  switch (level) {
    case KernelLevel::Scalar: return "scalar";
    case KernelLevel::AVX2: return "avx2";
    case KernelLevel::AVX512: return "avx512";
  }
  return "?";
}

KernelLevel kernel_level_from_name(const std::string& name) {
  if (name == "scalar") return KernelLevel::Scalar;
  if (name == "avx2") return KernelLevel::AVX2;
  if (name == "avx512") return KernelLevel::AVX512;
  throw UsageError(str("unknown kernel level '", name, "' (expected scalar, avx2 or avx512)"));
}

namespace kern {

RowDotFn KernelTable::get(DType t) const {
  switch (t) {
    case DType::F32: return f32;
    case DType::F16: return f16;
    case DType::BF16: return bf16;
    case DType::F8_E4M3: return f8_e4m3;
    case DType::Q4_0: return q4_0;
    case DType::Q4_1: return q4_1;
    case DType::Q5_0: return q5_0;
    case DType::Q5_1: return q5_1;
    case DType::Q8_0: return q8_0;
    case DType::Q2_K: return q2_K;
    case DType::Q3_K: return q3_K;
    case DType::Q4_K: return q4_K;
    case DType::Q5_K: return q5_K;
    case DType::Q6_K: return q6_K;
    case DType::IQ4_NL: return iq4_nl;
    case DType::IQ4_XS: return iq4_xs;
    case DType::IQ2_XXS: return iq2_xxs;
    case DType::IQ2_XS: return iq2_xs;
    case DType::IQ2_S: return iq2_s;
    case DType::IQ3_XXS: return iq3_xxs;
    case DType::IQ3_S: return iq3_s;
    case DType::IQ1_S: return iq1_s;
    case DType::IQ1_M: return iq1_m;
    case DType::TQ1_0: return tq1_0;
    case DType::TQ2_0: return tq2_0;
    case DType::MXFP4: return mxfp4;
    case DType::NVFP4: return nvfp4;
    case DType::Q1_0: return q1_0;
    case DType::Q2_0: return q2_0;
    default: return nullptr;
  }
}

void KernelTable::take(const KernelTable& o) {
  for (auto f :
       {&KernelTable::f32,    &KernelTable::f16,     &KernelTable::bf16,   &KernelTable::f8_e4m3, &KernelTable::q4_0,
        &KernelTable::q8_0,   &KernelTable::q4_K,    &KernelTable::q6_K,   &KernelTable::q4_1,    &KernelTable::q5_0,
        &KernelTable::q5_1,   &KernelTable::q2_K,    &KernelTable::q3_K,   &KernelTable::q5_K,    &KernelTable::iq4_nl,
        &KernelTable::iq4_xs, &KernelTable::iq2_xxs, &KernelTable::iq2_xs, &KernelTable::iq2_s,   &KernelTable::iq3_xxs,
        &KernelTable::iq3_s,  &KernelTable::iq1_s,   &KernelTable::iq1_m,  &KernelTable::tq1_0,   &KernelTable::tq2_0,
        &KernelTable::mxfp4,  &KernelTable::nvfp4,   &KernelTable::q1_0,   &KernelTable::q2_0})
    if (o.*f) this->*f = o.*f;
}

Kernel kernel_for(DType t) {
  const KernelLevel level = kernel_level();
  const KernelTable* table = nullptr;
  if (level >= KernelLevel::AVX512 && kernels_avx512().get(t)) table = &kernels_avx512();
  if (!table && level >= KernelLevel::AVX2 && kernels_avx2().get(t)) table = &kernels_avx2();
  if (!table && kernels_scalar().get(t)) table = &kernels_scalar();
  if (!table)
    throw FormatError(
        str("no matmul kernel for weight type ", dtype_name(t),
            " (expected f32, f16, bf16, f8_e4m3, q4_0, q4_1, q5_0, q5_1, q8_0, q2_K, q3_K, q4_K, q5_K, q6_K, iq2_xxs, "
            "iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m, iq4_nl, iq4_xs, tq1_0, tq2_0, mxfp4, nvfp4, q1_0 or q2_0)"));
  return {table->get(t), table->aux(t)};
}

RowDotFn row_dot(DType t) { return kernel_for(t).fn; }

}  // namespace kern

}  // namespace seek
