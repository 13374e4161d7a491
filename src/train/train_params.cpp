// Parameter layout and binding of TrainModel (see train_params.h). HF names as
// modeling_deepseek.py / the fixture's model.safetensors.
#include "train/train_params.h"

#include <cstring>

#include "core/error.h"

namespace seek {

namespace {

struct Layout {
  std::vector<ParamInfo> info;
  size_t offset = 0;
  void add(const std::string& name, std::vector<int64_t> shape) {
    ParamInfo p;
    p.name = name;
    p.numel = 1;
    for (int64_t s : shape) p.numel *= static_cast<size_t>(s);
    p.shape = std::move(shape);
    p.offset = offset;
    p.decay = p.shape.size() >= 2;
    offset += p.numel;
    info.push_back(std::move(p));
  }
  void ffn(const std::string& p, int64_t D, int64_t F) {
    add(p + "gate_proj.weight", {F, D});
    add(p + "up_proj.weight", {F, D});
    add(p + "down_proj.weight", {D, F});
  }
};

void add_block(Layout& L, const ModelConfig& c, int64_t il) {
  const std::string p = str("model.layers.", il, ".");
  const int64_t D = c.hidden_size, H = c.num_attention_heads, qk = c.qk_head_dim(), r = c.kv_lora_rank;
  L.add(p + "input_layernorm.weight", {D});
  const std::string a = p + "self_attn.";
  if (c.q_lora_rank > 0) {
    L.add(a + "q_a_proj.weight", {c.q_lora_rank, D});
    L.add(a + "q_a_layernorm.weight", {c.q_lora_rank});
    L.add(a + "q_b_proj.weight", {H * qk, c.q_lora_rank});
  } else {
    L.add(a + "q_proj.weight", {H * qk, D});
  }
  L.add(a + "kv_a_proj_with_mqa.weight", {r + c.qk_rope_head_dim, D});
  L.add(a + "kv_a_layernorm.weight", {r});
  L.add(a + "kv_b_proj.weight", {H * (c.qk_nope_head_dim + c.v_head_dim), r});
  L.add(a + "o_proj.weight", {D, H * c.v_head_dim});
  L.add(p + "post_attention_layernorm.weight", {D});
  if (!c.is_moe_layer(il)) {
    L.ffn(p + "mlp.", D, c.intermediate_size);
    return;
  }
  L.add(p + "mlp.gate.weight", {c.n_routed_experts, D});
  for (int64_t e = 0; e < c.n_routed_experts; ++e) L.ffn(str(p, "mlp.experts.", e, "."), D, c.moe_intermediate_size);
  if (c.n_shared_experts > 0) L.ffn(p + "mlp.shared_experts.", D, c.n_shared_experts * c.moe_intermediate_size);
}

class Binder {
 public:
  Binder(const std::vector<ParamInfo>& info, float* params, float* grads) : params_(params), grads_(grads) {
    for (size_t i = 0; i < info.size(); ++i) index_[info[i].name] = &info[i];
  }
  ParamRef operator()(const std::string& name) const {
    auto it = index_.find(name);
    SEEK_ASSERT_MSG(it != index_.end(), "parameter ", name, " not in the layout");
    return {params_ + it->second->offset, grads_ + it->second->offset};
  }
  FfnParams ffn(const std::string& p, int64_t F) const {
    return {(*this)(p + "gate_proj.weight"), (*this)(p + "up_proj.weight"), (*this)(p + "down_proj.weight"), F};
  }

