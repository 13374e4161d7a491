// Shared registry pieces (common.h).
#include "model/arch/common.h"

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/hf_config.h"

namespace seek {

// The tables keep one entry per line pair: GGUF name, HF name, slot / shape, which layers, flags.
// clang-format off
std::vector<HParam> common_hparams() {
  using C = ModelConfig;
  return {
      hp_int("vocab_size", "vocab_size", &C::vocab_size, false, 0, 0),  // 0: from the tensors (config_io)
      hp_int("embedding_length", "hidden_size", &C::hidden_size, true, 0, 1),
      hp_int("block_count", "num_hidden_layers", &C::num_hidden_layers, true, 0, 1),
      hp_int("attention.head_count", "num_attention_heads", &C::num_attention_heads, true, 0, 1),
      hp_int("attention.head_count_kv", "num_key_value_heads", &C::num_key_value_heads, false, 0, 0),  // 0: = heads
      hp_int("feed_forward_length", "intermediate_size", &C::intermediate_size, false, 0, 0),
      hp_int("context_length", "max_position_embeddings", &C::max_position_embeddings, false, 4096, 1),
      hp_float("attention.layer_norm_rms_epsilon", "rms_norm_eps", &C::rms_norm_eps, 1e-6, 1e-30),
      hp_float("rope.freq_base", "rope_theta", &C::rope_theta, 10000.0, 1e-30),
      hp_bool(nullptr, "tie_word_embeddings", &C::tie_word_embeddings, false),
  };
}

std::vector<TensorDef> embedding_and_head() {
  return {
      {"token_embd.weight", "model.embed_tokens.weight", Part::Embed, SEEK_GLOBAL(tok_embd),
       SEEK_SHAPE(c.vocab_size, c.hidden_size)},
      {"output_norm.weight", "model.norm.weight", Part::Head, SEEK_GLOBAL(output_norm), SEEK_SHAPE(c.hidden_size),
       nullptr, kSmall, Init::One},
      {"output.weight", "lm_head.weight", Part::Head, SEEK_GLOBAL(output), SEEK_SHAPE(c.vocab_size, c.hidden_size),
       SEEK_WHEN(!c.tie_word_embeddings), kOptional, Init::Normal, SEEK_GLOBAL(tok_embd)},
  };
}

std::vector<TensorDef> gqa_attention() {
  const WhenFn bias = SEEK_WHEN(c.attention_bias);
  const WhenFn norm = SEEK_WHEN(c.qk_norm);
  std::vector<TensorDef> d = {
      {"attn_norm.weight", "input_layernorm.weight", Part::Layer, SEEK_LAYER(attn_norm), SEEK_SHAPE(c.hidden_size),
       nullptr, kSmall, Init::One},
      {"attn_q.weight", "self_attn.q_proj.weight", Part::Layer, SEEK_LAYER(gqa.wq),
       SEEK_SHAPE(c.num_attention_heads * c.head_dim, c.hidden_size)},
      {"attn_k.weight", "self_attn.k_proj.weight", Part::Layer, SEEK_LAYER(gqa.wk),
       SEEK_SHAPE(c.num_key_value_heads * c.head_dim, c.hidden_size)},
      {"attn_v.weight", "self_attn.v_proj.weight", Part::Layer, SEEK_LAYER(gqa.wv),
       SEEK_SHAPE(c.num_key_value_heads * c.head_dim, c.hidden_size)},
      {"attn_q.bias", "self_attn.q_proj.bias", Part::Layer, SEEK_LAYER(gqa.bq),
       SEEK_SHAPE(c.num_attention_heads * c.head_dim), bias, kSmall, Init::Zero},
      {"attn_k.bias", "self_attn.k_proj.bias", Part::Layer, SEEK_LAYER(gqa.bk),
       SEEK_SHAPE(c.num_key_value_heads * c.head_dim), bias, kSmall, Init::Zero},
      {"attn_v.bias", "self_attn.v_proj.bias", Part::Layer, SEEK_LAYER(gqa.bv),
       SEEK_SHAPE(c.num_key_value_heads * c.head_dim), bias, kSmall, Init::Zero},
      {"attn_q_norm.weight", "self_attn.q_norm.weight", Part::Layer, SEEK_LAYER(gqa.q_norm), SEEK_SHAPE(c.head_dim),
       norm, kSmall, Init::One},
      {"attn_k_norm.weight", "self_attn.k_norm.weight", Part::Layer, SEEK_LAYER(gqa.k_norm), SEEK_SHAPE(c.head_dim),
       norm, kSmall, Init::One},
      {"attn_output.weight", "self_attn.o_proj.weight", Part::Layer, SEEK_LAYER(gqa.wo),
       SEEK_SHAPE(c.hidden_size, c.num_attention_heads * c.head_dim)},
      {"ffn_norm.weight", "post_attention_layernorm.weight", Part::Layer, SEEK_LAYER(ffn_norm),
       SEEK_SHAPE(c.hidden_size), nullptr, kSmall, Init::One},
  };
  return d;
}

std::vector<TensorDef> dense_ffn(WhenFn when) {
  return {
      {"ffn_gate.weight", "mlp.gate_proj.weight", Part::Layer, SEEK_LAYER(ffn.w1),
       SEEK_SHAPE(c.intermediate_size, c.hidden_size), when},
      {"ffn_up.weight", "mlp.up_proj.weight", Part::Layer, SEEK_LAYER(ffn.w3),
       SEEK_SHAPE(c.intermediate_size, c.hidden_size), when},
      {"ffn_down.weight", "mlp.down_proj.weight", Part::Layer, SEEK_LAYER(ffn.w2),
       SEEK_SHAPE(c.hidden_size, c.intermediate_size), when},
  };
}

// clang-format on

void append(std::vector<TensorDef>& defs, const std::vector<TensorDef>& more) {
  defs.insert(defs.end(), more.begin(), more.end());
}

void read_rope_scaling_gguf(const GGUFFile& f, const std::string& p, bool deepseek_mscale, ModelConfig& c) {
  std::string type = f.get_string_or(p + "rope.scaling.type", "none");
  if (type == "none" || type.empty()) return;
  if (type != "yarn") throw FormatError(str(p, "rope.scaling.type '", type, "' is not supported (none, yarn)"));
  RopeScaling& r = c.rope_scaling;
  r.yarn = true;
  r.factor = f.get_float_or(p + "rope.scaling.factor", 1.0);
  r.original_max_position_embeddings = f.get_int_or(p + "rope.scaling.original_context_length", 4096);
  r.beta_fast = f.get_float_or(p + "rope.scaling.yarn_beta_fast", 32.0);
  r.beta_slow = f.get_float_or(p + "rope.scaling.yarn_beta_slow", 1.0);
  if (deepseek_mscale) {
    // llama.cpp stores 0.1 * mscale_all_dim as yarn_log_multiplier and keeps the rotated vectors at
    // unit magnitude (it cancels YaRN's rope mscale): HF's mscale / mscale_all_dim with the two equal.
    r.mscale_all_dim = f.get_float_or(p + "rope.scaling.yarn_log_multiplier", 0.0) / 0.1;
    r.mscale = r.mscale_all_dim;
  } else {
    r.mscale = 1.0;  // ggml's YaRN: q and k rotated at magnitude 1 + 0.1 ln(factor)
    r.mscale_all_dim = 0.0;
  }
}

void read_rope_scaling_hf(const HFConfig& j, ModelConfig& c) {
  if (!j.has_object("rope_scaling")) return;
  HFConfig r = j.child("rope_scaling");
  std::string type = r.get_string("type", r.get_string("rope_type", "none"));
  if (type == "default" || type == "none") return;
  RopeScaling& s = c.rope_scaling;
  if (type == "llama3") {
    s.llama3 = true;
    s.factor = r.get_float("factor", 1.0);
    s.original_max_position_embeddings = r.get_int("original_max_position_embeddings", 8192);
    s.low_freq_factor = r.get_float("low_freq_factor", 1.0);
    s.high_freq_factor = r.get_float("high_freq_factor", 4.0);
    if (!(s.factor > 0 && s.low_freq_factor > 0 && s.high_freq_factor > s.low_freq_factor))
      throw FormatError(str(j.path(),
                            ": llama3 rope_scaling needs factor > 0 and high_freq_factor > low_freq_factor > 0"));
    return;
  }
  if (type != "yarn")
    throw FormatError(str(j.path(), ": rope_scaling type '", type, "' is not supported (yarn, llama3)"));
  s.yarn = true;
  s.factor = r.get_float("factor", 1.0);
  s.original_max_position_embeddings = r.get_int("original_max_position_embeddings", 4096);
  s.beta_fast = r.get_float("beta_fast", 32.0);
  s.beta_slow = r.get_float("beta_slow", 1.0);
  s.mscale = r.get_float("mscale", 1.0);
  s.mscale_all_dim = r.get_float("mscale_all_dim", 0.0);
}

void write_rope_scaling_gguf(GGUFWriter& w, const std::string& p, const ModelConfig& c) {
  if (!c.rope_scaling.yarn) return;
  w.set(p + "rope.scaling.type", GGUFValue::of_string("yarn"));
  w.set(p + "rope.scaling.factor", GGUFValue::of_f32(static_cast<float>(c.rope_scaling.factor)));
  w.set(p + "rope.scaling.original_context_length",
        GGUFValue::of_u32(static_cast<uint32_t>(c.rope_scaling.original_max_position_embeddings)));
  if (c.rope_scaling.mscale_all_dim != 0.0)
    w.set(p + "rope.scaling.yarn_log_multiplier",
          GGUFValue::of_f32(static_cast<float>(0.1 * c.rope_scaling.mscale_all_dim)));
}

void write_rope_scaling_hf(nlohmann::json& j, const ModelConfig& c) {
  const RopeScaling& r = c.rope_scaling;
  if (r.yarn)
    j["rope_scaling"] = {{"type", "yarn"},
                         {"factor", r.factor},
                         {"original_max_position_embeddings", r.original_max_position_embeddings},
                         {"beta_fast", r.beta_fast},
                         {"beta_slow", r.beta_slow},
                         {"mscale", r.mscale},
                         {"mscale_all_dim", r.mscale_all_dim}};
  else if (r.llama3)
    j["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", r.factor},
                         {"original_max_position_embeddings", r.original_max_position_embeddings},
                         {"low_freq_factor", r.low_freq_factor},
                         {"high_freq_factor", r.high_freq_factor}};
}

