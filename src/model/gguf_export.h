// The GGUF side of a model config: the deepseek2 keys llama.cpp requires, and the list of
// tensors (GGUF names, PyTorch shapes) a config implies. `seek init` fills them with random
// numbers; the trainer's export fills them with trained weights.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "model/config.h"

namespace seek {

struct TensorSpec {
  std::string name;            // e.g. "blk.3.ffn_gate_exps.weight"
  std::vector<int64_t> shape;  // PyTorch order
  bool keep_f32 = false;       // norms, router, biases: never quantized (as llama.cpp does)
};

// MTP blocks come after the main layers as blk.L.{attention, ffn} + blk.L.nextn.{enorm, hnorm,
// eh_proj, shared_head_norm} (llama.cpp's names; block_count counts them).
std::vector<TensorSpec> gguf_tensor_specs(const ModelConfig& c);
// Writes general.* and deepseek2.* keys for c (deepseek2 only; throws UsageError otherwise).
void add_gguf_config_keys(GGUFWriter& w, const ModelConfig& c, int32_t file_type);
// Copies every tokenizer.* key from `vocab` (a GGUF with a vocabulary) into w.
void copy_tokenizer_keys(GGUFWriter& w, const GGUFFile& vocab);
// The type a tensor is stored as in a file of `type` (keep_f32 tensors stay F32; rows that are
// not whole blocks of the type fall back to Q8_0 or F16 as llama-quantize does).
DType storage_type(const TensorSpec& s, DType type);

}  // namespace seek
