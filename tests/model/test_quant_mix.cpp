// The per-tensor type mix of `seek quantize` (model/quant_mix) against llama-quantize de3ff81:
// (1) every file of the ds2-zoo (one F32 deepseek2 master quantized into every file type llama-quantize
//     offers, plus NVFP4 / Q1_0 / MIX-A / MIX-B made with --tensor-type(-file)): the type of every
//     tensor and the number of fallbacks, from tests/data/gguf-quants/llama_quantize_types.json
//     (tools/extract_quantize_types.py); the tensors go in in the master's (generator) order, which
//     is not llama-quantize's, so the internal ordering is checked too;
// (2) DeepSeek-V2-Lite shapes: every tensor of 30 file types in both attention layouts against
//     llama-quantize's own --dry-run choice (llama_quantize_types_v2lite.json, no importance matrix),
//     and Q4_K_M / IQ2_XXS derived by hand from the rules, derivations in comments;
// (3) the names, --pure, and the errors llama-quantize gives.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "core/file.h"
#include "model/quant_mix.h"

using namespace seek;
using nlohmann::json;

namespace {

const json& types_json() {
  static const json j = json::parse(read_file(std::string(SEEK_TEST_DATA) + "/gguf-quants/llama_quantize_types.json"));
  return j;
}

QuantModel model_of(const json& hp) {
  QuantModel m;
  m.arch = hp["arch"].get<std::string>();
  m.n_layer = hp["block_count"].get<int>();
  m.n_expert = hp["expert_count"].get<int>();
  m.n_head = hp["head_count"].get<int>();
  m.n_head_kv = hp["head_count_kv"].get<int>();
  m.type_70b = llama_is_70b(m.arch, m.n_layer, m.n_head, m.n_head_kv);
  return m;
}

QuantOptions options_of(const json& o) {
  QuantOptions q;
  const QuantFtypeChoice f = parse_quant_ftype(o["ftype"].get<std::string>());
  q.ftype = f.ftype;
  q.only_copy = f.only_copy;
  q.pure = o["pure"].get<bool>();
  q.has_imatrix = o["imatrix"].get<bool>();
  q.quantize_output = !o["leave_output_tensor"].get<bool>();
  if (!o["output_tensor_type"].is_null()) q.output_type = dtype_from_name(o["output_tensor_type"].get<std::string>());
  if (!o["token_embedding_type"].is_null())
    q.token_embd_type = dtype_from_name(o["token_embedding_type"].get<std::string>());
  for (const json& a : o["tensor_types"]) q.overrides.push_back(parse_quant_type_override(a.get<std::string>()));
  return q;
}

QuantTensor tensor(const std::string& name, std::vector<int64_t> ne) { return {name, std::move(ne), DType::F32}; }

// name -> type of a mix, for hand-written expectations.
std::map<std::string, DType> mix_map(const QuantModel& m, const QuantOptions& o, const std::vector<QuantTensor>& ts,
                                     int* n_fallback = nullptr) {
  const std::vector<QuantChoice> c = quant_mix(m, o, ts, n_fallback);
  std::map<std::string, DType> r;
  for (size_t i = 0; i < ts.size(); ++i) r[ts[i].name] = c[i].type;
  return r;
}

// DeepSeek-V2-Lite as current llama.cpp conversion writes it (split MLA layout: attn_k_b / attn_v_b, no
// attn_kv_b; head_count_kv 1): n_embd 2048, 27 blocks, block 0 dense (n_ff 10944), blocks 1-26 MoE with
// 64 routed experts of n_ff 1408 and 2 shared (one 2816-wide shexp), 16 heads, no q-LoRA (attn_q is
// [2048, 16 * (128 + 64)]), kv_lora 512, qk_nope 128, rope 64, v 128, vocabulary 102400, no exp_probs_b.
// legacy_kv_b: the older layout with one attn_kv_b [512, 16 * (128 + 128)] per block instead.
std::vector<QuantTensor> v2_lite(bool legacy_kv_b = false) {
  std::vector<QuantTensor> t;
  t.push_back(tensor("token_embd.weight", {2048, 102400}));
  for (int i = 0; i < 27; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    t.push_back(tensor(b + "attn_norm.weight", {2048}));
    t.push_back(tensor(b + "attn_q.weight", {2048, 3072}));
    t.push_back(tensor(b + "attn_kv_a_mqa.weight", {2048, 576}));
    t.push_back(tensor(b + "attn_kv_a_norm.weight", {512}));
    if (legacy_kv_b) {
      t.push_back(tensor(b + "attn_kv_b.weight", {512, 4096}));
    } else {
      t.push_back(tensor(b + "attn_k_b.weight", {128, 512, 16}));
      t.push_back(tensor(b + "attn_v_b.weight", {512, 128, 16}));
    }
    t.push_back(tensor(b + "attn_output.weight", {2048, 2048}));
    t.push_back(tensor(b + "ffn_norm.weight", {2048}));
    if (i == 0) {
      t.push_back(tensor(b + "ffn_gate.weight", {2048, 10944}));
      t.push_back(tensor(b + "ffn_up.weight", {2048, 10944}));
      t.push_back(tensor(b + "ffn_down.weight", {10944, 2048}));
    } else {
      t.push_back(tensor(b + "ffn_gate_inp.weight", {2048, 64}));
      t.push_back(tensor(b + "ffn_gate_exps.weight", {2048, 1408, 64}));
      t.push_back(tensor(b + "ffn_up_exps.weight", {2048, 1408, 64}));
      t.push_back(tensor(b + "ffn_down_exps.weight", {1408, 2048, 64}));
      t.push_back(tensor(b + "ffn_gate_shexp.weight", {2048, 2816}));
      t.push_back(tensor(b + "ffn_up_shexp.weight", {2048, 2816}));
      t.push_back(tensor(b + "ffn_down_shexp.weight", {2816, 2048}));
    }
  }
  t.push_back(tensor("output_norm.weight", {2048}));
  t.push_back(tensor("output.weight", {2048, 102400}));
  return t;
}

QuantModel v2_lite_model() { return {"deepseek2", 27, 64, 16, 1, false}; }

// use_more_bits(i, 27) written out: i < 27/8 = 3, i >= 7*27/8 = 23, or (i - 3) % 3 == 2.
const std::set<int> kMoreBits27 = {0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 24, 25, 26};

bool has_suffix(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

}  // namespace

TEST(QuantMix, EveryZooFileMatchesLlamaQuantize) {
  const json& j = types_json();
  const json& master = j["master"];
  // The input: the master's tensors, in its (generator) order and with its types.
  std::vector<QuantTensor> in;
  for (const json& t : master["tensors"])
    in.push_back({t[0].get<std::string>(), t[1].get<std::vector<int64_t>>(), dtype_from_name(t[2].get<std::string>())});
  ASSERT_EQ(in.size(), 52u);

  int files = 0;
  for (const auto& [file, rec] : j["files"].items()) {
    SCOPED_TRACE(file + ": " + rec["command"].get<std::string>());
    const QuantModel m = model_of(rec["hparams"]);
    const QuantOptions o = options_of(rec["options"]);
    std::map<std::string, std::string> want;
    for (const json& t : rec["tensors"]) want[t[0].get<std::string>()] = t[2].get<std::string>();
    ASSERT_EQ(want.size(), in.size());

    int n_fallback = -1;
    const std::vector<QuantChoice> got = quant_mix(m, o, in, &n_fallback);
    std::string mismatches;
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_TRUE(want.count(in[i].name)) << in[i].name;
      const DType w = dtype_from_name(want[in[i].name]);
      if (got[i].type != w)
        mismatches += str("\n  ", in[i].name, ": seek ", dtype_name(got[i].type), ", llama-quantize ", dtype_name(w));
    }
    EXPECT_TRUE(mismatches.empty()) << "mismatches:" << mismatches;
    EXPECT_EQ(n_fallback, rec["n_fallback"].get<int>());
    ++files;
  }
  EXPECT_EQ(files, 37);  // every file but the F32 master
}

