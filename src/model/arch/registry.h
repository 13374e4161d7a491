// The architecture registry: one declaration per architecture (model/arch/<name>/<name>.cpp) of
// its hyperparameters and its tensors, and nothing else anywhere lists them. Every reader and
// writer walks these tables: GGUF and HF loading (model/load_weights.cpp), config reading and
// writing (model/config_io.cpp), `seek info`'s checks, `seek init`, GGUF export, and the
// trainer's parameter layout, binding, checkpoints and hand-over to inference (src/train).
// docs/architecture.md explains the design and how to add an architecture.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/weights.h"

namespace seek {

class GGUFFile;
class GGUFWriter;
class HFConfig;

// Where a tensor's handle lives in ModelT<T>: a captureless generic lambda
// `[](auto& m, int64_t il, int64_t e) -> auto& { ... }` converts to both function pointers, so one
// line of a table serves the inference weights and the trainer's parameters alike.
struct Slot {
  TensorView& (*view)(ModelT<TensorView>&, int64_t layer, int64_t expert) = nullptr;
  ParamRef& (*param)(ModelT<ParamRef>&, int64_t layer, int64_t expert) = nullptr;
  Slot() = default;
  template <class F>
  Slot(F f) : view(f), param(f) {}  // NOLINT: implicit on purpose, see above
  explicit operator bool() const { return view != nullptr; }
};
#define SEEK_GLOBAL(path) \
  [](auto& m, int64_t, int64_t) -> auto& { return m.path; }
#define SEEK_LAYER(path) \
  [](auto& m, int64_t il, int64_t) -> auto& { return m.layers[il].path; }
#define SEEK_EXPERT(part) \
  [](auto& m, int64_t il, int64_t e) -> auto& { return m.layers[il].moe.experts[e].part; }
// Shapes and layer predicates as expressions of the config `c` (and layer `il`).
#define SEEK_SHAPE(...)                              \
  [](const ModelConfig& c) -> std::vector<int64_t> { \
    (void)c;                                         \
    return {__VA_ARGS__};                            \
  }
#define SEEK_WHEN(expr)                          \
  [](const ModelConfig& c, int64_t il) -> bool { \
    (void)c;                                     \
    (void)il;                                    \
    return expr;                                 \
  }

// Which part of the model a tensor belongs to; also fixes the order of HF checkpoints (embedding,
// layers, MTP input / layer / MTP head, final norm and head) and of GGUF files (embedding, head,
// then each blk.N: layer tensors, MTP tensors).
enum class Part { Embed, Layer, MtpIn, MtpOut, Head };

// How `seek init` and the trainer fill a fresh tensor.
enum class Init { Normal, One, Zero };

enum TensorFlag : uint32_t {
  kOptional = 1u << 0,    // readers accept its absence (then `fallback`, if any, stands in)
  kSmall = 1u << 1,       // norm / bias / router: stored as F32/F16/BF16 only, widened to f32 at
                          // load, never quantized on export (as llama-quantize does)
  kExperts = 1u << 2,     // one per routed expert: HF names hold "{e}", GGUF stacks them [E, ...]
  kLoadOnly = 1u << 3,    // an alternative stored form readers accept; writers never write it
  kNotTrained = 1u << 4,  // not a gradient parameter (router bias: updated by the balancing rule)
};

using ShapeFn = std::vector<int64_t> (*)(const ModelConfig&);
using WhenFn = bool (*)(const ModelConfig&, int64_t layer);

struct TensorDef {
  const char* gguf;  // "attn_norm.weight": blk.N. prefixed for layer parts; nullptr: none
  const char* hf;    // "self_attn.kv_a_proj_with_mqa.weight": model.layers.N. prefixed; nullptr: none
  Part part;
  Slot slot;
  ShapeFn shape;          // PyTorch order; per expert for kExperts
  WhenFn when = nullptr;  // which layers have it (nullptr: all of its part)
  uint32_t flags = 0;
  Init init = Init::Normal;
  Slot fallback = {};  // used when the tensor is optional and absent (tied output, MTP head norm)

