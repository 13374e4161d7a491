// ModelConfig <-> the files that carry it, driven by the registry's hyperparameter tables
// (model/arch/registry.h): GGUF keys ("deepseek2.attention.kv_lora_rank") and HF config.json.
// Every value is range-checked, naming its key, before anything computes with it.
#pragma once
#include <nlohmann/json.hpp>

#include "formats/gguf.h"
#include "formats/hf_config.h"
#include "model/config.h"

namespace seek {

// Throws FormatError for an unsupported architecture or a missing/invalid key.
ModelConfig config_from_gguf(const GGUFFile& f);
ModelConfig config_from_hf(const HFConfig& j);
// general.* and <arch>.* keys for c.
void add_gguf_config_keys(GGUFWriter& w, const ModelConfig& c, int32_t file_type);
// config.json fields (model_type, architectures, name, every hyperparameter), so that
// config_from_hf_json(config_to_hf_json(c)) == c.
nlohmann::json config_to_hf_json(const ModelConfig& c);
ModelConfig config_from_hf_json(const nlohmann::json& j);

}  // namespace seek
