// ModelWeights from a file's tensor table, walking the architecture's registry entry: every
// tensor the config implies is looked up by its GGUF or HF name, its shape and type checked, small
// ones widened to f32, experts sliced out of GGUF's stacked tensors; then the architecture's
// finish_weights derives what the forward uses (e.g. MLA's split wkv_b).
#pragma once
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "model/config.h"
#include "model/weights.h"

namespace seek {

// Throws FormatError naming a missing tensor, a wrong shape or an unsupported type.
void load_weights_gguf(const GGUFFile& f, const ModelConfig& c, ModelWeights& w);
void load_weights_hf(const SafetensorsFile& st, const ModelConfig& c, ModelWeights& w);
// Whether a checkpoint ships the MTP layers its config declares (HF conversions often drop them).
bool hf_has_mtp_layers(const SafetensorsFile& st, const ModelConfig& c);

// What `seek info` reports about a GGUF file against its registry entry: tensors the config
// needs that are missing or misshapen, and tensors nothing reads. Empty: the file is complete.
struct TensorCheck {
  std::vector<std::string> problems;  // "missing tensor ...", "tensor ...: expected [..], got [..]"
  std::vector<std::string> unused;    // tensor names no registry entry claims
};
TensorCheck check_gguf_tensors(const GGUFFile& f, const ModelConfig& c);

}  // namespace seek
