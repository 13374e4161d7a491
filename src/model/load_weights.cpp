// The registry-driven loader (load_weights.h).
#include "model/load_weights.h"

#include <deque>
#include <functional>
#include <set>

#include "core/error.h"
#include "model/arch/registry.h"

namespace seek {

namespace {

using Find = std::function<const TensorView*(const std::string&)>;

TensorView checked(const TensorDef& d, const TensorView& t, const std::string& name,
                   const std::vector<int64_t>& shape) {
  check_shape(t, name, shape);
  if (!d.allows(t.dtype))
    throw FormatError(str("tensor ", name, ": type ", dtype_name(t.dtype), " is not supported",
                          d.has(kSmall) ? " for a norm, bias or router (F32, F16, BF16)" : ""));
  return t;
}

TensorView place(const TensorDef& d, const TensorView& t, ModelWeights& w) { return d.has(kSmall) ? to_f32(t, w) : t; }

// One pass over the registry: `gguf` picks the names and the stacked expert form.
void load(const Find& find, bool gguf, const std::string& where, const ModelConfig& c, ModelWeights& w) {
  const ArchDef& a = arch_def(c.arch);
  const int64_t n_layers = c.num_hidden_layers + c.num_nextn_predict_layers;
  w.layers.assign(static_cast<size_t>(n_layers), LayerWeights{});
  for (int64_t il = 0; il < n_layers; ++il) {
    w.layers[il].is_moe = c.is_moe_layer(il);
    if (w.layers[il].is_moe) w.layers[il].moe.experts.resize(static_cast<size_t>(c.n_routed_experts));
  }
  std::vector<std::pair<const TensorDef*, int64_t>> fallbacks;
  auto one = [&](const TensorDef& d, int64_t il) {
    const char* base = gguf ? d.gguf : d.hf;
    if (!base) return;
    const bool present_in_config = d.in_layer(c, il);
    if (!present_in_config) {
      if (d.fallback) fallbacks.emplace_back(&d, il);
      return;
    }
    const std::vector<int64_t> shape = d.shape(c);
    if (d.has(kExperts) && !gguf) {
      for (int64_t e = 0; e < c.n_routed_experts; ++e) {
        const std::string name = d.hf_name(il, e);
        const TensorView* t = find(name);
        if (!t) throw FormatError(str("missing tensor ", name, where));
        d.slot.view(w, il, e) = place(d, checked(d, *t, name, shape), w);
      }
      return;
    }
    const std::string name = gguf ? d.gguf_name(il) : d.hf_name(il, -1);
    const TensorView* t = find(name);
    if (!t) {
      if (!d.has(kOptional)) throw FormatError(str("missing tensor ", name, where));
      if (d.fallback) fallbacks.emplace_back(&d, il);
      return;
    }
    if (d.has(kExperts)) {  // GGUF: one [E, ...] tensor
      std::vector<int64_t> stacked = shape;
      stacked.insert(stacked.begin(), c.n_routed_experts);
      const TensorView all = checked(d, *t, name, stacked);
      for (int64_t e = 0; e < c.n_routed_experts; ++e) d.slot.view(w, il, e) = place(d, all.slice0(e), w);
      return;
    }
    d.slot.view(w, il, -1) = place(d, checked(d, *t, name, shape), w);
  };
  for (const TensorDef& d : a.tensors) {
    if (d.part == Part::Embed || d.part == Part::Head) {
      one(d, -1);
      continue;
    }
    for (int64_t il = 0; il < n_layers; ++il) {
      const bool mtp = il >= c.num_hidden_layers;
      if (d.part != Part::Layer && !mtp) continue;
      one(d, il);
    }
  }
  for (const auto& [d, il] : fallbacks) d->slot.view(w, il, -1) = d->fallback.view(w, il, -1);
  if (a.finish_weights) a.finish_weights(c, w);
}

}  // namespace

void load_weights_gguf(const GGUFFile& f, const ModelConfig& c, ModelWeights& w) {
  load(
      [&](const std::string& n) -> const TensorView* {
        const GGUFTensorInfo* t = f.find_tensor(n);
        return t ? &t->view : nullptr;
      },
      true, "", c, w);
}

void load_weights_hf(const SafetensorsFile& st, const ModelConfig& c, ModelWeights& w) {
  std::deque<TensorView> held;  // find() returns by value; keep the views addressable
  load(
      [&](const std::string& n) -> const TensorView* {
        if (!st.has(n)) return nullptr;
        held.push_back(st.find(n));
        return &held.back();
      },
      false, str(" in ", st.path()), c, w);
}

bool hf_has_mtp_layers(const SafetensorsFile& st, const ModelConfig& c) {
  for (const TensorDef& d : arch_def(c.arch).tensors)
    if (d.part == Part::MtpIn && d.hf && !d.has(kOptional) && !st.has(d.hf_name(c.num_hidden_layers, -1))) return false;
  return c.num_nextn_predict_layers > 0;
}

TensorCheck check_gguf_tensors(const GGUFFile& f, const ModelConfig& c) {
  TensorCheck r;
  std::set<std::string> claimed;
  for (const TensorInstance& t : gguf_tensors(c)) {
    claimed.insert(t.name);
    const GGUFTensorInfo* info = f.find_tensor(t.name);
    if (!info) {
      if (!t.def->has(kOptional)) r.problems.push_back(str("missing tensor ", t.name));
      continue;
    }
    try {
      checked(*t.def, info->view, t.name, t.shape);
    } catch (const FormatError& e) {
      r.problems.push_back(e.what());
    }
  }
  // Alternative forms a reader accepts (e.g. attn_k_b / attn_v_b) are claimed too.
  for (const TensorDef& d : arch_def(c.arch).tensors)
    if (d.has(kLoadOnly) && d.gguf)
      for (int64_t il = 0; il < c.num_hidden_layers + c.num_nextn_predict_layers; ++il) claimed.insert(d.gguf_name(il));
  for (const GGUFTensorInfo& t : f.tensors())
    if (!claimed.count(t.name)) r.unused.push_back(t.name);
  return r;
}

}  // namespace seek
