// HF checkpoint -> the GGUF convert_hf_to_gguf.py de3ff81 writes (hf_to_gguf.h): the tensor plan
// (which checkpoint tensors make each GGUF tensor, and how), the <arch>.* keys, and the rows.
// The converter's steps, in its order: index the safetensors parts (sorted by file, then by tensor
// name), replace FP8 weights by weight * weight_scale_inv and drop the scales, map every name
// (DeepSeek: skip the MTP layers and a tied lm_head, stack the routed experts once a layer's last
// one is seen, split kv_b_proj; Llama: undo HF's q/k row permutation and add rope_freqs for llama3
// RoPE), store 1-D tensors, norms, routers and biases as F32 and the rest as --outtype.
#include "model/hf_to_gguf.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "core/error.h"
#include "core/file.h"
#include "core/threadpool.h"
#include "formats/safetensors.h"
#include "kernels/quant/quant.h"
#include "model/arch/registry.h"
#include "model/hf_to_gguf_detail.h"

namespace seek {

namespace hf_gguf {

void KvList::set(const std::string& key, GGUFValue v) {
  for (auto& [k, old] : kv_)
    if (k == key) {
      old = std::move(v);
      return;
    }
  kv_.emplace_back(key, std::move(v));
}

void KvList::set_u32(const std::string& key, int64_t v) {
  if (v < 0 || v > 0xFFFFFFFFll) throw FormatError(str(key, ": ", v, " does not fit a uint32"));
  set(key, GGUFValue::of_u32(static_cast<uint32_t>(v)));
}

void KvList::set_strings(const std::string& key, const std::vector<std::string>& v) {
  if (!v.empty()) set(key, GGUFValue::of_strings(v));
}

const json* find_hparam(const json& hp, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (auto it = hp.find(k); it != hp.end()) return &*it;
  return nullptr;
}

int64_t json_int(const json& v, const std::string& key) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()))
    return static_cast<int64_t>(v.get<double>());
  throw FormatError(str("config.json ", key, ": expected an integer, got ", v.dump()));
}

double json_float(const json& v, const std::string& key) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  throw FormatError(str("config.json ", key, ": expected a number, got ", v.dump()));
}

}  // namespace hf_gguf

