// A real pretrained model: Karpathy's stories260K (Llama-2 architecture), converted to GGUF by
// llama.cpp. Greedy decoding from BOS for 200 steps must reproduce llama2.c's golden output
// byte for byte (tests/data/llama2c/stories260K_expected_t0_n200.txt).
#include <gtest/gtest.h>

#include <fstream>

#include "model/model.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

using namespace seek;

TEST(Stories260K, GreedyMatchesLlama2cGolden) {
  auto model = Model::load_gguf(std::string(SEEK_TEST_DATA) + "/gguf/stories260K-F32.gguf");
  auto tok = Tokenizer::from_gguf(*model->gguf());
  std::ifstream f(std::string(SEEK_TEST_DATA) + "/llama2c/stories260K_expected_t0_n200.txt", std::ios::binary);
  std::string golden((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(golden.empty());
  ThreadPool pool(2);
  const int64_t V = model->config().vocab_size;
  KVCache cache(model->config(), 1, 256);
  std::vector<float> logits(V);
  std::vector<int32_t> ids = {tok->bos()};
  Batch b;
  // llama2.c's loop: 200 forward steps from BOS, each printing the token it picks.
  for (int32_t pos = 0; pos < 200; ++pos) {
    b.clear();
    b.add(ids.back(), pos, 0, true);
    model->forward(b, cache, pool, logits.data());
    ids.push_back(argmax(logits.data(), V));
  }
  std::vector<int32_t> gen(ids.begin() + 1, ids.end());
  std::string text = tok->decode(gen);
  EXPECT_EQ(text, golden);
}
