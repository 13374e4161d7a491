// Writing a model as GGUF: the tensors come from the registry (model/arch/registry.h), filled by
// the caller (`seek init` with random numbers, the trainer's export with trained weights), and
// stored in the requested type as llama-quantize would.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "formats/gguf.h"
#include "model/arch/registry.h"
#include "model/config.h"

namespace seek {

class ThreadPool;

// Copies every tokenizer.* key from `vocab` (a GGUF with a vocabulary) into w.
void copy_tokenizer_keys(GGUFWriter& w, const GGUFFile& vocab);
// The type a tensor is stored as in a file of `type` (kSmall tensors stay F32; rows that are not
// whole blocks of the type fall back as llama-quantize does: Q2_K/Q3_K to Q4_0, Q4_K to Q5_0, Q5_K
// to Q5_1, Q6_K to Q8_0, and to F16 where those do not fit either).
DType storage_type(const TensorInstance& t, DType type);
// The general.file_type code of a weight type (llama.cpp's LLAMA_FTYPE numbering).
int32_t gguf_file_type(DType type);

// Writes `path`: config keys, the vocabulary's tokenizer keys, then every tensor of
// gguf_tensors(c) in `type`. fill(t, index, row, out) writes row `row` (of the tensor flattened to
// [rows, shape.back()]) as f32; rows are filled and quantized in parallel on `pool`.
// `progress(done_values)` is called as tensors complete (may be empty).
using RowFill = std::function<void(const TensorInstance& t, size_t index, int64_t row, float* out)>;
void write_gguf_model(const std::string& path, const ModelConfig& c, const GGUFFile& vocab, DType type,
                      const RowFill& fill, ThreadPool& pool, const std::function<void(int64_t)>& progress = {});

}  // namespace seek