namespace {

using hf_gguf::find_hparam;
using hf_gguf::json;
using hf_gguf::json_float;
using hf_gguf::json_int;
using hf_gguf::KvList;

enum class Arch { DeepSeek2, Qwen2, Llama };

// How a converted tensor's rows are made from checkpoint tensors.
enum class Make {
  Copy,     // one tensor as it is
  Stack,    // routed experts: src[e] is expert e, rows stacked
  KB,       // attn_k_b [H, kv_lora, nope]: per head the nope rows of kv_b_proj, transposed
  VB,       // attn_v_b [H, v, kv_lora]: per head the v rows of kv_b_proj
  Permute,  // Llama q/k: within each head, rows (half, i) -> (i, half)
  Values,   // made by the converter itself (rope_freqs)
};

struct Plan {
  Make make = Make::Copy;
  std::vector<TensorView> src;  // PyTorch order; an F8_E4M3 view carries its block scales
  int64_t heads = 0, nope = 0, v = 0;
  std::vector<float> values;
};

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// One row of a checkpoint tensor in f32: FP8 rows times their blocks' weight_scale_inv, as the
// converter's dequant_simple (weight.float() * scale), other types widened exactly.
void source_row(const TensorView& t, int64_t r, float* out) {
  const int64_t cols = t.cols();
  dequantize_row(t.dtype, t.row(r), out, cols);
  if (t.dtype == DType::F8_E4M3 && t.block_scale) {
    const float* s = t.block_scale + (r / 128) * ((cols + 127) / 128);
    for (int64_t j = 0; j < cols; ++j) out[j] *= s[j / 128];
  }
}

// Rows [b, e) of a planned tensor, in f32 (rows of `cols`).
void make_rows(const Plan& p, const HfGgufTensor& t, int64_t b, int64_t e, float* out, std::vector<float>& scratch) {
  const int64_t cols = t.cols();
  switch (p.make) {
    case Make::Copy:
      for (int64_t r = b; r < e; ++r) source_row(p.src[0], r, out + (r - b) * cols);
      return;
    case Make::Stack: {
      const int64_t per = p.src[0].rows();
      for (int64_t r = b; r < e; ++r) source_row(p.src[static_cast<size_t>(r / per)], r % per, out + (r - b) * cols);
      return;
    }
    case Make::VB:  // row (h, i) is kv_b row h * (nope + v) + nope + i
      for (int64_t r = b; r < e; ++r)
        source_row(p.src[0], (r / p.v) * (p.nope + p.v) + p.nope + r % p.v, out + (r - b) * cols);
      return;
    case Make::KB: {  // row (h, j) holds kv_b[h * (nope + v) + n][j] for n < nope
      const int64_t rank = p.src[0].cols();
      scratch.resize(static_cast<size_t>(p.nope * rank));
      int64_t loaded = -1;
      for (int64_t r = b; r < e; ++r) {
        const int64_t h = r / rank, j = r % rank;
        if (h != loaded) {  // the head's nope rows, decoded once per head
          for (int64_t n = 0; n < p.nope; ++n) source_row(p.src[0], h * (p.nope + p.v) + n, scratch.data() + n * rank);
          loaded = h;
        }
        for (int64_t n = 0; n < p.nope; ++n) out[(r - b) * cols + n] = scratch[static_cast<size_t>(n * rank + j)];
      }
      return;
    }
    case Make::Permute: {  // new row h*hd + 2i + s comes from old row h*hd + s*hd/2 + i
      const int64_t hd = p.src[0].rows() / p.heads, half = hd / 2;
      for (int64_t r = b; r < e; ++r) {
        const int64_t h = r / hd, i = (r % hd) / 2, s = r % 2;
        source_row(p.src[0], h * hd + s * half + i, out + (r - b) * cols);
      }
      return;
    }
    case Make::Values: std::copy(p.values.begin() + b * cols, p.values.begin() + e * cols, out); return;
  }
}

Arch arch_of(const json& hp, const std::string& where) {
  std::string name;
  if (hp.contains("architectures") && hp["architectures"].is_array() && !hp["architectures"].empty() &&
      hp["architectures"][0].is_string())
    name = hp["architectures"][0].get<std::string>();
  if (name == "DeepseekV2ForCausalLM" || name == "DeepseekV3ForCausalLM") return Arch::DeepSeek2;
  if (name == "Qwen2ForCausalLM") return Arch::Qwen2;
  if (name == "LlamaForCausalLM") return Arch::Llama;
  throw FormatError(str(where, ": architectures[0] '", name,
                        "' cannot be converted (DeepseekV2ForCausalLM, DeepseekV3ForCausalLM, Qwen2ForCausalLM, "
                        "LlamaForCausalLM)"));
}

const char* gguf_arch_name(Arch a) { return a == Arch::DeepSeek2 ? "deepseek2" : a == Arch::Qwen2 ? "qwen2" : "llama"; }

// The 1-D rope_freqs tensor of llama3 RoPE, computed as the converter does in float32 torch:
// per frequency 1 (short wavelengths), factor (long ones) or a smooth blend.
std::vector<float> llama3_rope_factors(const json& rp, const json& hp) {
  const double base = rp.contains("rope_theta") ? json_float(rp["rope_theta"], "rope_theta") : 10000.0;
  const int64_t dim = hp.contains("head_dim") && !hp["head_dim"].is_null()
                          ? json_int(hp["head_dim"], "head_dim")
                          : json_int(hp.at("hidden_size"), "hidden_size") /
                                json_int(hp.at("num_attention_heads"), "num_attention_heads");
  auto get = [&](const char* k, double def) { return rp.contains(k) ? json_float(rp[k], k) : def; };
  const double factor = get("factor", 8.0), low = get("low_freq_factor", 1.0), high = get("high_freq_factor", 4.0);
  const double old_ctx = get("original_max_position_embeddings", 8192);
  const double low_wavelen = old_ctx / low, high_wavelen = old_ctx / high;
  std::vector<float> f;
  for (int64_t i = 0; i < dim; i += 2) {
    // torch: arange(f32) / dim, base ** that, 1.0 / that, 2*pi / freq: all f32 operations; a Python
    // number divided by a tensor is the tensor's reciprocal times the number.
    const float expo = static_cast<float>(i) / static_cast<float>(dim);
    const float freq = 1.0f / std::pow(static_cast<float>(base), expo);
    const float wavelen = (1.0f / freq) * static_cast<float>(2 * std::numbers::pi);
    if (wavelen < high_wavelen) {
      f.push_back(1.0f);
    } else if (wavelen > low_wavelen) {
      f.push_back(static_cast<float>(factor));
    } else {
      const float smooth = ((1.0f / wavelen) * static_cast<float>(old_ctx) - static_cast<float>(low)) /
                           static_cast<float>(high - low);
      f.push_back(1.0f / ((1.0f - smooth) / static_cast<float>(factor) + smooth));
    }
  }
  return f;
}

// The converter's rope_parameters: rope_scaling (or rope_parameters) with rope_theta and
// rope_type ("type") mirrored into it.
json rope_parameters(const json& hp) {
  json rp = hp.contains("rope_parameters") ? hp["rope_parameters"] : hp.value("rope_scaling", json());
  if (!rp.is_object()) rp = json::object();
  if (!rp.contains("full_attention") && !rp.contains("sliding_attention")) {
    const json* theta = find_hparam(hp, {"global_rope_theta", "rope_global_theta", "rope_theta_global", "rope_theta",
                                         "rotary_emb_base"});
    if (!rp.contains("rope_theta") && theta && !theta->is_null()) rp["rope_theta"] = *theta;
    if (!rp.contains("rope_type") && rp.contains("type") && !rp["type"].is_null()) rp["rope_type"] = rp["type"];
    const json* prf = find_hparam(hp, {"partial_rotary_factor", "rope_pct", "rope_percent"});
    if (!rp.contains("partial_rotary_factor") && prf && !prf->is_null()) rp["partial_rotary_factor"] = *prf;
    if (!rp.contains("original_max_position_embeddings") && hp.contains("original_max_position_embeddings") &&
        !hp["original_max_position_embeddings"].is_null())
      rp["original_max_position_embeddings"] = hp["original_max_position_embeddings"];
  }
  return rp;
}

// <arch>.* keys and general.file_type: the converter's TextModel.set_gguf_parameters, then the
// architecture's own additions (DeepseekV2Model, LlamaModel).
void add_arch_keys(KvList& kv, Arch arch, json hp, int32_t ftype) {
  const std::string p = std::string(gguf_arch_name(arch)) + ".";
  if (arch == Arch::DeepSeek2) {
    hp["num_key_value_heads"] = 1;  // MLA is written as MQA with one latent "head"
    if (!hp.contains("rms_norm_eps")) hp["rms_norm_eps"] = 1e-6;
  }
  const json rp_all = rope_parameters(hp);
  auto u32 = [&](const char* key, const json* v) {
    if (v && !v->is_null()) kv.set_u32(p + key, json_int(*v, key));
  };
  auto f32 = [&](const char* key, const json* v) {
    if (v && !v->is_null()) kv.set_f32(p + key, json_float(*v, key));
  };
  u32("block_count", find_hparam(hp, {"n_layers", "num_hidden_layers", "n_layer", "num_layers"}));
  u32("context_length", find_hparam(hp, {"max_position_embeddings", "n_ctx", "n_positions", "max_length",
                                         "max_sequence_length", "model_max_length"}));
  u32("embedding_length", find_hparam(hp, {"hidden_size", "n_embd", "dim"}));
  u32("feed_forward_length", find_hparam(hp, {"prefix_dense_intermediate_size", "dense_intermediate_size",
                                              "intermediate_size", "n_inner", "hidden_dim"}));
  u32("attention.head_count", find_hparam(hp, {"num_attention_heads", "n_head", "n_heads"}));
  u32("attention.head_count_kv", find_hparam(hp, {"num_key_value_heads", "n_kv_heads"}));
  if (hp.contains("is_causal") && hp["is_causal"].is_boolean() && !hp["is_causal"].get<bool>())
    kv.set_bool(p + "attention.causal", false);
  const json rp = rp_all.contains("full_attention") ? rp_all["full_attention"] : rp_all;
  if (rp.contains("rope_type") && rp["rope_type"].is_string()) {
    const std::string type = rp["rope_type"].get<std::string>();
    const bool has_factor = rp.contains("factor") && !rp["factor"].is_null();
    if (type == "linear" && has_factor) {
      kv.set_string(p + "rope.scaling.type", "linear");
      f32("rope.scaling.factor", &rp["factor"]);
    } else if (type == "yarn" && has_factor) {
      kv.set_string(p + "rope.scaling.type", "yarn");
      f32("rope.scaling.factor", &rp["factor"]);
      if (!rp.contains("original_max_position_embeddings"))
        throw FormatError("config.json rope_scaling: yarn without original_max_position_embeddings");
      u32("rope.scaling.original_context_length", &rp["original_max_position_embeddings"]);
      auto opt = [&](const char* k) { return rp.contains(k) ? &rp[k] : nullptr; };
      f32("rope.scaling.yarn_ext_factor", opt("extrapolation_factor"));
      f32("rope.scaling.yarn_attn_factor", opt("attention_factor") ? opt("attention_factor") : opt("attn_factor"));
      f32("rope.scaling.yarn_beta_fast", opt("beta_fast"));
      f32("rope.scaling.yarn_beta_slow", opt("beta_slow"));
    } else if (type == "su" || type == "longrope") {
      kv.set_string(p + "rope.scaling.type", "longrope");
    }  // llama3: the rope_freqs tensor; others: the converter only warns
  }
  f32("rope.freq_base", rp.contains("rope_theta") ? &rp["rope_theta"] : nullptr);
  f32("attention.layer_norm_rms_epsilon", find_hparam(hp, {"rms_norm_eps", "norm_eps"}));
  f32("attention.layer_norm_epsilon", find_hparam(hp, {"layer_norm_eps", "layer_norm_epsilon", "norm_epsilon"}));
  u32("expert_count", find_hparam(hp, {"num_local_experts", "num_experts", "n_routed_experts"}));
  u32("expert_used_count", find_hparam(hp, {"num_experts_per_tok", "num_experts_per_token", "top_k_experts"}));
  u32("expert_group_count", find_hparam(hp, {"n_group"}));
  u32("expert_group_used_count", find_hparam(hp, {"topk_group"}));
  if (const json* s = find_hparam(hp, {"score_function", "scoring_func", "score_func", "moe_router_activation",
                                       "moe_router_activation_func", "expert_selection_fn"});
      s && !s->is_null()) {
    const std::string f = s->is_string() ? s->get<std::string>() : s->dump();
    if (f == "sigmoid") kv.set_u32(p + "expert_gating_func", 2);
    else if (f == "softmax") kv.set_u32(p + "expert_gating_func", 1);
    else if (f == "sqrtsoftplus") kv.set_u32(p + "expert_gating_func", 4);
    else throw FormatError(str("config.json scoring_func: unsupported expert gating function '", f, "'"));
  }
  if (const json* hd = find_hparam(hp, {"head_dim"}); hd && !hd->is_null()) {
    u32("attention.key_length", hd);
    u32("attention.value_length", hd);
  }
  kv.set_u32("general.file_type", ftype);

  if (arch == Arch::DeepSeek2) {
    const bool moe = hp.contains("n_routed_experts") && !hp["n_routed_experts"].is_null();
    const json* fk = find_hparam(hp, {"first_k_dense_replace"});
    if (fk && !fk->is_null()) u32("leading_dense_block_count", fk);
    else
      kv.set_u32(p + "leading_dense_block_count", moe ? 0 : json_int(hp.at("num_hidden_layers"), "num_hidden_layers"));
    const int64_t kv_lora = hp.contains("kv_lora_rank") ? json_int(hp["kv_lora_rank"], "kv_lora_rank") : 512;
    u32("vocab_size", &hp.at("vocab_size"));
    if (hp.contains("q_lora_rank") && !hp["q_lora_rank"].is_null()) u32("attention.q_lora_rank", &hp["q_lora_rank"]);
    const int64_t rope = json_int(hp.at("qk_rope_head_dim"), "qk_rope_head_dim");
    kv.set_u32(p + "attention.kv_lora_rank", kv_lora);
    kv.set_u32(p + "attention.key_length", kv_lora + rope);
    kv.set_u32(p + "attention.value_length", kv_lora);
    kv.set_u32(p + "attention.key_length_mla", json_int(hp.at("qk_nope_head_dim"), "qk_nope_head_dim") + rope);
    kv.set_u32(p + "attention.value_length_mla", json_int(hp.at("v_head_dim"), "v_head_dim"));
    const json* moe_ff = find_hparam(hp, {"moe_intermediate_size", "intermediate_size"});
    if (!moe_ff) throw FormatError("config.json: no moe_intermediate_size or intermediate_size");
    u32("expert_feed_forward_length", moe_ff);
    if (moe) u32("expert_count", &hp["n_routed_experts"]);
    kv.set_u32(p + "expert_shared_count",
               hp.contains("n_shared_experts") ? json_int(hp["n_shared_experts"], "n_shared_experts") : 0);
    if (hp.contains("routed_scaling_factor") && !hp["routed_scaling_factor"].is_null())
      f32("expert_weights_scale", &hp["routed_scaling_factor"]);
    if (hp.contains("norm_topk_prob") && hp["norm_topk_prob"].is_boolean() && hp["norm_topk_prob"].get<bool>())
      kv.set_bool(p + "expert_weights_norm", true);
    kv.set_u32(p + "rope.dimension_count", rope);
    if (rp_all.contains("mscale_all_dim") &&
        !rp_all["mscale_all_dim"].is_null())  // the converter's 0.1 * mscale_all_dim
      kv.set_f32(p + "rope.scaling.yarn_log_multiplier", 0.1 * json_float(rp_all["mscale_all_dim"], "mscale_all_dim"));
  } else if (arch == Arch::Llama) {
    u32("vocab_size", &hp.at("vocab_size"));
    const int64_t rope_dim = hp.contains("head_dim") && !hp["head_dim"].is_null()
                                 ? json_int(hp["head_dim"], "head_dim")
                                 : json_int(hp.at("hidden_size"), "hidden_size") /
                                       json_int(hp.at("num_attention_heads"), "num_attention_heads");
    kv.set_u32(p + "rope.dimension_count", rope_dim);
  }
}

// The stored type the converter gives a tensor (prepare_tensors): F32 for 1-D tensors, norms,
// routers and anything not named *.weight; the outtype for the rest.
DType stored_type(const std::string& name, size_t n_dims, DType outtype) {
  if (n_dims <= 1 || ends_with(name, "_norm.weight") || ends_with(name, ".ffn_gate_inp.weight") ||
      ends_with(name, ".ffn_gate_inp_shexp.weight") || name == "position_embd.weight" || name == "token_types.weight" ||
      name.size() < 7 || name.compare(name.size() - 7, 7, ".weight") != 0)
    return DType::F32;
  return outtype;
}

// The first decimal component of a dotted name (the converter's block id), or -1.
int64_t block_of(const std::string& name) {
  size_t s = 0;
  while (s <= name.size()) {
    size_t e = name.find('.', s);
    if (e == std::string::npos) e = name.size();
    const std::string part = name.substr(s, e - s);
    if (!part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::stoll(part);
    s = e + 1;
  }
  return -1;
}

}  // namespace

int64_t HfGgufTensor::rows() const { return numel(shape) / cols(); }

struct HfGguf::Impl {
  std::string dir;
  SafetensorsFile st;
  KvList kv;
  std::vector<HfGgufTensor> tensors;
  std::vector<Plan> plans;

