// JSON-constrained decoding: the byte automaton against hand-made prefixes and against
// nlohmann::json (the independent parser) on mutated and generated documents; the trie mask
// against a token-by-token check; random sampling under the mask on real DeepSeek vocabularies
// always yields text nlohmann parses as one object.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "runtime/json_constraint.h"
#include "runtime/json_pda.h"
#include "tokenizer/tokenizer.h"

namespace seek {
namespace {

std::string vocab_path(const char* name) { return std::string(SEEK_TEST_DATA) + "/vocab/" + name; }

// 'C': complete object; 'P': a valid proper prefix; 'R': rejected at some byte.
char classify(std::string_view s) {
  JsonState st;
  if (!json_feed(st, s)) return 'R';
  return st.complete() ? 'C' : 'P';
}

bool nlohmann_object(const std::string& s) {
  const nlohmann::json j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  return !j.is_discarded() && j.is_object();
}

TEST(JsonPda, CompleteObjects) {
  const std::vector<std::string> docs = {
      "{}",
      " {} ",
      "\n{\n}\n",
      R"({"a":1})",
      R"({"a":-0.5e+10,"b":[1,2,{"c":null}],"d":true,"e":false})",
      R"({"":""})",
      R"({"k":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"})",
      "{\"k\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}",
      R"({"a":[[],[[]],{}]})",
      R"({"n":0,"m":10E2,"o":1.25E-3,"p":-12})",
      "{ \"a\" : [ 1 , 2 ] }",
      R"({"a":"x","a":"y"})",
  };
  for (const std::string& d : docs) {
    EXPECT_EQ(classify(d), 'C') << d;
    EXPECT_TRUE(nlohmann_object(d)) << "test list itself: " << d;
  }
}

TEST(JsonPda, ValidPrefixes) {
  for (const char* p : {"",
                        " ",
                        "{",
                        "{\"",
                        "{\"a",
                        "{\"a\"",
                        "{\"a\":",
                        "{\"a\":-",
                        "{\"a\":1.",
                        "{\"a\":1e",
                        "{\"a\":1e+",
                        "{\"a\":t",
                        "{\"a\":fals",
                        "{\"a\":[",
                        "{\"a\":[1,",
                        "{\"a\":\"\\",
                        "{\"a\":\"\\u00",
                        "{\"a\":\"\\uD83D",
                        "{\"a\":\"\\uD83D\\u",
                        "{\"a\":\"\xE2\x82",
                        "{\"a\":{\"b\":{}"})
    EXPECT_EQ(classify(p), 'P') << p;
}

TEST(JsonPda, Rejected) {
  const std::vector<std::string> bad = {
      "[]",
      "\"a\"",
      "1",
      "x",
      "{,",
      "{\"a\"}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{\"a\":[1,]}",
      "{\"a\":01}",
      "{\"a\":1.}",
      "{\"a\":.5}",
      "{\"a\":1e}",
      "{\"a\":+1}",
      "{\"a\":-}",
      "{\"a\":tru}",
      "{\"a\":True}",
      "{\"a\":nul}",
      "{\"a\":\"\\x\"}",
      "{\"a\":\"\\u12G4\"}",
      "{\"a\":\"\t\"}",
      "{\"a\":\"\x01\"}",
      "{\"a\":\"\\uDE00\"}",
      "{\"a\":\"\\uD83D\"}",
      "{\"a\":\"\\uD83Dx\"}",
      "{\"a\":\"\\uD83D\\u0041\"}",
      "{\"a\":\"\xC0\xAF\"}",
      "{\"a\":\"\xE0\x80\xAF\"}",
      "{\"a\":\"\xED\xA0\x80\"}",
      "{\"a\":\"\xF4\x90\x80\x80\"}",
      "{\"a\":\"\xF8\"}",
      "{\"a\":\"\x80\"}",
      "{\"a\":\"\xC3x\"}",
      "{} {}",
      "{}x",
      "{\"a\":[}",
      "{\"a\":{]}",
      "{\"a\" 1}",
      "{'a':1}",
      "{\"a\":NaN}",
      "{\"a\":Infinity}",
  };
  for (const std::string& d : bad) {
    EXPECT_EQ(classify(d), 'R') << d;
    EXPECT_FALSE(nlohmann_object(d)) << "test list itself: " << d;
  }
}