TEST(QuantMix, ZooQ4KMIsTheKnownMix) {
  // Spot check of the data and the rules on the shipped file: ffn_down of block 2 (>= 7*3/8 = 2) gets
  // q6_K, block 0 and 1 q4_K; the 64-wide attn_k_b falls back to q5_0.
  const json& rec = types_json()["files"]["ds2-zoo-Q4_K_M.gguf"];
  std::map<std::string, std::string> t;
  for (const json& x : rec["tensors"]) t[x[0].get<std::string>()] = x[2].get<std::string>();
  EXPECT_EQ(t["blk.2.ffn_down_exps.weight"], "q6_k");
  EXPECT_EQ(t["blk.1.ffn_down_exps.weight"], "q4_k");
  EXPECT_EQ(t["blk.0.attn_k_b.weight"], "q5_0");
  EXPECT_EQ(t["output.weight"], "q6_k");
  EXPECT_EQ(rec["n_fallback"].get<int>(), 3);
}

TEST(QuantMix, DeepSeekV2LiteQ4KM) {
  // Q4_K_M: default q4_K.
  //  token_embd: output.weight exists (not tied), and Q4_K_M has no token_embd rule -> q4_K.
  //  output: q6_K (2048 is whole 256-blocks).
  //  norms (1-D), ffn_gate_inp (router): f32, not quantized.
  //  attn_q, attn_kv_a_mqa, attn_v_b (rows 512), attn_output, ffn_gate/up(_exps/_shexp) (rows 2048): no rule
  //    (attn_v_b is not "attn_v.weight") -> q4_K.
  //  attn_k_b: q4_K, rows of qk_nope = 128 are not whole 256-blocks -> fallback q5_0.
  //  ffn_down* of layer i (parsed from the name: n_expert = 64 > 1): q6_K where use_more_bits(i, 27), else q4_K.
  //    blk.0.ffn_down rows 10944 = 42.75 * 256 -> q6_K falls back to q8_0 (10944 = 342 * 32).
  //    ffn_down_exps rows 1408 = 5.5 * 256 -> q6_K -> q8_0, q4_K -> q5_0.
  //    ffn_down_shexp rows 2816 = 11 * 256 -> q6_K / q4_K as chosen.
  //  Fallbacks: 27 attn_k_b + blk.0.ffn_down + 26 ffn_down_exps = 54.
  const std::vector<QuantTensor> ts = v2_lite();
  QuantOptions o;
  o.ftype = QuantFtype::Q4_K_M;
  int n_fallback = 0;
  const std::map<std::string, DType> got = mix_map(v2_lite_model(), o, ts, &n_fallback);
  EXPECT_EQ(n_fallback, 54);
  for (const QuantTensor& t : ts) {
    const std::string& n = t.name;
    const int il = quant_layer_of(n).value_or(-1);
    const bool more = kMoreBits27.count(il) > 0;
    DType want = DType::Q4_K;
    if (t.ne.size() == 1 || has_suffix(n, "ffn_gate_inp.weight")) want = DType::F32;
    else if (n == "output.weight") want = DType::Q6_K;
    else if (has_suffix(n, "attn_k_b.weight")) want = DType::Q5_0;
    else if (has_suffix(n, "ffn_down.weight") || has_suffix(n, "ffn_down_exps.weight"))
      want = more ? DType::Q8_0 : DType::Q5_0;
    else if (has_suffix(n, "ffn_down_shexp.weight")) want = more ? DType::Q6_K : DType::Q4_K;
    EXPECT_EQ(dtype_name(got.at(n)), dtype_name(want)) << n;
  }
  EXPECT_EQ(got.at("blk.0.ffn_down.weight"), DType::Q8_0);
  EXPECT_EQ(got.at("blk.3.ffn_down_exps.weight"), DType::Q5_0);
  EXPECT_EQ(got.at("blk.5.ffn_down_shexp.weight"), DType::Q6_K);
  EXPECT_EQ(got.at("blk.22.ffn_down_shexp.weight"), DType::Q4_K);
  EXPECT_EQ(got.at("token_embd.weight"), DType::Q4_K);
}

