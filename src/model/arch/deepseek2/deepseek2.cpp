// DeepSeek-V2 / V2-Lite / V3 / R1 / V3.1 (llama.cpp's `deepseek2`, HF `deepseek_v2`/`deepseek_v3`):
// Multi-head Latent Attention with optional q-LoRA, DeepSeekMoE with shared experts and
// group-limited routing, YaRN, and V3's multi-token-prediction block. Names per deepseek.md
// sections 1-3: GGUF as llama.cpp writes them, HF as modeling_deepseek.py, fields as model.py.
#include <cstring>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/hf_config.h"
#include "kernels/quant/activations.h"
#include "model/arch/common.h"

namespace seek {

namespace {

bool moe(const ModelConfig& c, int64_t il) { return c.is_moe_layer(il); }

// clang-format off
std::vector<TensorDef> tensors() {
  std::vector<TensorDef> d = embedding_and_head();
  append(d, {
      {"attn_norm.weight", "input_layernorm.weight", Part::Layer, SEEK_LAYER(attn_norm), SEEK_SHAPE(c.hidden_size),
       nullptr, kSmall, Init::One},
      {"attn_q.weight", "self_attn.q_proj.weight", Part::Layer, SEEK_LAYER(mla.wq),
       SEEK_SHAPE(c.num_attention_heads * c.qk_head_dim(), c.hidden_size), SEEK_WHEN(c.q_lora_rank == 0)},
      {"attn_q_a.weight", "self_attn.q_a_proj.weight", Part::Layer, SEEK_LAYER(mla.wq_a),
       SEEK_SHAPE(c.q_lora_rank, c.hidden_size), SEEK_WHEN(c.q_lora_rank > 0)},
      {"attn_q_a_norm.weight", "self_attn.q_a_layernorm.weight", Part::Layer, SEEK_LAYER(mla.q_norm),
       SEEK_SHAPE(c.q_lora_rank), SEEK_WHEN(c.q_lora_rank > 0), kSmall, Init::One},
      {"attn_q_b.weight", "self_attn.q_b_proj.weight", Part::Layer, SEEK_LAYER(mla.wq_b),
       SEEK_SHAPE(c.num_attention_heads * c.qk_head_dim(), c.q_lora_rank), SEEK_WHEN(c.q_lora_rank > 0)},
      {"attn_kv_a_mqa.weight", "self_attn.kv_a_proj_with_mqa.weight", Part::Layer, SEEK_LAYER(mla.wkv_a),
       SEEK_SHAPE(c.kv_lora_rank + c.qk_rope_head_dim, c.hidden_size)},
      {"attn_kv_a_norm.weight", "self_attn.kv_a_layernorm.weight", Part::Layer, SEEK_LAYER(mla.kv_norm),
       SEEK_SHAPE(c.kv_lora_rank), nullptr, kSmall, Init::One},
      // Either wkv_b or, from newer converters, its per-head halves (finish_weights checks one is there).
      {"attn_kv_b.weight", "self_attn.kv_b_proj.weight", Part::Layer, SEEK_LAYER(mla.wkv_b),
       SEEK_SHAPE(c.num_attention_heads * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank), nullptr, kOptional},
      {"attn_k_b.weight", nullptr, Part::Layer, SEEK_LAYER(mla.wk_b),
       SEEK_SHAPE(c.num_attention_heads, c.kv_lora_rank, c.qk_nope_head_dim), nullptr, kOptional | kLoadOnly},
      {"attn_v_b.weight", nullptr, Part::Layer, SEEK_LAYER(mla.wv_b),
       SEEK_SHAPE(c.num_attention_heads, c.v_head_dim, c.kv_lora_rank), nullptr, kOptional | kLoadOnly},
      {"attn_output.weight", "self_attn.o_proj.weight", Part::Layer, SEEK_LAYER(mla.wo),
       SEEK_SHAPE(c.hidden_size, c.num_attention_heads * c.v_head_dim)},
      {"ffn_norm.weight", "post_attention_layernorm.weight", Part::Layer, SEEK_LAYER(ffn_norm),
       SEEK_SHAPE(c.hidden_size), nullptr, kSmall, Init::One},
  });
  append(d, dense_ffn(SEEK_WHEN(!c.is_moe_layer(il))));
  append(d, {
      {"ffn_gate_inp.weight", "mlp.gate.weight", Part::Layer, SEEK_LAYER(moe.gate),
       SEEK_SHAPE(c.n_routed_experts, c.hidden_size), moe, kSmall},
      {"exp_probs_b.bias", "mlp.gate.e_score_correction_bias", Part::Layer, SEEK_LAYER(moe.gate_bias),
       SEEK_SHAPE(c.n_routed_experts), SEEK_WHEN(c.is_moe_layer(il) && c.scoring_func == "sigmoid"),
       kSmall | kOptional | kNotTrained, Init::Zero},
      {"ffn_gate_exps.weight", "mlp.experts.{e}.gate_proj.weight", Part::Layer, SEEK_EXPERT(w1),
       SEEK_SHAPE(c.moe_intermediate_size, c.hidden_size), moe, kExperts},
      {"ffn_up_exps.weight", "mlp.experts.{e}.up_proj.weight", Part::Layer, SEEK_EXPERT(w3),
       SEEK_SHAPE(c.moe_intermediate_size, c.hidden_size), moe, kExperts},
      {"ffn_down_exps.weight", "mlp.experts.{e}.down_proj.weight", Part::Layer, SEEK_EXPERT(w2),
       SEEK_SHAPE(c.hidden_size, c.moe_intermediate_size), moe, kExperts},
      {"ffn_gate_shexp.weight", "mlp.shared_experts.gate_proj.weight", Part::Layer, SEEK_LAYER(moe.shared.w1),
       SEEK_SHAPE(c.n_shared_experts * c.moe_intermediate_size, c.hidden_size),
       SEEK_WHEN(c.is_moe_layer(il) && c.n_shared_experts > 0)},
      {"ffn_up_shexp.weight", "mlp.shared_experts.up_proj.weight", Part::Layer, SEEK_LAYER(moe.shared.w3),
       SEEK_SHAPE(c.n_shared_experts * c.moe_intermediate_size, c.hidden_size),
       SEEK_WHEN(c.is_moe_layer(il) && c.n_shared_experts > 0)},
      {"ffn_down_shexp.weight", "mlp.shared_experts.down_proj.weight", Part::Layer, SEEK_LAYER(moe.shared.w2),
       SEEK_SHAPE(c.hidden_size, c.n_shared_experts * c.moe_intermediate_size),
       SEEK_WHEN(c.is_moe_layer(il) && c.n_shared_experts > 0)},
      // MTP blocks (blk.N for N >= num_hidden_layers; llama.cpp's "nextn" names).
      {"nextn.enorm.weight", "enorm.weight", Part::MtpIn, SEEK_LAYER(mtp.enorm), SEEK_SHAPE(c.hidden_size), nullptr,
       kSmall, Init::One},
      {"nextn.hnorm.weight", "hnorm.weight", Part::MtpIn, SEEK_LAYER(mtp.hnorm), SEEK_SHAPE(c.hidden_size), nullptr,
       kSmall, Init::One},
      {"nextn.eh_proj.weight", "eh_proj.weight", Part::MtpIn, SEEK_LAYER(mtp.eh_proj),
       SEEK_SHAPE(c.hidden_size, 2 * c.hidden_size)},
      // The MTP head's own final norm (V3's shared_head.norm); its embed_tokens and shared_head.head
      // are the model's own, which llama.cpp accepts absent.
      {"nextn.shared_head_norm.weight", "shared_head.norm.weight", Part::MtpOut, SEEK_LAYER(mtp.head_norm),
       SEEK_SHAPE(c.hidden_size), nullptr, kSmall | kOptional, Init::One, SEEK_GLOBAL(output_norm)},
  });
  return d;
}

std::vector<HParam> hparams() {
  using C = ModelConfig;
  std::vector<HParam> h = common_hparams();
  const std::vector<HParam> mla_moe = {
      hp_int("attention.q_lora_rank", "q_lora_rank", &C::q_lora_rank, false, 0, 0, false),
      hp_int("attention.kv_lora_rank", "kv_lora_rank", &C::kv_lora_rank, true, 0, 1),
      hp_int("rope.dimension_count", "qk_rope_head_dim", &C::qk_rope_head_dim, true, 0, 2),
      hp_int(nullptr, "qk_nope_head_dim", &C::qk_nope_head_dim, true, 0, 1),  // GGUF: key_length - rope
      hp_int(nullptr, "v_head_dim", &C::v_head_dim, true, 0, 1),              // GGUF: value_length
      hp_int("leading_dense_block_count", "first_k_dense_replace", &C::first_k_dense_replace, false, 0, 0),
      hp_int("expert_count", "n_routed_experts", &C::n_routed_experts, false, 0, 0),
      hp_int("expert_shared_count", "n_shared_experts", &C::n_shared_experts, false, 0, 0),
      hp_int("expert_used_count", "num_experts_per_tok", &C::num_experts_per_tok, false, 0, 0),
      hp_int("expert_feed_forward_length", "moe_intermediate_size", &C::moe_intermediate_size, false, 0, 0),
      hp_float("expert_weights_scale", "routed_scaling_factor", &C::routed_scaling_factor, 1.0, 0.0),
      hp_bool("expert_weights_norm", "norm_topk_prob", &C::norm_topk_prob, false),
      hp_int(nullptr, "n_group", &C::n_group, false, 1, 1),         // GGUF: expert_group_count (hook)
      hp_int(nullptr, "topk_group", &C::topk_group, false, 1, 1),   // GGUF: expert_group_used_count
      hp_int(nullptr, "num_nextn_predict_layers", &C::num_nextn_predict_layers, false, 0, 0),
      hp_string("scoring_func", &C::scoring_func, "softmax", {"softmax", "sigmoid"}),
      hp_string("topk_method", &C::topk_method, "greedy", {"greedy", "group_limited_greedy", "noaux_tc"}),
  };
  h.insert(h.end(), mla_moe.begin(), mla_moe.end());
  return h;
}

// clang-format on

void from_gguf(const GGUFFile& f, const std::string& p, ModelConfig& c) {
  c.rope_style = RopeStyle::Adjacent;
  // key_length/value_length are the full per-head dims (nope + rope, v) for the legacy layout;
  // files with the split k_b/v_b layout carry the MLA-specific *_mla keys.
  const int64_t key_len = f.get_int_or(p + "attention.key_length_mla", f.get_int(p + "attention.key_length"));
  c.v_head_dim = f.get_int_or(p + "attention.value_length_mla", f.get_int(p + "attention.value_length"));
  c.qk_nope_head_dim = key_len - c.qk_rope_head_dim;
  if (c.qk_nope_head_dim < 1 || c.v_head_dim < 1)
    throw FormatError(str(p, "attention.key_length ", key_len, " must exceed rope.dimension_count ", c.qk_rope_head_dim,
                          " and value_length must be >= 1 (got ", c.v_head_dim, ")"));
  const int64_t gating = f.get_int_or(p + "expert_gating_func", 1);
  if (gating != 1 && gating != 2)
    throw FormatError(str(p, "expert_gating_func must be 1 (softmax) or 2 (sigmoid), got ", gating));
  c.scoring_func = gating == 2 ? "sigmoid" : "softmax";
  c.n_group = f.get_int_or(p + "expert_group_count", 1);
  c.topk_group = f.get_int_or(p + "expert_group_used_count", c.n_group);
  // V3 (sigmoid, bias) ranks groups by the sum of their top-2; V2 by their max (deepseek.md 2.2).
  if (c.scoring_func == "sigmoid") c.topk_method = "noaux_tc";
  else c.topk_method = c.n_group > 1 ? "group_limited_greedy" : "greedy";
  c.num_nextn_predict_layers = f.get_int_or(p + "nextn_predict_layers", 0);
  // llama.cpp counts the MTP ("nextn") blocks in block_count; they sit after the main layers.
  if (c.num_nextn_predict_layers < 0 || c.num_nextn_predict_layers >= c.num_hidden_layers)
    throw FormatError(str(p, "nextn_predict_layers out of range: ", c.num_nextn_predict_layers));
  c.num_hidden_layers -= c.num_nextn_predict_layers;
  c.num_key_value_heads = c.num_attention_heads;
  read_rope_scaling_gguf(f, p, true, c);
}

void from_hf(const HFConfig& j, ModelConfig& c) {
  c.rope_style = RopeStyle::Adjacent;
  // moe_layer_freq > 1 (every k-th layer MoE) was never released in a DeepSeek model.
  if (j.get_int("moe_layer_freq", 1) != 1) throw FormatError(str(j.path(), ": moe_layer_freq != 1 is not supported"));
  read_rope_scaling_hf(j, c);
}

void to_gguf(GGUFWriter& w, const std::string& p, const ModelConfig& c) {
  auto u32 = [&](const std::string& k, int64_t v) { w.set(p + k, GGUFValue::of_u32(static_cast<uint32_t>(v))); };
  u32("block_count", c.num_hidden_layers + c.num_nextn_predict_layers);
  u32("attention.head_count_kv", c.num_attention_heads);
  u32("attention.key_length", c.qk_head_dim());
  u32("attention.value_length", c.v_head_dim);
  u32("expert_gating_func", c.scoring_func == "sigmoid" ? 2 : 1);
  if (c.n_group > 1) {
    u32("expert_group_count", c.n_group);
    u32("expert_group_used_count", c.topk_group);
  }
  if (c.num_nextn_predict_layers > 0) u32("nextn_predict_layers", c.num_nextn_predict_layers);
  write_rope_scaling_gguf(w, p, c);
}

void to_hf(nlohmann::json& j, const ModelConfig& c) {
  j["q_lora_rank"] = c.q_lora_rank > 0 ? nlohmann::json(c.q_lora_rank) : nlohmann::json(nullptr);
  j["moe_layer_freq"] = 1;
  write_rope_scaling_hf(j, c);
}

// wkv_b [H*(nope+v), r] (rows per head: nope key rows then v value rows) -> w_uk_t [H, r, nope]
// and w_uv [H, v, r] in f32, for the absorbed attention.
void split_wkv_b(const ModelConfig& c, MlaWeights& m, ModelWeights& mw) {
  const int64_t H = c.num_attention_heads, nope = c.qk_nope_head_dim, v = c.v_head_dim, r = c.kv_lora_rank;
  TensorView full = to_f32(m.wkv_b, mw);
  const float* src = full.as<float>();
  m.w_uk_t = mw.new_f32({H, r, nope});
  m.w_uv = mw.new_f32({H, v, r});
  float* uk = m.w_uk_t.as<float>();
  float* uv = m.w_uv.as<float>();
  for (int64_t h = 0; h < H; ++h) {
    const float* head = src + h * (nope + v) * r;
    for (int64_t n = 0; n < nope; ++n)
      for (int64_t j = 0; j < r; ++j) uk[(h * r + j) * nope + n] = head[n * r + j];
    std::memcpy(uv + h * v * r, head + nope * r, sizeof(float) * v * r);
  }
}

void finish_weights(const ModelConfig& c, ModelWeights& w) {
  for (size_t il = 0; il < w.layers.size(); ++il) {
    MlaWeights& m = w.layers[il].mla;
    if (m.wkv_b.ndim) {
      m.latent_round = activation_type(m.wkv_b.dtype);
      split_wkv_b(c, m, w);
    } else if (m.wk_b.ndim && m.wv_b.ndim) {
      m.w_uk_t = to_f32(m.wk_b, w);
      m.w_uv = to_f32(m.wv_b, w);
    } else {
      throw FormatError(str("missing tensor blk.", il, ".attn_kv_b.weight (or attn_k_b + attn_v_b; HF: model.layers.",
                            il, ".self_attn.kv_b_proj.weight)"));
    }
  }
}

// wkv_b rebuilt from the split halves, for a trainer starting from a split-layout file.
void complete_for_training(const ModelConfig& c, ModelWeights& w) {
  const int64_t H = c.num_attention_heads, nope = c.qk_nope_head_dim, v = c.v_head_dim, r = c.kv_lora_rank;
  for (LayerWeights& L : w.layers) {
    MlaWeights& m = L.mla;
    if (m.wkv_b.ndim) continue;
    m.wkv_b = w.new_f32({H * (nope + v), r});
    float* kvb = m.wkv_b.as<float>();
    const float* uk = m.w_uk_t.as<float>();
    const float* uv = m.w_uv.as<float>();
    for (int64_t h = 0; h < H; ++h) {
      float* head = kvb + h * (nope + v) * r;
      for (int64_t i = 0; i < nope; ++i)
        for (int64_t j = 0; j < r; ++j) head[i * r + j] = uk[(h * r + j) * nope + i];
      std::memcpy(head + nope * r, uv + h * v * r, sizeof(float) * v * r);
    }
  }
}

}  // namespace

const ArchDef& deepseek2_arch() {
  static const ArchDef a = [] {
    ArchDef d{"deepseek2", {"deepseek_v3", "deepseek_v2"}, "DeepseekV3ForCausalLM", hparams(), tensors()};
    d.attention = AttentionKind::Mla;
    d.from_gguf = from_gguf;
    d.from_hf = from_hf;
    d.to_gguf = to_gguf;
    d.to_hf = to_hf;
    d.finish_weights = finish_weights;
    d.complete_for_training = complete_for_training;
    return d;
  }();
  return a;
}

}  // namespace seek