  void add(HfGgufTensor t, Plan p) {
    for (const HfGgufTensor& x : tensors)
      if (x.name == t.name) throw FormatError(str(dir, ": two checkpoint tensors convert to ", t.name));
    tensors.push_back(std::move(t));
    plans.push_back(std::move(p));
  }
};

HfGguf::HfGguf(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HfGguf::HfGguf(HfGguf&&) noexcept = default;
HfGguf& HfGguf::operator=(HfGguf&&) noexcept = default;
HfGguf::~HfGguf() = default;

const std::string& HfGguf::dir() const { return impl_->dir; }
const std::vector<std::pair<std::string, GGUFValue>>& HfGguf::metadata() const { return impl_->kv.items(); }
const std::vector<HfGgufTensor>& HfGguf::tensors() const { return impl_->tensors; }

bool is_hf_checkpoint_dir(const std::string& path) { return is_dir(path) && is_regular_file(path + "/config.json"); }

HfGguf HfGguf::open(const std::string& dir, const std::string& outtype) {
  try {
    return open_checked(dir, outtype);
  } catch (const json::exception& e) {  // a config key of the wrong JSON type, or missing
    throw FormatError(str(dir, ": ", e.what()));
  }
}

HfGguf HfGguf::open_checked(const std::string& dir_in, const std::string& outtype_name) {
  auto impl = std::make_unique<Impl>();
  std::string dir = dir_in;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  impl->dir = dir;
  const std::string cfg_path = dir + "/config.json";
  json hp = json::parse(read_file(cfg_path), nullptr, false);
  if (hp.is_discarded() || !hp.is_object()) throw FormatError(str(cfg_path, ": not a JSON object"));
  const Arch arch = arch_of(hp, cfg_path);
  const ArchDef& def = arch_def(gguf_arch_name(arch));
  // transformers' config classes (which the converter loads config.json through) add head_dim:
  // DeepSeek's is qk_rope_head_dim, Llama's hidden_size / num_attention_heads.
  if (!hp.contains("head_dim") || hp["head_dim"].is_null()) {
    if (arch == Arch::DeepSeek2 && hp.contains("qk_rope_head_dim")) hp["head_dim"] = hp["qk_rope_head_dim"];
    if (arch == Arch::Llama)
      hp["head_dim"] = json_int(hp.at("hidden_size"), "hidden_size") /
                       json_int(hp.at("num_attention_heads"), "num_attention_heads");
  }
  const int64_t n_layers = json_int(hp.at("num_hidden_layers"), "num_hidden_layers");
  const bool tied = hp.contains("tie_word_embeddings") && hp["tie_word_embeddings"].is_boolean() &&
                    hp["tie_word_embeddings"].get<bool>();

  // FP8 checkpoints (DeepSeek-V3/R1): weights times 128x128 block scales; other methods refused.
  bool fp8 = false;
  if (hp.contains("quantization_config") && hp["quantization_config"].is_object()) {
    const json& q = hp["quantization_config"];
    const std::string method = q.value("quant_method", "");
    if (method != "fp8")
      throw FormatError(str(cfg_path, ": quantization_config.quant_method '", method,
                            "' is not supported (fp8 with 128x128 blocks is)"));
    if (q.value("weight_block_size", json()) != json::array({128, 128}))
      throw FormatError(str(cfg_path, ": quantization_config.weight_block_size ",
                            q.value("weight_block_size", json()).dump(), " is not supported ([128, 128] is)"));
    fp8 = true;
  }
  if (is_regular_file(dir + "/hf_quant_config.json"))
    throw FormatError(str(dir, "/hf_quant_config.json: NVFP4/ModelOpt checkpoints are not supported"));
  impl->st = SafetensorsFile::open(dir);
  const SafetensorsFile& st = impl->st;

  // The converter's tensor order: part files in name order, tensors by name within each.
  std::vector<const SafetensorsTensorInfo*> order;
  for (const SafetensorsTensorInfo& t : st.tensors()) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->file_index != b->file_index ? a->file_index < b->file_index : a->name < b->name;
  });

