// The trainer against tools/ref/train_ref.py (float64 PyTorch autograd, docs/reference.md
// "Training oracle"): loss parts, logits, MTP logits, every parameter gradient, expert loads,
// router-bias updates and 10 AdamW steps. SEEK_TRAIN_REF names the oracle's output directory
// (tests/scripts/train_golden.cmake makes one per preset); skipped when unset. Also: the
// inference Model built by to_inference_model() gives the trainer's logits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/model.h"
#include "train/adamw.h"
#include "train/train_model.h"

namespace seek {
namespace {

using json = nlohmann::json;

struct Oracle {
  json meta;
  std::vector<char> bin;
  bool has(const std::string& n) const { return meta["arrays"].contains(n); }
  template <typename T>
  std::vector<T> get(const std::string& n) const {
    const json& a = meta["arrays"].at(n);
    const size_t off = a["offset"], nb = a["nbytes"];
    if (off + nb > bin.size()) throw std::runtime_error("train.bin too short for " + n);
    std::vector<T> v(nb / sizeof(T));
    std::memcpy(v.data(), bin.data() + off, nb);
    return v;
  }
};

const Oracle* oracle() {
  static Oracle* o = []() -> Oracle* {
    const char* dir = std::getenv("SEEK_TRAIN_REF");
    if (!dir || !*dir) return nullptr;
    auto* r = new Oracle;
    std::ifstream j(std::string(dir) + "/train.json");
    r->meta = json::parse(j);
    std::ifstream b(std::string(dir) + "/train.bin", std::ios::binary);
    r->bin.assign(std::istreambuf_iterator<char>(b), std::istreambuf_iterator<char>());
    return r;
  }();
  return o;
}

// ||a - b|| / ||b|| (absolute when b is all zeros)
double rel_err(const float* a, const float* b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]), den += double(b[i]) * b[i];
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

double max_abs(const float* a, const float* b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
  return m;
}

// MoE layer ids (main layers then MTP), the order of TrainModel's router_bias/expert_loads rows.
std::vector<int64_t> moe_layer_ids(const ModelConfig& c) {
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < c.num_hidden_layers + c.num_nextn_predict_layers; ++i)
    if (c.is_moe_layer(i)) ids.push_back(i);
  return ids;
}