ArchDef dense_arch(const char* gguf_arch, std::vector<std::string> hf_types, const char* hf_class,
                   std::vector<HParam> hparams, void (*features)(ModelConfig& c, bool from_gguf)) {
  std::vector<TensorDef> t = embedding_and_head();
  append(t, gqa_attention());
  append(t, dense_ffn(nullptr));
  ArchDef d{gguf_arch, std::move(hf_types), hf_class, std::move(hparams), std::move(t)};
  d.from_gguf = dense_from_gguf;
  d.from_hf = dense_from_hf;
  d.features = features;
  d.to_gguf = dense_to_gguf;
  d.to_hf = dense_to_hf;
  return d;
}

void dense_from_gguf(const GGUFFile& f, const std::string& p, ModelConfig& c) {
  c.head_dim = f.get_int_or(p + "attention.key_length", c.hidden_size / c.num_attention_heads);
  c.tie_word_embeddings = f.find_tensor("output.weight") == nullptr;
  read_rope_scaling_gguf(f, p, false, c);
}

void dense_from_hf(const HFConfig& j, ModelConfig& c) {
  c.head_dim = j.get_int("head_dim", c.hidden_size / c.num_attention_heads);
  read_rope_scaling_hf(j, c);
}

void dense_to_gguf(GGUFWriter& w, const std::string& p, const ModelConfig& c) {
  w.set(p + "attention.key_length", GGUFValue::of_u32(static_cast<uint32_t>(c.head_dim)));
  w.set(p + "attention.value_length", GGUFValue::of_u32(static_cast<uint32_t>(c.head_dim)));
  write_rope_scaling_gguf(w, p, c);
}

void dense_to_hf(nlohmann::json& j, const ModelConfig& c) {
  j["head_dim"] = c.head_dim;
  write_rope_scaling_hf(j, c);
}

}  // namespace seek
