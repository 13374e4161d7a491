// SHA-256 (FIPS 180-4): the digest llama.cpp's converter keys its pre-tokenizer table by
// (model/hf_to_gguf_vocab.cpp) and the tests compare tensors and files with.
#pragma once
#include <cstddef>
#include <string>

namespace seek {

// Lower-case hex digest of data[0..n).
std::string sha256_hex(const void* data, size_t n);

}  // namespace seek
