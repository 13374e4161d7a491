// Regex pre-tokenizers: a sequence of PCRE2 patterns (UTF + UCP, JIT-compiled), each splitting
// every piece the previous one produced into matches and the gaps between them (HF tokenizers'
// Split with behavior "Isolated"). Presets follow GGUF `tokenizer.ggml.pre` names, with the
// expressions taken from the models' tokenizer.json files and llama.cpp's llama-vocab (facts).
#pragma once
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace seek {

// One compiled pattern. Thread-safe: match data is per thread.
class RegexSplitter {
 public:
  explicit RegexSplitter(const std::string& pattern);  // throws FormatError on a bad pattern
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;
  // Appends the pieces of `text` (valid UTF-8) to `out`: every match and every gap, in order.
  void split(std::string_view text, std::vector<std::string_view>& out) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  void* code_ = nullptr;  // pcre2_code_8*
};

class PreTokenizer {
 public:
  PreTokenizer() = default;
  explicit PreTokenizer(const std::vector<std::string>& patterns);
  // A GGUF `tokenizer.ggml.pre` name: deepseek-v3, deepseek-llm, deepseek-coder, qwen2,
  // deepseek-r1-qwen, llama-bpe (llama3), gpt2/default. Throws FormatError for unknown names.
  static PreTokenizer from_name(const std::string& name);
  static bool is_known_name(const std::string& name);
  // A name llama.cpp knows too (all but seek's old "seek-digits"): the only ones seek writes.
  static bool is_writable_name(const std::string& name);
  // The `pre_tokenizer` object of a tokenizer.json (Sequence / Split / ByteLevel).
  static PreTokenizer from_hf_json(const nlohmann::json& pre);
  // The patterns of a preset (used by the trainer and the GGUF writer).
  static std::vector<std::string> patterns_for(const std::string& name);

  // Splits valid UTF-8 `text` into pre-tokens (views into text). No patterns: one piece.
  void split(std::string_view text, std::vector<std::string_view>& out) const;
  bool empty() const { return splitters_.empty(); }
  std::vector<std::string> patterns() const;

 private:
  std::vector<std::shared_ptr<RegexSplitter>> splitters_;
};

}  // namespace seek
