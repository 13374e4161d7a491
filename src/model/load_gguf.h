// ModelWeights from a GGUF file: llama.cpp's tensor names (deepseek.md section 3), both the
// legacy attn_kv_b and the split attn_k_b/attn_v_b MLA layouts, MTP as blk.L.nextn.*.
#pragma once
#include "formats/gguf.h"
#include "model/config.h"
#include "model/weights.h"

namespace seek {

// Throws FormatError naming a missing tensor, a wrong shape or an unsupported type.
void load_weights_gguf(const GGUFFile& f, const ModelConfig& c, ModelWeights& w);

}  // namespace seek
