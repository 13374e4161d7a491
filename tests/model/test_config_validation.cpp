// Hyperparameter validation from the registry (model/config_io.cpp): every bad value in a real
// llama.cpp GGUF (tests/data/gguf, tests/data/gguf-next) or a config.json gives a FormatError that
// names the key and the value, before any arithmetic uses it (head_count 0 used to kill the
// process with SIGFPE; unknown topk_method used to be accepted).
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <memory>

#include "core/error.h"
#include "formats/gguf.h"
#include "model/config_io.h"
#include "model/load_weights.h"
#include "model/model.h"

using namespace seek;

namespace {

std::string data(const std::string& rel) { return std::string(SEEK_TEST_DATA) + "/" + rel; }

// A copy of a real GGUF with `edit` applied to its writer, parsed back from memory.
struct Edited {
  std::shared_ptr<std::vector<uint8_t>> bytes;
  std::shared_ptr<GGUFFile> file;
};
Edited edited(const std::string& path, const std::function<void(GGUFWriter&)>& edit,
              const std::string& drop_tensor = "") {
  const GGUFFile src = GGUFFile::open(path);
  GGUFWriter w;
  for (const auto& [k, v] : src.metadata())
    if (k != "general.alignment") w.set(k, v);
  for (const GGUFTensorInfo& t : src.tensors())
    if (t.name != drop_tensor) w.add_tensor(t.name, t.view);
  edit(w);
  Edited e;
  e.bytes = std::make_shared<std::vector<uint8_t>>(w.to_bytes());
  e.file = std::make_shared<GGUFFile>(GGUFFile::parse(e.bytes->data(), e.bytes->size()));
  return e;
}

// The FormatError message of config_from_gguf (and the weights loader) on the edited file.
std::string load_error(const Edited& e) {
  try {
    config_from_gguf(*e.file);
    return "";
  } catch (const FormatError& err) {
    return err.what();
  }
}

// The FormatError message of loading the edited file's weights ("" when they load).
std::string weights_error(const Edited& e) {
  const ModelConfig c = config_from_gguf(*e.file);
  ModelWeights w;
  try {
    load_weights_gguf(*e.file, c, w);
    return "";
  } catch (const FormatError& err) {
    return err.what();
  }
}

GGUFValue u32(int64_t v) { return GGUFValue::of_u32(static_cast<uint32_t>(v)); }

const std::string kDs2 = "gguf/ds2-micro-F32.gguf";
const std::string kQwen3 = "gguf-next/qwen3-micro-F32.gguf";

}  // namespace

TEST(ConfigValidation, HeadCountZeroNamesTheKeyInsteadOfDividing) {
  for (const auto& [file, arch] :
       {std::pair{kDs2, std::string("deepseek2")}, std::pair{kQwen3, std::string("qwen3")}}) {
    const std::string msg = load_error(edited(data(file),
                                              [&](GGUFWriter& w) { w.set(arch + ".attention.head_count", u32(0)); }));
    EXPECT_NE(msg.find(arch + ".attention.head_count = 0"), std::string::npos) << msg;
  }
}

TEST(ConfigValidation, ZeroOrNegativeSizesNameTheKey) {
  const std::string msg = load_error(edited(data(kQwen3),
                                            [](GGUFWriter& w) { w.set("qwen3.embedding_length", u32(0)); }));
  EXPECT_NE(msg.find("qwen3.embedding_length = 0"), std::string::npos) << msg;
  const std::string kv = load_error(edited(data(kDs2),
                                           [](GGUFWriter& w) { w.set("deepseek2.attention.kv_lora_rank", u32(0)); }));
  EXPECT_NE(kv.find("deepseek2.attention.kv_lora_rank = 0"), std::string::npos) << kv;
  const std::string eps = load_error(edited(data(kDs2), [](GGUFWriter& w) {
    w.set("deepseek2.attention.layer_norm_rms_epsilon", GGUFValue::of_f32(-1.0f));
  }));
  EXPECT_NE(eps.find("deepseek2.attention.layer_norm_rms_epsilon = -1"), std::string::npos) << eps;
  const std::string nan = load_error(edited(data(kDs2), [](GGUFWriter& w) {
    w.set("deepseek2.rope.freq_base", GGUFValue::of_f32(std::numeric_limits<float>::quiet_NaN()));
  }));
  EXPECT_NE(nan.find("deepseek2.rope.freq_base"), std::string::npos) << nan;
}

TEST(ConfigValidation, MoreExpertsUsedThanExist) {
  const std::string msg = load_error(edited(data(kDs2),
                                            [](GGUFWriter& w) { w.set("deepseek2.expert_used_count", u32(99)); }));
  EXPECT_NE(msg.find("num_experts_per_tok 99"), std::string::npos) << msg;
}

