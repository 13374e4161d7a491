// MTP speculative decoding: on a random-weight deepseek2 model with an MTP block, the tokens
// equal plain greedy generate() (the independent reference), the stats are consistent, and
// non-greedy sampling or a model without MTP is refused.
#include <gtest/gtest.h>

#include "core/error.h"
#include "model/presets.h"
#include "runtime/generate.h"
#include "runtime/speculative.h"
#include "train/train_model.h"

namespace seek {
namespace {

ModelConfig tiny_mtp_config(int64_t nextn) {
  ModelConfig c = preset_config("ds-tiny");
  c.vocab_size = 512;  // ids < 512 of the deepseek-llm vocab: plain text pieces, no EOS
  c.num_nextn_predict_layers = nextn;
  c.bos_token_id = 0;
  c.eos_token_id = 1;
  return c;
}

struct Fixture {
  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tok;
};

Fixture make(int64_t nextn, uint64_t seed) {
  TrainModel tm(tiny_mtp_config(nextn), seed, 0.1);
  return {tm.to_inference_model(),
          Tokenizer::from_gguf_path(std::string(SEEK_TEST_DATA) + "/vocab/ggml-vocab-deepseek-llm.gguf")};
}

GenerateOptions greedy(int64_t n) {
  GenerateOptions o;
  o.max_tokens = n;
  o.ignore_eos = true;
  o.n_batch = 5;  // several prefill chunks: the MTP cache is filled across chunk boundaries
  return o;
}

TEST(SpeculativeMtp, SameTokensAsPlainGreedy) {
  Fixture f = make(1, 7);
  ThreadPool pool(2);
  const std::vector<std::vector<int32_t>> prompts = {
      {3}, {10, 20, 30, 40, 50, 60, 70}, {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, {400, 2, 311, 97, 18, 260, 44, 9, 501}};
  int64_t drafted = 0, accepted = 0;
  for (const auto& p : prompts) {
    for (int64_t n : {64, 1, 2, 7}) {
      KVCache c1(f.model->config(), 1, 128), c2(f.model->config(), 1, 128);
      GenerateResult plain = generate(*f.model, *f.tok, c1, p, greedy(n), pool, nullptr);
      std::string streamed;
      SpeculativeResult spec = generate_speculative_mtp(*f.model, *f.tok, c2, p, greedy(n), pool,
                                                        [&](const std::string& s) {
                                                          streamed += s;
                                                          return true;
                                                        });
      ASSERT_EQ(spec.tokens, plain.tokens) << "prompt of " << p.size() << " tokens, n " << n;
      EXPECT_EQ(spec.text, plain.text);
      EXPECT_EQ(streamed, plain.text);
      EXPECT_EQ(spec.finish_reason, plain.finish_reason);
      ASSERT_EQ(static_cast<int64_t>(spec.tokens.size()), n);
      // stats: every accepted draft saves one forward
      EXPECT_LE(spec.accepted, spec.drafted);
      EXPECT_LE(spec.drafted, spec.n_forward);
      // the prefill gives the first token, each forward one more, each accepted draft a bonus
      EXPECT_EQ(1 + spec.n_forward + spec.accepted, n)
          << "forwards " << spec.n_forward << " accepted " << spec.accepted;
      drafted += spec.drafted;
      accepted += spec.accepted;
    }
  }
  EXPECT_GT(drafted, 0);
  RecordProperty("acceptance", std::to_string(accepted) + "/" + std::to_string(drafted));
}

TEST(SpeculativeMtp, StopsAtTheContextLikePlain) {
  Fixture f = make(1, 11);
  ThreadPool pool(2);
  const std::vector<int32_t> p = {10, 20, 30, 40, 50};
  for (int64_t ctx : {6, 7, 8, 9, 20}) {
    KVCache c1(f.model->config(), 1, ctx), c2(f.model->config(), 1, ctx);
    GenerateResult plain = generate(*f.model, *f.tok, c1, p, greedy(64), pool, nullptr);
    SpeculativeResult spec = generate_speculative_mtp(*f.model, *f.tok, c2, p, greedy(64), pool, nullptr);
    EXPECT_EQ(spec.tokens, plain.tokens) << "ctx " << ctx;
  }
}

TEST(SpeculativeMtp, StopStringEndsLikePlain) {
  Fixture f = make(1, 7);
  ThreadPool pool(2);
  const std::vector<int32_t> p = {10, 20, 30, 40, 50, 60, 70};
  KVCache c0(f.model->config(), 1, 128);
  GenerateResult full = generate(*f.model, *f.tok, c0, p, greedy(40), pool, nullptr);
  ASSERT_GT(full.text.size(), 6u);
  GenerateOptions o = greedy(40);
  o.stop = {full.text.substr(full.text.size() / 2, 3)};
  KVCache c1(f.model->config(), 1, 128), c2(f.model->config(), 1, 128);
  GenerateResult plain = generate(*f.model, *f.tok, c1, p, o, pool, nullptr);
  SpeculativeResult spec = generate_speculative_mtp(*f.model, *f.tok, c2, p, o, pool, nullptr);
  EXPECT_EQ(spec.tokens, plain.tokens);
  EXPECT_EQ(spec.text, plain.text);
  EXPECT_EQ(spec.finish_reason, "stop");
}

TEST(SpeculativeMtp, RefusesSamplingAndModelsWithoutMtp) {
  ThreadPool pool(1);
  Fixture f = make(1, 3);
  KVCache cache(f.model->config(), 1, 32);
  GenerateOptions o = greedy(4);
  o.sampling.temperature = 0.7f;
  EXPECT_THROW(generate_speculative_mtp(*f.model, *f.tok, cache, {3, 4}, o, pool, nullptr), UsageError);
  o = greedy(4);
  o.sampling.repeat_penalty = 1.1f;
  EXPECT_THROW(generate_speculative_mtp(*f.model, *f.tok, cache, {3, 4}, o, pool, nullptr), UsageError);
  Fixture g = make(0, 3);
  KVCache c0(g.model->config(), 1, 32);
  EXPECT_THROW(generate_speculative_mtp(*g.model, *g.tok, c0, {3, 4}, greedy(4), pool, nullptr), UsageError);
}

}  // namespace
}  // namespace seek
