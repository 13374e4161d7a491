// TrainModel -> inference Model (f32 copies of the trained weights, the router biases as
// e_score_correction_bias), for generation during RL and for export. Same transforms as the
// loaders: kv_b_proj split per head into w_uk_t / w_uv (model/weights.h).
#include <cstring>

#include "core/error.h"
#include "model/model.h"
#include "train/train_impl.h"

namespace seek {

namespace {

struct Copier {
  const TrainModel& tm;
  ModelWeights& mw;
  TensorView operator()(const std::string& name) const {
    const ParamInfo& p = tm.info(name);
    TensorView t = p.shape.size() == 1 ? mw.new_f32({p.shape[0]}) : mw.new_f32({p.shape[0], p.shape[1]});
    std::memcpy(t.data, tm.params() + p.offset, sizeof(float) * p.numel);
    return t;
  }
  FfnWeights ffn(const std::string& p) const {
    return {(*this)(p + "gate_proj.weight"), (*this)(p + "up_proj.weight"), (*this)(p + "down_proj.weight")};
  }
};

LayerWeights layer(const Copier& C, const ModelConfig& c, int64_t il, const float* bias) {
  const std::string p = str("model.layers.", il, "."), a = p + "self_attn.";
  LayerWeights L;
  L.attn_norm = C(p + "input_layernorm.weight");
  L.ffn_norm = C(p + "post_attention_layernorm.weight");
  if (c.q_lora_rank > 0) {
    L.mla.wq_a = C(a + "q_a_proj.weight");
    L.mla.q_norm = C(a + "q_a_layernorm.weight");
    L.mla.wq_b = C(a + "q_b_proj.weight");
  } else {
    L.mla.wq = C(a + "q_proj.weight");
  }
  L.mla.wkv_a = C(a + "kv_a_proj_with_mqa.weight");
  L.mla.kv_norm = C(a + "kv_a_layernorm.weight");
  split_wkv_b(C(a + "kv_b_proj.weight"), c, L.mla, C.mw);
  L.mla.wo = C(a + "o_proj.weight");
  L.is_moe = c.is_moe_layer(il);
  if (!L.is_moe) {
    L.ffn = C.ffn(p + "mlp.");
    return L;
  }
  L.moe.gate = C(p + "mlp.gate.weight");
  if (c.topk_method == "noaux_tc") {
    L.moe.gate_bias = C.mw.new_f32({c.n_routed_experts});
    std::memcpy(L.moe.gate_bias.data, bias, sizeof(float) * c.n_routed_experts);
  }
  for (int64_t e = 0; e < c.n_routed_experts; ++e) L.moe.experts.push_back(C.ffn(str(p, "mlp.experts.", e, ".")));
  if (c.n_shared_experts > 0) L.moe.shared = C.ffn(p + "mlp.shared_experts.");
  return L;
}

}  // namespace

std::unique_ptr<Model> TrainModel::to_inference_model() const {
  const ModelConfig& c = config_;
  auto w = std::make_unique<ModelWeights>();
  Copier C{*this, *w};
  w->tok_embd = C("model.embed_tokens.weight");
  w->output_norm = C("model.norm.weight");
  w->output = C("lm_head.weight");
  const ModelParams& p = impl_->p;
  auto bias_of = [&](const BlockParams& b) {
    return b.is_moe ? router_bias_.data() + b.moe_index * c.n_routed_experts : nullptr;
  };
  for (int64_t il = 0; il < c.num_hidden_layers; ++il) w->layers.push_back(layer(C, c, il, bias_of(p.layers[il])));
  for (int64_t k = 0; k < c.num_nextn_predict_layers; ++k) {
    const int64_t il = c.num_hidden_layers + k;
    const std::string pre = str("model.layers.", il, ".");
    MtpWeights m;
    m.enorm = C(pre + "enorm.weight");
    m.hnorm = C(pre + "hnorm.weight");
    m.eh_proj = C(pre + "eh_proj.weight");
    m.head_norm = C(pre + "shared_head.norm.weight");
    m.block = layer(C, c, il, bias_of(p.mtp[k].block));
    w->mtp.push_back(std::move(m));
  }
  return std::make_unique<Model>(c, std::move(w));
}

}  // namespace seek
