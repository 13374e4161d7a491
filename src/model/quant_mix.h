// Which ggml type each tensor gets when a model is quantized to a file type ("Q4_K_M", "IQ2_XS", ...):
// the per-tensor type mix of llama.cpp's `llama-quantize` at commit de3ff81 (src/llama-quant.cpp,
// llama_tensor_get_type and its helpers; tools/quantize/quantize.cpp for the names), as pure
// functions for `seek quantize IN OUT FTYPE [--pure]`. Written from the rules, not from the code.
//
// How llama-quantize decides, in the order it applies the rules:
//  1. Order. Tensors are walked sorted by (layer, name): names without "blk.N." first (layer -1),
//     then blk.0.*, blk.1.*, ... (numerically), by byte-wise name inside a layer. Some rules count
//     tensors already seen, so the order is part of the result; quant_mix() sorts by itself.
//  2. Quantized at all? Only tensors with at least 2 dims (ggml_n_dims: trailing ne == 1 do not count)
//     whose name ends in "weight" and is not a norm ("_norm.weight"), a router ("ffn_gate_inp.weight",
//     "ffn_gate_tid2eid.weight"), position / token-type embeddings, conv1d and a list of small
//     tensors of other architectures (altup, laurel, RWKV time_mix_*, T5 attn_rel_b, vision/audio
//     embeddings). So norms, exp_probs_b.bias (1-D and not "weight") and routers keep their input
//     type (F32 from an F32 master); so does output.weight under --leave-output-tensor, and every
//     tensor under COPY.
//  3. --token-embedding-type / --output-tensor-type name the type of token_embd / output outright
//     (no fallback check).
//  4. F16, BF16, F32: every quantizable tensor gets that type; nothing below applies (not even
//     --tensor-type).
//  5. --tensor-type PATTERN=TYPE (regex_search on the name, first match wins), else unless --pure the
//     mix rules of the file type (6), then the block fallback (7).
//  6. The mix, from the default type of the file type (Q4_K_M -> q4_K, IQ3_XS -> iq3_s, IQ2_S ->
//     iq2_xs, IQ2_M -> iq2_s, MXFP4_MOE -> mxfp4, ...), by category of the name:
//     - output.weight, and token_embd.weight when there is no output.weight (tied embeddings):
//       q8_0 for MXFP4_MOE, for falcon or when the row is not whole blocks of the default type;
//       q5_K for IQ1_S/IQ1_M/IQ2_XXS/IQ2_XS/IQ2_S/IQ2_M/IQ3_XXS; else q6_K unless already q8_0.
//     - MXFP4_MOE: mxfp4 for every tensor with ne[2] > 1 (experts, and also deepseek2's per-head
//       attn_k_b / attn_v_b: only bailingmoe3 restricts it to ffn tensors), q8_0 for the rest.
//     - token_embd.weight: q2_K (IQ2_XXS, IQ2_XS, IQ1_S, IQ1_M), iq3_s (IQ2_S, IQ2_M, IQ3_XXS),
//       q4_K (TQ1_0, TQ2_0, Q2_0).
//     - "attn_v-like" = names containing attn_v.weight, attn_qkv.weight or attn_kv_b.weight (the
//       legacy MLA layout; the split attn_k_b / attn_v_b of current conversions are NOT attn_v-like
//       and get the default type). Promoted by file type, n_gqa = n_head / n_head_kv of layer 0,
//       n_expert, LLaMA-70B and, for Q3_K_M / Q4_K_S / Q4_K_M / Q5_K_M, the index among the
//       attn_v-like tensors: Q3_K_M q5_K for the first 2 (then q4_K), Q4_K_S q5_K for the first 4,
//       Q4/5_K_M q6_K where use_more_bits(i, n) (see below).
//     - names containing attn_k.weight / attn_q.weight (not attn_k_b, attn_q_a, attn_q_b):
//       IQ3_XS -> iq3_xxs, IQ3_XXS -> iq2_s; attn_k with n_expert == 8: q8_0 (q4_K in IQ1/IQ2 types).
//     - ffn_down (every name containing "ffn_down": dense, _exps and _shexp): by layer i of n =
//       block_count. use_more_bits(i, n) = i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2 (integer
//       division). Q4_K_M / Q5_K_M: q6_K where use_more_bits; Q3_K_M: q5_K for i < n/16, else q4_K;
//       Q3_K_L q5_K; Q2_K q3_K; Q2_K_S / Q4_K_S q4_K / q5_K for i < n/8; IQ3_M q4_K for i < n/8;
//       IQ4_NL/IQ4_XS q5_K for i < n/8 without imatrix, IQ3_XXS q4_K/q3_K without imatrix; Q4_0/Q5_0
//       -> q4_1/q5_1 for i < n/8 with an imatrix. The layer is parsed from "blk.N." when n_expert > 1,
//       else it is the running count of ffn_down tensors. In the IQ1/IQ2 file types it is always the
//       running count of ffn_down tensors against n/8 (so with MoE the first n/8 *tensors*, e.g.
//       blk.0.ffn_down, blk.1.ffn_down_exps, blk.1.ffn_down_shexp for n = 27).
//     - attn_output: Q2_K q3_K, IQ3_XXS iq3_s, Q3_K_M q4_K, Q3_K_L q5_K, IQ3_M q4_K, IQ1_* iq2_xxs,
//       IQ2_S/M iq3_s (q5_K for many file types when n_expert == 8).
//     - ffn_gate / ffn_up (all names containing them): IQ3_XS -> iq3_xxs for n/8 <= i < 7n/8.
//  7. Fallback when ne[0] is not whole blocks of the chosen type: iq1_s/iq1_m/iq2_*/iq3_*/iq4_xs ->
//     iq4_nl; q2_K/q3_K/tq1_0/tq2_0/q2_0 -> q4_0; q4_K -> q5_0; q5_K -> q5_1; q6_K -> q8_0; a 32-block
//     type stays; f16 if that still does not divide; any other type (q1_0, nvfp4) is an error.
//     DeepSeek rows that hit this: attn_k_b (qk_nope = 64 or 128 wide), V2-Lite's 1408-wide
//     ffn_down_exps, 10944-wide dense ffn_down.
// The imatrix's presence (not its contents) changes the IQ3_XXS, IQ4_NL/XS and Q4_0/Q5_0 rules
// above; QuantOptions::has_imatrix says whether one was given. Note that llama-quantize refuses
// iq1/iq2/iq3_xxs tensors (and q2_K in Q2_K_S) without one: quant_requires_imatrix.
#pragma once
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dtype.h"

