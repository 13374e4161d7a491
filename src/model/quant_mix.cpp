// llama-quantize de3ff81's per-tensor type mix; the rules are described in quant_mix.h.
#include "model/quant_mix.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <numeric>

#include "core/error.h"

namespace seek {

namespace {

using F = QuantFtype;

struct FtypeName {
  const char* name;
  QuantFtype ftype;
};

// llama-quantize's table, in its order (numeric ids resolve to the first entry with that id).
constexpr FtypeName kFtypeNames[] = {
    {"Q1_0", F::Q1_0},           {"Q2_0", F::Q2_0},       {"Q4_0", F::Q4_0},     {"Q4_1", F::Q4_1},
    {"MXFP4_MOE", F::MXFP4_MOE}, {"Q5_0", F::Q5_0},       {"Q5_1", F::Q5_1},     {"IQ2_XXS", F::IQ2_XXS},
    {"IQ2_XS", F::IQ2_XS},       {"IQ2_S", F::IQ2_S},     {"IQ2_M", F::IQ2_M},   {"IQ1_S", F::IQ1_S},
    {"IQ1_M", F::IQ1_M},         {"TQ1_0", F::TQ1_0},     {"TQ2_0", F::TQ2_0},   {"Q2_K", F::Q2_K},
    {"Q2_K_S", F::Q2_K_S},       {"IQ3_XXS", F::IQ3_XXS}, {"IQ3_S", F::IQ3_S},   {"IQ3_M", F::IQ3_M},
    {"Q3_K", F::Q3_K_M},         {"IQ3_XS", F::IQ3_XS},   {"Q3_K_S", F::Q3_K_S}, {"Q3_K_M", F::Q3_K_M},
    {"Q3_K_L", F::Q3_K_L},       {"IQ4_NL", F::IQ4_NL},   {"IQ4_XS", F::IQ4_XS}, {"Q4_K", F::Q4_K_M},
    {"Q4_K_S", F::Q4_K_S},       {"Q4_K_M", F::Q4_K_M},   {"Q5_K", F::Q5_K_M},   {"Q5_K_S", F::Q5_K_S},
    {"Q5_K_M", F::Q5_K_M},       {"Q6_K", F::Q6_K},       {"Q8_0", F::Q8_0},     {"F16", F::F16},
    {"BF16", F::BF16},           {"F32", F::F32},         {"COPY", F::F32},
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool any_of(QuantFtype f, std::initializer_list<QuantFtype> set) {
  return std::find(set.begin(), set.end(), f) != set.end();
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

int64_t block_of(DType t) { return dtype_info(t).block_size; }

// ggml_n_dims: 1 + the index of the last ne that is not 1.
int n_dims(const std::vector<int64_t>& ne) {
  for (int i = static_cast<int>(ne.size()) - 1; i >= 1; --i)
    if (ne[i] > 1) return i + 1;
  return 1;
}

int64_t ne_at(const QuantTensor& t, size_t i) { return i < t.ne.size() ? t.ne[i] : 1; }

// The layer an ffn rule uses: parsed from the name in an expert model (its experts are not
// consecutive in every file), else the running count.
int ffn_layer(const QuantModel& m, const QuantMixState& s, int running, const std::string& name) {
  if (m.n_expert <= 1) return running;
  const std::optional<int> il = quant_layer_of(name);
  if (!il) throw FormatError(str("tensor ", name, ": cannot tell its layer (expected a name blk.N.*)"));
  if (*il < 0 || *il >= s.n_ffn)
    throw FormatError(str("tensor ", name, ": layer ", *il, " is outside [0, ", s.n_ffn, ")"));
  return *il;
}

bool is_iq12(QuantFtype f) { return any_of(f, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ2_S, F::IQ2_M, F::IQ1_M}); }

// token_embd (tied) and output.
DType output_rule(const QuantModel& m, const QuantOptions& o, const QuantTensor& t, DType dflt) {
  if (o.output_type) return *o.output_type;
  if (o.ftype == F::MXFP4_MOE) return DType::Q8_0;
  if (m.arch == "falcon" || ne_at(t, 0) % block_of(dflt) != 0) return DType::Q8_0;
  if (any_of(o.ftype, {F::IQ2_XXS, F::IQ2_XS, F::IQ3_XXS, F::IQ1_S, F::IQ2_S, F::IQ2_M, F::IQ1_M})) return DType::Q5_K;
  return dflt == DType::Q8_0 ? DType::Q8_0 : DType::Q6_K;
}

DType token_embd_rule(const QuantOptions& o, DType dflt) {
  if (o.token_embd_type) return *o.token_embd_type;
  if (any_of(o.ftype, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ1_M})) return DType::Q2_K;
  if (any_of(o.ftype, {F::IQ2_S, F::IQ2_M, F::IQ3_XXS})) return DType::IQ3_S;
  if (any_of(o.ftype, {F::TQ1_0, F::TQ2_0, F::Q2_0})) return DType::Q4_K;
  return dflt;
}

// The 1- and 2-bit i-quant file types have their own short rule list.
DType iq12_rule(const QuantModel& m, const QuantOptions& o, QuantCategory cat, QuantMixState& s, DType dflt) {
  const bool s_or_m = o.ftype == F::IQ2_S || o.ftype == F::IQ2_M;
  if (quant_category_is_attn_v(cat)) {
    ++s.i_attn_v;
    if (quant_n_gqa(m) >= 4 || m.n_expert >= 4) return DType::Q4_K;
    return s_or_m ? DType::IQ3_S : DType::Q2_K;
  }
  if (m.n_expert == 8 && cat == QuantCategory::AttnK) return DType::Q4_K;
  if (cat == QuantCategory::FfnDown) {
    // The running count of ffn_down tensors, even in an expert model.
    const bool early = s.i_ffn_down < s.n_ffn / 8;
    ++s.i_ffn_down;
    if (early) return s_or_m ? DType::IQ3_S : DType::Q2_K;
    return dflt;
  }
  if (cat == QuantCategory::AttnOutput) {
    if (m.n_expert == 8) return DType::Q5_K;
    if (o.ftype == F::IQ1_S || o.ftype == F::IQ1_M) return DType::IQ2_XXS;
    if (s_or_m) return DType::IQ3_S;
  }
  return dflt;
}

DType attn_v_rule(const QuantModel& m, const QuantOptions& o, QuantMixState& s, DType dflt) {
  const int gqa = quant_n_gqa(m);
  const int i = s.i_attn_v++;
  DType t = dflt;
  switch (o.ftype) {
    case F::Q2_K: t = gqa >= 4 ? DType::Q4_K : DType::Q3_K; break;
    case F::Q2_K_S:
      if (gqa >= 4) t = DType::Q4_K;
      break;
    case F::IQ3_XXS: t = gqa >= 4 ? DType::Q4_K : o.has_imatrix ? DType::IQ3_XXS : DType::IQ3_S; break;
    case F::IQ3_XS:
    case F::IQ3_S:
      if (gqa >= 4) t = DType::Q4_K;
      break;
    case F::IQ3_M: t = DType::Q4_K; break;
    case F::Q3_K_M: t = i < 2 ? DType::Q5_K : DType::Q4_K; break;
    case F::Q3_K_L: t = DType::Q5_K; break;
    case F::IQ4_NL:
    case F::IQ4_XS:
      if (gqa >= 4) t = DType::Q5_K;
      break;
    case F::Q4_K_M:
    case F::Q5_K_M:
      if (quant_use_more_bits(i, s.n_attn_v)) t = DType::Q6_K;
      break;
    case F::Q4_K_S:
      if (i < 4) t = DType::Q5_K;
      break;
    default: break;
  }
  // LLaMA-70B shares each attn_v among 8 heads, so it is 8x smaller than attn_q: more bits are cheap.
  if (m.type_70b && (t == DType::Q3_K || t == DType::Q4_K)) t = DType::Q5_K;
  if (m.n_expert == 8) t = DType::Q8_0;
  return t;
}

DType ffn_down_rule(const QuantModel& m, const QuantOptions& o, const QuantTensor& t, QuantMixState& s, DType dflt) {
  const int il = ffn_layer(m, s, s.i_ffn_down, t.name);
  ++s.i_ffn_down;
  const int n = s.n_ffn;
  const bool falcon = m.arch == "falcon";
  const bool more = quant_use_more_bits(il, n);
  const bool first8 = il < n / 8;
  switch (o.ftype) {
    case F::Q2_K: return DType::Q3_K;
    case F::Q2_K_S: return first8 ? DType::Q4_K : dflt;
    case F::IQ3_XXS:
      if (!o.has_imatrix) return first8 ? DType::Q4_K : DType::Q3_K;
      return dflt;
    case F::Q3_K_M:
      if (il < n / 16) return DType::Q5_K;
      return !falcon || more ? DType::Q4_K : DType::Q3_K;
    case F::IQ3_M: return first8 || (m.n_expert == 8 && more) ? DType::Q4_K : dflt;
    case F::Q3_K_L: return falcon ? DType::Q4_K : DType::Q5_K;
    case F::Q4_K_M:
      if (falcon) return il < n / 16 ? DType::Q6_K : more ? DType::Q5_K : DType::Q4_K;
      return more ? DType::Q6_K : dflt;
    case F::IQ4_NL:
    case F::IQ4_XS: return first8 && !o.has_imatrix ? DType::Q5_K : dflt;
    case F::Q5_K_M: return more ? DType::Q6_K : dflt;
    case F::Q4_K_S: return !falcon && first8 ? DType::Q5_K : dflt;
    // Q4_1 / Q5_1 would go wrong on the first ffn_down layers without an imatrix, so only with one.
    case F::Q4_0: return o.has_imatrix && first8 ? DType::Q4_1 : dflt;
    case F::Q5_0: return o.has_imatrix && first8 ? DType::Q5_1 : dflt;
    default: return dflt;
  }
}

DType attn_output_rule(const QuantModel& m, const QuantOptions& o, DType dflt) {
  if (m.arch == "falcon") return o.ftype == F::Q3_K_L ? DType::Q4_K : dflt;
  if (m.n_expert == 8) {
    if (any_of(o.ftype, {F::Q2_K, F::IQ3_XS, F::IQ3_XXS, F::Q3_K_S, F::Q3_K_M, F::IQ4_NL, F::Q4_K_S, F::Q4_K_M,
                         F::IQ3_S, F::IQ3_M, F::IQ4_XS}))
      return DType::Q5_K;
    return dflt;
  }
  switch (o.ftype) {
    case F::Q2_K: return DType::Q3_K;
    case F::IQ3_XXS: return DType::IQ3_S;
    case F::Q3_K_M: return DType::Q4_K;
    case F::Q3_K_L: return DType::Q5_K;
    case F::IQ3_M: return DType::Q4_K;
    default: return dflt;
  }
}

// ffn_gate and ffn_up share one rule, each with its own running count.
DType ffn_gate_up_rule(const QuantModel& m, const QuantOptions& o, const QuantTensor& t, QuantMixState& s, int& running,
                       DType dflt) {
  const int il = ffn_layer(m, s, running, t.name);
  ++running;
  const int n = s.n_ffn;
  if (o.ftype == F::IQ3_XS && il >= n / 8 && il < 7 * n / 8) return DType::IQ3_XXS;
  return dflt;
}

// Rule 6 of quant_mix.h.
DType mix_rule(const QuantModel& m, const QuantOptions& o, const QuantTensor& t, QuantCategory cat, QuantMixState& s,
               DType dflt) {
  if (cat == QuantCategory::Output || (s.tied_embeddings && cat == QuantCategory::TokenEmbd))
    return output_rule(m, o, t, dflt);
  if (o.ftype == F::MXFP4_MOE) {
    const bool ffn = cat == QuantCategory::FfnUp || cat == QuantCategory::FfnGate || cat == QuantCategory::FfnDown;
    return ne_at(t, 2) > 1 && (m.arch != "bailingmoe3" || ffn) ? DType::MXFP4 : DType::Q8_0;
  }
  if (cat == QuantCategory::TokenEmbd) return token_embd_rule(o, dflt);
  if (is_iq12(o.ftype)) return iq12_rule(m, o, cat, s, dflt);
  // attn_qkv is attn_v-like, so llama.cpp's own attn_qkv branch after these (q4_K / q5_K / q6_K for
  // Q3_K_M/L, IQ3_M / Q4_K_M / Q5_K_M) is never reached; it is left out here.
  if (quant_category_is_attn_v(cat)) return attn_v_rule(m, o, s, dflt);
  switch (cat) {
    case QuantCategory::AttnK:
      if (m.n_expert == 8) return DType::Q8_0;
      [[fallthrough]];
    case QuantCategory::AttnQ:
      if (o.ftype == F::IQ3_XS) return DType::IQ3_XXS;
      if (o.ftype == F::IQ3_XXS) return DType::IQ2_S;
      return dflt;
    case QuantCategory::FfnDown: return ffn_down_rule(m, o, t, s, dflt);
    case QuantCategory::AttnOutput: return attn_output_rule(m, o, dflt);
    case QuantCategory::FfnGate: return ffn_gate_up_rule(m, o, t, s, s.i_ffn_gate, dflt);
    case QuantCategory::FfnUp: return ffn_gate_up_rule(m, o, t, s, s.i_ffn_up, dflt);
    default: return dflt;
  }
}

}  // namespace

QuantFtypeChoice parse_quant_ftype(const std::string& s) {
  const std::string u = upper(s);
  for (const FtypeName& e : kFtypeNames)
    if (u == e.name) return {e.ftype, u == "COPY", e.name};
  int id = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec == std::errc() && end == s.data() + s.size()) {
    for (const FtypeName& e : kFtypeNames)
      if (static_cast<int>(e.ftype) == id) return {e.ftype, false, e.name};
  }
  std::string valid;
  for (const FtypeName& e : kFtypeNames) valid += std::string(valid.empty() ? "" : ", ") + e.name;
  throw UsageError(str("unknown quantization type '", s, "' (expected one of ", valid, ")"));
}