TEST(QuantMix, DeepSeekV2LiteLegacyKvBQ4KM) {
  // The older layout: attn_kv_b is attn_v-like. The 27 of them, in layer order, get q6_K where
  // use_more_bits(index, 27) (the index among attn_v-like tensors, here = the layer), else q4_K;
  // rows of kv_lora = 512 need no fallback. Everything else as in DeepSeekV2LiteQ4KM.
  QuantOptions o;
  o.ftype = QuantFtype::Q4_K_M;
  int n_fallback = 0;
  const std::map<std::string, DType> got = mix_map(v2_lite_model(), o, v2_lite(true), &n_fallback);
  for (int i = 0; i < 27; ++i)
    EXPECT_EQ(got.at("blk." + std::to_string(i) + ".attn_kv_b.weight"),
              kMoreBits27.count(i) ? DType::Q6_K : DType::Q4_K)
        << i;
  EXPECT_EQ(n_fallback, 27);  // blk.0.ffn_down + 26 ffn_down_exps
}

TEST(QuantMix, DeepSeekV2LiteIq2XxsCountsFfnDownTensorsNotLayers) {
  // IQ2_XXS (default iq2_xxs): ffn_down gets q2_K while the running count of ffn_down *tensors* is
  // below 27/8 = 3, in llama-quantize's order: blk.0.ffn_down, blk.1.ffn_down_exps, blk.1.ffn_down_shexp.
  // Rows: 10944 and 1408 are not whole 256-blocks, so q2_K -> q4_0 and iq2_xxs -> iq4_nl; 2816 is.
  // token_embd q2_K, output q5_K, attn_output iq2_xxs (n_expert 64, not 8), attn_k_b -> iq4_nl.
  QuantOptions o;
  o.ftype = QuantFtype::IQ2_XXS;
  o.has_imatrix = true;
  const std::map<std::string, DType> got = mix_map(v2_lite_model(), o, v2_lite());
  EXPECT_EQ(got.at("blk.0.ffn_down.weight"), DType::Q4_0);
  EXPECT_EQ(got.at("blk.1.ffn_down_exps.weight"), DType::Q4_0);
  EXPECT_EQ(got.at("blk.1.ffn_down_shexp.weight"), DType::Q2_K);
  EXPECT_EQ(got.at("blk.2.ffn_down_exps.weight"), DType::IQ4_NL);
  EXPECT_EQ(got.at("blk.2.ffn_down_shexp.weight"), DType::IQ2_XXS);
  EXPECT_EQ(got.at("token_embd.weight"), DType::Q2_K);
  EXPECT_EQ(got.at("output.weight"), DType::Q5_K);
  EXPECT_EQ(got.at("blk.7.attn_output.weight"), DType::IQ2_XXS);
  EXPECT_EQ(got.at("blk.7.attn_k_b.weight"), DType::IQ4_NL);
  EXPECT_EQ(got.at("blk.7.attn_v_b.weight"), DType::IQ2_XXS);
  EXPECT_EQ(got.at("blk.7.ffn_gate_inp.weight"), DType::F32);
}

