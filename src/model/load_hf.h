// Models from a Hugging Face checkpoint directory: config.json -> ModelConfig (same field
// names), safetensors (single or sharded, including DeepSeek-V3's FP8 E4M3 weights with
// weight_scale_inv) -> ModelWeights with HF tensor names.
#pragma once
#include <memory>
#include <string>

#include "formats/hf_config.h"
#include "formats/safetensors.h"
#include "model/config.h"
#include "model/weights.h"

namespace seek {

ModelConfig config_from_hf(const HFConfig& j);
void load_weights_hf(const SafetensorsFile& st, const ModelConfig& c, ModelWeights& w);

}  // namespace seek
