// Named model shapes: DeepSeek-V3-architecture presets for benchmarks (`seek init`) and
// from-scratch training (`seek train`). Each is a plain ModelConfig, nothing hidden.
#pragma once
#include <string>
#include <vector>

#include "model/config.h"

namespace seek {

// Throws UsageError listing the known names when `name` is unknown.
ModelConfig preset_config(const std::string& name);
std::vector<std::string> preset_names();
// Parameters: all of them, and those one token uses (shared weights + top-k experts).
int64_t count_params(const ModelConfig& c);
int64_t count_active_params(const ModelConfig& c);

}  // namespace seek