TEST(QuantMix, PureKeepsOnlyTheFallback) {
  // --pure Q4_K_M on the zoo: every quantized tensor q4_K (token_embd and output included), attn_k_b q5_0.
  const json& master = types_json()["master"];
  std::vector<QuantTensor> in;
  for (const json& t : master["tensors"])
    in.push_back({t[0].get<std::string>(), t[1].get<std::vector<int64_t>>(), DType::F32});
  const QuantModel m = model_of(master["hparams"]);
  QuantOptions o;
  o.ftype = QuantFtype::Q4_K_M;
  o.pure = true;
  const std::vector<QuantChoice> got = quant_mix(m, o, in);
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string& n = in[i].name;
    DType want = DType::Q4_K;
    if (in[i].ne.size() == 1 || has_suffix(n, "ffn_gate_inp.weight")) want = DType::F32;
    else if (has_suffix(n, "attn_k_b.weight")) want = DType::Q5_0;
    EXPECT_EQ(dtype_name(got[i].type), dtype_name(want)) << n;
    EXPECT_EQ(got[i].fallback, want == DType::Q5_0) << n;
  }
}

TEST(QuantMix, OptionsThatNameTypesOutright) {
  const QuantModel m = v2_lite_model();
  QuantOptions o;
  o.ftype = QuantFtype::Q4_K_M;
  o.quantize_output = false;  // --leave-output-tensor: output keeps its input type
  o.token_embd_type = DType::Q8_0;
  EXPECT_EQ(mix_map(m, o, v2_lite()).at("output.weight"), DType::F32);
  EXPECT_EQ(mix_map(m, o, v2_lite()).at("token_embd.weight"), DType::Q8_0);
  QuantOptions c;
  c.ftype = QuantFtype::F32;
  c.only_copy = true;
  std::vector<QuantTensor> ts = v2_lite();
  for (QuantTensor& t : ts) t.type = DType::BF16;
  for (const QuantChoice& q : quant_mix(m, c, ts)) EXPECT_EQ(q.type, DType::BF16);
  QuantOptions f16;
  f16.ftype = QuantFtype::F16;
  f16.overrides.push_back(parse_quant_type_override("attn_q=q8_0"));  // ignored: F16 is not a quantized type
  EXPECT_EQ(mix_map(m, f16, v2_lite()).at("blk.3.attn_q.weight"), DType::F16);
  EXPECT_EQ(mix_map(m, f16, v2_lite()).at("blk.3.attn_k_b.weight"), DType::F16);
  EXPECT_EQ(mix_map(m, f16, v2_lite()).at("blk.3.attn_norm.weight"), DType::F32);
}

