// HFConfig: typed getters, defaults, null handling, nested rope_scaling, errors naming the key
// and the file. Uses the DeepSeek-V2-Lite-like config.json written by tools/make_bad_files.py.
#include <gtest/gtest.h>

#include "core/error.h"
#include "formats/hf_config.h"

namespace seek {
namespace {

const std::string kDir = std::string(SEEK_TEST_DATA) + "/../formats/data/ref/sharded";

void expect_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error, expected " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what() << "\nwanted: " << needle;
  }
}

TEST(HFConfig, TypedGetters) {
  HFConfig c = HFConfig::load(kDir);  // a directory: its config.json
  EXPECT_EQ(c.get_string("model_type"), "deepseek_v2");
  EXPECT_EQ(c.get_int("hidden_size"), 2048);
  EXPECT_EQ(c.get_int("max_position_embeddings"), 163840);  // 163840.0 is integral
  EXPECT_DOUBLE_EQ(c.get_float("rms_norm_eps"), 1e-6);
  EXPECT_DOUBLE_EQ(c.get_float("rope_theta"), 10000.0);  // an integer read as float
  EXPECT_FALSE(c.get_bool("tie_word_embeddings"));
  EXPECT_TRUE(c.is_null("q_lora_rank"));
  EXPECT_TRUE(c.has("q_lora_rank"));
  EXPECT_EQ(c.get_int("q_lora_rank", 0), 0);  // null = absent for defaults
  EXPECT_EQ(c.get_int("absent_key", 42), 42);
  EXPECT_EQ(c.get_int_list("eos_token_id"), (std::vector<int64_t>{100001, 100002}));
  EXPECT_EQ(c.get_int_list("bos_token_id"), (std::vector<int64_t>{100000}));
  EXPECT_TRUE(c.get_int_list("absent").empty());
  ASSERT_TRUE(c.has_object("rope_scaling"));
  EXPECT_FALSE(c.has_object("q_lora_rank"));
  HFConfig rs = c.child("rope_scaling");
  EXPECT_EQ(rs.get_string("type"), "yarn");
  EXPECT_DOUBLE_EQ(rs.get_float("factor"), 40.0);
  EXPECT_DOUBLE_EQ(rs.get_float("mscale_all_dim"), 0.707);
  EXPECT_EQ(rs.get_int("original_max_position_embeddings"), 4096);
  EXPECT_EQ(c.json()["architectures"][0], "DeepseekV2ForCausalLM");
}

TEST(HFConfig, ErrorsNameKeyAndFile) {
  HFConfig c = HFConfig::load(kDir + "/config.json");
  expect_error([&] { c.get_int("absent"); }, "config.json: absent: missing");
  expect_error([&] { c.get_int("q_lora_rank"); }, "q_lora_rank: is null");
  expect_error([&] { c.get_int("model_type"); }, "model_type: expected an integer, got string");
  expect_error([&] { c.get_int("rms_norm_eps"); }, "rms_norm_eps: expected an integer");
  expect_error([&] { c.get_bool("hidden_size"); }, "hidden_size: expected true or false");
  expect_error([&] { c.get_string("hidden_size", "x"); }, "expected a string");
  expect_error([&] { c.child("rope_scaling").get_int("beta_slow"); }, "config.json: rope_scaling.beta_slow: missing");
  expect_error([&] { c.child("hidden_size"); }, "hidden_size: expected an object");
  expect_error([&] { c.get_int_list("architectures"); }, "architectures[0]: expected an integer");
  expect_error([] { HFConfig::parse("{\"a\": ", "x.json"); }, "x.json: not valid JSON");
  expect_error([] { HFConfig::parse("[1]", "x.json"); }, "expected a JSON object");
  expect_error([] { HFConfig::load("/nonexistent/dir"); }, "cannot open /nonexistent/dir");
}

}  // namespace
}  // namespace seek