  DType outtype;
  int32_t ftype;
  if (outtype_name == "f32") outtype = DType::F32, ftype = 0;
  else if (outtype_name == "f16") outtype = DType::F16, ftype = 1;
  else if (outtype_name == "bf16") outtype = DType::BF16, ftype = 32;
  else if (outtype_name == "auto") {
    outtype = DType::F16, ftype = 1;  // "unable to detect": F16
    for (const auto* t : order) {
      if (t->view.ndim < 2) continue;
      if (t->view.dtype == DType::BF16) {
        outtype = DType::BF16, ftype = 32;
        break;
      }
      if (t->view.dtype == DType::F16) break;
    }
  } else {
    throw UsageError(str("convert type '", outtype_name, "': expected auto, f32, f16 or bf16"));
  }

  // HF name -> GGUF name, from the registry: whole names for the embedding and head, per-layer
  // suffixes for the rest ("mlp.experts.{e}.gate_proj.weight" as "mlp.experts.gate_proj.weight").
  std::map<std::string, std::string> global_names, layer_names;
  for (const TensorDef& d : def.tensors) {
    if (!d.hf || !d.gguf) continue;
    if (d.part == Part::Embed || d.part == Part::Head) global_names[d.hf] = d.gguf;
    else if (d.part == Part::Layer) {
      std::string hf = d.hf;
      if (const size_t at = hf.find("{e}."); at != std::string::npos) hf.erase(at, 4);
      layer_names[hf] = d.gguf;
    }
  }
  auto gguf_name = [&](const std::string& hf, int64_t bid) -> std::string {
    if (auto g = global_names.find(hf); g != global_names.end()) return g->second;
    const std::string pre = str("model.layers.", bid, ".");
    if (bid >= 0 && bid < n_layers && hf.rfind(pre, 0) == 0)
      if (auto l = layer_names.find(hf.substr(pre.size())); l != layer_names.end())
        return str("blk.", bid, ".", l->second);
    throw FormatError(str(dir, ": cannot map tensor ", hf, " to a ", gguf_arch_name(arch), " GGUF tensor"));
  };
  auto view_of = [&](const SafetensorsTensorInfo* t) {
    const DType d = t->view.dtype;
    if (d != DType::F32 && d != DType::F16 && d != DType::BF16 && d != DType::F8_E4M3)
      throw FormatError(str(dir, ": tensor ", t->name, " has type ", t->st_dtype, ", which seek does not convert"));
    return st.find(t->name);  // FP8: with its weight_scale_inv
  };
  auto add = [&](const std::string& name, std::vector<int64_t> shape, Plan plan) {
    HfGgufTensor t{name, stored_type(name, shape.size(), outtype), std::move(shape)};
    impl->add(std::move(t), std::move(plan));
  };