std::vector<std::string> quant_ftype_names() {
  std::vector<std::string> v;
  for (const FtypeName& e : kFtypeNames) v.emplace_back(e.name);
  return v;
}

std::string quant_ftype_name(QuantFtype f) {
  if (f == F::Q3_K_M) return "Q3_K_M";
  if (f == F::Q4_K_M) return "Q4_K_M";
  if (f == F::Q5_K_M) return "Q5_K_M";
  if (f == F::NVFP4) return "NVFP4";
  for (const FtypeName& e : kFtypeNames)
    if (e.ftype == f) return e.name;
  return str("ftype#", static_cast<int32_t>(f));
}

DType quant_ftype_default_type(QuantFtype f) {
  switch (f) {
    case F::F32: return DType::F32;
    case F::F16: return DType::F16;
    case F::BF16: return DType::BF16;
    case F::Q4_0: return DType::Q4_0;
    case F::Q4_1: return DType::Q4_1;
    case F::Q5_0: return DType::Q5_0;
    case F::Q5_1: return DType::Q5_1;
    case F::Q8_0: return DType::Q8_0;
    case F::Q1_0: return DType::Q1_0;
    case F::Q2_0: return DType::Q2_0;
    case F::MXFP4_MOE: return DType::MXFP4;
    case F::Q2_K:
    case F::Q2_K_S: return DType::Q2_K;
    case F::Q3_K_S:
    case F::Q3_K_M:
    case F::Q3_K_L: return DType::Q3_K;
    case F::Q4_K_S:
    case F::Q4_K_M: return DType::Q4_K;
    case F::Q5_K_S:
    case F::Q5_K_M: return DType::Q5_K;
    case F::Q6_K: return DType::Q6_K;
    case F::TQ1_0: return DType::TQ1_0;
    case F::TQ2_0: return DType::TQ2_0;
    case F::IQ2_XXS: return DType::IQ2_XXS;
    case F::IQ2_XS:
    case F::IQ2_S: return DType::IQ2_XS;
    case F::IQ2_M: return DType::IQ2_S;
    case F::IQ3_XXS: return DType::IQ3_XXS;
    case F::IQ3_XS:
    case F::IQ3_S:
    case F::IQ3_M: return DType::IQ3_S;
    case F::IQ1_S: return DType::IQ1_S;
    case F::IQ1_M: return DType::IQ1_M;
    case F::IQ4_NL: return DType::IQ4_NL;
    case F::IQ4_XS: return DType::IQ4_XS;
    default:
      throw UsageError(str("file type ", quant_ftype_name(f),
                           " has no default tensor type (for nvfp4 use Q8_0 with --tensor-type weight=nvfp4)"));
  }
}

