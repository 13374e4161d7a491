// Tokenizer internals against independent facts: UTF-8 repair follows the WHATWG decoder's
// "maximal subpart" rule (the Encoding Standard's examples), the streaming decoder never splits
// a character, the SentencePiece vocabulary read from GGUF equals llama2.c's own tok512.bin,
// the pre-token cache changes nothing, and bad files fail with a FormatError.
#include <gtest/gtest.h>

#include <cstring>

#include "core/error.h"
#include "formats/gguf.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer_test_util.h"

namespace seek {
namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

TEST(Utf8, RepairMaximalSubparts) {
  EXPECT_EQ(utf8_repair("abc"), "abc");
  EXPECT_EQ(utf8_repair("\x80"), kFFFD);
  EXPECT_EQ(utf8_repair("\xE2\x82"), kFFFD);  // truncated 3-byte sequence: one U+FFFD
  EXPECT_EQ(utf8_repair("\xE2\x82"
                        "A"),
            kFFFD + "A");
  EXPECT_EQ(utf8_repair("\xC0\xAF"), kFFFD + kFFFD);              // C0 is never valid
  EXPECT_EQ(utf8_repair("\xED\xA0\x80"), kFFFD + kFFFD + kFFFD);  // surrogate: ED then two strays
  EXPECT_EQ(utf8_repair("\xF0\x9F\x98"), kFFFD);
  EXPECT_EQ(utf8_repair("\xF4\x90\x80\x80"), kFFFD + kFFFD + kFFFD + kFFFD);
  EXPECT_EQ(utf8_repair("\xFF\xFE"), kFFFD + kFFFD);
}

TEST(Utf8, IncompleteTail) {
  EXPECT_EQ(utf8_incomplete_tail("a\xE2\x82"), 2u);
  EXPECT_EQ(utf8_incomplete_tail("a\xF0"), 1u);
  EXPECT_EQ(utf8_incomplete_tail("a\xE2\x82\xAC"), 0u);
  EXPECT_EQ(utf8_incomplete_tail("\x80"), 0u);  // invalid, not incomplete
  EXPECT_EQ(utf8_incomplete_tail("\xED\xA0"), 0u);
}

TEST(Utf8, ByteLevelMapRoundTrips) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string back;
  ASSERT_TRUE(byte_level_decode(byte_level_encode(all), back));
  EXPECT_EQ(back, all);
  EXPECT_EQ(byte_level_encode(" "), "\xC4\xA0");   // GPT-2 maps space to U+0120 "Ġ"
  EXPECT_EQ(byte_level_encode("\n"), "\xC4\x8A");  // and newline to U+010A "Ċ"
}

TEST(Tokenizer, StreamDecoderNeverSplitsCharacters) {
  const auto tok = Tokenizer::from_gguf_path(test::data_path("vocab/ggml-vocab-deepseek-llm.gguf"));
  const std::string text =
      "emoji 👨‍👩‍👧 中文字符 日本語 한국어 ١٢٣ \xF0\x9F\x87\xAF\xF0\x9F\x87\xB5 end";
  const auto ids = tok->encode(text, false, false);
  StreamDecoder sd(*tok);
  std::string out;
  for (int32_t id : ids) {
    const std::string piece = sd.push(id);
    EXPECT_TRUE(utf8_is_valid(piece)) << "piece of token " << id;
    out += piece;
  }
  out += sd.flush();
  EXPECT_EQ(out, text);
  EXPECT_EQ(tok->decode(ids), text);
}

TEST(Tokenizer, CacheChangesNothing) {
  const auto tok = Tokenizer::from_gguf_path(test::data_path("vocab/ggml-vocab-deepseek-coder.gguf"));
  const std::string text = test::read_file(test::data_path("vocab/ggml-vocab-deepseek-coder.gguf.inp"));
  const auto a = tok->encode(text, false, false);
  const auto b = tok->encode(text, false, false);  // second pass: every word from the cache
  EXPECT_EQ(a, b);
  EXPECT_EQ(tok->decode(a), text);
}

TEST(Tokenizer, SpecialTokensOnlyWhenParsed) {
  const auto tok = Tokenizer::from_gguf_path(test::data_path("vocab/ggml-vocab-deepseek-llm.gguf"));
  const int32_t bos = tok->bos();
  const std::string bos_text = tok->token_text(bos);
  const auto plain = tok->encode(bos_text + "hi", false, false);
  EXPECT_NE(plain.front(), bos);
  const auto parsed = tok->encode(bos_text + "hi", false, true);
  EXPECT_EQ(parsed.front(), bos);
  EXPECT_EQ(tok->decode(parsed), bos_text + "hi");
  EXPECT_EQ(tok->decode(parsed, true), "hi");
}

// llama2.c tokenizer file: int32 max_token_length, then per token: f32 score, i32 len, bytes.
TEST(Tokenizer, SentencePieceVocabMatchesLlama2cTok512) {
  const auto tok = Tokenizer::from_gguf_path(test::data_path("gguf/stories260K-F32.gguf"));
  ASSERT_EQ(tok->kind(), TokenizerKind::SPM);
  ASSERT_EQ(tok->n_vocab(), 512);
  const std::string bin = test::read_file(test::data_path("llama2c/tok512.bin"));
  size_t off = 4;
  for (int32_t id = 0; id < 512; ++id) {
    float score;
    int32_t len;
    ASSERT_LE(off + 8, bin.size());
    std::memcpy(&score, bin.data() + off, 4);
    std::memcpy(&len, bin.data() + off + 4, 4);
    off += 8;
    const std::string piece = bin.substr(off, len);
    off += len;
    EXPECT_FLOAT_EQ(tok->vocab().tokens[id].score, score) << "token " << id;
    if (id >= 3 && id < 3 + 256) continue;  // byte tokens: llama2.c stores "<0xNN>" text too
    std::string want = piece;
    for (size_t p; (p = want.find("\xE2\x96\x81")) != std::string::npos;) want.replace(p, 3, " ");
    if (id >= 3) EXPECT_EQ(tok->token_bytes(id), want) << "token " << id;
  }
  EXPECT_EQ(tok->bos(), 1);
  EXPECT_EQ(tok->eos(), 2);
  // Round trip on the model's own golden story text (byte fallback covers any character).
  const std::string story = test::read_file(test::data_path("llama2c/stories260K_expected_t0_n200.txt"));
  const auto ids = tok->encode(story + " ünïcödé 😀", true, false);
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(tok->decode(ids, true), story + " ünïcödé 😀");
}

TEST(Tokenizer, BadTokenizerJsonFails) {
  EXPECT_THROW(Tokenizer::from_hf_json_text("{"), FormatError);
  EXPECT_THROW(Tokenizer::from_hf_json_text(R"({"model": {"type": "Unigram"}})"), FormatError);
  EXPECT_THROW(Tokenizer::from_hf_json_text(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},
      "decoder": {"type": "ByteLevel"}, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "("}, "behavior": "Isolated"}})"),
               FormatError);
  EXPECT_THROW(Tokenizer::from_hf_json("/nonexistent/tokenizer.json"), Error);
  const auto tok = Tokenizer::from_gguf_path(test::data_path("vocab/ggml-vocab-deepseek-coder.gguf"));
  EXPECT_THROW(tok->decode({tok->n_vocab()}), Error);
  EXPECT_THROW(tok->decode({-5}), Error);
}

}  // namespace
}  // namespace seek
