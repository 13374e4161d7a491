// Loads a byte-level BPE tokenizer from HF tokenizer.json (model.type = BPE with a ByteLevel
// decoder), and bos/eos, add_bos_token and chat_template from tokenizer_config.json.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_detail.h"
#include "tokenizer/unicode.h"

namespace seek {

namespace {

using nlohmann::json;

std::string token_content(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content")) return v["content"].get<std::string>();
  return "";
}

void split_merge(const json& m, size_t index, std::string& a, std::string& b) {
  if (m.is_array() && m.size() == 2) {
    a = m[0].get<std::string>();
    b = m[1].get<std::string>();
    return;
  }
  if (!m.is_string()) throw FormatError(str("tokenizer.json model.merges[", index, "]: expected \"a b\" or [a, b]"));
  const std::string s = m.get<std::string>();
  const size_t sp = s.find(' ', 1);
  if (sp == std::string::npos)
    throw FormatError(str("tokenizer.json model.merges[", index, "]: no space in '", s, "'"));
  a = s.substr(0, sp);
  b = s.substr(sp + 1);
}

void check_normalizer(const json& n) {
  if (n.is_null()) return;
  const std::string type = n.value("type", "");
  if (type == "Sequence") {
    for (const auto& x : n.at("normalizers")) check_normalizer(x);
  } else if (type != "NFC") {  // NFC: not applied (see docs/tokenizer.md); only non-NFC input differs
    throw FormatError(str("tokenizer.json normalizer: unsupported type '", type, "'"));
  }
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_hf_json_text(const std::string& tokenizer_json,
                                                        const std::string& config_json) {
  json j;
  try {
    j = json::parse(tokenizer_json);
  } catch (const json::exception& e) {
    throw FormatError(str("tokenizer.json: ", e.what()));
  }
  try {
    const json& model = j.at("model");
    const std::string type = model.value("type", "BPE");
    if (type != "BPE") throw FormatError(str("tokenizer.json model.type: expected BPE, got ", type));
    if (model.value("byte_fallback", false) || !j.contains("decoder") || j["decoder"].is_null() ||
        j["decoder"].value("type", "") != "ByteLevel")
      throw FormatError("tokenizer.json: only byte-level BPE (decoder type ByteLevel) is supported");
    check_normalizer(j.value("normalizer", json()));

    TokenizerSpec spec;
    spec.kind = TokenizerKind::BPE;
    int64_t n = 0;
    for (const auto& [k, v] : model.at("vocab").items()) n = std::max<int64_t>(n, v.get<int64_t>() + 1);
    const json added = j.value("added_tokens", json::array());
    for (const auto& t : added) n = std::max<int64_t>(n, t.at("id").get<int64_t>() + 1);
    if (n <= 0 || n > (1 << 24)) throw FormatError(str("tokenizer.json: vocabulary size ", n, " out of range"));
    spec.vocab.tokens.resize(n);
    for (auto& t : spec.vocab.tokens) t.type = TokenType::Unused;
    for (const auto& [k, v] : model.at("vocab").items()) {
      const int64_t id = v.get<int64_t>();
      if (id < 0) throw FormatError(str("tokenizer.json model.vocab['", k, "']: negative id ", id));
      TokenData& t = spec.vocab.tokens[id];
      t.spelling = k;
      t.type = TokenType::Normal;
      if (!byte_level_decode(k, t.bytes)) t.bytes = k;
    }
    for (const auto& a : added) {
      const int64_t id = a.at("id").get<int64_t>();
      if (id < 0) throw FormatError(str("tokenizer.json added_tokens: negative id ", id));
      TokenData& t = spec.vocab.tokens[id];
      t.spelling = t.bytes = a.at("content").get<std::string>();
      t.special = a.value("special", false);
      t.type = t.special ? TokenType::Control : TokenType::UserDefined;
      t.lstrip = a.value("lstrip", false);
      t.rstrip = a.value("rstrip", false);
    }
    const json& merges = model.at("merges");
    spec.merges.reserve(merges.size());
    std::string a, b, ra, rb;
    for (size_t i = 0; i < merges.size(); ++i) {
      split_merge(merges[i], i, a, b);
      if (!byte_level_decode(a, ra) || !byte_level_decode(b, rb))
        throw FormatError(str("tokenizer.json model.merges[", i, "]: '", a, " ", b, "' is not byte-level text"));
      spec.merges.emplace_back(ra, rb);
    }
    spec.ignore_merges = model.value("ignore_merges", false);
    spec.pre_patterns = PreTokenizer::from_hf_json(j.value("pre_tokenizer", json())).patterns();
    spec.pre_name = detail::preset_name_for(spec.pre_patterns);

    if (!config_json.empty()) {
      json c;
      try {
        c = json::parse(config_json);
      } catch (const json::exception& e) {
        throw FormatError(str("tokenizer_config.json: ", e.what()));
      }
      auto find_id = [&](const char* key) -> int32_t {
        if (!c.contains(key)) return -1;
        const std::string s = token_content(c[key]);
        if (s.empty()) return -1;
        for (int32_t id = 0; id < spec.vocab.size(); ++id)
          if (spec.vocab.tokens[id].spelling == s) return id;
        throw FormatError(str("tokenizer_config.json ", key, ": '", s, "' is not in the vocabulary"));
      };
      spec.vocab.bos = find_id("bos_token");
      spec.vocab.eos = find_id("eos_token");
      spec.vocab.pad = find_id("pad_token");
      spec.vocab.unk = find_id("unk_token");
      spec.vocab.add_bos = c.value("add_bos_token", false);
      if (c.contains("chat_template")) {
        const json& ct = c["chat_template"];
        if (ct.is_string()) {
          spec.chat_template = ct.get<std::string>();
        } else if (ct.is_array()) {
          for (const auto& e : ct)
            if (e.value("name", "") == "default") spec.chat_template = e.value("template", "");
        }
      }
    }
    detail::detect_eot(spec.vocab);
    return std::make_unique<Tokenizer>(std::move(spec));
  } catch (const json::exception& e) {
    throw FormatError(str("tokenizer.json: ", e.what()));
  }
}

std::unique_ptr<Tokenizer> Tokenizer::from_hf_json(const std::string& path) {
  const std::string text = read_file(path);
  const auto config = std::filesystem::path(path).parent_path() / "tokenizer_config.json";
  std::string config_text;
  if (std::filesystem::exists(config)) config_text = read_file(config.string());
  try {
    return from_hf_json_text(text, config_text);
  } catch (const FormatError& e) {
    throw FormatError(str(path, ": ", e.what()));
  }
}

}  // namespace seek