  bool has(uint32_t f) const { return (flags & f) != 0; }
  // The stored types a reader accepts: F32/F16/BF16 for kSmall tensors, else any type seek computes with.
  bool allows(DType t) const;
  bool in_layer(const ModelConfig& c, int64_t il) const { return when == nullptr || when(c, il); }
  // Full names: blk.N.<gguf> / model.layers.N.<hf> ({e} replaced by the expert).
  std::string gguf_name(int64_t layer) const;
  std::string hf_name(int64_t layer, int64_t expert) const;
};

// One hyperparameter: a ModelConfig field, its GGUF key (after "<arch>.") and HF config.json key,
// default and validation. Exactly one of the member pointers is set.
struct HParam {
  const char* gguf;  // nullptr: not stored under this name in GGUF (the arch's hooks handle it)
  const char* hf;    // nullptr: not in config.json
  int64_t ModelConfig::*i = nullptr;
  double ModelConfig::*f = nullptr;
  bool ModelConfig::*b = nullptr;
  std::string ModelConfig::*s = nullptr;
  bool required = false;                 // no default: the key must be present
  double def = 0;                        // default for numbers and bools
  const char* def_s = "";                // default for strings
  double min = -1e300;                   // numbers must be >= min (checked before any arithmetic uses them)
  std::vector<std::string> one_of = {};  // strings must be one of these (empty: any)
  bool write_if_zero = true;             // GGUF writers skip the key when the value is 0
};
HParam hp_int(const char* gguf, const char* hf, int64_t ModelConfig::*field, bool required, int64_t def, int64_t min,
              bool write_if_zero = true);
HParam hp_float(const char* gguf, const char* hf, double ModelConfig::*field, double def, double min);
HParam hp_bool(const char* gguf, const char* hf, bool ModelConfig::*field, bool def);
HParam hp_string(const char* hf, std::string ModelConfig::*field, const char* def, std::vector<std::string> one_of);

struct ArchDef {
  const char* gguf_arch;              // general.architecture, and ModelConfig::arch
  std::vector<std::string> hf_types;  // config.json model_type values
  const char* hf_class;               // architectures[0] written to config.json
  std::vector<HParam> hparams;
  std::vector<TensorDef> tensors;
  AttentionKind attention = AttentionKind::Gqa;
  // Hooks for what a table cannot say, each in the architecture's own file.
  // After the table's keys are read: derived and specially encoded fields (rope style, MLA head
  // dims from key_length, gating function codes). Fields are already range-checked.
  void (*from_gguf)(const GGUFFile& f, const std::string& prefix, ModelConfig& c) = nullptr;
  void (*from_hf)(const HFConfig& j, ModelConfig& c) = nullptr;
  // Then the architecture's features (rope style, biases, q/k norms), by source format.
  void (*features)(ModelConfig& c, bool from_gguf) = nullptr;
  // Keys a writer adds beyond the table's (GGUF; HF json through its nlohmann object).
  void (*to_gguf)(GGUFWriter& w, const std::string& prefix, const ModelConfig& c) = nullptr;
  void (*to_hf)(nlohmann::json& j, const ModelConfig& c) = nullptr;
  // Inference weights derived from loaded ones (e.g. MLA's split wkv_b); checks alternatives.
  void (*finish_weights)(const ModelConfig& c, ModelWeights& w) = nullptr;
  // Before a loaded model's weights become trainer parameters: rebuild tensors only the loaded
  // form lacks (e.g. wkv_b from a split-layout file).
  void (*complete_for_training)(const ModelConfig& c, ModelWeights& w) = nullptr;
};

// Registry lookups by GGUF architecture name or HF model_type; unknown names throw FormatError
// listing the known ones.
const ArchDef& arch_def(const std::string& arch);
const ArchDef& arch_by_hf_type(const std::string& model_type, const std::string& where);
const std::vector<const ArchDef*>& all_archs();

// The tensors a file of this config holds, in the order writers write them (GGUF or HF).
struct TensorInstance {
  const TensorDef* def;
  int64_t layer;   // -1 for global tensors
  int64_t expert;  // -1 unless one expert of a kExperts def (HF order only)
  std::string name;
  std::vector<int64_t> shape;  // GGUF: experts stacked [E, ...]
};
// GGUF order: embedding, head, then per block the layer's tensors and its MTP tensors.
// Skips kLoadOnly defs and defs without a GGUF name.
std::vector<TensorInstance> gguf_tensors(const ModelConfig& c);
// HF (and trainer) order: embedding, layers (an MTP block: MtpIn, layer, MtpOut), final norm, head;
// experts one by one. Skips kLoadOnly defs and defs without an HF name; `trainable` also skips
// kNotTrained ones.
std::vector<TensorInstance> hf_tensors(const ModelConfig& c, bool trainable);

}  // namespace seek