TEST(QuantMix, FallbackTable) {
  EXPECT_EQ(quant_fallback(DType::Q4_K, 64), DType::Q5_0);
  EXPECT_EQ(quant_fallback(DType::Q5_K, 128), DType::Q5_1);
  EXPECT_EQ(quant_fallback(DType::Q6_K, 1408), DType::Q8_0);
  EXPECT_EQ(quant_fallback(DType::Q2_K, 64), DType::Q4_0);
  EXPECT_EQ(quant_fallback(DType::Q2_0, 96), DType::Q4_0);
  EXPECT_EQ(quant_fallback(DType::TQ1_0, 64), DType::Q4_0);
  EXPECT_EQ(quant_fallback(DType::IQ4_XS, 64), DType::IQ4_NL);
  EXPECT_EQ(quant_fallback(DType::IQ1_M, 128), DType::IQ4_NL);
  EXPECT_EQ(quant_fallback(DType::Q4_K, 48), DType::F16);  // q5_0 does not fit either
  EXPECT_EQ(quant_fallback(DType::Q8_0, 48), DType::F16);
  EXPECT_EQ(quant_fallback(DType::Q4_K, 512), DType::Q4_K);
  EXPECT_THROW(quant_fallback(DType::Q1_0, 64, "blk.0.attn_k_b.weight"), UsageError);
  EXPECT_THROW(quant_fallback(DType::NVFP4, 32), UsageError);
}

TEST(QuantMix, Q1_0WithoutAnOverrideIsRefusedLikeLlamaQuantize) {
  // "no tensor type fallback is defined for type q1_0": q1_0 blocks are 128, attn_k_b rows 64.
  const json& master = types_json()["master"];
  std::vector<QuantTensor> in;
  for (const json& t : master["tensors"])
    in.push_back({t[0].get<std::string>(), t[1].get<std::vector<int64_t>>(), DType::F32});
  QuantOptions o;
  o.ftype = QuantFtype::Q1_0;
  try {
    quant_mix(model_of(master["hparams"]), o, in);
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("attn_k_b"), std::string::npos) << e.what();
  }
}