TEST(JsonPda, Limits) {
  std::string deep = "{\"a\":";
  for (int i = 1; i < JsonLimits::kMaxDepth; ++i) deep += "[";
  EXPECT_EQ(classify(deep), 'P');
  EXPECT_EQ(classify(deep + "["), 'R');
  EXPECT_EQ(classify(std::string(JsonLimits::kMaxWhitespace, ' ') + "{}"), 'C');
  EXPECT_EQ(classify(std::string(JsonLimits::kMaxWhitespace + 1, ' ') + "{}"), 'R');
  EXPECT_EQ(classify("{}" + std::string(JsonLimits::kMaxWhitespace + 1, '\n')), 'R');
  EXPECT_EQ(classify("{\"a\":" + std::string(JsonLimits::kMaxIntDigits, '9') + "}"), 'C');
  EXPECT_EQ(classify("{\"a\":" + std::string(JsonLimits::kMaxIntDigits + 1, '9') + "}"), 'R');
  EXPECT_EQ(classify("{\"a\":1e99}"), 'C');
  EXPECT_EQ(classify("{\"a\":1e999}"), 'R');
  // Every number the limits allow stays finite for a strict parser.
  const std::string big = "{\"a\":-" + std::string(16, '9') + "." + std::string(16, '9') + "e+99}";
  EXPECT_EQ(classify(big), 'C');
  EXPECT_TRUE(nlohmann_object(big));
}

// Random edits of valid documents: whatever the automaton calls complete, nlohmann parses as an
// object; whatever nlohmann parses as an object (within the limits) the automaton accepts.
TEST(JsonPda, AgreesWithNlohmannOnMutations) {
  const std::vector<std::string> seeds = {
      R"({"a":[1,2,{"b":null}],"c":"x\u00e9y","d":-1.5e3,"e":true,"f":false})",
      "{\"k\":\"\xE2\x82\xAC\\uD83D\\uDE00\",\"l\":[[],{}],\"m\":0.25}",
      "{ \"s\" : \"a\\\"b\" , \"t\" : [ true , false ] }",
  };
  const std::string alphabet = std::string("{}[]\":, \n\\udcDC0819.e-+tfnrlsax") + "\xC3\xA9\xED\xA0\x80\xF0\x9F\x01";
  std::mt19937 rng(7);
  int n_complete = 0, n_checked = 0;
  for (int trial = 0; trial < 200000; ++trial) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + rng() % 3;
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t pos = rng() % s.size();
      switch (rng() % 4) {
        case 0: s.erase(pos, 1); break;
        case 1: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
        case 2: s[pos] = alphabet[rng() % alphabet.size()]; break;
        default: s.insert(pos, s.substr(rng() % s.size(), 1 + rng() % 4)); break;
      }
    }
    const bool ours = classify(s) == 'C';
    const bool theirs = nlohmann_object(s);
    if (ours) {
      ++n_complete;
      ASSERT_TRUE(theirs) << s;
    }
    // Only the digit limits can bite on these small documents (exponents allow 2 digits).
    bool long_digits = false;
    for (size_t i = 0, run = 0; i < s.size(); ++i) {
      run = (s[i] >= '0' && s[i] <= '9') ? run + 1 : 0;
      if (run > 2) long_digits = true;
    }
    if (theirs && !long_digits) {
      ++n_checked;
      ASSERT_TRUE(ours) << s;
    }
  }
  EXPECT_GT(n_complete, 1000);
  EXPECT_GT(n_checked, 1000);
}

