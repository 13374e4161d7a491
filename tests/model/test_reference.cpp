// seek's f32 inference against the independent float64 PyTorch reference (tools/ref, docs/reference.md)
// on a fixture written by make_fixture.py: logits, expert choices, latent cache, MTP logits, and the
// engine's internal invariants (naive == absorbed MLA, prefill == decode, batched == alone).
// The fixture directory comes from SEEK_REF_FIXTURE (tests/scripts/model_reference.cmake makes one per
// preset); without it every test here is skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/model.h"

using namespace seek;
using nlohmann::json;

namespace {

// expected.json + expected.bin: named little-endian f32 / i32 arrays.
struct Fixture {
  std::string dir;
  json meta;
  std::vector<char> bin;

  bool has(const std::string& name) const { return meta["arrays"].contains(name); }
  std::vector<int64_t> shape(const std::string& name) const { return meta["arrays"][name]["shape"]; }
  template <typename T>
  std::vector<T> get(const std::string& name) const {
    const json& a = meta["arrays"].at(name);
    const size_t off = a["offset"], nb = a["nbytes"];
    EXPECT_LE(off + nb, bin.size()) << name;
    std::vector<T> v(nb / sizeof(T));
    std::memcpy(v.data(), bin.data() + off, nb);
    return v;
  }
};

const Fixture* fixture() {
  static Fixture* f = []() -> Fixture* {
    const char* dir = std::getenv("SEEK_REF_FIXTURE");
    if (!dir || !*dir) return nullptr;
    auto* fx = new Fixture;
    fx->dir = dir;
    std::ifstream j(fx->dir + "/expected.json");
    fx->meta = json::parse(j);
    std::ifstream b(fx->dir + "/expected.bin", std::ios::binary);
    fx->bin.assign(std::istreambuf_iterator<char>(b), std::istreambuf_iterator<char>());
    return fx;
  }();
  return f;
}

float max_abs_diff(const float* a, const float* b, size_t n) {
  float m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

class Reference : public ::testing::Test {
 protected:
  void SetUp() override {
    fx_ = fixture();
    if (!fx_) GTEST_SKIP() << "SEEK_REF_FIXTURE not set (run through ctest -L reference)";
    model_ = Model::load(fx_->dir);
    tokens_ = fx_->get<int32_t>("tokens");
    T_ = static_cast<int64_t>(tokens_.size());
    V_ = model_->config().vocab_size;
    ASSERT_GE(T_, 64);
  }

  // Logits of tokens[begin, end) of one sequence fed as a single prefill into `slot`.
  std::vector<float> prefill(KVCache& cache, int64_t begin, int64_t end, int32_t slot) {
    Batch b;
    for (int64_t i = begin; i < end; ++i) b.add(tokens_[i], static_cast<int32_t>(i - begin), slot, true);
    std::vector<float> logits((end - begin) * V_);
    model_->forward(b, cache, pool_, logits.data());
    return logits;
  }

  // MoE layer indices of the main model, in forward order.
  std::vector<int64_t> moe_layers() const {
    std::vector<int64_t> l;
    for (int64_t i = 0; i < model_->config().num_hidden_layers; ++i)
      if (model_->config().is_moe_layer(i)) l.push_back(i);
    return l;
  }

  // Compares a route log [layers][N, k] (best first) with the reference's ascending idx arrays.
  void expect_routes(const std::vector<int32_t>& log, const std::vector<std::string>& names, int64_t N) {
    const int64_t K = model_->config().num_experts_per_tok;
    ASSERT_EQ(log.size(), names.size() * N * K);
    int64_t mismatches = 0;
    for (size_t l = 0; l < names.size(); ++l) {
      std::vector<int32_t> ref = fx_->get<int32_t>(names[l]);
      ASSERT_EQ(ref.size(), static_cast<size_t>(N * K)) << names[l];
      for (int64_t n = 0; n < N; ++n) {
        std::vector<int32_t> got(log.begin() + (l * N + n) * K, log.begin() + (l * N + n + 1) * K);
        std::sort(got.begin(), got.end());
        std::vector<int32_t> want(ref.begin() + n * K, ref.begin() + (n + 1) * K);
        if (got != want && mismatches++ < 5)
          ADD_FAILURE() << names[l] << " token " << n << ": experts " << ::testing::PrintToString(got)
                        << " vs reference " << ::testing::PrintToString(want);
      }
    }
    EXPECT_EQ(mismatches, 0);
    std::printf("[ measured ] %s: %zu MoE layers x %lld tokens, %lld routing mismatches\n", fx_->dir.c_str(),
                names.size(), static_cast<long long>(N), static_cast<long long>(mismatches));
  }

  const Fixture* fx_ = nullptr;
  std::unique_ptr<Model> model_;
  ThreadPool pool_{2};
  std::vector<int32_t> tokens_;
  int64_t T_ = 0, V_ = 0;
};

}  // namespace

TEST_F(Reference, LogitsAndExpertChoices) {
  KVCache cache(model_->config(), 1, T_);
  std::vector<int32_t> log;
  model_->set_route_log(&log);
  std::vector<float> logits = prefill(cache, 0, T_, 0);
  model_->set_route_log(nullptr);
  std::vector<float> ref = fx_->get<float>("logits");
  ASSERT_EQ(ref.size(), logits.size());
  const float err = max_abs_diff(logits.data(), ref.data(), ref.size());
  std::printf("[ measured ] %s: logits max abs error %.3g over %lld positions\n", fx_->dir.c_str(), err,
              static_cast<long long>(T_));
  EXPECT_LE(err, 1e-4f);
  std::vector<std::string> names;
  for (int64_t l : moe_layers()) names.push_back(str("route.", l, ".idx"));
  expect_routes(log, names, T_);
}

TEST_F(Reference, LatentCacheContentsAndSize) {
  const ModelConfig& c = model_->config();
  KVCache cache(c, 1, T_);
  const int64_t n_layers = c.num_hidden_layers + c.num_nextn_predict_layers;
  if (!c.is_mla()) {
    EXPECT_EQ(cache.width(), 2 * c.num_key_value_heads * c.head_dim);
    EXPECT_EQ(cache.bytes_per_token(), static_cast<size_t>(cache.width() * n_layers) * sizeof(float));
    return;
  }
  const int64_t r = c.kv_lora_rank, rope = c.qk_rope_head_dim;
  EXPECT_EQ(cache.width(), r + rope);
  EXPECT_EQ(cache.n_layers(), n_layers);
  EXPECT_EQ(cache.bytes_per_token(), static_cast<size_t>((r + rope) * n_layers) * sizeof(float));
  prefill(cache, 0, T_, 0);
  float err_c = 0, err_k = 0;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    std::vector<float> ckv = fx_->get<float>(str("cache.", l, ".c_kv")),
                       kpe = fx_->get<float>(str("cache.", l, ".k_pe"));
    ASSERT_EQ(ckv.size(), static_cast<size_t>(T_ * r));
    ASSERT_EQ(kpe.size(), static_cast<size_t>(T_ * rope));
    for (int64_t pos : {int64_t{0}, int64_t{1}, int64_t{7}, T_ / 2, T_ - 1}) {
      const float* e = cache.at(l, 0, pos);
      err_c = std::max(err_c, max_abs_diff(e, ckv.data() + pos * r, r));
      err_k = std::max(err_k, max_abs_diff(e + r, kpe.data() + pos * rope, rope));
    }
  }
  std::printf("[ measured ] %s: latent cache max abs error c_kv %.3g, k_pe %.3g\n", fx_->dir.c_str(), err_c, err_k);
  EXPECT_LE(err_c, 1e-5f);
  EXPECT_LE(err_k, 1e-5f);
}