bool llama_is_70b(const std::string& arch, int n_layer, int n_head, int n_head_kv) {
  if (arch == "llama") return n_layer == 80 && n_head != n_head_kv;
  if (arch == "qwen2" || arch == "deci" || arch == "olmo") return n_layer == 80;
  if (arch == "jais2") return n_layer == 68;
  return false;
}

int quant_n_gqa(const QuantModel& m) { return m.n_head_kv == 0 ? 0 : m.n_head / m.n_head_kv; }

QuantTypeOverride parse_quant_type_override(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size())
    throw UsageError(str("--tensor-type '", arg, "': expected PATTERN=TYPE, e.g. attn_k_b=q8_0"));
  std::string pattern = arg.substr(0, eq);
  for (char& c : pattern) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {pattern, dtype_from_name(arg.substr(eq + 1))};
}

QuantCategory quant_category(std::string_view name) {
  using C = QuantCategory;
  if (name == "output.weight") return C::Output;
  if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") return C::TokenEmbd;
  constexpr std::pair<std::string_view, QuantCategory> kParts[] = {
      {"attn_qkv.weight", C::AttnQKV},
      {"attn_kv_b.weight", C::AttnKVB},
      {"attn_v.weight", C::AttnV},
      {"attn_k.weight", C::AttnK},
      {"attn_q.weight", C::AttnQ},
      {"attn_output.weight", C::AttnOutput},
      {"ffn_up", C::FfnUp},
      {"ffn_gate", C::FfnGate},
      {"ffn_down", C::FfnDown},
  };
  for (const auto& [part, c] : kParts)
    if (contains(name, part)) return c;
  return C::Other;
}

