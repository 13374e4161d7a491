// HF config.json -> ModelConfig. The names are the same; this maps model_type to an
// architecture and fills what each family leaves implicit (deepseek.md section 1).
#include "core/error.h"
#include "model/load_hf.h"

namespace seek {

namespace {

void read_rope_scaling(const HFConfig& j, ModelConfig& c) {
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
    if (s.factor <= 0 || s.low_freq_factor <= 0 || s.high_freq_factor <= s.low_freq_factor)
      throw FormatError(str(j.path(), ": llama3 rope_scaling needs factor > 0 and high_freq_factor > low_freq_factor > 0"));
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

int32_t first_id(const HFConfig& j, const std::string& key) {
  std::vector<int64_t> ids = j.get_int_list(key);
  return ids.empty() ? -1 : static_cast<int32_t>(ids[0]);
}

}  // namespace

ModelConfig config_from_hf(const HFConfig& j) {
  ModelConfig c;
  const std::string type = j.get_string("model_type");
  if (type == "deepseek_v3" || type == "deepseek_v2") c.arch = Arch::DeepSeek2;
  else if (type == "qwen2") c.arch = Arch::Qwen2;
  else if (type == "llama") c.arch = Arch::Llama;
  else throw FormatError(str(j.path(), ": model_type '", type, "' is not supported (deepseek_v3, deepseek_v2, qwen2, llama)"));
  c.name = type;
  c.vocab_size = j.get_int("vocab_size");
  c.hidden_size = j.get_int("hidden_size");
  c.num_hidden_layers = j.get_int("num_hidden_layers");
  c.num_attention_heads = j.get_int("num_attention_heads");
  c.num_key_value_heads = j.get_int("num_key_value_heads", c.num_attention_heads);
  c.intermediate_size = j.get_int("intermediate_size", 0);
  c.max_position_embeddings = j.get_int("max_position_embeddings", 4096);
  c.rms_norm_eps = j.get_float("rms_norm_eps", 1e-6);
  c.rope_theta = j.get_float("rope_theta", 10000.0);
  c.tie_word_embeddings = j.get_bool("tie_word_embeddings", false);
  c.bos_token_id = first_id(j, "bos_token_id");
  c.eos_token_id = first_id(j, "eos_token_id");
  read_rope_scaling(j, c);
  if (c.arch == Arch::DeepSeek2) {
    c.rope_style = RopeStyle::Adjacent;
    c.q_lora_rank = j.get_int("q_lora_rank", 0);
    c.kv_lora_rank = j.get_int("kv_lora_rank");
    c.qk_nope_head_dim = j.get_int("qk_nope_head_dim");
    c.qk_rope_head_dim = j.get_int("qk_rope_head_dim");
    c.v_head_dim = j.get_int("v_head_dim");
    c.moe_intermediate_size = j.get_int("moe_intermediate_size", 0);
    c.n_routed_experts = j.get_int("n_routed_experts", 0);
    c.n_shared_experts = j.get_int("n_shared_experts", 0);
    c.num_experts_per_tok = j.get_int("num_experts_per_tok", 0);
    c.first_k_dense_replace = j.get_int("first_k_dense_replace", 0);
    c.scoring_func = j.get_string("scoring_func", "softmax");
    c.topk_method = j.get_string("topk_method", "greedy");
    c.n_group = j.get_int("n_group", 1);
    c.topk_group = j.get_int("topk_group", 1);
    c.norm_topk_prob = j.get_bool("norm_topk_prob", false);
    c.routed_scaling_factor = j.get_float("routed_scaling_factor", 1.0);
    c.num_nextn_predict_layers = j.get_int("num_nextn_predict_layers", 0);
    // moe_layer_freq > 1 (every k-th layer MoE) was never released in a DeepSeek model.
    if (j.get_int("moe_layer_freq", 1) != 1) throw FormatError(str(j.path(), ": moe_layer_freq != 1 is not supported"));
  } else {
    c.rope_style = RopeStyle::SplitHalf;
    c.head_dim = j.get_int("head_dim", c.hidden_size / c.num_attention_heads);
    c.attention_bias = c.arch == Arch::Qwen2 ? true : j.get_bool("attention_bias", false);
  }
  c.validate();
  return c;
}

}  // namespace seek