TEST(TrainGolden, LossGradientsAndTenSteps) {
  const Oracle* o = oracle();
  if (!o) GTEST_SKIP() << "SEEK_TRAIN_REF not set (run through ctest -L train)";
  auto model = TrainModel::from_pretrained(o->meta["fixture"].get<std::string>());
  const ModelConfig& c = model->config();
  const json& hp = o->meta["hyperparameters"];
  LossWeights w{hp["lambda_mtp"].get<double>(), hp["alpha"].get<double>()};
  AdamWConfig ac{hp["beta1"].get<double>(), hp["beta2"].get<double>(), hp["eps"].get<double>(),
                 hp["weight_decay"].get<double>(), hp["clip"].get<double>()};
  const double gamma = hp["gamma"].get<double>();
  const int64_t B = o->meta["batch_shape"][0], T = o->meta["batch_shape"][1], V = c.vocab_size;
  const std::vector<int32_t> tokens = o->get<int32_t>("tokens");
  ASSERT_EQ(tokens.size(), size_t(B * T));
  // the oracle's trainable list is exactly our layout
  const json& names = o->meta["params"];
  ASSERT_EQ(names.size(), model->param_info().size());
  for (const auto& n : names) EXPECT_NO_THROW(model->info(n.get<std::string>())) << n;

  ThreadPool pool(2);
  AdamW opt(model->n_params());
  const std::vector<int64_t> moe_ids = moe_layer_ids(c);
  const int64_t E = c.n_routed_experts;
  const json& steps = o->meta["steps"];
  const size_t n_steps = o->meta["lr"].size();
  for (size_t k = 0; k <= n_steps; ++k) {
    SCOPED_TRACE("step " + std::to_string(k));
    model->zero_grad();
    LossParts got = model->forward_backward(tokens.data(), B, T, w, pool);
    const json& want = steps[k]["loss"];
    EXPECT_NEAR(got.total, want["total"].get<double>(), 1e-4);
    EXPECT_NEAR(got.ce, want["ce"].get<double>(), 1e-4);
    EXPECT_NEAR(got.mtp, want["mtp"].get<double>(), 1e-4);
    EXPECT_NEAR(got.balance, want["balance"].get<double>(), 1e-4);
    if (k == n_steps) break;
    if (k == 0) {
      std::vector<float> ref = o->get<float>("logits");
      ASSERT_EQ(ref.size(), size_t(B * T * V));
      EXPECT_LE(max_abs(model->logits(), ref.data(), ref.size()), 2e-4);
      if (o->has("mtp_logits")) {
        ref = o->get<float>("mtp_logits");
        ASSERT_NE(model->mtp_logits(), nullptr);
        ASSERT_EQ(ref.size(), size_t(B * (T - 2) * V));
        EXPECT_LE(max_abs(model->mtp_logits(), ref.data(), ref.size()), 2e-4);
      }
      double worst = 0;
      std::string worst_name;
      for (const ParamInfo& p : model->param_info()) {
        std::vector<float> g = o->get<float>("grad/" + p.name);
        ASSERT_EQ(g.size(), p.numel) << p.name;
        const double e = rel_err(model->grads() + p.offset, g.data(), p.numel);
        EXPECT_LE(e, 1e-4) << p.name;
        if (e > worst) worst = e, worst_name = p.name;
      }
      std::printf("step 0: worst gradient rel err %.3g (%s)\n", worst, worst_name.c_str());
    }
    for (size_t l = 0; l < moe_ids.size(); ++l) {
      std::vector<int32_t> ref = o->get<int32_t>("step" + std::to_string(k) + ".load." + std::to_string(moe_ids[l]));
      ASSERT_EQ(ref.size(), size_t(E));
      for (int64_t e = 0; e < E; ++e) EXPECT_EQ(model->expert_loads()[l * E + e], ref[e]) << "layer " << moe_ids[l];
    }
    const double norm = opt.step(*model, o->meta["lr"][k].get<double>(), ac, pool);
    EXPECT_NEAR(norm, steps[k]["grad_norm"].get<double>(), 1e-4 * steps[k]["grad_norm"].get<double>());
    const std::vector<int64_t> loads = model->expert_loads();
    model->update_router_bias(loads.data(), gamma);
    for (size_t l = 0; l < moe_ids.size(); ++l) {
      const std::string n = "step" + std::to_string(k) + ".bias." + std::to_string(moe_ids[l]);
      if (!o->has(n)) continue;
      std::vector<float> ref = o->get<float>(n);
      EXPECT_LE(max_abs(model->router_bias().data() + l * E, ref.data(), E), 1e-6) << n;
    }
    std::printf("step %zu: loss %.6f (oracle %.6f)\n", k, got.total, want["total"].get<double>());
  }
  double worst = 0;
  for (const ParamInfo& p : model->param_info()) {
    std::vector<float> ref = o->get<float>("final/" + p.name);
    worst = std::max(worst, max_abs(model->params() + p.offset, ref.data(), p.numel));
  }
  std::printf("after %zu steps: max |param - oracle| %.3g\n", n_steps, worst);
  EXPECT_LE(worst, 1e-3);
}

// A small V3-like config with every feature the trainer has (q compression, sigmoid + bias,
// groups, shared experts, MTP, YaRN).
ModelConfig tiny_v3() {
  ModelConfig c;
  c.arch = "deepseek2";
  c.vocab_size = 97, c.hidden_size = 32, c.num_hidden_layers = 2, c.num_attention_heads = 2;
  c.q_lora_rank = 24, c.kv_lora_rank = 16, c.qk_nope_head_dim = 8, c.qk_rope_head_dim = 4, c.v_head_dim = 8;
  c.intermediate_size = 48, c.moe_intermediate_size = 12, c.n_routed_experts = 8, c.n_shared_experts = 1;
  c.num_experts_per_tok = 2, c.first_k_dense_replace = 1, c.scoring_func = "sigmoid";
  c.topk_method = "noaux_tc", c.n_group = 4, c.topk_group = 2, c.norm_topk_prob = true;
  c.routed_scaling_factor = 2.5, c.num_nextn_predict_layers = 1, c.max_position_embeddings = 4096;
  c.rope_scaling.yarn = true, c.rope_scaling.factor = 4, c.rope_scaling.original_max_position_embeddings = 64;
  c.rope_scaling.mscale = 1, c.rope_scaling.mscale_all_dim = 1;
  return c;
}

