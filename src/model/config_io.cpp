// Registry-driven config reading and writing (config_io.h).
#include "model/config_io.h"

#include <cmath>

#include "core/error.h"
#include "model/arch/registry.h"

namespace seek {

namespace {

// Defaults first, so fields without a key in this format hold theirs.
void set_defaults(const ArchDef& a, ModelConfig& c) {
  for (const HParam& h : a.hparams) {
    if (h.i) c.*h.i = static_cast<int64_t>(h.def);
    if (h.f) c.*h.f = h.def;
    if (h.b) c.*h.b = h.def != 0;
    if (h.s) c.*h.s = h.def_s;
  }
}

void check_range(const HParam& h, const ModelConfig& c, const std::string& key) {
  double v = 0;
  if (h.i) v = static_cast<double>(c.*h.i);
  else if (h.f) v = c.*h.f;
  if ((h.i || h.f) && (!std::isfinite(v) || v < h.min))
    throw FormatError(str(key, " = ", h.i ? str(c.*h.i) : str(c.*h.f), ": must be a finite number >= ", h.min));
  if (h.s && !h.one_of.empty()) {
    for (const std::string& ok : h.one_of)
      if (c.*h.s == ok) return;
    std::string list;
    for (const std::string& ok : h.one_of) list += (list.empty() ? "" : ", ") + ok;
    throw FormatError(str(key, " = '", c.*h.s, "': must be one of ", list));
  }
}

int64_t vocab_from_tensors(const GGUFFile& f) {
  if (const GGUFTensorInfo* t = f.find_tensor("token_embd.weight")) return t->view.shape[0];
  if (const GGUFValue* v = f.find("tokenizer.ggml.tokens")) return static_cast<int64_t>(v->arr.size());
  throw FormatError("cannot tell the vocabulary size: no <arch>.vocab_size, token_embd.weight or tokenizer tokens");
}

void finish(const ArchDef& a, ModelConfig& c) {
  c.attention = a.attention;
  c.validate();
}

}  // namespace

ModelConfig config_from_gguf(const GGUFFile& f) {
  const std::string name = f.architecture();
  if (name.empty()) throw FormatError("missing key general.architecture");
  const ArchDef& a = arch_def(name);
  const std::string p = name + ".";
  ModelConfig c;
  c.arch = a.gguf_arch;
  c.attention = a.attention;
  set_defaults(a, c);
  c.name = f.get_string_or("general.name", name);
  for (const HParam& h : a.hparams) {
    if (!h.gguf) continue;
    const std::string key = p + h.gguf;
    const bool present = f.find(key) != nullptr;
    if (h.required && !present) throw FormatError(str("missing key ", key));
    if (present) {
      if (h.i) c.*h.i = f.get_int(key);
      if (h.f) c.*h.f = f.get_float_or(key, h.def);
      if (h.b) c.*h.b = f.get_bool_or(key, h.def != 0);
    }
    check_range(h, c, key);
  }
  if (c.vocab_size == 0) c.vocab_size = vocab_from_tensors(f);
  // Every id the model can emit needs a token, and every token an embedding row (llama.cpp
  // requires the two to be equal too).
  if (const GGUFValue* tokens = f.find("tokenizer.ggml.tokens"))
    if (static_cast<int64_t>(tokens->arr.size()) != c.vocab_size)
      throw FormatError(str("tokenizer.ggml.tokens has ", tokens->arr.size(), " tokens but the model's vocabulary (", p,
                            "vocab_size / token_embd.weight rows) is ", c.vocab_size));
  if (c.num_key_value_heads == 0) c.num_key_value_heads = c.num_attention_heads;
  c.bos_token_id = static_cast<int32_t>(f.get_int_or("tokenizer.ggml.bos_token_id", -1));
  c.eos_token_id = static_cast<int32_t>(f.get_int_or("tokenizer.ggml.eos_token_id", -1));
  if (a.from_gguf) a.from_gguf(f, p, c);
  if (a.features) a.features(c, true);
  finish(a, c);
  return c;
}

namespace {

int32_t first_id(const HFConfig& j, const std::string& key) {
  std::vector<int64_t> ids = j.get_int_list(key);
  return ids.empty() ? -1 : static_cast<int32_t>(ids[0]);
}

}  // namespace

ModelConfig config_from_hf(const HFConfig& j) {
  const std::string type = j.get_string("model_type");
  const ArchDef& a = arch_by_hf_type(type, j.path());
  ModelConfig c;
  c.arch = a.gguf_arch;
  c.attention = a.attention;
  set_defaults(a, c);
  c.name = type;
  for (const HParam& h : a.hparams) {
    if (!h.hf) continue;
    const std::string key = h.hf;
    if (h.required && !j.has(key)) throw FormatError(str(j.path(), ": missing key ", key));
    if (h.i) c.*h.i = j.get_int(key, c.*h.i);
    if (h.f) c.*h.f = j.get_float(key, c.*h.f);
    if (h.b) c.*h.b = j.get_bool(key, c.*h.b);
    if (h.s) c.*h.s = j.get_string(key, c.*h.s);
    check_range(h, c, str(j.path(), ": ", key));
  }
  if (c.num_key_value_heads == 0) c.num_key_value_heads = c.num_attention_heads;
  c.bos_token_id = first_id(j, "bos_token_id");
  c.eos_token_id = first_id(j, "eos_token_id");
  if (a.from_hf) a.from_hf(j, c);
  if (a.features) a.features(c, false);
  finish(a, c);
  return c;
}

void add_gguf_config_keys(GGUFWriter& w, const ModelConfig& c, int32_t file_type) {
  const ArchDef& a = arch_def(c.arch);
  const std::string p = std::string(a.gguf_arch) + ".";
  w.set("general.architecture", GGUFValue::of_string(a.gguf_arch));
  w.set("general.name", GGUFValue::of_string(c.name.empty() ? "seek-model" : c.name));
  w.set("general.file_type", GGUFValue::of_u32(static_cast<uint32_t>(file_type)));
  for (const HParam& h : a.hparams) {
    if (!h.gguf) continue;
    if (h.i && (h.write_if_zero || c.*h.i != 0)) w.set(p + h.gguf, GGUFValue::of_u32(static_cast<uint32_t>(c.*h.i)));
    if (h.f) w.set(p + h.gguf, GGUFValue::of_f32(static_cast<float>(c.*h.f)));
    if (h.b) w.set(p + h.gguf, GGUFValue::of_bool(c.*h.b));
  }
  if (a.to_gguf) a.to_gguf(w, p, c);  // after the table: it may override (block_count with MTP blocks)
}

nlohmann::json config_to_hf_json(const ModelConfig& c) {
  const ArchDef& a = arch_def(c.arch);
  nlohmann::json j = {{"model_type", a.hf_types.front()}, {"architectures", {a.hf_class}}, {"name", c.name}};
  for (const HParam& h : a.hparams) {
    if (!h.hf) continue;
    if (h.i) j[h.hf] = c.*h.i;
    if (h.f) j[h.hf] = c.*h.f;
    if (h.b) j[h.hf] = c.*h.b;
    if (h.s) j[h.hf] = c.*h.s;
  }
  j["bos_token_id"] = c.bos_token_id;
  j["eos_token_id"] = c.eos_token_id;
  if (a.to_hf) a.to_hf(j, c);
  return j;
}

ModelConfig config_from_hf_json(const nlohmann::json& j) {
  ModelConfig c = config_from_hf(HFConfig::parse(j.dump(), "checkpoint model_config"));
  if (j.contains("name") && j["name"].is_string()) c.name = j["name"].get<std::string>();
  return c;
}

}  // namespace seek
