// TrainModel -> inference Model: f32 copies of the trained weights put in the same slots the
// trainer's handles use (one registry, model/arch/registry.h), the router biases as gate_bias,
// then the architecture's own load-time transforms (e.g. MLA's wkv_b split into w_uk_t / w_uv).
#include <cstring>

#include "core/error.h"
#include "model/arch/registry.h"
#include "model/model.h"
#include "train/train_impl.h"

namespace seek {

std::unique_ptr<Model> TrainModel::to_inference_model() const {
  const ModelConfig& c = config_;
  auto w = std::make_unique<ModelWeights>();
  w->layers.resize(static_cast<size_t>(c.num_hidden_layers + c.num_nextn_predict_layers));
  for (size_t il = 0; il < w->layers.size(); ++il) {
    LayerWeights& L = w->layers[il];
    L.is_moe = c.is_moe_layer(static_cast<int64_t>(il));
    if (!L.is_moe) continue;
    L.moe.experts.resize(static_cast<size_t>(c.n_routed_experts));
    if (c.topk_method == "noaux_tc") {
      L.moe.gate_bias = w->new_f32({c.n_routed_experts});
      std::memcpy(L.moe.gate_bias.data,
                  router_bias_.data() + c.moe_layer_index(static_cast<int64_t>(il)) * c.n_routed_experts,
                  sizeof(float) * c.n_routed_experts);
    }
  }
  for (const ParamInfo& p : info_) {
    TensorView t = w->new_f32(p.shape);
    std::memcpy(t.data, params_.data() + p.offset, sizeof(float) * p.numel);
    p.def->slot.view(*w, p.layer, p.expert) = t;
  }
  const ArchDef& arch = arch_def(c.arch);
  if (arch.finish_weights) arch.finish_weights(c, *w);
  return std::make_unique<Model>(c, std::move(w));
}

}  // namespace seek
