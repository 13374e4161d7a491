// Regex pre-tokenizers on PCRE2 (see pretokenizer.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/pretokenizer.h"

#include <pcre2.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace seek {

namespace {

// GPT-2's expression; HF's ByteLevel pre-tokenizer applies it when use_regex is true.
const char* kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Llama-3 (llama.cpp spells the case-insensitive contractions out; the same set of strings).
const char* kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Qwen2 / R1-Distill-Qwen: as Llama-3 but single digits.
const char* kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// seek's own before 2026-12 (`seek quickstart`): single digits, and everything else in runs that end
// after a ':' or a newline. Read only, for models trained with it: llama.cpp refuses the name, so
// nothing seek writes uses it any more (the trainer takes only names llama.cpp knows).
const char* kSeekDigits = R"(\p{N}|[^\p{N}:\n]+[:\n]?|[:\n])";

// DeepSeek-V3 / R1 (tokenizer.json pre_tokenizer, three Splits in sequence).
const std::vector<std::string> kDeepSeekV3 = {
    R"(\p{N}{1,3})",
    "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
    "?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
};

// DeepSeek-LLM / V2: the letter class lists the cased-letter ranges explicitly.
const std::vector<std::string> kDeepSeekLLM = {
    "[\r\n]",
    "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373"
    "\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481"
    "\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf"
    "\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d"
    "\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4"
    "\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107"
    "\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f"
    "\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d"
    "\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17"
    "\uff21-\uff3a\uff41-\uff5a\U00010400-\U0001044f\U000104b0-\U000104d3\U000104d8-\U000104fb"
    "\U00010c80-\U00010cb2\U00010cc0-\U00010cf2\U000118a0-\U000118df\U0001e900-\U0001e943]+",
    "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+",
    "\\s+$",
    "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+",
    "\\p{N}+",
};

const std::vector<std::string> kDeepSeekCoder = {
    "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}",
};

const std::map<std::string, std::vector<std::string>>& presets() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"deepseek-v3", kDeepSeekV3},
      {"deepseek-llm", kDeepSeekLLM},
      {"deepseek-coder", kDeepSeekCoder},
      {"qwen2", {kQwen2}},
      {"deepseek-r1-qwen", {kQwen2}},
      {"llama-bpe", {kLlama3}},
      {"llama3", {kLlama3}},
      {"gpt2", {kGpt2}},
      {"default", {kGpt2}},
      {"seek-digits", {kSeekDigits}},
  };
  return m;
}

struct MatchData {
  pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
  ~MatchData() { pcre2_match_data_free(md); }
};

pcre2_match_data* thread_match_data() {
  thread_local MatchData m;
  return m.md;
}

}  // namespace

RegexSplitter::RegexSplitter(const std::string& pattern) : pattern_(pattern) {
  int err = 0;
  PCRE2_SIZE off = 0;
  // DOLLAR_ENDONLY: `$` means the end of the piece, as in the Rust/Oniguruma regexes HF uses.
  const uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY | PCRE2_NO_UTF_CHECK;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), opts, &err, &off,
                                   nullptr);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw FormatError(str("pre-tokenizer regex '", pattern, "': ", reinterpret_cast<char*>(msg), " at offset ", off));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
  code_ = code;
}

RegexSplitter::~RegexSplitter() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