bool quant_category_is_attn_v(QuantCategory c) {
  return c == QuantCategory::AttnV || c == QuantCategory::AttnQKV || c == QuantCategory::AttnKVB;
}

std::optional<int> quant_layer_of(std::string_view name) {
  constexpr std::string_view kPrefix = "blk.";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = name.substr(kPrefix.size());
  size_t i = 0;
  while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;  // as %d does
  bool neg = false;
  if (i < rest.size() && (rest[i] == '+' || rest[i] == '-')) neg = rest[i++] == '-';
  const size_t digits = i;
  long long v = 0;
  while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])) && v < (1LL << 31))
    v = v * 10 + (rest[i++] - '0');
  if (i == digits) return std::nullopt;
  return static_cast<int>(neg ? -v : v);
}

bool quant_order_less(std::string_view a, std::string_view b) {
  const int la = quant_layer_of(a).value_or(-1), lb = quant_layer_of(b).value_or(-1);
  if (la != lb) return la < lb;
  return a < b;
}

bool quant_allows(const QuantOptions& o, const QuantTensor& t) {
  if (o.only_copy || n_dims(t.ne) < 2) return false;
  const std::string_view n = t.name;
  if (!n.ends_with("weight") || contains(n, "_norm.weight")) return false;
  if (!o.quantize_output && n == "output.weight") return false;
  if (n == "position_embd.weight" || n == "token_types.weight") return false;
  constexpr std::string_view kKeep[] = {
      "ffn_gate_inp.weight",      // expert routers
      "ffn_gate_tid2eid.weight",  // DeepSeek-V4's token -> expert table
      "altup",
      "laurel",  // tiny (gemma3n)
      "per_layer_model_proj",
      "ssm_conv1d",
      "shortconv.conv.weight",
      "indexer.k_proj.weight",
      "indexer.q_proj.weight",
      "time_mix_first.weight",
      "time_mix_w0.weight",
      "time_mix_w1.weight",
      "time_mix_w2.weight",
      "time_mix_v0.weight",
      "time_mix_v1.weight",
      "time_mix_v2.weight",
      "time_mix_a0.weight",
      "time_mix_a1.weight",
      "time_mix_a2.weight",
      "time_mix_g1.weight",
      "time_mix_g2.weight",
      "time_mix_decay_w1.weight",
      "time_mix_decay_w2.weight",
      "time_mix_lerp_fused.weight",
      "attn_rel_b.weight",  // T5 relative position bias
      ".position_embd",
      "sam.pos_embd",
      "sam.neck.",
      "sam.net_",
      ".rel_pos",
      ".patch_embd",
      ".patch_merger",
      "a.rvq.codebook",
      "mm.a.code_embd",
  };
  for (std::string_view k : kKeep)
    if (contains(n, k)) return false;
  return true;
}