TEST(ConfigValidation, UnknownGatingFunctionNamesTheKey) {
  const std::string msg = load_error(edited(data(kDs2),
                                            [](GGUFWriter& w) { w.set("deepseek2.expert_gating_func", u32(7)); }));
  EXPECT_NE(msg.find("expert_gating_func"), std::string::npos) << msg;
  EXPECT_NE(msg.find("7"), std::string::npos) << msg;
}

TEST(ConfigValidation, TokenizerAndEmbeddingMustAgree) {
  // A tokenizer with fewer tokens than the embedding has rows: ids the model can emit have no text.
  const std::string msg = load_error(edited(data(kQwen3), [](GGUFWriter& w) {
    w.set("tokenizer.ggml.tokens", GGUFValue::of_strings({"a", "b", "c"}));
  }));
  EXPECT_NE(msg.find("tokenizer.ggml.tokens"), std::string::npos) << msg;
  EXPECT_NE(msg.find("has 3 tokens"), std::string::npos) << msg;
}

TEST(ConfigValidation, ShapesThatDisagreeWithTheConfigNameTheTensor) {
  const std::string msg = weights_error(edited(data(kQwen3),
                                               [](GGUFWriter& w) { w.set("qwen3.feed_forward_length", u32(64)); }));
  EXPECT_NE(msg.find("blk.0.ffn_gate.weight: expected [64, 32], got [96, 32]"), std::string::npos) << msg;
}

TEST(ConfigValidation, MissingTensorIsNamed) {
  const std::string msg = weights_error(edited(
      data(kDs2), [](GGUFWriter&) {}, "blk.1.attn_kv_a_mqa.weight"));
  EXPECT_NE(msg.find("missing tensor blk.1.attn_kv_a_mqa.weight"), std::string::npos) << msg;
}

TEST(ConfigValidation, HfConfigValuesAreChecked) {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      config_from_hf(HFConfig::parse(text, "config.json"));
      return "";
    } catch (const FormatError& e) {
      return e.what();
    }
  };
  const std::string base =
      R"({"model_type": "deepseek_v3", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
    "num_attention_heads": 2, "kv_lora_rank": 16, "qk_nope_head_dim": 8, "qk_rope_head_dim": 4, "v_head_dim": 8,
    "intermediate_size": 64, "moe_intermediate_size": 16, "n_routed_experts": 4, "num_experts_per_tok": 2)";
  EXPECT_EQ(error_of(base + "}"), "");
  EXPECT_NE(error_of(base + R"(, "topk_method": "banana"})").find("topk_method = 'banana'"), std::string::npos);
  EXPECT_NE(error_of(base + R"(, "n_shared_experts": -1})").find("n_shared_experts = -1"), std::string::npos);
  EXPECT_NE(error_of(base + R"(, "scoring_func": "relu"})").find("scoring_func = 'relu'"), std::string::npos);
  const std::string dense = R"({"model_type": "qwen2", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
    "intermediate_size": 64, "num_attention_heads": 0})";
  EXPECT_NE(error_of(dense).find("num_attention_heads = 0"), std::string::npos) << error_of(dense);
  EXPECT_NE(error_of(R"({"model_type": "gpt_neox"})").find("model_type 'gpt_neox' is not supported"),
            std::string::npos);
}

// seek info's check (check_gguf_tensors): a dropped tensor is a problem, a foreign one is unused,
// a misshapen one names its shapes; llama.cpp's own file has none of these.
TEST(ConfigValidation, InfoCheckListsMissingMisshapenAndUnusedTensors) {
  const GGUFFile good = GGUFFile::open(data(kDs2));
  const TensorCheck ok = check_gguf_tensors(good, config_from_gguf(good));
  EXPECT_TRUE(ok.problems.empty() && ok.unused.empty());
  static float extra[4] = {1, 2, 3, 4};
  const Edited e = edited(
      data(kDs2),
      [](GGUFWriter& w) { w.add_tensor("blk.0.not_a_tensor.weight", TensorView::contiguous(DType::F32, {4}, extra)); },
      "blk.1.attn_kv_a_mqa.weight");
  const TensorCheck bad = check_gguf_tensors(*e.file, config_from_gguf(*e.file));
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_EQ(bad.problems[0], "missing tensor blk.1.attn_kv_a_mqa.weight");
  ASSERT_EQ(bad.unused.size(), 1u);
  EXPECT_EQ(bad.unused[0], "blk.0.not_a_tensor.weight");
}
