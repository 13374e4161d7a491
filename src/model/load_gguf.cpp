// GGUF tensor table -> ModelWeights, with every shape checked against the config.
#include "model/load_gguf.h"

#include "core/error.h"
#include "kernels/quant/activations.h"

namespace seek {

namespace {

class Tensors {
 public:
  explicit Tensors(const GGUFFile& f) : f_(f) {}

  const TensorView* find(const std::string& name) const {
    const GGUFTensorInfo* t = f_.find_tensor(name);
    return t ? &t->view : nullptr;
  }
  TensorView get(const std::string& name, std::initializer_list<int64_t> shape) const {
    const TensorView* t = find(name);
    if (!t) throw FormatError(str("missing tensor ", name));
    check_shape(*t, name, shape);
    if (!dtype_computable(t->dtype))
      throw FormatError(str("tensor ", name, ": type ", dtype_name(t->dtype), " is not supported"));
    return *t;
  }

 private:
  const GGUFFile& f_;
};

void load_mla(const Tensors& T, const std::string& p, const ModelConfig& c, MlaWeights& m, ModelWeights& w) {
  const int64_t D = c.hidden_size, H = c.num_attention_heads, qk = c.qk_head_dim(), r = c.kv_lora_rank;
  if (c.q_lora_rank > 0) {
    m.wq_a = T.get(p + "attn_q_a.weight", {c.q_lora_rank, D});
    m.q_norm = to_f32(T.get(p + "attn_q_a_norm.weight", {c.q_lora_rank}), w);
    m.wq_b = T.get(p + "attn_q_b.weight", {H * qk, c.q_lora_rank});
  } else {
    m.wq = T.get(p + "attn_q.weight", {H * qk, D});
  }
  m.wkv_a = T.get(p + "attn_kv_a_mqa.weight", {r + c.qk_rope_head_dim, D});
  m.kv_norm = to_f32(T.get(p + "attn_kv_a_norm.weight", {r}), w);
  if (T.find(p + "attn_kv_b.weight")) {
    const TensorView kv_b = T.get(p + "attn_kv_b.weight", {H * (c.qk_nope_head_dim + c.v_head_dim), r});
    m.latent_round = activation_type(kv_b.dtype);
    split_wkv_b(kv_b, c, m, w);
  } else {
    // Newer converters store the absorbed halves directly: k_b [H, r, nope], v_b [H, v, r].
    m.w_uk_t = to_f32(T.get(p + "attn_k_b.weight", {H, r, c.qk_nope_head_dim}), w);
    m.w_uv = to_f32(T.get(p + "attn_v_b.weight", {H, c.v_head_dim, r}), w);
  }
  m.wo = T.get(p + "attn_output.weight", {D, H * c.v_head_dim});
}

void load_gqa(const Tensors& T, const std::string& p, const ModelConfig& c, GqaWeights& g, ModelWeights& w) {
  const int64_t D = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  g.wq = T.get(p + "attn_q.weight", {q, D});
  g.wk = T.get(p + "attn_k.weight", {kv, D});
  g.wv = T.get(p + "attn_v.weight", {kv, D});
  g.wo = T.get(p + "attn_output.weight", {D, q});
  if (c.attention_bias) {
    g.bq = to_f32(T.get(p + "attn_q.bias", {q}), w);
    g.bk = to_f32(T.get(p + "attn_k.bias", {kv}), w);
    g.bv = to_f32(T.get(p + "attn_v.bias", {kv}), w);
  }
}

void load_ffn(const Tensors& T, const std::string& p, const std::string& sfx, int64_t D, int64_t F, FfnWeights& f) {
  f.w1 = T.get(p + "ffn_gate" + sfx + ".weight", {F, D});
  f.w3 = T.get(p + "ffn_up" + sfx + ".weight", {F, D});
  f.w2 = T.get(p + "ffn_down" + sfx + ".weight", {D, F});
}

void load_layer(const Tensors& T, const std::string& p, int64_t il, const ModelConfig& c, LayerWeights& L,
                ModelWeights& w) {
  const int64_t D = c.hidden_size;
  L.attn_norm = to_f32(T.get(p + "attn_norm.weight", {D}), w);
  L.ffn_norm = to_f32(T.get(p + "ffn_norm.weight", {D}), w);
  if (c.is_mla()) load_mla(T, p, c, L.mla, w);
  else load_gqa(T, p, c, L.gqa, w);
  L.is_moe = c.is_moe_layer(il);
  if (!L.is_moe) {
    load_ffn(T, p, "", D, c.intermediate_size, L.ffn);
    return;
  }
  const int64_t E = c.n_routed_experts, F = c.moe_intermediate_size;
  MoeWeights& m = L.moe;
  m.gate = to_f32(T.get(p + "ffn_gate_inp.weight", {E, D}), w);
  if (T.find(p + "exp_probs_b.bias")) m.gate_bias = to_f32(T.get(p + "exp_probs_b.bias", {E}), w);
  const TensorView w1 = T.get(p + "ffn_gate_exps.weight", {E, F, D});
  const TensorView w3 = T.get(p + "ffn_up_exps.weight", {E, F, D});
  const TensorView w2 = T.get(p + "ffn_down_exps.weight", {E, D, F});
  m.experts.resize(E);
  for (int64_t e = 0; e < E; ++e) m.experts[e] = {w1.slice0(e), w3.slice0(e), w2.slice0(e)};
  if (c.n_shared_experts > 0) load_ffn(T, p, "_shexp", D, c.n_shared_experts * F, m.shared);
}

}  // namespace

void load_weights_gguf(const GGUFFile& f, const ModelConfig& c, ModelWeights& w) {
  Tensors T(f);
  const int64_t D = c.hidden_size, V = c.vocab_size;
  w.tok_embd = T.get("token_embd.weight", {V, D});
  w.output_norm = to_f32(T.get("output_norm.weight", {D}), w);
  w.output = T.find("output.weight") ? T.get("output.weight", {V, D}) : w.tok_embd;  // tied embeddings
  w.layers.resize(c.num_hidden_layers);
  for (int64_t il = 0; il < c.num_hidden_layers; ++il)
    load_layer(T, str("blk.", il, "."), il, c, w.layers[il], w);
  w.mtp.resize(c.num_nextn_predict_layers);
  for (int64_t k = 0; k < c.num_nextn_predict_layers; ++k) {
    const int64_t il = c.num_hidden_layers + k;
    const std::string p = str("blk.", il, ".");
    MtpWeights& m = w.mtp[k];
    m.enorm = to_f32(T.get(p + "nextn.enorm.weight", {D}), w);
    m.hnorm = to_f32(T.get(p + "nextn.hnorm.weight", {D}), w);
    m.eh_proj = T.get(p + "nextn.eh_proj.weight", {D, 2 * D});
    if (T.find(p + "nextn.shared_head_norm.weight"))
      m.head_norm = to_f32(T.get(p + "nextn.shared_head_norm.weight", {D}), w);
    load_layer(T, p, il, c, m.block, w);
  }
}

}  // namespace seek
