// Pieces of the HF -> GGUF conversion (hf_to_gguf.h) shared by its files: the converter's key
// store, its config lookups, and the general.* and tokenizer.* key writers.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "formats/gguf.h"

namespace seek::hf_gguf {

using nlohmann::json;

// gguf-py's GGUFWriter key store: keys keep the position of their first insertion, and a key set
// again takes the new value in place (the converter sets some keys twice, e.g. expert_count).
class KvList {
 public:
  void set(const std::string& key, GGUFValue v);
  void set_string(const std::string& key, const std::string& v) { set(key, GGUFValue::of_string(v)); }
  void set_u32(const std::string& key, int64_t v);
  void set_f32(const std::string& key, double v) { set(key, GGUFValue::of_f32(static_cast<float>(v))); }
  void set_bool(const std::string& key, bool v) { set(key, GGUFValue::of_bool(v)); }
  // gguf-py's add_array: an empty list writes nothing.
  void set_strings(const std::string& key, const std::vector<std::string>& v);
  const std::vector<std::pair<std::string, GGUFValue>>& items() const { return kv_; }

 private:
  std::vector<std::pair<std::string, GGUFValue>> kv_;
};

// The converter's find_hparam: the value of the first of `keys` that config.json has (a JSON null
// counts as present), or nullptr.
const json* find_hparam(const json& hp, std::initializer_list<const char*> keys);
// A JSON number or bool as the converter's Python would use it; FormatError naming `key` otherwise.
int64_t json_int(const json& v, const std::string& key);
double json_float(const json& v, const std::string& key);

// What gguf-py's GGUFWriter.get_total_parameter_count reports of the converted tensors.
struct ParamCounts {
  int64_t total = 0, shared = 0, expert = 0, expert_count = 0;
};
// gguf-py's size label: "671B", or "256x2.9B" with experts (utility.size_label).
std::string size_label(const ParamCounts& p);

// general.* keys after general.architecture, as gguf-py's Metadata.load + set_gguf_meta_model
// make them: general.type, the sampling defaults of generation_config.json, then name, author,
// version, organization, finetune, basename, description, size_label, license, source, base
// models, datasets, tags and languages, from README.md's YAML front matter, config.json's
// _name_or_path and the directory's name.
void add_general_keys(KvList& kv, const std::string& dir, const ParamCounts& params);

// tokenizer.* keys for a byte-level BPE tokenizer.json, as the converter's _set_vocab_gpt2:
// model, pre (from the hash of the ids of its check text), tokens, token_type, merges, then
// gguf-py's SpecialVocab (special token ids, add_*_token flags, chat template, normalizer flags).
// `n_vocab` is config.json's vocab_size (missing ids become [PADn] tokens).
void add_tokenizer_keys(KvList& kv, const std::string& dir, int64_t n_vocab);

}  // namespace seek::hf_gguf
