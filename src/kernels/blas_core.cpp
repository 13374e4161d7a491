// Re-exec with OPENBLAS_CORETYPE set when OpenBLAS under-detects the CPU (see blas_core.h).
#include "kernels/blas_core.h"

#include <cblas.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace seek {

namespace {

// Cores at least as fast for sgemm as the one wanted (OpenBLAS 0.3.x names).
bool at_least(const char* core, const char* want) {
  static const char* const kAvx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids"};
  static const char* const kAvx2[] = {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"};
  const bool avx512 = !std::strcmp(want, "SkylakeX");
  const char* const* list = avx512 ? kAvx512 : kAvx2;
  const size_t n = avx512 ? sizeof(kAvx512) / sizeof(*kAvx512) : sizeof(kAvx2) / sizeof(*kAvx2);
  for (size_t i = 0; i < n; ++i)
    if (!strcasecmp(core, list[i])) return true;
  return false;
}

}  // namespace

const char* wanted_blas_core() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return nullptr;
}

void ensure_fast_blas_core(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) return;  // the user's choice, or our own after the re-exec
  if (const char* off = std::getenv("SEEK_NO_BLAS_REEXEC"); off && *off && std::strcmp(off, "0") != 0) return;
  const char* want = wanted_blas_core();
  const char* core = openblas_get_corename();
  if (!want || !core || at_least(core, want)) return;
  if (setenv("OPENBLAS_CORETYPE", want, 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE");  // execv failed (no /proc?): carry on with OpenBLAS's choice
}

const char* blas_core_name() {
  const char* core = openblas_get_corename();
  return core ? core : "?";
}

}  // namespace seek
