// HF safetensors names -> ModelWeights (DeepSeek-V2/V3 modeling_deepseek.py, Qwen2, Llama).
// MoE experts are separate 2-D tensors here; FP8 weights carry their block scales in the view.
#include "model/load_hf.h"

#include "core/error.h"

namespace seek {

namespace {

class Tensors {
 public:
  explicit Tensors(const SafetensorsFile& st) : st_(st) {}
  bool has(const std::string& name) const { return st_.has(name); }
  TensorView get(const std::string& name, std::initializer_list<int64_t> shape) const {
    if (!st_.has(name)) throw FormatError(str("missing tensor ", name, " in ", st_.path()));
    TensorView t = st_.find(name);
    check_shape(t, name, shape);
    if (!dtype_computable(t.dtype))
      throw FormatError(str("tensor ", name, ": type ", dtype_name(t.dtype), " is not supported"));
    return t;
  }

 private:
  const SafetensorsFile& st_;
};

void load_ffn(const Tensors& T, const std::string& p, int64_t D, int64_t F, FfnWeights& f) {
  f.w1 = T.get(p + "gate_proj.weight", {F, D});
  f.w3 = T.get(p + "up_proj.weight", {F, D});
  f.w2 = T.get(p + "down_proj.weight", {D, F});
}

void load_mla(const Tensors& T, const std::string& p, const ModelConfig& c, MlaWeights& m, ModelWeights& w) {
  const int64_t D = c.hidden_size, H = c.num_attention_heads, qk = c.qk_head_dim(), r = c.kv_lora_rank;
  if (c.q_lora_rank > 0) {
    m.wq_a = T.get(p + "q_a_proj.weight", {c.q_lora_rank, D});
    m.q_norm = to_f32(T.get(p + "q_a_layernorm.weight", {c.q_lora_rank}), w);
    m.wq_b = T.get(p + "q_b_proj.weight", {H * qk, c.q_lora_rank});
  } else {
    m.wq = T.get(p + "q_proj.weight", {H * qk, D});
  }
  m.wkv_a = T.get(p + "kv_a_proj_with_mqa.weight", {r + c.qk_rope_head_dim, D});
  m.kv_norm = to_f32(T.get(p + "kv_a_layernorm.weight", {r}), w);
  split_wkv_b(T.get(p + "kv_b_proj.weight", {H * (c.qk_nope_head_dim + c.v_head_dim), r}), c, m, w);
  m.wo = T.get(p + "o_proj.weight", {D, H * c.v_head_dim});
}

void load_gqa(const Tensors& T, const std::string& p, const ModelConfig& c, GqaWeights& g, ModelWeights& w) {
  const int64_t D = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  g.wq = T.get(p + "q_proj.weight", {q, D});
  g.wk = T.get(p + "k_proj.weight", {kv, D});
  g.wv = T.get(p + "v_proj.weight", {kv, D});
  g.wo = T.get(p + "o_proj.weight", {D, q});
  if (c.attention_bias) {
    g.bq = to_f32(T.get(p + "q_proj.bias", {q}), w);
    g.bk = to_f32(T.get(p + "k_proj.bias", {kv}), w);
    g.bv = to_f32(T.get(p + "v_proj.bias", {kv}), w);
  }
}

void load_layer(const Tensors& T, const std::string& p, int64_t il, const ModelConfig& c, LayerWeights& L,
                ModelWeights& w) {
  const int64_t D = c.hidden_size;
  L.attn_norm = to_f32(T.get(p + "input_layernorm.weight", {D}), w);
  L.ffn_norm = to_f32(T.get(p + "post_attention_layernorm.weight", {D}), w);
  if (c.is_mla()) load_mla(T, p + "self_attn.", c, L.mla, w);
  else load_gqa(T, p + "self_attn.", c, L.gqa, w);
  L.is_moe = c.is_moe_layer(il);
  if (!L.is_moe) {
    load_ffn(T, p + "mlp.", D, c.intermediate_size, L.ffn);
    return;
  }
  const int64_t E = c.n_routed_experts, F = c.moe_intermediate_size;
  MoeWeights& m = L.moe;
  m.gate = to_f32(T.get(p + "mlp.gate.weight", {E, D}), w);
  if (T.has(p + "mlp.gate.e_score_correction_bias"))
    m.gate_bias = to_f32(T.get(p + "mlp.gate.e_score_correction_bias", {E}), w);
  m.experts.resize(E);
  for (int64_t e = 0; e < E; ++e) load_ffn(T, str(p, "mlp.experts.", e, "."), D, F, m.experts[e]);
  if (c.n_shared_experts > 0) load_ffn(T, p + "mlp.shared_experts.", D, c.n_shared_experts * F, m.shared);
}

}  // namespace

void load_weights_hf(const SafetensorsFile& st, const ModelConfig& c, ModelWeights& w) {
  Tensors T(st);
  const int64_t D = c.hidden_size, V = c.vocab_size;
  w.tok_embd = T.get("model.embed_tokens.weight", {V, D});
  w.output_norm = to_f32(T.get("model.norm.weight", {D}), w);
  w.output = c.tie_word_embeddings || !T.has("lm_head.weight") ? w.tok_embd : T.get("lm_head.weight", {V, D});
  w.layers.resize(c.num_hidden_layers);
  for (int64_t il = 0; il < c.num_hidden_layers; ++il)
    load_layer(T, str("model.layers.", il, "."), il, c, w.layers[il], w);
  w.mtp.resize(c.num_nextn_predict_layers);
  for (int64_t k = 0; k < c.num_nextn_predict_layers; ++k) {
    const int64_t il = c.num_hidden_layers + k;
    const std::string p = str("model.layers.", il, ".");
    MtpWeights& m = w.mtp[k];
    m.enorm = to_f32(T.get(p + "enorm.weight", {D}), w);
    m.hnorm = to_f32(T.get(p + "hnorm.weight", {D}), w);
    m.eh_proj = T.get(p + "eh_proj.weight", {D, 2 * D});
    if (T.has(p + "shared_head.norm.weight")) m.head_norm = to_f32(T.get(p + "shared_head.norm.weight", {D}), w);
    load_layer(T, p, il, c, m.block, w);
  }
}

}  // namespace seek