TEST_F(Reference, NaiveMlaEqualsAbsorbed) {
  if (!model_->config().is_mla()) GTEST_SKIP() << "not an MLA model";
  KVCache c1(model_->config(), 1, T_), c2(model_->config(), 1, T_);
  std::vector<float> absorbed = prefill(c1, 0, T_, 0);
  model_->set_mla_mode(MlaMode::Naive);
  std::vector<float> naive = prefill(c2, 0, T_, 0);
  model_->set_mla_mode(MlaMode::Absorbed);
  const float err = max_abs_diff(absorbed.data(), naive.data(), naive.size());
  std::printf("[ measured ] %s: naive vs absorbed MLA max abs diff %.3g\n", fx_->dir.c_str(), err);
  EXPECT_LE(err, 1e-5f);
}

TEST_F(Reference, PrefillEqualsTokenByTokenDecode) {
  KVCache c1(model_->config(), 1, T_), c2(model_->config(), 1, T_);
  std::vector<float> full = prefill(c1, 0, T_, 0);
  std::vector<float> step(T_ * V_);
  for (int64_t i = 0; i < T_; ++i) {
    Batch b;
    b.add(tokens_[i], static_cast<int32_t>(i), 0, true);
    model_->forward(b, c2, pool_, step.data() + i * V_);
  }
  const float err = max_abs_diff(full.data(), step.data(), full.size());
  std::printf("[ measured ] %s: prefill vs token-by-token decode max abs diff %.3g\n", fx_->dir.c_str(), err);
  EXPECT_LE(err, 1e-5f);
  std::vector<float> ref = fx_->get<float>("logits");
  EXPECT_LE(max_abs_diff(step.data(), ref.data(), ref.size()), 1e-4f);
}

