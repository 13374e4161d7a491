// SHA-256 for the tests (whole dequantized tensors and files against the digests llama.cpp's
// reference data records): core/sha256.h under the name the tests use.
#pragma once
#include <string>

#include "core/sha256.h"

namespace seek::test {

inline std::string sha256_hex(const void* data, size_t n) { return seek::sha256_hex(data, n); }

}  // namespace seek::test