bool quant_use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

DType quant_fallback(DType wanted, int64_t ne0, std::string_view tensor) {
  const int64_t block = block_of(wanted);
  if (ne0 % block == 0) return wanted;
  DType t = wanted;
  switch (wanted) {
    case DType::IQ1_S:
    case DType::IQ1_M:
    case DType::IQ2_XXS:
    case DType::IQ2_XS:
    case DType::IQ2_S:
    case DType::IQ3_XXS:
    case DType::IQ3_S:
    case DType::IQ4_XS: t = DType::IQ4_NL; break;
    case DType::Q2_0:
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::TQ1_0:
    case DType::TQ2_0: t = DType::Q4_0; break;
    case DType::Q4_K: t = DType::Q5_0; break;
    case DType::Q5_K: t = DType::Q5_1; break;
    case DType::Q6_K: t = DType::Q8_0; break;
    default:
      if (block > 32)
        throw UsageError(str("tensor ", tensor, ": rows of ", ne0, " are not whole ", dtype_name(wanted), " blocks of ",
                             block, ", and ", dtype_name(wanted),
                             " has no fallback type (choose another type for it with --tensor-type)"));
      break;  // a 32-block type: nothing smaller to go to
  }
  return ne0 % block_of(t) == 0 ? t : DType::F16;
}