namespace seek {

// llama.cpp's llama_ftype: the values are the ids written as general.file_type.
enum class QuantFtype : int32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q8_0 = 7,
  Q5_0 = 8,
  Q5_1 = 9,
  Q2_K = 10,
  Q3_K_S = 11,
  Q3_K_M = 12,
  Q3_K_L = 13,
  Q4_K_S = 14,
  Q4_K_M = 15,
  Q5_K_S = 16,
  Q5_K_M = 17,
  Q6_K = 18,
  IQ2_XXS = 19,
  IQ2_XS = 20,
  Q2_K_S = 21,
  IQ3_XS = 22,
  IQ3_XXS = 23,
  IQ1_S = 24,
  IQ4_NL = 25,
  IQ3_S = 26,
  IQ3_M = 27,
  IQ2_S = 28,
  IQ2_M = 29,
  IQ4_XS = 30,
  IQ1_M = 31,
  BF16 = 32,
  TQ1_0 = 36,
  TQ2_0 = 37,
  MXFP4_MOE = 38,
  NVFP4 = 39,  // a llama_ftype id, but no file type of llama-quantize (no default type): not parsed
  Q1_0 = 40,
  Q2_0 = 41,
};

// A file type as named on the command line. COPY is F32 with every tensor copied as it is.
struct QuantFtypeChoice {
  QuantFtype ftype = QuantFtype::Q8_0;
  bool only_copy = false;
  std::string name;  // llama-quantize's spelling: "Q4_K_M", "Q4_K" (alias), "COPY", ...
};
// llama-quantize's names, case-insensitive (Q3_K, Q4_K, Q5_K are the _M variants; COPY), or a
// numeric llama_ftype id. Throws UsageError listing the valid names.
QuantFtypeChoice parse_quant_ftype(const std::string& s);
// Every name parse_quant_ftype accepts, in llama-quantize's order.
std::vector<std::string> quant_ftype_names();
// Canonical name ("Q4_K_M"); "ftype#N" for an unknown value.
std::string quant_ftype_name(QuantFtype f);
// The type of tensors no rule promotes (Q4_K_M -> q4_K, IQ2_S -> iq2_xs). Throws UsageError for NVFP4.
DType quant_ftype_default_type(QuantFtype f);

// The hyperparameters the rules read.
struct QuantModel {
  std::string arch;       // general.architecture ("deepseek2", "llama", "falcon", ...)
  int n_layer = 0;        // {arch}.block_count (all blocks, MTP / nextn ones included)
  int n_expert = 0;       // {arch}.expert_count (routed experts), 0 for a dense model
  int n_head = 0;         // {arch}.attention.head_count (of layer 0)
  int n_head_kv = 0;      // {arch}.attention.head_count_kv (of layer 0; = n_head when the key is absent)
  bool type_70b = false;  // llama.cpp's LLM_TYPE_70B: see llama_is_70b
};
// What llama.cpp's loaders call a 70B: llama with 80 blocks and n_head != n_head_kv; qwen2, deci,
// olmo with 80 blocks; jais2 with 68.
bool llama_is_70b(const std::string& arch, int n_layer, int n_head, int n_head_kv);
// n_head / n_head_kv (0 when n_head_kv is 0), as llama.cpp's n_gqa().
int quant_n_gqa(const QuantModel& m);