  const json rp = rope_parameters(hp);
  if (arch == Arch::Llama) {
    const json r = rp.contains("full_attention") ? rp["full_attention"] : rp;
    std::string type = r.value("rope_type", "");
    std::transform(type.begin(), type.end(), type.begin(), [](char c) { return std::tolower(c); });
    if (type == "llama3") {
      Plan p;
      p.make = Make::Values;
      p.values = llama3_rope_factors(r, hp);
      const int64_t n = static_cast<int64_t>(p.values.size());
      add("rope_freqs.weight", {n}, std::move(p));
    }
  }
  const int64_t n_head = json_int(hp.at("num_attention_heads"), "num_attention_heads");
  const int64_t n_head_kv = hp.contains("num_key_value_heads") && !hp["num_key_value_heads"].is_null()
                                ? json_int(hp["num_key_value_heads"], "num_key_value_heads")
                                : n_head;
  const int64_t n_experts = arch == Arch::DeepSeek2 && hp.contains("n_routed_experts") &&
                                    !hp["n_routed_experts"].is_null()
                                ? json_int(hp["n_routed_experts"], "n_routed_experts")
                                : 0;
  std::map<int64_t, std::map<std::string, const SafetensorsTensorInfo*>> experts;  // layer -> name -> tensor
  for (const SafetensorsTensorInfo* t : order) {
    const std::string& name = t->name;
    if (ends_with(name, ".attention.masked_bias") || ends_with(name, ".attention.bias") ||
        ends_with(name, ".rotary_emb.inv_freq"))
      continue;
    if (fp8 &&
        (ends_with(name, "_scale_inv") || ends_with(name, ".activation_scale") || ends_with(name, "_activation_scale")))
      continue;  // consumed with their weights, or unused
    const int64_t bid = block_of(name);
    if (arch == Arch::DeepSeek2) {
      if (tied && (name == "lm_head.weight" || name == "model.lm_head.weight")) continue;
      if (name.rfind("model.layers.", 0) == 0 && bid >= n_layers) continue;  // MTP layers
      if (name.find("mlp.experts") != std::string::npos) {
        if (n_experts <= 0) throw FormatError(str(cfg_path, ": expert tensors but no n_routed_experts"));
        auto& layer = experts[bid];
        layer[name] = t;
        if (static_cast<int64_t>(layer.size()) < n_experts * 3) continue;
        for (const char* w : {"down_proj", "gate_proj", "up_proj"}) {
          Plan p;
          p.make = Make::Stack;
          for (int64_t e = 0; e < n_experts; ++e) {
            const std::string en = str("model.layers.", bid, ".mlp.experts.", e, ".", w, ".weight");
            auto it = layer.find(en);
            if (it == layer.end()) throw FormatError(str(dir, ": missing tensor ", en));
            p.src.push_back(view_of(it->second));
            if (p.src.back().ndim != 2 || p.src.back().shape != p.src[0].shape)
              throw FormatError(str(dir, ": tensor ", en, ": shape ", p.src.back().shape_str(),
                                    " differs from expert 0's"));
          }
          const std::vector<int64_t> shape = {n_experts, p.src[0].shape[0], p.src[0].shape[1]};
          add(gguf_name(str("model.layers.", bid, ".mlp.experts.", w, ".weight"), bid), shape, std::move(p));
        }
        experts.erase(bid);
        continue;
      }
      if (ends_with(name, "kv_b_proj.weight")) {
        const TensorView v = view_of(t);
        const int64_t nope = json_int(hp.at("qk_nope_head_dim"), "qk_nope_head_dim");
        const int64_t vd = json_int(hp.at("v_head_dim"), "v_head_dim");
        if (v.ndim != 2 || v.shape[0] != n_head_kv * (nope + vd))
          throw FormatError(str(dir, ": tensor ", name, " ", v.shape_str(), ": expected ", n_head_kv * (nope + vd),
                                " rows (num_key_value_heads x (qk_nope_head_dim + v_head_dim))"));
        const std::string base = name.substr(0, name.size() - std::string("kv_b_proj.weight").size());
        Plan kb{Make::KB, {v}, n_head_kv, nope, vd, {}};
        Plan vb{Make::VB, {v}, n_head_kv, nope, vd, {}};
        const std::string pre = str("blk.", bid, ".");
        if (bid < 0 || bid >= n_layers || base != str("model.layers.", bid, ".self_attn."))
          throw FormatError(str(dir, ": cannot map tensor ", name));
        add(pre + "attn_k_b.weight", {n_head_kv, v.shape[1], nope}, std::move(kb));
        add(pre + "attn_v_b.weight", {n_head_kv, vd, v.shape[1]}, std::move(vb));
        continue;
      }
    }
    const TensorView v = view_of(t);
    std::vector<int64_t> shape(v.shape.begin(), v.shape.begin() + v.ndim);
    Plan p{Make::Copy, {v}, 0, 0, 0, {}};
    if (arch == Arch::Llama && (ends_with(name, "q_proj.weight") || ends_with(name, "q_proj.bias") ||
                                ends_with(name, "k_proj.weight") || ends_with(name, "k_proj.bias"))) {
      // Undo HF's rotate-half layout: GGUF llama rotates adjacent pairs.
      p.make = Make::Permute;
      p.heads = name.find("k_proj") != std::string::npos && n_head_kv != n_head ? n_head_kv : n_head;
      if (v.rows() % (2 * p.heads) != 0)
        throw FormatError(str(dir, ": tensor ", name, " ", v.shape_str(), ": rows not a multiple of 2 x ", p.heads,
                              " heads"));
    }
    add(gguf_name(name, bid), std::move(shape), std::move(p));
  }
  for (const auto& [bid, left] : experts)
    throw FormatError(str(dir, ": layer ", bid, " has ", left.size(), " expert tensors, expected ", n_experts * 3));

