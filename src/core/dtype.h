// Element types: GGUF's ggml type ids (same numbers, same block layouts, every type of
// llama.cpp de3ff81; dtype_computable says which seek computes with) plus FP8 E4M3,
// DeepSeek-V3's weight format, which is not a ggml type (seek-only id, never written to GGUF).
// A block type stores `block_size` elements in `type_size` bytes; rows are whole blocks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace seek {

enum class DType : int32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
  Q2_0 = 42,
  F8_E4M3 = 1000,  // seek-only: safetensors "F8_E4M3", scales in a separate fp32 tensor
};

struct DTypeInfo {
  const char* name;    // GGUF/ggml spelling: "f32", "q4_K", ...
  int64_t block_size;  // elements per block (1 for plain types)
  int64_t type_size;   // bytes per block
  bool is_quantized;   // a block format with per-block scales
};

// Throws FormatError for an id that is no known type.
const DTypeInfo& dtype_info(DType t);
// True if `id` is a ggml type id seek knows (not necessarily one it computes with).
bool dtype_known(int32_t id);
// True if seek has kernels (dequantize, dot) for this type.
bool dtype_computable(DType t);
std::string dtype_name(DType t);
// Parses "f32", "F16", "q4_k", "Q8_0", "bf16", ... (case-insensitive). Throws UsageError.
DType dtype_from_name(const std::string& name);

// Bytes of a row of n elements; throws FormatError when n is not a whole number of blocks.
size_t row_bytes(DType t, int64_t n);

}  // namespace seek