void RegexSplitter::split(std::string_view text, std::vector<std::string_view>& out) const {
  auto* code = static_cast<pcre2_code*>(code_);
  pcre2_match_data* md = thread_match_data();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0, gap_start = 0;
  while (pos < text.size()) {
    const int rc = pcre2_match(code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, md, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0 && rc != 0) throw Error(str("pre-tokenizer regex '", pattern_, "': match error ", rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t b = ov[0], e = ov[1];
    if (e == b) {  // empty match: step one code point and keep the text in the gap
      pos = b + 1;
      while (pos < text.size() && (static_cast<uint8_t>(text[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    if (b > gap_start) out.push_back(text.substr(gap_start, b - gap_start));
    out.push_back(text.substr(b, e - b));
    pos = gap_start = e;
  }
  if (gap_start < text.size()) out.push_back(text.substr(gap_start));
}

PreTokenizer::PreTokenizer(const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) splitters_.push_back(std::make_shared<RegexSplitter>(p));
}

bool PreTokenizer::is_known_name(const std::string& name) { return presets().count(name) != 0; }

bool PreTokenizer::is_writable_name(const std::string& name) { return is_known_name(name) && name != "seek-digits"; }

std::vector<std::string> PreTokenizer::patterns_for(const std::string& name) {
  auto it = presets().find(name);
  if (it == presets().end()) {
    std::string known;
    for (const auto& [k, v] : presets()) known += (known.empty() ? "" : ", ") + k;
    throw FormatError(str("tokenizer.ggml.pre: unknown pre-tokenizer '", name, "' (known: ", known, ")"));
  }
  return it->second;
}

PreTokenizer PreTokenizer::from_name(const std::string& name) { return PreTokenizer(patterns_for(name)); }

namespace {

void collect_hf(const nlohmann::json& pre, std::vector<std::string>& patterns) {
  if (pre.is_null()) return;
  const std::string type = pre.value("type", "");
  if (type == "Sequence") {
    for (const auto& p : pre.at("pretokenizers")) collect_hf(p, patterns);
  } else if (type == "Split") {
    const auto& pat = pre.at("pattern");
    std::string p;
    if (pat.contains("Regex")) {
      p = pat["Regex"].get<std::string>();
    } else {  // a literal string: quote it
      p = "\\Q" + pat.at("String").get<std::string>() + "\\E";
    }
    const std::string behavior = pre.value("behavior", "Isolated");
    if (behavior != "Isolated" || pre.value("invert", false))
      throw FormatError(str("tokenizer.json pre_tokenizer Split: expected behavior Isolated without invert, got ",
                            behavior));
    patterns.push_back(p);
  } else if (type == "ByteLevel") {
    if (pre.value("add_prefix_space", false))
      throw FormatError("tokenizer.json pre_tokenizer ByteLevel: add_prefix_space=true is not supported");
    if (pre.value("use_regex", true)) patterns.push_back(kGpt2);
  } else if (type == "Digits") {
    patterns.push_back(pre.value("individual_digits", false) ? "\\p{N}" : "\\p{N}+");
  } else {
    throw FormatError(str("tokenizer.json pre_tokenizer: unsupported type '", type, "'"));
  }
}

}  // namespace

PreTokenizer PreTokenizer::from_hf_json(const nlohmann::json& pre) {
  std::vector<std::string> patterns;
  collect_hf(pre, patterns);
  return PreTokenizer(patterns);
}

std::vector<std::string> PreTokenizer::patterns() const {
  std::vector<std::string> p;
  for (const auto& s : splitters_) p.push_back(s->pattern());
  return p;
}

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& out) const {
  if (splitters_.empty()) {
    if (!text.empty()) out.push_back(text);
    return;
  }
  if (splitters_.size() == 1) {
    splitters_[0]->split(text, out);
    return;
  }
  thread_local std::vector<std::string_view> a, b;
  a.clear();
  splitters_[0]->split(text, a);
  for (size_t k = 1; k < splitters_.size(); ++k) {
    std::vector<std::string_view>& dst = (k + 1 == splitters_.size()) ? out : b;
    if (&dst == &b) b.clear();
    for (std::string_view piece : a) splitters_[k]->split(piece, dst);
    if (&dst == &b) std::swap(a, b);
  }
}

}  // namespace seek

#include "tokenizer/tokenizer_detail.h"

namespace seek::detail {

std::string preset_name_for(const std::vector<std::string>& patterns) {
  // HF tokenizer.json spells Qwen2's and Llama-3's contractions with (?i:...).
  static const std::vector<std::pair<std::string, std::vector<std::string>>> hf_spellings = {
      {"qwen2",
       {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}},
      {"llama-bpe",
       {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}},
  };
  for (const char* name : {"deepseek-v3", "deepseek-llm", "deepseek-coder", "qwen2", "llama-bpe", "gpt2"})
    if (PreTokenizer::patterns_for(name) == patterns) return name;
  for (const auto& [name, p] : hf_spellings)
    if (p == patterns) return name;
  return "";
}

}  // namespace seek::detail