struct QuantTensor {
  std::string name;
  std::vector<int64_t> ne;  // ggml order: ne[0] is the row length
  DType type = DType::F32;  // its type in the input file
};

struct QuantTypeOverride {
  std::string pattern;  // ECMAScript regex, searched in the tensor name
  DType type = DType::F32;
};
// "PATTERN=TYPE" as --tensor-type takes it: the pattern is lower-cased (as llama-quantize does), the
// type is a ggml name. Throws UsageError.
QuantTypeOverride parse_quant_type_override(const std::string& arg);

struct QuantOptions {
  QuantFtype ftype = QuantFtype::Q8_0;
  bool only_copy = false;            // COPY
  bool pure = false;                 // --pure: no mix, every quantized tensor the default type (fallback still applies)
  bool has_imatrix = false;          // --imatrix given (its presence changes some rules, its contents none)
  bool quantize_output = true;       // false: --leave-output-tensor
  std::optional<DType> output_type;  // --output-tensor-type
  std::optional<DType> token_embd_type;      // --token-embedding-type
  std::vector<QuantTypeOverride> overrides;  // --tensor-type / --tensor-type-file, in order
};

// The categories llama-quantize sorts names into (substring tests, first match wins).
enum class QuantCategory {
  TokenEmbd,
  Output,
  AttnQKV,
  AttnKVB,
  AttnV,
  AttnK,
  AttnQ,
  AttnOutput,
  FfnUp,
  FfnGate,
  FfnDown,
  Other
};
QuantCategory quant_category(std::string_view name);
// attn_v.weight, attn_qkv.weight, attn_kv_b.weight: the tensors llama.cpp counts as "attention V".
bool quant_category_is_attn_v(QuantCategory c);

// N of a name starting with "blk.N." (as sscanf "blk.%d." reads it), else nullopt.
std::optional<int> quant_layer_of(std::string_view name);
// llama-quantize's order: layer (-1 for names without one) then name.
bool quant_order_less(std::string_view a, std::string_view b);

// Whether the tensor is quantized at all (rule 2); false keeps its input type.
bool quant_allows(const QuantOptions& o, const QuantTensor& t);
// use_more_bits(i, n) of the ffn_down / attn_v rules.
bool quant_use_more_bits(int i, int n);
// Rule 7: `wanted` if ne0 is whole blocks of it, else the fallback. Throws UsageError when the
// type has no fallback (q1_0, nvfp4, ...); `tensor` names the tensor in the message.
DType quant_fallback(DType wanted, int64_t ne0, std::string_view tensor = {});
// llama-quantize refuses these without an imatrix: iq1_s/iq1_m/iq2_xxs/iq2_xs/iq2_s/iq3_xxs
// (except on token_embd / output), and q2_K in a Q2_K_S file.
bool quant_requires_imatrix(std::string_view name, DType type, QuantFtype ftype);

// What the rules remember while walking the tensors in order: the model-wide counts (from all
// names) and how many of each kind were typed so far. quant_tensor_type updates it.
struct QuantMixState {
  int n_attn_v = 0;    // attn_v-like tensors in the model
  int i_attn_v = 0;    // attn_v-like tensors typed by the mix so far
  int n_ffn = 0;       // = n_layer: the n of the ffn_down / ffn_gate / ffn_up rules
  int i_ffn_down = 0;  // ffn_down tensors typed by the mix so far
  int i_ffn_gate = 0;
  int i_ffn_up = 0;
  bool tied_embeddings = true;                          // no output.weight: token_embd is typed as the output
  int n_fallback = 0;                                   // rule-7 fallbacks so far
  std::vector<std::pair<std::regex, DType>> overrides;  // compiled QuantOptions::overrides
};
// Counts over all tensor names; throws UsageError for an invalid override regex.
QuantMixState quant_mix_state(const QuantModel& m, const QuantOptions& o, const std::vector<std::string>& names);

struct QuantChoice {
  DType type = DType::F32;    // what is written
  DType wanted = DType::F32;  // before the fallback (= type when none)
  bool fallback = false;      // ne[0] was not whole blocks of `wanted`
  bool manual = false;        // set by --tensor-type
};
// One tensor, the next in quant_order_less order. Throws UsageError (no fallback for the type) or
// FormatError (an expert model's ffn tensor without a valid "blk.N.").
QuantChoice quant_tensor_type(const QuantModel& m, const QuantOptions& o, const QuantTensor& t, QuantMixState& s);

// Every tensor, in the caller's order (walked internally in llama-quantize's order).
std::vector<QuantChoice> quant_mix(const QuantModel& m, const QuantOptions& o, const std::vector<QuantTensor>& tensors,
                                   int* n_fallback = nullptr);

}  // namespace seek