nlohmann::json random_value(std::mt19937& rng, int depth) {
  const int kind = depth > 4 ? 2 + rng() % 4 : rng() % 6;
  switch (kind) {
    case 0: {
      nlohmann::json o = nlohmann::json::object();
      for (int i = rng() % 4; i > 0; --i) o["k" + std::to_string(rng() % 100)] = random_value(rng, depth + 1);
      return o;
    }
    case 1: {
      nlohmann::json a = nlohmann::json::array();
      for (int i = rng() % 4; i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    case 2: {
      // Code points from every UTF-8 length, controls and quotes included; none is a surrogate.
      std::string s;
      const uint32_t pool[] = {0x41,  0x22,  0x5C,   0x0A,   0x01,    0x7F,    0xE9,
                               0x7FF, 0x800, 0x20AC, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF};
      for (int i = rng() % 6; i > 0; --i) {
        const uint32_t cp = pool[rng() % std::size(pool)];
        if (cp < 0x80) s += static_cast<char>(cp);
        else if (cp < 0x800) s += {static_cast<char>(0xC0 | cp >> 6), static_cast<char>(0x80 | (cp & 63))};
        else if (cp < 0x10000)
          s += {static_cast<char>(0xE0 | cp >> 12), static_cast<char>(0x80 | (cp >> 6 & 63)),
                static_cast<char>(0x80 | (cp & 63))};
        else
          s += {static_cast<char>(0xF0 | cp >> 18), static_cast<char>(0x80 | (cp >> 12 & 63)),
                static_cast<char>(0x80 | (cp >> 6 & 63)), static_cast<char>(0x80 | (cp & 63))};
      }
      return s;
    }
    case 3: return static_cast<int64_t>(rng()) - (int64_t(1) << 31);
    case 4: return std::ldexp(static_cast<double>(rng()) / 4294967296.0 - 0.5, static_cast<int>(rng() % 200) - 100);
    default: return rng() % 3 == 0 ? nlohmann::json(nullptr) : nlohmann::json(rng() % 2 == 0);
  }
}

TEST(JsonPda, AcceptsDumpsOfRandomObjects) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 3000; ++trial) {
    nlohmann::json o = nlohmann::json::object();
    for (int i = rng() % 5; i > 0; --i) o["f" + std::to_string(i)] = random_value(rng, 1);
    for (const std::string& d : {o.dump(), o.dump(2), o.dump(-1, ' ', /*ensure_ascii=*/true)}) {
      // nlohmann writes doubles with up to 17 significant digits; those may pass the limits.
      if (d.find_first_of(".eE") != std::string::npos && classify(d) == 'R') continue;
      ASSERT_EQ(classify(d), 'C') << d;
    }
  }
}

struct TestVocab {
  std::unique_ptr<Tokenizer> tok;
  std::vector<int32_t> single;  // [256] id of the token whose bytes are that one byte, or -1
};

TestVocab load(const char* name) {
  TestVocab v{Tokenizer::from_gguf_path(vocab_path(name)), std::vector<int32_t>(256, -1)};
  for (int32_t id = 0; id < v.tok->n_vocab(); ++id) {
    const std::string& b = v.tok->token_bytes(id);
    if (b.size() == 1 && !v.tok->is_special(id) && v.single[static_cast<uint8_t>(b[0])] < 0)
      v.single[static_cast<uint8_t>(b[0])] = id;
  }
  return v;
}

// The trie walk allows exactly the tokens that a direct byte-by-byte check allows.
void expect_mask_matches_allows(const TestVocab& v, const JsonConstraint& c, std::vector<float>& logits) {
  std::fill(logits.begin(), logits.end(), 0.0f);
  c.mask(logits.data(), static_cast<int64_t>(logits.size()));
  for (int32_t id = 0; id < static_cast<int32_t>(logits.size()); ++id)
    ASSERT_EQ(std::isfinite(logits[id]), c.allows(id)) << "token " << id << " '" << v.tok->token_text(id) << "'";
}

