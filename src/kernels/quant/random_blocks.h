// Random but valid blocks of any computable block type, for benchmarks and kernel tests of the
// types seek reads but cannot write (the IQ, ternary, FP4 and 1- / 2-bit types): every code
// byte random, every scale field set to a moderate finite value (never NaN, Inf or subnormal).
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace seek {

// Fills n_blocks blocks of type t at dst from `seed`. Throws FormatError for a non-block type.
void random_valid_blocks(DType t, uint8_t* dst, int64_t n_blocks, uint32_t seed);

}  // namespace seek