  // Keys: the architecture, general.* (the size label counts the converted tensors), <arch>.*,
  // the quantization version, then the tokenizer.
  hf_gguf::ParamCounts pc;
  int64_t expert_sum = 0, n_expert_tensors = 0;
  for (const HfGgufTensor& t : impl->tensors) {
    const int64_t n = numel(t.shape);
    pc.total += n;
    if (t.name.find("_exps.") != std::string::npos && t.shape.size() >= 3) {
      const int64_t count = t.shape[t.shape.size() - (t.name.find(".bias") != std::string::npos ? 2 : 3)];
      pc.expert += n / count;
      expert_sum += count;
      ++n_expert_tensors;
    } else {
      pc.shared += n;
    }
  }
  pc.expert_count = n_expert_tensors > 0 ? expert_sum / n_expert_tensors : 0;
  KvList& kv = impl->kv;
  kv.set_string("general.architecture", gguf_arch_name(arch));
  hf_gguf::add_general_keys(kv, dir, pc);
  add_arch_keys(kv, arch, hp, ftype);
  kv.set_u32("general.quantization_version", 2);
  if (arch == Arch::Llama) {
    const std::string tc = dir + "/tokenizer_config.json";
    if (is_regular_file(tc)) {
      const json j = json::parse(read_file(tc), nullptr, false);
      if (j.is_object() && j.contains("add_prefix_space") && j["add_prefix_space"].is_boolean())
        kv.set_bool("tokenizer.ggml.add_space_prefix", j["add_prefix_space"].get<bool>());
    }
  }
  if (arch != Arch::DeepSeek2 && is_regular_file(dir + "/tokenizer.model"))  // the converter's SentencePiece path
    throw FormatError(str(dir, "/tokenizer.model: SentencePiece vocabularies are not converted (byte-level BPE only)"));
  hf_gguf::add_tokenizer_keys(kv, dir, json_int(hp.at("vocab_size"), "vocab_size"));
  return HfGguf(std::move(impl));
}