 private:
  float* params_;
  float* grads_;
  std::map<std::string, const ParamInfo*> index_;
};

BlockParams bind_block(const Binder& B, const ModelConfig& c, int64_t il, int64_t& moe_index, float* router_bias) {
  const std::string p = str("model.layers.", il, "."), a = p + "self_attn.";
  BlockParams b;
  b.input_layernorm = B(p + "input_layernorm.weight");
  b.post_attention_layernorm = B(p + "post_attention_layernorm.weight");
  if (c.q_lora_rank > 0) {
    b.attn.q_a_proj = B(a + "q_a_proj.weight");
    b.attn.q_a_layernorm = B(a + "q_a_layernorm.weight");
    b.attn.q_b_proj = B(a + "q_b_proj.weight");
  } else {
    b.attn.q_proj = B(a + "q_proj.weight");
  }
  b.attn.kv_a_proj_with_mqa = B(a + "kv_a_proj_with_mqa.weight");
  b.attn.kv_a_layernorm = B(a + "kv_a_layernorm.weight");
  b.attn.kv_b_proj = B(a + "kv_b_proj.weight");
  b.attn.o_proj = B(a + "o_proj.weight");
  b.is_moe = c.is_moe_layer(il);
  if (!b.is_moe) {
    b.mlp = B.ffn(p + "mlp.", c.intermediate_size);
    return b;
  }
  b.moe_index = moe_index++;
  b.moe.gate = B(p + "mlp.gate.weight");
  if (c.topk_method == "noaux_tc") b.moe.bias = router_bias + b.moe_index * c.n_routed_experts;
  for (int64_t e = 0; e < c.n_routed_experts; ++e)
    b.moe.experts.push_back(B.ffn(str(p, "mlp.experts.", e, "."), c.moe_intermediate_size));
  if (c.n_shared_experts > 0) b.moe.shared = B.ffn(p + "mlp.shared_experts.", c.n_shared_experts * c.moe_intermediate_size);
  return b;
}

}  // namespace

std::vector<ParamInfo> train_param_layout(const ModelConfig& c) {
  if (!c.is_mla()) throw UsageError(str("trainer: expected a deepseek2 (MLA) config, got ", arch_name(c.arch)));
  if (c.num_nextn_predict_layers > 1)
    throw UsageError(str("trainer: num_nextn_predict_layers: expected 0 or 1, got ", c.num_nextn_predict_layers));
  if (c.qk_rope_head_dim % 2 != 0)
    throw UsageError(str("trainer: qk_rope_head_dim: expected even, got ", c.qk_rope_head_dim));
  Layout L;
  const int64_t V = c.vocab_size, D = c.hidden_size, NL = c.num_hidden_layers;
  L.add("model.embed_tokens.weight", {V, D});
  for (int64_t il = 0; il < NL; ++il) add_block(L, c, il);
  for (int64_t k = 0; k < c.num_nextn_predict_layers; ++k) {
    const std::string p = str("model.layers.", NL + k, ".");
    L.add(p + "enorm.weight", {D});
    L.add(p + "hnorm.weight", {D});
    L.add(p + "eh_proj.weight", {D, 2 * D});
    add_block(L, c, NL + k);
    L.add(p + "shared_head.norm.weight", {D});
  }
  L.add("model.norm.weight", {D});
  L.add("lm_head.weight", {V, D});
  return L.info;
}

ModelParams bind_params(const ModelConfig& c, const std::vector<ParamInfo>& info, float* params, float* grads,
                        float* router_bias) {
  Binder B(info, params, grads);
  ModelParams m;
  m.embed_tokens = B("model.embed_tokens.weight");
  m.norm = B("model.norm.weight");
  m.lm_head = B("lm_head.weight");
  int64_t moe_index = 0;
  for (int64_t il = 0; il < c.num_hidden_layers; ++il) m.layers.push_back(bind_block(B, c, il, moe_index, router_bias));
  for (int64_t k = 0; k < c.num_nextn_predict_layers; ++k) {
    const std::string p = str("model.layers.", c.num_hidden_layers + k, ".");
    MtpParams t;
    t.enorm = B(p + "enorm.weight");
    t.hnorm = B(p + "hnorm.weight");
    t.eh_proj = B(p + "eh_proj.weight");
    t.head_norm = B(p + "shared_head.norm.weight");
    t.block = bind_block(B, c, c.num_hidden_layers + k, moe_index, router_bias);
    m.mtp.push_back(std::move(t));
  }
  return m;
}

namespace {

void put_ffn(std::map<std::string, TensorView>& out, const std::string& p, const FfnWeights& f, ModelWeights& s) {
  out[p + "gate_proj.weight"] = to_f32(f.w1, s);
  out[p + "up_proj.weight"] = to_f32(f.w3, s);
  out[p + "down_proj.weight"] = to_f32(f.w2, s);
}

void put_layer(std::map<std::string, TensorView>& out, const std::string& p, const LayerWeights& L,
               const ModelConfig& c, ModelWeights& s, std::vector<std::vector<float>>& kvb_store) {
  const std::string a = p + "self_attn.";
  out[p + "input_layernorm.weight"] = to_f32(L.attn_norm, s);
  out[p + "post_attention_layernorm.weight"] = to_f32(L.ffn_norm, s);
  const MlaWeights& m = L.mla;
  if (c.q_lora_rank > 0) {
    out[a + "q_a_proj.weight"] = to_f32(m.wq_a, s);
    out[a + "q_a_layernorm.weight"] = to_f32(m.q_norm, s);
    out[a + "q_b_proj.weight"] = to_f32(m.wq_b, s);
  } else {
    out[a + "q_proj.weight"] = to_f32(m.wq, s);
  }
  out[a + "kv_a_proj_with_mqa.weight"] = to_f32(m.wkv_a, s);
  out[a + "kv_a_layernorm.weight"] = to_f32(m.kv_norm, s);
  out[a + "o_proj.weight"] = to_f32(m.wo, s);
  // kv_b_proj [H*(nope+v), r] from w_uk_t [H, r, nope] and w_uv [H, v, r]
  const int64_t H = c.num_attention_heads, nope = c.qk_nope_head_dim, v = c.v_head_dim, r = c.kv_lora_rank;
  std::vector<float>& kvb = kvb_store.emplace_back(H * (nope + v) * r);
  const float* uk = m.w_uk_t.as<float>();
  const float* uv = m.w_uv.as<float>();
  for (int64_t h = 0; h < H; ++h) {
    float* head = kvb.data() + h * (nope + v) * r;
    for (int64_t i = 0; i < nope; ++i)
      for (int64_t j = 0; j < r; ++j) head[i * r + j] = uk[(h * r + j) * nope + i];
    std::memcpy(head + nope * r, uv + h * v * r, sizeof(float) * v * r);
  }
  out[a + "kv_b_proj.weight"] = TensorView::contiguous(DType::F32, {H * (nope + v), r}, kvb.data());
  if (!L.is_moe) {
    put_ffn(out, p + "mlp.", L.ffn, s);
    return;
  }
  out[p + "mlp.gate.weight"] = to_f32(L.moe.gate, s);
  if (L.moe.gate_bias.data) out[p + "mlp.gate.e_score_correction_bias"] = to_f32(L.moe.gate_bias, s);
  for (size_t e = 0; e < L.moe.experts.size(); ++e) put_ffn(out, str(p, "mlp.experts.", e, "."), L.moe.experts[e], s);
  if (c.n_shared_experts > 0) put_ffn(out, p + "mlp.shared_experts.", L.moe.shared, s);
}

}  // namespace

std::map<std::string, TensorView> hf_tensors_of(const Model& model, ModelWeights& s,
                                               std::vector<std::vector<float>>& kvb_store) {
  const ModelConfig& c = model.config();
  const ModelWeights& w = model.weights();
  std::map<std::string, TensorView> out;
  kvb_store.reserve(c.num_hidden_layers + c.num_nextn_predict_layers);
  out["model.embed_tokens.weight"] = to_f32(w.tok_embd, s);
  out["model.norm.weight"] = to_f32(w.output_norm, s);
  out["lm_head.weight"] = to_f32(w.output, s);
  for (int64_t il = 0; il < c.num_hidden_layers; ++il)
    put_layer(out, str("model.layers.", il, "."), w.layers[il], c, s, kvb_store);
  for (size_t k = 0; k < w.mtp.size(); ++k) {
    const std::string p = str("model.layers.", c.num_hidden_layers + int64_t(k), ".");
    const MtpWeights& m = w.mtp[k];
    out[p + "enorm.weight"] = to_f32(m.enorm, s);
    out[p + "hnorm.weight"] = to_f32(m.hnorm, s);
    out[p + "eh_proj.weight"] = to_f32(m.eh_proj, s);
    out[p + "shared_head.norm.weight"] = to_f32(m.head_norm.data ? m.head_norm : w.output_norm, s);
    put_layer(out, p, m.block, c, s, kvb_store);
  }
  return out;
}

}  // namespace seek
