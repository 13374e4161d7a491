// Parameter layout and binding of TrainModel (see train_params.h), both read off the registry.
#include "train/train_params.h"

#include "core/error.h"
#include "model/arch/registry.h"

namespace seek {

std::vector<ParamInfo> train_param_layout(const ModelConfig& c) {
  if (!c.is_mla()) throw UsageError(str("trainer: expected an MLA (deepseek2) config, got ", c.arch));
  if (c.num_nextn_predict_layers > 1)
    throw UsageError(str("trainer: num_nextn_predict_layers: expected 0 or 1, got ", c.num_nextn_predict_layers));
  std::vector<ParamInfo> info;
  size_t offset = 0;
  for (const TensorInstance& t : hf_tensors(c, true)) {
    ParamInfo p;
    p.name = t.name;
    p.shape = t.shape;
    p.numel = 1;
    for (int64_t s : p.shape) p.numel *= static_cast<size_t>(s);
    p.offset = offset;
    p.decay = p.shape.size() >= 2;
    p.def = t.def;
    p.layer = t.layer;
    p.expert = t.expert;
    offset += p.numel;
    info.push_back(std::move(p));
  }
  return info;
}

ModelParams bind_params(const ModelConfig& c, const std::vector<ParamInfo>& info, float* params, float* grads,
                        float* router_bias) {
  ModelParams m;
  m.layers.resize(static_cast<size_t>(c.num_hidden_layers + c.num_nextn_predict_layers));
  for (size_t il = 0; il < m.layers.size(); ++il) {
    LayerT<ParamRef>& b = m.layers[il];
    b.is_moe = c.is_moe_layer(static_cast<int64_t>(il));
    if (!b.is_moe) continue;
    b.moe.experts.resize(static_cast<size_t>(c.n_routed_experts));
    if (c.topk_method == "noaux_tc")
      b.moe.gate_bias.w = router_bias + c.moe_layer_index(static_cast<int64_t>(il)) * c.n_routed_experts;
  }
  for (const ParamInfo& p : info) p.def->slot.param(m, p.layer, p.expert) = {params + p.offset, grads + p.offset};
  return m;
}

}  // namespace seek
