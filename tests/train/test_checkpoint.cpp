// Checkpoint file: byte-exact round trip, every kind of damage rejected with a FormatError that
// names it, keep-last-K pruning; training settings and model config survive their JSON forms.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/error.h"
#include "model/presets.h"
#include "train/checkpoint.h"
#include "train/train_config.h"

namespace seek {
namespace {

namespace fs = std::filesystem;

std::string tmp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("seek_test_ckpt_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void spit(const std::string& path, const std::string& s) { std::ofstream(path, std::ios::binary) << s; }

struct Sample {
  CheckpointMeta meta;
  std::vector<float> params, m, v, bias;
};

Sample sample() {
  Sample s;
  std::mt19937 rng(3);
  std::normal_distribution<float> n;
  s.params.resize(1001), s.m.resize(1001), s.v.resize(1001), s.bias.resize(24);
  for (auto* vec : {&s.params, &s.m, &s.v, &s.bias})
    for (float& x : *vec) x = n(rng);
  s.params[5] = -0.0f;
  s.params[6] = std::numeric_limits<float>::denorm_min();
  s.meta.step = 17;
  s.meta.model_config = config_to_hf_json(preset_config("ds-2m"));
  s.meta.train_config = train_config_to_json(TrainConfig{});
  s.meta.param_table = nlohmann::json::array({{{"name", "w"}, {"numel", 1001}}});
  std::mt19937_64 r64(9);
  r64();
  std::ostringstream rs;
  rs << r64;
  s.meta.rng_state = rs.str();
  s.meta.data = {2, 345};
  s.meta.adam_t = 17;
  return s;
}

void save(const std::string& path, const Sample& s) {
  save_checkpoint(path, s.meta,
                  {{"params", s.params.data(), s.params.size()},
                   {"adam_m", s.m.data(), s.m.size()},
                   {"adam_v", s.v.data(), s.v.size()},
                   {"router_bias", s.bias.data(), s.bias.size()}});
}

void expect_format_error(const std::string& path, const std::string& what) {
  try {
    load_checkpoint(path);
    FAIL() << "no error for: " << what;
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << "error should name the file: " << e.what();
  }
}

TEST(Checkpoint, RoundTripIsBitExact) {
  const std::string dir = tmp_dir("rt");
  const Sample s = sample();
  const std::string path = dir + "/a.seekckpt";
  save(path, s);
  const LoadedCheckpoint ck = load_checkpoint(path);
  EXPECT_EQ(ck.meta.step, 17);
  EXPECT_EQ(ck.meta.adam_t, 17);
  EXPECT_EQ(ck.meta.data.epoch, 2);
  EXPECT_EQ(ck.meta.data.cursor, 345);
  EXPECT_EQ(ck.meta.model_config, s.meta.model_config);
  EXPECT_EQ(ck.meta.train_config, s.meta.train_config);
  EXPECT_EQ(ck.meta.param_table, s.meta.param_table);
  EXPECT_EQ(ck.meta.rng_state, s.meta.rng_state);
  const auto& p = ck.blob("params", 1001);
  EXPECT_EQ(std::memcmp(p.data(), s.params.data(), 1001 * 4), 0);
  EXPECT_EQ(std::memcmp(ck.blob("adam_v", 1001).data(), s.v.data(), 1001 * 4), 0);
  EXPECT_EQ(std::memcmp(ck.blob("router_bias", 24).data(), s.bias.data(), 24 * 4), 0);
  EXPECT_THROW(ck.blob("params", 1000), FormatError);
  EXPECT_THROW(ck.blob("nope", 1), FormatError);
  // The restored RNG continues the same sequence.
  std::mt19937_64 a(9), b;
  a();
  std::istringstream rs(ck.meta.rng_state);
  rs >> b;
  EXPECT_EQ(a(), b());
  // Meta-only read.
  EXPECT_TRUE(load_checkpoint(path, false).blobs.empty());
  fs::remove_all(dir);
}

TEST(Checkpoint, DamageIsDetectedAndNamed) {
  const std::string dir = tmp_dir("bad");
  const std::string good_path = dir + "/good.seekckpt", bad = dir + "/bad.seekckpt";
  save(good_path, sample());
  const std::string good = slurp(good_path);
  std::string d = good;
  d[0] = 'X';
  spit(bad, d);
  expect_format_error(bad, "magic");
  d = good;
  d[8] = 9;
  spit(bad, d);
  expect_format_error(bad, "version 9");
  spit(bad, good.substr(0, good.size() - 100));
  expect_format_error(bad, "truncated");
  spit(bad, good + "x");
  expect_format_error(bad, "truncated");
  spit(bad, good.substr(0, 20));
  expect_format_error(bad, "shorter than header");
  d = good;
  d[40] ^= 1;  // inside the metadata JSON
  spit(bad, d);
  expect_format_error(bad, "metadata checksum");
  d = good;
  d[good.size() - 16 - 128 + 10] ^= 0x40;  // inside the last blob (router_bias: 96 bytes + 32 padding)
  spit(bad, d);
  expect_format_error(bad, "section 'router_bias' checksum mismatch");
  uint64_t meta_len;
  std::memcpy(&meta_len, good.data() + 16, 8);
  const size_t data_start = (32 + meta_len + 63) / 64 * 64;
  d = good;
  d[data_start + 100] ^= 0x01;  // inside params
  spit(bad, d);
  expect_format_error(bad, "section 'params' checksum mismatch");
  EXPECT_THROW(load_checkpoint(dir + "/missing.seekckpt"), Error);
  fs::remove_all(dir);
}

TEST(Checkpoint, KeepsTheNewestK) {
  const std::string dir = tmp_dir("keep");
  const Sample s = sample();
  for (int64_t step : {10, 20, 30, 40, 5}) save(checkpoint_path(dir, step), s);
  spit(dir + "/notes.txt", "not a checkpoint");
  EXPECT_EQ(list_checkpoints(dir).size(), 5u);
  EXPECT_EQ(resolve_checkpoint(dir), checkpoint_path(dir, 40));
  prune_checkpoints(dir, 2);
  const auto left = list_checkpoints(dir);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0], checkpoint_path(dir, 30));
  EXPECT_EQ(left[1], checkpoint_path(dir, 40));
  EXPECT_TRUE(fs::exists(dir + "/notes.txt"));
  EXPECT_EQ(resolve_checkpoint(tmp_dir("empty")), "");
  fs::remove_all(dir);
}

TEST(Checkpoint, HashIsFnv1aOverWords) {
  // FNV-1a 64 of one zero word, then the length: independent arithmetic.
  const uint64_t p = 0x100000001b3ull;
  const uint64_t h1 = (0xcbf29ce484222325ull ^ 0) * p;
  EXPECT_EQ(checkpoint_hash("\0\0\0\0\0\0\0\0", 8), (h1 ^ 8) * p);
  EXPECT_NE(checkpoint_hash("abc", 3), checkpoint_hash("abd", 3));
  EXPECT_NE(checkpoint_hash("abc", 3), checkpoint_hash("abc\0", 4));
}

TEST(TrainConfig, JsonRoundTripAndErrors) {
  TrainConfig c;
  c.preset = "ds-20m", c.lr = 1.5e-3, c.seq = 64, c.export_path = "x.gguf", c.quiet = true, c.seed = 42;
  TrainConfig d;
  train_config_update(d, train_config_to_json(c), "test");
  EXPECT_EQ(train_config_to_json(d), train_config_to_json(c));
  EXPECT_THROW(train_config_update(d, {{"learning_rate", 1}}, "test"), UsageError);
  EXPECT_THROW(train_config_update(d, {{"steps", "ten"}}, "test"), UsageError);
  EXPECT_THROW(train_config_update(d, {{"steps", 1.5}}, "test"), UsageError);
  EXPECT_THROW(train_config_update(d, {{"seed", -1}}, "test"), UsageError);
  TrainConfig v;
  EXPECT_THROW(validate_train_config(v), UsageError);  // no --data
  v.data = "d";
  EXPECT_NO_THROW(validate_train_config(v));
  v.seq = 1;
  EXPECT_THROW(validate_train_config(v), UsageError);
}

TEST(TrainConfig, ModelConfigFromPresetAndHfJson) {
  TrainConfig t;
  t.preset = "ds-2m";
  t.layers = 3, t.experts = 4, t.seq = 300;
  const ModelConfig c = build_model_config(t, 500, 0, 1);
  EXPECT_EQ(c.vocab_size, 500);
  EXPECT_EQ(c.num_hidden_layers, 3);
  EXPECT_EQ(c.n_routed_experts, 4);
  EXPECT_EQ(c.num_nextn_predict_layers, 1);
  EXPECT_EQ(c.scoring_func, "sigmoid");
  EXPECT_FALSE(c.rope_scaling.yarn);
  EXPECT_GE(c.max_position_embeddings, 301);
  // HF config.json form, read back by the model layer's own parser.
  const ModelConfig r = config_from_hf_json(config_to_hf_json(c));
  EXPECT_EQ(config_to_hf_json(r), config_to_hf_json(c));
  EXPECT_EQ(r.q_lora_rank, c.q_lora_rank);
  EXPECT_EQ(r.topk_method, "noaux_tc");
  t.experts = 1;
  EXPECT_THROW(build_model_config(t, 500, 0, 1), UsageError);
  t.experts = 0, t.layers = 1;
  EXPECT_THROW(build_model_config(t, 500, 0, 1), UsageError);
  t.layers = 0, t.preset = "nope";
  EXPECT_THROW(build_model_config(t, 500, 0, 1), UsageError);
}

TEST(TrainConfig, PresetSizes) {
  // Sizes at the presets' own vocabularies (the names promise about 2M, 20M and 100M).
  EXPECT_NEAR(static_cast<double>(count_params(preset_config("ds-2m"))), 1.6e6, 0.4e6);
  EXPECT_NEAR(static_cast<double>(count_params(preset_config("ds-20m"))), 19e6, 3e6);
  EXPECT_NEAR(static_cast<double>(count_params(preset_config("ds-100m"))), 100e6, 12e6);
}

}  // namespace
}  // namespace seek
