// The training loop and the export, against independent references: the deepseek2 keys of a
// file llama.cpp wrote; an HF checkpoint (tools/ref/make_fixture.py) exported to GGUF must give
// the same logits in seek's GGUF loader as the HF loader gives on the original; 20 steps equal
// 10 steps + checkpoint + resume + 10 steps byte for byte; the exported model predicts as the
// trained one does.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/progress.h"
#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "model/config_io.h"
#include "model/gguf_export.h"
#include "model/model.h"
#include "model/presets.h"
#include "tokenizer/bpe_trainer.h"
#include "train/export_gguf.h"
#include "train/train_params.h"
#include "train/trainer.h"

namespace seek {
namespace {

namespace fs = std::filesystem;

std::string tmp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("seek_test_trainer_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Logits [n, V] of tokens as one prefill in a fresh cache.
std::vector<float> prefill(Model& m, const std::vector<int32_t>& toks, ThreadPool& pool) {
  KVCache cache(m.config(), 1, static_cast<int64_t>(toks.size()));
  Batch b;
  for (size_t i = 0; i < toks.size(); ++i) b.add(toks[i], static_cast<int32_t>(i), 0, true);
  std::vector<float> logits(toks.size() * m.config().vocab_size);
  m.forward(b, cache, pool, logits.data());
  return logits;
}

TEST(ExportGguf, ConfigKeysMatchAFileLlamaCppWrote) {
  const GGUFFile ref = GGUFFile::open(std::string(SEEK_TEST_DATA) + "/gguf/ds2-micro-F32.gguf");
  const ModelConfig c = config_from_gguf(ref);
  GGUFWriter w;
  add_gguf_config_keys(w, c, 0);
  const std::vector<uint8_t> bytes = w.to_bytes();
  const GGUFFile ours = GGUFFile::parse(bytes.data(), bytes.size());
  // Keys llama.cpp's deepseek2 loader reads: every one of them in the reference must be ours too.
  for (const auto& [key, value] : ref.metadata()) {
    if (key.rfind("deepseek2.", 0) != 0) continue;
    const GGUFValue* v = ours.find(key);
    if (!v) {
      ADD_FAILURE() << "export lacks " << key;
      continue;
    }
    if (value.is_float())
      EXPECT_FLOAT_EQ(static_cast<float>(v->as_float()), static_cast<float>(value.as_float())) << key;
    else if (value.type == GGUFType::BOOL || value.is_integer()) EXPECT_EQ(v->as_int(), value.as_int()) << key;
    else EXPECT_TRUE(*v == value) << key;
  }
  EXPECT_EQ(ours.architecture(), "deepseek2");
}

// Env SEEK_EXPORT_FIXTURE: a make_fixture.py --preset v3 directory (set by tests/scripts/train_cli.cmake).
TEST(ExportGguf, HfCheckpointExportGivesTheSameLogits) {
  const char* dir = std::getenv("SEEK_EXPORT_FIXTURE");
  if (!dir) GTEST_SKIP() << "SEEK_EXPORT_FIXTURE not set (run through ctest -R train_export_fixture)";
  auto hf = Model::load(dir);
  const ModelConfig& c = hf->config();
  ASSERT_GT(c.num_nextn_predict_layers, 0);
  // The checkpoint's tensors as a trainer's flat buffer (the trainer's layout), router biases apart.
  SafetensorsFile st = SafetensorsFile::open(dir);
  const std::vector<ParamInfo> info = train_param_layout(c);
  std::vector<float> flat(info.back().offset + info.back().numel), bias;
  for (int64_t l = 0; l < c.num_hidden_layers + c.num_nextn_predict_layers; ++l) {
    const std::string n = "model.layers." + std::to_string(l) + ".mlp.gate.e_score_correction_bias";
    if (!st.has(n)) continue;
    TensorView v = st.find(n);
    ASSERT_EQ(v.dtype, DType::F32);
    bias.insert(bias.end(), v.as<float>(), v.as<float>() + v.numel());
  }
  for (const ParamInfo& p : info) {
    ASSERT_TRUE(st.has(p.name)) << p.name;
    TensorView v = st.find(p.name);
    ASSERT_EQ(v.dtype, DType::F32) << p.name;
    ASSERT_EQ(static_cast<size_t>(v.numel()), p.numel) << p.name;
    std::copy(v.as<float>(), v.as<float>() + v.numel(), flat.begin() + static_cast<std::ptrdiff_t>(p.offset));
  }
  const std::string out = tmp_dir("fixture") + "/export.gguf";
  // A vocabulary of exactly the model's size (llama.cpp requires the two to agree): the first
  // vocab_size tokens of the deepseek-coder vocabulary.
  const GGUFFile coder = GGUFFile::open(std::string(SEEK_TEST_DATA) + "/vocab/ggml-vocab-deepseek-coder.gguf");
  GGUFWriter vw;
  for (const auto& [key, value] : coder.metadata()) {
    if (key.rfind("tokenizer.", 0) != 0) continue;
    GGUFValue v = value;
    if (v.type == GGUFType::ARRAY &&
        (key == "tokenizer.ggml.tokens" || key == "tokenizer.ggml.token_type" || key == "tokenizer.ggml.scores"))
      v.arr.resize(static_cast<size_t>(c.vocab_size));
    vw.set(key, v);
  }
  const std::vector<uint8_t> vocab_bytes = vw.to_bytes();
  const GGUFFile vocab = GGUFFile::parse(vocab_bytes.data(), vocab_bytes.size());
  // A vocabulary that does not fit the model is refused before anything is written.
  EXPECT_THROW(export_gguf(c, info, flat.data(), bias, coder, out), UsageError);
  EXPECT_FALSE(fs::exists(out));
  export_gguf(c, info, flat.data(), bias, vocab, out);
  auto gg = Model::load_gguf(out);
  EXPECT_EQ(gg->config().num_nextn_predict_layers, c.num_nextn_predict_layers);

  ThreadPool pool(2);
  std::vector<int32_t> toks;
  for (int i = 0; i < 40; ++i) toks.push_back(static_cast<int32_t>((i * 37 + 11) % c.vocab_size));
  const std::vector<float> a = prefill(*hf, toks, pool), b = prefill(*gg, toks, pool);
  float err = 0;
  for (size_t i = 0; i < a.size(); ++i) err = std::max(err, std::fabs(a[i] - b[i]));
  EXPECT_LE(err, 1e-4f) << "main logits differ between the HF checkpoint and its GGUF export";
  // The MTP head drafts the same token after every position.
  KVCache ca(c, 1, 64), cb(gg->config(), 1, 64);
  Batch bt;
  for (size_t i = 0; i < toks.size(); ++i) bt.add(toks[i], static_cast<int32_t>(i), 0, true);
  std::vector<float> la(toks.size() * c.vocab_size), lb(la.size()), ma(c.vocab_size), mb(c.vocab_size);
  hf->forward(bt, ca, pool, la.data());
  gg->forward(bt, cb, pool, lb.data());
  float mtp_err = 0;
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    hf->mtp_forward(static_cast<int64_t>(i), toks[i + 1], static_cast<int32_t>(i), 0, ca, pool, ma.data());
    gg->mtp_forward(static_cast<int64_t>(i), toks[i + 1], static_cast<int32_t>(i), 0, cb, pool, mb.data());
    for (int64_t v = 0; v < c.vocab_size; ++v) mtp_err = std::max(mtp_err, std::fabs(ma[v] - mb[v]));
  }
  EXPECT_LE(mtp_err, 1e-4f) << "MTP logits differ";
  fs::remove_all(fs::path(out).parent_path());
}

// A data directory from a tokenizer trained on the test corpus (vocabulary of ~320).
std::string make_data(const std::string& root) {
  BpeTrainOptions opt;
  opt.vocab_size = 320;
  opt.special_tokens = {"<|bos|>", "<|eos|>"};
  opt.progress = false;
  BpeTrainer trainer(opt);
  const std::string text = slurp(std::string(SEEK_TEST_DATA) + "/gguf/ppl.txt");
  trainer.add_text(text);
  const BpeTrainResult r = trainer.train();
  std::ofstream(root + "/tokenizer.json") << bpe_tokenizer_json(r);
  std::ofstream(root + "/tokenizer_config.json") << bpe_tokenizer_config_json(r);
  std::ofstream(root + "/corpus.txt") << text;
  DataPrepareOptions d;
  d.tokenizer_path = root + "/tokenizer.json";
  d.out_dir = root + "/data";
  d.val_fraction = 0.1;
  d.threads = 2;
  prepare_data(d, {root + "/corpus.txt"});
  return d.out_dir;
}

TrainConfig tiny_config(const std::string& data, const std::string& out) {
  TrainConfig c;
  c.preset = "ds-2m";
  c.layers = 2;
  c.hidden = 64;
  c.data = data;
  c.out = out;
  c.batch = 2;
  c.seq = 16;
  c.steps = 20;
  c.warmup = 3;
  c.lr = 1e-2;
  c.eval_every = 5;
  c.eval_batches = 2;
  c.save_every = 0;
  c.threads = 2;
  c.quiet = true;
  c.export_path = "none";
  return c;
}

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProgressBar::set_enabled(false);
    root_ = tmp_dir("run");
    data_ = make_data(root_);
    try {
      TrainModel probe(preset_config("ds-tiny"), 1);
    } catch (const Error& e) {
      if (std::string(e.what()).find("not implemented") != std::string::npos)
        GTEST_SKIP() << "TrainModel: " << e.what();
      throw;
    }
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_, data_;
};

TEST_F(TrainerTest, ResumeIsBitIdentical) {
  // A: 20 steps in one go.
  Trainer a(tiny_config(data_, root_ + "/a"));
  const TrainResult ra = a.run();
  EXPECT_EQ(ra.steps, 20);
  // B: 10 steps, checkpoint, a new process-like Trainer resumes and finishes.
  {
    Trainer b(tiny_config(data_, root_ + "/b"));
    for (int i = 0; i < 10; ++i) b.step();
    fs::create_directories(root_ + "/b");
    b.save_checkpoint_to(checkpoint_path(root_ + "/b", 10));
  }
  TrainConfig cc = resume_base_config(root_ + "/b");
  EXPECT_EQ(cc.resume, checkpoint_path(root_ + "/b", 10));
  Trainer c(cc);
  EXPECT_EQ(c.steps_done(), 10);
  const TrainResult rc = c.run();
  EXPECT_EQ(rc.steps, 20);
  const size_t n = a.model().n_params();
  ASSERT_EQ(c.model().n_params(), n);
  EXPECT_EQ(std::memcmp(a.model().params(), c.model().params(), n * sizeof(float)), 0)
      << "parameters differ after resume";
  EXPECT_EQ(a.model().router_bias(), c.model().router_bias());
  EXPECT_EQ(ra.loss, rc.loss);
  // The final checkpoints agree too (optimizer moments, step, data position).
  const LoadedCheckpoint ka = load_checkpoint(ra.checkpoint), kc = load_checkpoint(rc.checkpoint);
  EXPECT_EQ(ka.blobs, kc.blobs);
  EXPECT_EQ(ka.meta.data.cursor, kc.meta.data.cursor);
  EXPECT_EQ(ka.meta.adam_t, 20);
  // Metrics of the resumed run continue the file: steps 1..20 once each.
  const auto rows = read_metrics(root_ + "/b/metrics.jsonl");
  ASSERT_EQ(rows.size(), 10u);  // B's manual steps wrote none; C wrote 11..20
  EXPECT_EQ(rows.front()["step"], 11);
  const auto rows_a = read_metrics(root_ + "/a/metrics.jsonl");
  ASSERT_EQ(rows_a.size(), 20u);
  EXPECT_EQ(rows_a[19]["loss"], rows.back()["loss"]);
  EXPECT_TRUE(rows_a[4].contains("val_loss"));
}

TEST_F(TrainerTest, StopAtFollowsTheFullScheduleAndResumes) {
  // A: 20 steps in one go; D: the same run stopped after step 12 (an ablation's shape), then resumed.
  Trainer a(tiny_config(data_, root_ + "/a"));
  a.run();
  TrainConfig dc = tiny_config(data_, root_ + "/d");
  dc.stop_at = 12;
  const TrainResult rd = Trainer(dc).run();
  EXPECT_EQ(rd.steps, 12);
  EXPECT_EQ(rd.checkpoint, checkpoint_path(root_ + "/d", 12));
  const auto rows_a = read_metrics(root_ + "/a/metrics.jsonl");
  auto rows_d = read_metrics(root_ + "/d/metrics.jsonl");
  ASSERT_EQ(rows_d.size(), 12u);
  for (size_t i = 0; i < 12; ++i) {  // same learning rate and loss at every step: the schedule spans 20
    EXPECT_EQ(rows_a[i]["lr"], rows_d[i]["lr"]) << "step " << i + 1;
    EXPECT_EQ(rows_a[i]["loss"], rows_d[i]["loss"]) << "step " << i + 1;
  }
  EXPECT_TRUE(rows_d[11].contains("val_loss"));  // the last step is evaluated
  TrainConfig cc = resume_base_config(root_ + "/d");
  cc.stop_at = 0;
  Trainer c(cc);
  EXPECT_EQ(c.run().steps, 20);
  const size_t n = a.model().n_params();
  EXPECT_EQ(std::memcmp(a.model().params(), c.model().params(), n * sizeof(float)), 0) << "parameters differ";
}

TEST_F(TrainerTest, ResumeRefusesAShapeChange) {
  TrainConfig cfg = tiny_config(data_, root_ + "/s");
  cfg.steps = 2;
  Trainer(cfg).run();
  TrainConfig r = resume_base_config(root_ + "/s");
  r.batch = 3;
  EXPECT_THROW(Trainer{r}, UsageError);
  r = resume_base_config(root_ + "/s");
  r.steps = 4;  // extending a run is fine
  EXPECT_EQ(Trainer(r).run().steps, 4);
}

TEST_F(TrainerTest, LearnsAndExportPredictsLikeTheTrainedModel) {
  TrainConfig cfg = tiny_config(data_, root_ + "/e");
  cfg.steps = 40;
  cfg.export_path = root_ + "/e/model.gguf";
  Trainer t(cfg);
  const TrainResult r = t.run();
  const auto rows = read_metrics(root_ + "/e/metrics.jsonl");
  ASSERT_EQ(rows.size(), 40u);
  EXPECT_LT(rows.back()["ce"].get<double>(), rows.front()["ce"].get<double>() - 0.5)
      << "40 steps did not lower the loss";
  EXPECT_EQ(r.exported, cfg.export_path);

  auto gg = Model::load_gguf(r.exported);
  EXPECT_EQ(gg->config().num_nextn_predict_layers, 1);
  TokenLoader val(DataManifest::load(data_), {.validation = true, .batch = 1, .seq = 24, .seed = 1, .shuffle = false});
  std::vector<int32_t> toks;
  val.next(toks);
  ThreadPool pool(2);
  const std::vector<float> got = prefill(*gg, toks, pool);
  t.model().forward(toks.data(), 1, static_cast<int64_t>(toks.size()), pool);
  const float* want = t.model().logits();
  const int64_t V = gg->config().vocab_size;
  float err = 0;
  for (size_t i = 0; i < toks.size(); ++i) {
    const float* a = want + i * V;
    const float* b = got.data() + i * V;
    EXPECT_EQ(std::max_element(a, a + V) - a, std::max_element(b, b + V) - b) << "position " << i;
    for (int64_t v = 0; v < V; ++v) err = std::max(err, std::fabs(a[v] - b[v]));
  }
  EXPECT_LE(err, 1e-3f);
}

}  // namespace
}  // namespace seek
