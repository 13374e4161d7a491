// OpenBLAS picks its kernels from the CPU model it recognises; on a VM whose model is generic
// ("Intel Xeon Processor") Debian's DYNAMIC_ARCH build falls back to Prescott (SSE3) kernels,
// about half the sgemm speed. OPENBLAS_CORETYPE overrides that, but OpenBLAS reads it once when
// the library loads, before main(); so seek sets it and re-executes itself, once.
#pragma once

namespace seek {

// The OpenBLAS core seek wants on this CPU from its ISA ("SkylakeX" with AVX-512, "Haswell"
// with AVX2+FMA), or nullptr when OpenBLAS's own choice is as good (or the CPU has neither).
const char* wanted_blas_core();

// Call first thing in main(). If OPENBLAS_CORETYPE is unset and OpenBLAS chose a core older than
// wanted_blas_core(), sets OPENBLAS_CORETYPE and execv()s /proc/self/exe with the same argv (same
// pid, environment and open descriptors, so it is safe under mpirun: MPI is not initialised yet).
// The variable itself guards against a loop: the new image sees it set and goes on. Returns
// normally (doing nothing) when no re-exec is needed or execv fails; SEEK_NO_BLAS_REEXEC=1 disables it.
void ensure_fast_blas_core(char** argv);

// The core OpenBLAS is running with (openblas_get_corename()), for benchmarks and logs.
const char* blas_core_name();

}  // namespace seek
