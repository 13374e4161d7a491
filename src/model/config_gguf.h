// ModelConfig from a GGUF file's keys (llama.cpp's names: "deepseek2.attention.kv_lora_rank", ...).
#pragma once
#include "formats/gguf.h"
#include "model/config.h"

namespace seek {

// Throws FormatError for an unsupported architecture or a missing/invalid key.
ModelConfig config_from_gguf(const GGUFFile& f);

}  // namespace seek
