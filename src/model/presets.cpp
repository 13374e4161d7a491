// Preset shapes. ds-1b is the benchmark model of the inference issue (about 967M total and
// 222M active parameters); ds-tiny is a seconds-to-run test shape with every feature on;
// ds-2m, ds-20m, ds-100m are from-scratch training shapes in DeepSeek-V3's architecture (q-LoRA
// MLA, sigmoid-gated noaux_tc MoE with a shared expert, one MTP layer, no YaRN).
#include "model/presets.h"

#include "core/error.h"
#include "model/arch/registry.h"

namespace seek {

namespace {

// A DeepSeek shape: MLA (q-LoRA when q_lora > 0), MoE on every layer after the first (dense) one.
struct Shape {
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
  int64_t shared = 1;     // n_shared_experts
  int64_t top_k = 0;      // num_experts_per_tok
  int64_t moe_inter = 0;  // moe_intermediate_size
  int64_t inter = 0;      // intermediate_size (the dense first layer)
};

// The shape with V2's routing (softmax, greedy top-k; ModelConfig's defaults).
ModelConfig deepseek(const Shape& s) {
  ModelConfig c;
  c.arch = "deepseek2";
  c.name = s.name;
  c.vocab_size = s.vocab;
  c.hidden_size = s.hidden;
  c.num_hidden_layers = s.layers;
  c.num_attention_heads = c.num_key_value_heads = s.heads;
  c.q_lora_rank = s.q_lora;
  c.kv_lora_rank = s.kv_lora;
  c.qk_nope_head_dim = s.nope;
  c.qk_rope_head_dim = s.rope;
  c.v_head_dim = s.v_head;
  c.n_routed_experts = s.experts;
  c.n_shared_experts = s.shared;
  c.num_experts_per_tok = s.top_k;
  c.moe_intermediate_size = s.moe_inter;
  c.intermediate_size = s.inter;
  c.first_k_dense_replace = 1;
  return c;
}

// V3's routing (deepseek.md 2.5): sigmoid scores with the balancing bias, noaux_tc over groups.
ModelConfig v3_routing(ModelConfig c, int64_t n_group) {
  c.scoring_func = "sigmoid";
  c.topk_method = "noaux_tc";
  c.n_group = n_group;
  c.topk_group = n_group / 2;
  c.norm_topk_prob = true;
  c.routed_scaling_factor = 2.5;
  return c;
}

// V2's long-context setting (YaRN x40 from 4k) and DeepSeek's BOS / EOS ids.
ModelConfig long_context(ModelConfig c, double mscale) {
  c.max_position_embeddings = 163840;
  c.rope_scaling.yarn = true;
  c.rope_scaling.factor = 40;
  c.rope_scaling.original_max_position_embeddings = 4096;
  c.rope_scaling.mscale = c.rope_scaling.mscale_all_dim = mscale;
  c.bos_token_id = 100000;
  c.eos_token_id = 100001;
  return c;
}

// V3's architecture scaled down for training from scratch, with one MTP layer. Parameter counts
// assume the preset's vocab_size; the trainer replaces vocab_size with the data's tokenizer's.
ModelConfig ds_train(const Shape& s) {
  ModelConfig c = v3_routing(deepseek(s), s.experts >= 16 ? 4 : 2);
  c.num_nextn_predict_layers = 1;
  c.max_position_embeddings = 2048;
  c.bos_token_id = 0;
  c.eos_token_id = 1;
  return c;
}

}  // namespace

std::vector<std::string> preset_names() { return {"ds-1b", "ds-tiny", "ds-2m", "ds-20m", "ds-100m"}; }

ModelConfig preset_config(const std::string& name) {
  // clang-format off
  if (name == "ds-1b")
    return long_context(deepseek({.name = "ds-1b", .vocab = 102400, .hidden = 1024, .layers = 12, .heads = 16, .q_lora = 512,
                                  .kv_lora = 256, .nope = 64, .rope = 32, .v_head = 64, .experts = 80, .shared = 2,
                                  .top_k = 6, .moe_inter = 256, .inter = 2816}), 0.707);
  if (name == "ds-tiny")  // every feature on, in seconds
    return long_context(v3_routing(deepseek({.name = "ds-tiny", .vocab = 102400, .hidden = 64, .layers = 3, .heads = 4,
                                             .q_lora = 32, .kv_lora = 32, .nope = 16, .rope = 8, .v_head = 16, .experts = 8,
                                             .top_k = 2, .moe_inter = 32, .inter = 128}), 4), 1.0);
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