// Three sequences in different slots and of different lengths, one of them mid-decode, in one
// forward; each must match that sequence run alone in a fresh cache.
TEST_F(Reference, BatchedSequencesEqualEachAlone) {
  struct Seq {
    int64_t begin, end, prefilled;
    int32_t slot;
  };
  const std::vector<Seq> seqs = {{0, 21, 20, 2}, {10, 26, 0, 0}, {5, 14, 0, 3}};  // [begin, end) of tokens_
  KVCache batched(model_->config(), 4, T_);
  prefill(batched, seqs[0].begin, seqs[0].begin + seqs[0].prefilled, seqs[0].slot);  // seq 0 then decodes
  Batch b;
  for (const Seq& s : seqs)
    for (int64_t i = s.begin + s.prefilled; i < s.end; ++i)
      b.add(tokens_[i], static_cast<int32_t>(i - s.begin), s.slot, true);
  std::vector<float> got(b.size() * V_);
  model_->forward(b, batched, pool_, got.data());
  float err = 0;
  int64_t row = 0;
  for (const Seq& s : seqs) {
    KVCache alone(model_->config(), 1, T_);
    std::vector<float> want = prefill(alone, s.begin, s.end, 0);
    const int64_t n = s.end - s.begin - s.prefilled;
    err = std::max(err, max_abs_diff(got.data() + row * V_, want.data() + s.prefilled * V_, n * V_));
    row += n;
  }
  std::printf("[ measured ] %s: batched vs alone max abs diff %.3g\n", fx_->dir.c_str(), err);
  EXPECT_EQ(err, 0.0f) << "matmul rows should be batch-invariant";
}

TEST_F(Reference, MtpLogitsRoutesAndCache) {
  const ModelConfig& c = model_->config();
  if (c.num_nextn_predict_layers == 0 || !fx_->has("mtp.logits")) GTEST_SKIP() << "no MTP module";
  ASSERT_EQ(fx_->meta.value("mtp_hidden", ""), "block") << "C++ feeds hnorm the last block output (pre-norm)";
  KVCache cache(c, 1, T_);
  prefill(cache, 0, T_, 0);
  std::vector<float> ref = fx_->get<float>("mtp.logits");
  const int64_t M = fx_->shape("mtp.logits")[0];
  ASSERT_EQ(M, T_ - 1);
  std::vector<float> got(M * V_);
  std::vector<int32_t> log;
  model_->set_route_log(&log);
  for (int64_t i = 0; i < M; ++i)
    model_->mtp_forward(i, tokens_[i + 1], static_cast<int32_t>(i), 0, cache, pool_, got.data() + i * V_);
  model_->set_route_log(nullptr);
  const float err = max_abs_diff(got.data(), ref.data(), ref.size());
  std::printf("[ measured ] %s: MTP logits max abs error %.3g over %lld positions\n", fx_->dir.c_str(), err,
              static_cast<long long>(M));
  EXPECT_LE(err, 1e-4f);
  // The log is one entry per call ([1, k] each): same layout as one layer of [M, k].
  expect_routes(log, {"mtp.route.idx"}, M);
  const int64_t r = c.kv_lora_rank, rope = c.qk_rope_head_dim, L = c.num_hidden_layers;
  std::vector<float> ckv = fx_->get<float>("mtp.cache.c_kv"), kpe = fx_->get<float>("mtp.cache.k_pe");
  float err_c = 0, err_k = 0;
  for (int64_t pos = 0; pos < M; ++pos) {
    err_c = std::max(err_c, max_abs_diff(cache.at(L, 0, pos), ckv.data() + pos * r, r));
    err_k = std::max(err_k, max_abs_diff(cache.at(L, 0, pos) + r, kpe.data() + pos * rope, rope));
  }
  std::printf("[ measured ] %s: MTP latent cache max abs error c_kv %.3g, k_pe %.3g\n", fx_->dir.c_str(), err_c, err_k);
  EXPECT_LE(err_c, 1e-5f);
  EXPECT_LE(err_k, 1e-5f);
}