TEST(TrainModel, InferenceModelGivesTheSameLogits) {
  TrainModel tm(tiny_v3(), 5, 0.1);
  for (size_t i = 0; i < tm.router_bias().size(); ++i) tm.router_bias()[i] = 0.01f * float(i % 7);
  ThreadPool pool(2);
  const int64_t T = 11, V = tm.config().vocab_size;
  std::vector<int32_t> toks(T);
  for (int64_t t = 0; t < T; ++t) toks[t] = int32_t((t * 37 + 5) % V);
  tm.forward(toks.data(), 1, T, pool);
  std::unique_ptr<Model> m = tm.to_inference_model();
  KVCache cache(m->config(), 1, T);
  Batch b;
  for (int64_t t = 0; t < T; ++t) b.add(toks[t], int32_t(t), 0, true);
  std::vector<float> logits(T * V);
  m->forward(b, cache, pool, logits.data());
  // One model definition (docs/architecture.md): the trainer's forward and the inference forward
  // of the same weights agree to 1e-5 (float32 with different summation orders).
  const double err = max_abs(logits.data(), tm.logits(), logits.size());
  EXPECT_LE(err, 1e-5);
  // the MTP head: inference's mtp_forward at position i (input t_{i+1}) == trainer row i
  std::vector<float> mtp(V);
  double mtp_err = 0;
  for (int64_t i = 0; i + 2 < T; ++i) {
    m->mtp_forward(i, toks[i + 1], int32_t(i), 0, cache, pool, mtp.data());
    mtp_err = std::max(mtp_err, double(max_abs(mtp.data(), tm.mtp_logits() + i * V, V)));
  }
  EXPECT_LE(mtp_err, 1e-5);
  std::printf("trainer vs inference forward: max |logit diff| %.3g (main head), %.3g (MTP head)\n", err, mtp_err);
}

// A GGUF written by llama.cpp's converter (tests/data/gguf, PROVENANCE.md) loads into the trainer
// and gives the inference engine's logits.
TEST(TrainModel, FromPretrainedGgufMatchesTheInferenceModel) {
  const std::string path = std::string(SEEK_TEST_DATA) + "/gguf/ds2-micro-F32.gguf";
  auto tm = TrainModel::from_pretrained(path);
  auto m = Model::load(path);
  ThreadPool pool(2);
  const int64_t T = 9, V = m->config().vocab_size;
  std::vector<int32_t> toks(T);
  for (int64_t t = 0; t < T; ++t) toks[t] = int32_t((t * 131 + 17) % V);
  tm->forward(toks.data(), 1, T, pool);
  KVCache cache(m->config(), 1, T);
  Batch b;
  for (int64_t t = 0; t < T; ++t) b.add(toks[t], int32_t(t), 0, true);
  std::vector<float> logits(T * V);
  m->forward(b, cache, pool, logits.data());
  double scale = 0;
  for (float x : logits) scale = std::max(scale, double(std::fabs(x)));
  const double err = max_abs(logits.data(), tm->logits(), logits.size());
  EXPECT_LE(err, 1e-5 * std::max(1.0, scale));
  std::printf("trainer (from GGUF) vs inference forward: max |logit diff| %.3g, max |logit| %.3g\n", err, scale);
}

TEST(TrainModel, RejectsBadTokensAndShapes) {
  TrainModel tm(tiny_v3(), 1);
  ThreadPool pool(1);
  std::vector<int32_t> toks = {1, 2, 500};
  EXPECT_THROW(tm.forward(toks.data(), 1, 3, pool), Error);
  EXPECT_THROW(tm.forward(toks.data(), 0, 3, pool), Error);
  EXPECT_THROW(tm.info("model.layers.9.nothing"), UsageError);
  ModelConfig dense = tiny_v3();
  dense.arch = "llama";
  EXPECT_THROW(TrainModel(dense, 1), Error);
}

}  // namespace
}  // namespace seek
