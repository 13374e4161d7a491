// Preset shapes. ds-1b is the benchmark model of the inference issue (about 967M total and
// 222M active parameters); ds-tiny is a seconds-to-run test shape with every feature on;
// ds-2m, ds-20m, ds-100m are from-scratch training shapes in DeepSeek-V3's architecture (q-LoRA
// MLA, sigmoid-gated noaux_tc MoE with a shared expert, one MTP layer, no YaRN).
#include "model/presets.h"

#include "core/error.h"
#include "model/arch/registry.h"

namespace seek {

namespace {

ModelConfig ds_1b() {
  ModelConfig c;
  c.arch = "deepseek2";
  c.name = "ds-1b";
  c.vocab_size = 102400;
  c.hidden_size = 1024;
  c.num_hidden_layers = 12;
  c.num_attention_heads = 16;
  c.num_key_value_heads = 16;
  c.q_lora_rank = 512;
  c.kv_lora_rank = 256;
  c.qk_nope_head_dim = 64;
  c.qk_rope_head_dim = 32;
  c.v_head_dim = 64;
  c.n_routed_experts = 80;
  c.n_shared_experts = 2;
  c.num_experts_per_tok = 6;
  c.moe_intermediate_size = 256;
  c.first_k_dense_replace = 1;
  c.intermediate_size = 2816;
  c.scoring_func = "softmax";
  c.topk_method = "greedy";
  c.max_position_embeddings = 163840;
  c.rope_scaling.yarn = true;
  c.rope_scaling.factor = 40;
  c.rope_scaling.original_max_position_embeddings = 4096;
  c.rope_scaling.mscale = 0.707;
  c.rope_scaling.mscale_all_dim = 0.707;
  c.bos_token_id = 100000;
  c.eos_token_id = 100001;
  return c;
}

ModelConfig ds_tiny() {
  ModelConfig c = ds_1b();
  c.name = "ds-tiny";
  c.hidden_size = 64;
  c.num_hidden_layers = 3;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 4;
  c.q_lora_rank = 32;
  c.kv_lora_rank = 32;
  c.qk_nope_head_dim = 16;
  c.qk_rope_head_dim = 8;
  c.v_head_dim = 16;
  c.n_routed_experts = 8;
  c.n_shared_experts = 1;
  c.num_experts_per_tok = 2;
  c.moe_intermediate_size = 32;
  c.intermediate_size = 128;
  c.scoring_func = "sigmoid";
  c.topk_method = "noaux_tc";
  c.n_group = 4;
  c.topk_group = 2;
  c.norm_topk_prob = true;
  c.routed_scaling_factor = 2.5;
  c.rope_scaling.mscale = 1.0;
  c.rope_scaling.mscale_all_dim = 1.0;
  return c;
}

// The shape of a from-scratch training preset; ds_train fills in the rest of V3's architecture.
struct TrainShape {
  const char* name = "";
  int64_t vocab = 0;      // vocab_size
  int64_t hidden = 0;     // hidden_size
  int64_t layers = 0;     // num_hidden_layers
  int64_t heads = 0;      // num_attention_heads (= num_key_value_heads)
  int64_t q_lora = 0;     // q_lora_rank
  int64_t kv_lora = 0;    // kv_lora_rank
  int64_t nope = 0;       // qk_nope_head_dim
  int64_t rope = 0;       // qk_rope_head_dim
  int64_t v_head = 0;     // v_head_dim
  int64_t experts = 0;    // n_routed_experts
  int64_t top_k = 0;      // num_experts_per_tok
  int64_t moe_inter = 0;  // moe_intermediate_size
  int64_t inter = 0;      // intermediate_size (the dense first layer)
};

// V3's architecture scaled down (deepseek.md 2.5). Parameter counts include the MTP block and
// assume the preset's vocab_size; the trainer replaces vocab_size with the data's tokenizer's.
ModelConfig ds_train(const TrainShape& s) {
  ModelConfig c;
  c.arch = "deepseek2";
  c.name = s.name;
  c.vocab_size = s.vocab;
  c.hidden_size = s.hidden;
  c.num_hidden_layers = s.layers;
  c.num_attention_heads = s.heads;
  c.num_key_value_heads = s.heads;
  c.q_lora_rank = s.q_lora;
  c.kv_lora_rank = s.kv_lora;
  c.qk_nope_head_dim = s.nope;
  c.qk_rope_head_dim = s.rope;
  c.v_head_dim = s.v_head;
  c.n_routed_experts = s.experts;
  c.n_shared_experts = 1;
  c.num_experts_per_tok = s.top_k;
  c.moe_intermediate_size = s.moe_inter;
  c.intermediate_size = s.inter;
  c.first_k_dense_replace = 1;
  c.scoring_func = "sigmoid";
  c.topk_method = "noaux_tc";
  c.n_group = s.experts >= 16 ? 4 : 2;
  c.topk_group = c.n_group / 2;
  c.norm_topk_prob = true;
  c.routed_scaling_factor = 2.5;
  c.num_nextn_predict_layers = 1;
  c.max_position_embeddings = 2048;
  c.bos_token_id = 0;
  c.eos_token_id = 1;
  return c;
}

}  // namespace

std::vector<std::string> preset_names() { return {"ds-1b", "ds-tiny", "ds-2m", "ds-20m", "ds-100m"}; }

ModelConfig preset_config(const std::string& name) {
  if (name == "ds-1b") return ds_1b();
  if (name == "ds-tiny") return ds_tiny();
  // clang-format off
  if (name == "ds-2m")  // 1.7 M
    return ds_train({.name = "ds-2m", .vocab = 2048, .hidden = 128, .layers = 4, .heads = 4, .q_lora = 64, .kv_lora = 32,
                     .nope = 16, .rope = 16, .v_head = 16, .experts = 8, .top_k = 2, .moe_inter = 64, .inter = 256});
  if (name == "ds-20m")  // 20.1 M
    return ds_train({.name = "ds-20m", .vocab = 8192, .hidden = 256, .layers = 8, .heads = 8, .q_lora = 128, .kv_lora = 64,
                     .nope = 32, .rope = 16, .v_head = 32, .experts = 16, .top_k = 2, .moe_inter = 128, .inter = 768});
  if (name == "ds-100m")  // 105 M
    return ds_train({.name = "ds-100m", .vocab = 16384, .hidden = 512, .layers = 8, .heads = 8, .q_lora = 256, .kv_lora = 128,
                     .nope = 64, .rope = 32, .v_head = 64, .experts = 32, .top_k = 4, .moe_inter = 192, .inter = 1536});
  // clang-format on
  std::string known;
  for (const std::string& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw UsageError(str("unknown preset '", name, "' (known: ", known, ")"));
}

int64_t count_params(const ModelConfig& c) {
  ModelConfig main = c;
  main.num_nextn_predict_layers = 0;
  int64_t total = 0;
  for (const TensorInstance& t : gguf_tensors(main)) {
    if (t.def->has(kNotTrained)) continue;
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    total += n;
  }
  return total;
}

int64_t count_active_params(const ModelConfig& c) {
  ModelConfig a = c;
  if (a.n_routed_experts > 0) a.n_routed_experts = a.num_experts_per_tok;
  // The router still scores every expert.
  int64_t router_extra = 0;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l)
    if (c.is_moe_layer(l)) router_extra += (c.n_routed_experts - a.n_routed_experts) * c.hidden_size;
  return count_params(a) + router_extra - c.vocab_size * c.hidden_size;  // one embedding row, not the table
}

}  // namespace seek