// Samples tokens uniformly among the allowed ones (argmax of fresh random logits under the
// mask). After `free_steps` tokens it steers to an end by preferring single-byte tokens that
// close things; the text must then be one object that nlohmann parses.
void run_sampling(const char* name, int trials, int free_steps, int check_every) {
  const TestVocab v = load(name);
  const int64_t n = v.tok->n_vocab() + 3;  // models often pad the output layer past the vocab
  std::vector<float> logits(n);
  std::mt19937 rng(1234);
  uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift64: fresh random logits every step, cheaply
  // Tokens made only of JSON punctuation, digits and literal letters (not whitespace alone):
  // favouring them explores nesting, numbers and literals rather than long keys.
  std::vector<int32_t> json_ids, open_ids;  // open_ids: without '}' or ']', to build depth first
  for (int32_t id = 0; id < v.tok->n_vocab(); ++id) {
    const std::string& b = v.tok->token_bytes(id);
    if (!v.tok->is_special(id) && b.find_first_not_of("{}[]\":,0123456789.-+eE truefalsn") == std::string::npos &&
        b.find_first_not_of(' ') != std::string::npos)
      json_ids.push_back(id);
    if (json_ids.size() && json_ids.back() == id && b.find_first_of("}]") == std::string::npos) open_ids.push_back(id);
  }
  double mask_s = 0;
  long masks = 0, tokens_total = 0;
  for (int trial = 0; trial < trials; ++trial) {
    JsonConstraint c(*v.tok);
    std::vector<int32_t> ids;
    std::string bytes;
    bool ended = false;
    for (int step = 0; step < free_steps + 200 && !ended; ++step) {
      if (check_every > 0 && step % check_every == 0) expect_mask_matches_allows(v, c, logits);
      for (float& l : logits) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        l = static_cast<float>(x >> 40) * (1.0f / 16777216.0f);
      }
      if (trial % 3 != 0 && rng() % 10 < 8)
        for (int32_t id : step < free_steps / 2 ? open_ids : json_ids) logits[id] += 1.0f;
      const auto t0 = std::chrono::steady_clock::now();
      c.mask(logits.data(), n);
      mask_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      ++masks;
      int32_t pick = -1;
      if (step >= free_steps) {
        if (c.complete()) break;
        for (char ch : std::string("\"}]:0rueals\\dc")) {
          const int32_t id = v.single[static_cast<uint8_t>(ch)];
          if (id >= 0 && std::isfinite(logits[id])) {
            pick = id;
            break;
          }
        }
      }
      if (pick < 0) pick = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
      ASSERT_TRUE(std::isfinite(logits[pick])) << "nothing allowed after: " << bytes;
      ASSERT_LT(pick, v.tok->n_vocab());
      ASSERT_FALSE(v.tok->is_special(pick) && !v.tok->is_eog(pick)) << "special token " << pick;
      if (v.tok->is_eog(pick)) {
        ASSERT_TRUE(c.complete()) << "EOS before the object ended: " << bytes;
        ended = true;
        break;
      }
      c.accept(pick);
      ids.push_back(pick);
      bytes += v.tok->token_bytes(pick);
    }
    tokens_total += static_cast<long>(ids.size());
    ASSERT_TRUE(c.complete()) << bytes;
    const std::string text = v.tok->decode(ids, /*skip_special=*/true);
    ASSERT_EQ(text, bytes);
    ASSERT_TRUE(nlohmann_object(text)) << text;
    if (trial < 6) std::printf("  sample: %s\n", nlohmann::json(text).dump().c_str());
  }
  std::printf("[%s] %d objects, %ld tokens, mask %.3f ms per call\n", name, trials, tokens_total,
              1e3 * mask_s / static_cast<double>(masks));
}

TEST(JsonConstraint, RandomSamplingDeepSeekLLM) { run_sampling("ggml-vocab-deepseek-llm.gguf", 600, 40, 0); }
TEST(JsonConstraint, RandomSamplingDeepSeekCoder) { run_sampling("ggml-vocab-deepseek-coder.gguf", 1500, 40, 0); }
TEST(JsonConstraint, MaskMatchesDirectCheck) { run_sampling("ggml-vocab-deepseek-coder.gguf", 20, 30, 3); }

TEST(JsonConstraint, EosOnlyWhenCompleteAndSpecialsMasked) {
  const TestVocab v = load("ggml-vocab-deepseek-llm.gguf");
  const Tokenizer& tok = *v.tok;
  JsonConstraint c(tok);
  std::vector<float> logits(tok.n_vocab());
  auto allowed = [&](int32_t id) {
    std::fill(logits.begin(), logits.end(), 1.0f);
    c.mask(logits.data(), tok.n_vocab());
    return std::isfinite(logits[id]);
  };
  ASSERT_GE(tok.eos(), 0);
  EXPECT_FALSE(allowed(tok.eos()));
  EXPECT_FALSE(allowed(v.single['"']));
  EXPECT_TRUE(allowed(v.single['{']));
  EXPECT_THROW(c.accept(tok.eos()), Error);
  EXPECT_THROW(c.accept(v.single['x']), Error);
  for (const char* piece : {"{", "\"", "a", "\"", ":", "1", "}"}) c.accept(v.single[static_cast<uint8_t>(*piece)]);
  EXPECT_TRUE(c.complete());
  EXPECT_TRUE(allowed(tok.eos()));
  EXPECT_FALSE(allowed(v.single['}']));
  EXPECT_TRUE(allowed(v.single['\n']));
  for (int32_t id = 0; id < tok.n_vocab(); ++id)
    if (tok.is_special(id) && !tok.is_eog(id)) {
      EXPECT_FALSE(allowed(id)) << tok.token_text(id);
    }
  c.accept(tok.eos());
  EXPECT_TRUE(c.complete());
}

}  // namespace
}  // namespace seek