bool quant_requires_imatrix(std::string_view name, DType type, QuantFtype ftype) {
  if (quant_category(name) == QuantCategory::TokenEmbd || name == "output.weight") return false;
  switch (type) {
    case DType::IQ3_XXS:
    case DType::IQ2_XXS:
    case DType::IQ2_XS:
    case DType::IQ2_S:
    case DType::IQ1_M:
    case DType::IQ1_S: return true;
    case DType::Q2_K: return ftype == F::Q2_K_S;
    default: return false;
  }
}

QuantMixState quant_mix_state(const QuantModel& m, const QuantOptions& o, const std::vector<std::string>& names) {
  QuantMixState s;
  s.n_ffn = m.n_layer;
  for (const std::string& n : names) {
    if (quant_category_is_attn_v(quant_category(n))) ++s.n_attn_v;
    if (n == "output.weight") s.tied_embeddings = false;
  }
  for (const QuantTypeOverride& ov : o.overrides) {
    try {
      s.overrides.emplace_back(std::regex(ov.pattern), ov.type);
    } catch (const std::regex_error& e) {
      throw UsageError(str("--tensor-type pattern '", ov.pattern, "' is not a valid regular expression: ", e.what()));
    }
  }
  return s;
}

QuantChoice quant_tensor_type(const QuantModel& m, const QuantOptions& o, const QuantTensor& t, QuantMixState& s) {
  QuantChoice c;
  c.type = c.wanted = t.type;
  if (!quant_allows(o, t)) return c;
  const QuantCategory cat = quant_category(t.name);
  // Named outright: no mix, no fallback. (per_layer_token_embd yields to a --tensor-type naming it.)
  if (o.token_embd_type && cat == QuantCategory::TokenEmbd) {
    bool named = false;
    if (t.name == "per_layer_token_embd.weight")
      for (const auto& [re, type] : s.overrides) named = named || std::regex_search(t.name, re);
    if (!named) {
      c.type = c.wanted = *o.token_embd_type;
      return c;
    }
  }
  if (o.output_type && cat == QuantCategory::Output) {
    c.type = c.wanted = *o.output_type;
    return c;
  }
  const DType dflt = quant_ftype_default_type(o.ftype);
  c.type = c.wanted = dflt;
  if (!dtype_info(dflt).is_quantized) return c;  // F16, BF16, F32
  for (const auto& [re, type] : s.overrides) {
    if (std::regex_search(t.name, re)) {
      c.wanted = type;
      c.manual = true;
      break;
    }
  }
  if (!c.manual && !o.pure) c.wanted = mix_rule(m, o, t, cat, s, dflt);
  c.type = quant_fallback(c.wanted, ne_at(t, 0), t.name);
  c.fallback = c.type != c.wanted;
  if (c.fallback) ++s.n_fallback;
  return c;
}

std::vector<QuantChoice> quant_mix(const QuantModel& m, const QuantOptions& o, const std::vector<QuantTensor>& tensors,
                                   int* n_fallback) {
  std::vector<std::string> names;
  for (const QuantTensor& t : tensors) names.push_back(t.name);
  QuantMixState s = quant_mix_state(m, o, names);
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return quant_order_less(tensors[a].name, tensors[b].name); });
  std::vector<QuantChoice> out(tensors.size());
  for (size_t i : order) out[i] = quant_tensor_type(m, o, tensors[i], s);
  if (n_fallback) *n_fallback = s.n_fallback;
  return out;
}

}  // namespace seek