TEST(QuantMix, FtypeNames) {
  EXPECT_EQ(parse_quant_ftype("q4_k_m").ftype, QuantFtype::Q4_K_M);
  EXPECT_EQ(parse_quant_ftype("Q4_K").ftype, QuantFtype::Q4_K_M);
  EXPECT_EQ(parse_quant_ftype("q3_k").ftype, QuantFtype::Q3_K_M);
  EXPECT_EQ(parse_quant_ftype("Q5_K").ftype, QuantFtype::Q5_K_M);
  EXPECT_EQ(parse_quant_ftype("mxfp4_moe").ftype, QuantFtype::MXFP4_MOE);
  EXPECT_EQ(parse_quant_ftype("iq2_m").ftype, QuantFtype::IQ2_M);
  EXPECT_EQ(parse_quant_ftype("15").ftype, QuantFtype::Q4_K_M);
  EXPECT_TRUE(parse_quant_ftype("copy").only_copy);
  EXPECT_FALSE(parse_quant_ftype("F32").only_copy);
  EXPECT_EQ(parse_quant_ftype("Q8_0").name, "Q8_0");
  EXPECT_EQ(quant_ftype_name(QuantFtype::Q4_K_M), "Q4_K_M");
  EXPECT_EQ(quant_ftype_names().size(), 39u);  // 35 file types, 3 aliases, COPY
  for (const std::string& n : quant_ftype_names()) {
    const QuantFtypeChoice c = parse_quant_ftype(n);
    EXPECT_NO_THROW(quant_ftype_default_type(c.ftype)) << n;
  }
  EXPECT_EQ(quant_ftype_default_type(QuantFtype::IQ2_S), DType::IQ2_XS);
  EXPECT_EQ(quant_ftype_default_type(QuantFtype::IQ3_XS), DType::IQ3_S);
  try {
    parse_quant_ftype("NVFP4");  // a ggml type, not a file type of llama-quantize
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("Q4_K_M"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_quant_ftype("39"), UsageError);
  EXPECT_THROW(parse_quant_ftype("q4"), UsageError);
  EXPECT_THROW(parse_quant_type_override("attn_k_b"), UsageError);
  EXPECT_THROW(parse_quant_type_override("attn_k_b=q9_9"), UsageError);
  EXPECT_EQ(parse_quant_type_override("ATTN_K_B=Q8_0").pattern, "attn_k_b");
}

TEST(QuantMix, NamesAndOrder) {
  EXPECT_EQ(quant_category("blk.3.attn_kv_b.weight"), QuantCategory::AttnKVB);
  EXPECT_EQ(quant_category("blk.3.attn_k_b.weight"), QuantCategory::Other);
  EXPECT_EQ(quant_category("blk.3.attn_v_b.weight"), QuantCategory::Other);
  EXPECT_EQ(quant_category("blk.3.attn_q_b.weight"), QuantCategory::Other);
  EXPECT_EQ(quant_category("blk.3.ffn_down_shexp.weight"), QuantCategory::FfnDown);
  EXPECT_EQ(quant_category("blk.3.ffn_gate_inp.weight"), QuantCategory::FfnGate);
  EXPECT_EQ(quant_category("token_embd.weight"), QuantCategory::TokenEmbd);
  EXPECT_TRUE(quant_category_is_attn_v(QuantCategory::AttnQKV));
  EXPECT_EQ(quant_layer_of("blk.12.ffn_up.weight"), 12);
  EXPECT_EQ(quant_layer_of("output.weight"), std::nullopt);
  EXPECT_TRUE(quant_order_less("token_embd.weight", "blk.0.attn_norm.weight"));
  EXPECT_TRUE(quant_order_less("blk.2.ffn_up.weight", "blk.10.attn_norm.weight"));
  EXPECT_TRUE(quant_order_less("blk.1.attn_k_b.weight", "blk.1.attn_kv_a_mqa.weight"));
  QuantOptions o;
  EXPECT_FALSE(quant_allows(o, tensor("blk.1.exp_probs_b.bias", {16})));
  EXPECT_FALSE(quant_allows(o, tensor("blk.1.ffn_gate_inp.weight", {256, 16})));
  EXPECT_FALSE(quant_allows(o, tensor("blk.1.attn_kv_a_norm.weight", {256})));
  EXPECT_FALSE(quant_allows(o, tensor("blk.1.attn_q.weight", {256, 1, 1})));  // ggml_n_dims 1
  EXPECT_TRUE(quant_allows(o, tensor("blk.1.attn_k_b.weight", {64, 256, 4})));
  EXPECT_TRUE(quant_requires_imatrix("blk.0.ffn_up.weight", DType::IQ2_XS, QuantFtype::IQ2_XS));
  EXPECT_FALSE(quant_requires_imatrix("token_embd.weight", DType::IQ2_XS, QuantFtype::IQ2_XS));
  EXPECT_TRUE(quant_requires_imatrix("blk.0.ffn_up.weight", DType::Q2_K, QuantFtype::Q2_K_S));
  EXPECT_FALSE(quant_requires_imatrix("blk.0.ffn_up.weight", DType::Q2_K, QuantFtype::Q2_K));
  EXPECT_TRUE(llama_is_70b("llama", 80, 64, 8));
  EXPECT_FALSE(llama_is_70b("llama", 80, 64, 64));
  EXPECT_FALSE(llama_is_70b("deepseek2", 80, 64, 8));
}

// llama-quantize's own choice for V2-Lite's shapes (tools/record_v2lite_types.py: --dry-run on a
// V2-Lite-shaped file, no importance matrix), both attention layouts, 30 file types: every
// tensor's type must be the one the mix gives the same tensor list.
TEST(QuantMix, DeepSeekV2LiteMatchesLlamaQuantize) {
  const json j = json::parse(read_file(std::string(SEEK_TEST_DATA) + "/gguf-quants/llama_quantize_types_v2lite.json"));
  int files = 0;
  for (const auto& [layout, rec] : j["layouts"].items()) {
    const bool legacy = layout == "legacy";
    const std::vector<QuantTensor> ts = v2_lite(legacy);
    QuantModel m = v2_lite_model();
    if (legacy) m.n_head_kv = m.n_head;  // the legacy layout's head_count_kv
    for (const auto& [ftype, r] : rec.items()) {
      ASSERT_TRUE(r.contains("tensors")) << layout << " " << ftype << ": " << r.dump();
      QuantOptions o;
      o.ftype = parse_quant_ftype(ftype).ftype;
      const std::map<std::string, DType> got = mix_map(m, o, ts);
      ASSERT_EQ(r["tensors"].size(), ts.size()) << layout << " " << ftype;
      for (const auto& [name, type] : r["tensors"].items())
        EXPECT_EQ(got.at(name), dtype_from_name(type.get<std::string>())) << layout << " " << ftype << " " << name;
      ++files;
    }
  }
  EXPECT_EQ(files, 60);
}
