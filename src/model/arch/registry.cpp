// Registry lookups and the two orders in which files hold a config's tensors (registry.h).
#include "model/arch/registry.h"

#include "core/error.h"

namespace seek {

#define SEEK_ARCH(name) const ArchDef& name##_arch();
#include "model/arch/list.h"
#undef SEEK_ARCH

const std::vector<const ArchDef*>& all_archs() {
  static const std::vector<const ArchDef*> archs = {
#define SEEK_ARCH(name) &name##_arch(),
#include "model/arch/list.h"
#undef SEEK_ARCH
  };
  return archs;
}

namespace {

std::string known_names(bool hf) {
  std::string s;
  for (const ArchDef* a : all_archs()) {
    if (hf) {
      for (const std::string& t : a->hf_types) s += (s.empty() ? "" : ", ") + t;
    } else {
      s += (s.empty() ? "" : ", ") + std::string(a->gguf_arch);
    }
  }
  return s;
}

}  // namespace

const ArchDef& arch_def(const std::string& name) {
  for (const ArchDef* d : all_archs())
    if (name == d->gguf_arch) return *d;
  throw FormatError(str("unsupported architecture '", name, "' (seek runs ", known_names(false), ")"));
}

const ArchDef& arch_by_hf_type(const std::string& model_type, const std::string& where) {
  for (const ArchDef* d : all_archs())
    for (const std::string& t : d->hf_types)
      if (t == model_type) return *d;
  throw FormatError(str(where, ": model_type '", model_type, "' is not supported (", known_names(true), ")"));
}

std::string TensorDef::gguf_name(int64_t layer) const {
  return part == Part::Embed || part == Part::Head ? std::string(gguf) : str("blk.", layer, ".", gguf);
}

std::string TensorDef::hf_name(int64_t layer, int64_t expert) const {
  std::string n = hf;
  const size_t at = n.find("{e}");
  if (at != std::string::npos) n.replace(at, 3, std::to_string(expert));
  return part == Part::Embed || part == Part::Head ? n : str("model.layers.", layer, ".", n);
}

bool TensorDef::allows(DType t) const {
  if (has(kSmall)) return t == DType::F32 || t == DType::F16 || t == DType::BF16;
  return dtype_computable(t);
}

HParam hp_int(const char* gguf, const char* hf, int64_t ModelConfig::*field, bool required, int64_t def, int64_t min,
              bool write_if_zero) {
  HParam h{gguf, hf};
  h.i = field;
  h.required = required;
  h.def = static_cast<double>(def);
  h.min = static_cast<double>(min);
  h.write_if_zero = write_if_zero;
  return h;
}

HParam hp_float(const char* gguf, const char* hf, double ModelConfig::*field, double def, double min) {
  HParam h{gguf, hf};
  h.f = field;
  h.def = def;
  h.min = min;
  return h;
}

HParam hp_bool(const char* gguf, const char* hf, bool ModelConfig::*field, bool def) {
  HParam h{gguf, hf};
  h.b = field;
  h.def = def ? 1 : 0;
  return h;
}

HParam hp_string(const char* hf, std::string ModelConfig::*field, const char* def, std::vector<std::string> one_of) {
  HParam h{nullptr, hf};
  h.s = field;
  h.def_s = def;
  h.one_of = std::move(one_of);
  return h;
}

namespace {

int64_t n_blocks(const ModelConfig& c) { return c.num_hidden_layers + c.num_nextn_predict_layers; }

bool part_in_block(Part p, const ModelConfig& c, int64_t il) {
  if (p == Part::Layer) return true;
  return (p == Part::MtpIn || p == Part::MtpOut) && il >= c.num_hidden_layers;
}

void add_global(std::vector<TensorInstance>& out, const ArchDef& a, const ModelConfig& c, Part part, bool hf,
                bool trainable) {
  for (const TensorDef& d : a.tensors) {
    if (d.part != part || d.has(kLoadOnly) || !(hf ? d.hf : d.gguf) || !d.in_layer(c, -1)) continue;
    if (trainable && d.has(kNotTrained)) continue;
    out.push_back({&d, -1, -1, hf ? d.hf_name(-1, -1) : d.gguf_name(-1), d.shape(c)});
  }
}

}  // namespace

std::vector<TensorInstance> gguf_tensors(const ModelConfig& c) {
  const ArchDef& a = arch_def(c.arch);
  std::vector<TensorInstance> out;
  add_global(out, a, c, Part::Embed, false, false);
  add_global(out, a, c, Part::Head, false, false);
  for (int64_t il = 0; il < n_blocks(c); ++il)
    for (Part p : {Part::Layer, Part::MtpIn, Part::MtpOut})
      for (const TensorDef& d : a.tensors) {
        if (d.part != p || d.has(kLoadOnly) || !d.gguf || !part_in_block(p, c, il) || !d.in_layer(c, il)) continue;
        std::vector<int64_t> shape = d.shape(c);
        if (d.has(kExperts)) shape.insert(shape.begin(), c.n_routed_experts);
        out.push_back({&d, il, -1, d.gguf_name(il), std::move(shape)});
      }
  return out;
}

std::vector<TensorInstance> hf_tensors(const ModelConfig& c, bool trainable) {
  const ArchDef& a = arch_def(c.arch);
  std::vector<TensorInstance> out;
  add_global(out, a, c, Part::Embed, true, trainable);
  for (int64_t il = 0; il < n_blocks(c); ++il)
    for (Part p : {Part::MtpIn, Part::Layer, Part::MtpOut}) {
      if (!part_in_block(p, c, il)) continue;
      const std::vector<TensorDef>& t = a.tensors;
      for (size_t i = 0; i < t.size(); ++i) {
        const TensorDef& d = t[i];
        if (d.part != p || d.has(kLoadOnly) || !d.hf || !d.in_layer(c, il)) continue;
        if (trainable && d.has(kNotTrained)) continue;
        if (!d.has(kExperts)) {
          out.push_back({&d, il, -1, d.hf_name(il, -1), d.shape(c)});
          continue;
        }
        // A run of expert tensors is stored expert by expert: experts.0.{gate,up,down}, experts.1...
        size_t j = i;
        while (j < t.size() && t[j].part == p && t[j].has(kExperts)) ++j;
        for (int64_t e = 0; e < c.n_routed_experts; ++e)
          for (size_t k = i; k < j; ++k)
            if (t[k].hf && t[k].in_layer(c, il)) out.push_back({&t[k], il, e, t[k].hf_name(il, e), t[k].shape(c)});
        i = j - 1;
      }
    }
  add_global(out, a, c, Part::Head, true, trainable);
  return out;
}

}  // namespace seek