void HfGguf::read_rows(size_t i, int64_t r0, int64_t r1, void* dst, ThreadPool& pool) const {
  const HfGgufTensor& t = impl_->tensors.at(i);
  const Plan& p = impl_->plans[i];
  SEEK_ASSERT(r0 >= 0 && r0 <= r1 && r1 <= t.rows());
  const int64_t cols = t.cols();
  const size_t rb = row_bytes(t.dtype, cols);
  auto* out = static_cast<uint8_t*>(dst);
  // KB decodes a head's rows once per chunk: chunks of whole heads' worth of rows where possible.
  const int64_t grain = p.make == Make::KB ? std::max<int64_t>(1, p.src[0].cols()) : 16;
  pool.parallel_for(r1 - r0, grain, [&](int64_t b, int64_t e) {
    std::vector<float> rows(static_cast<size_t>((e - b) * cols)), scratch;
    make_rows(p, t, r0 + b, r0 + e, rows.data(), scratch);
    for (int64_t r = b; r < e; ++r) quantize_row(t.dtype, rows.data() + (r - b) * cols, out + r * rb, cols);
  });
}

void HfGguf::write(const std::string& path, ThreadPool& pool) const {
  GGUFWriter w;
  for (const auto& [k, v] : metadata()) w.set(k, v);
  for (size_t i = 0; i < tensors().size(); ++i) {
    const HfGgufTensor& t = tensors()[i];
    w.add_tensor(t.name, t.dtype, t.shape, [this, i, &t, &pool](const GGUFWriter::ByteSinkFn& sink) {
      const size_t rb = row_bytes(t.dtype, t.cols());
      const int64_t rows = t.rows(), chunk = std::max<int64_t>(1, static_cast<int64_t>((32u << 20) / rb));
      std::vector<uint8_t> buf(rb * static_cast<size_t>(std::min(chunk, rows)));
      for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
        const int64_t r1 = std::min(rows, r0 + chunk);
        read_rows(i, r0, r1, buf.data(), pool);
        sink(buf.data(), rb * static_cast<size_t>(r1 - r0));
      }
    });
  }
  w.write(path);
}

}  // namespace seek
