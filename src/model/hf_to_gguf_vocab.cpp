// tokenizer.* keys of a converted checkpoint (hf_to_gguf_detail.h), made from tokenizer.json,
// tokenizer_config.json and config.json the way the converter's _set_vocab_gpt2 and gguf-py's
// SpecialVocab make them. The pre-tokenizer name comes, as there, from the SHA-256 of the ids the
// tokenizer gives the converter's check text (so a DeepSeek-R1-Distill-Qwen tokenizer is
// "deepseek-r1-qwen", not "qwen2", although both split text with the same expression); a hash the
// table does not know falls back to the name of the tokenizer.json's split expressions.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/file.h"
#include "core/sha256.h"
#include "model/hf_to_gguf_detail.h"
#include "tokenizer/tokenizer.h"

namespace seek::hf_gguf {

namespace {

// SHA-256 of the check text's ids, as the converter keys its table.
std::string sha256_hex(const std::string& msg) { return seek::sha256_hex(msg.data(), msg.size()); }

// The converter's check text (get_vocab_base_pre's chktxt): whitespace runs, emoji sequences,
// digit runs, Khmer, Chinese, Cyrillic, repeated punctuation and English contractions.
const char* kCheckText =
    "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n"
    "\xF0\x9F\x9A\x80 (normal) \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F (multiple emojis "
    "concatenated) \xE2\x9C\x85 \xF0\x9F\xA6\x99\xF0\x9F\xA6\x99 3 33 333 3333 33333 333333 3333333 33333333 3.3 "
    "3..3 3...3 "
    "\xE1\x9E\x80\xE1\x9E\xB6\xE1\x9E\x93\xE1\x9F\x8B\xE1\x9E\x8F\xE1\x9F\x82\xE1\x9E\x96\xE1\x9E\xB7\xE1\x9E\x9F"
    "\xE1\x9F\x81\xE1\x9E\x9F\xE1\x9E\xA2\xE1\x9E\xB6\xE1\x9E\x85\xF0\x9F\x98\x81 "
    "?\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8"
    "apple\xE5\xB7\xA5\xE4\xBD\x9C"
    "1314151\xE5\xA4\xA9\xEF\xBD\x9E "
    "------======= \xD0\xBD\xD0\xB5\xD1\x89\xD0\xBE \xD0\xBD\xD0\xB0 "
    "\xD0\x91\xD1\x8A\xD0\xBB\xD0\xB3\xD0\xB0\xD1\x80\xD1\x81\xD0\xBA\xD0\xB8 "
    "''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D "
    "you like some tea? We'Ve a'lL";

// Hashes of the check text's ids from convert_hf_to_gguf.py de3ff81's table (get_vocab_base_pre),
// for the pre-tokenizers seek implements.
struct KnownHash {
  const char* sha256;
  const char* name;
};
constexpr KnownHash kKnownHashes[] = {
    {"877081d19cf6996e2c4ff0e1236341e9b7bde288f5311a56a937f0afbbb3aeb5", "deepseek-v3"},       // DeepSeek-V3
    {"b3f499bb4255f8ca19fccd664443283318f2fd2414d5e0b040fbdd0cc195d6c5", "deepseek-r1-qwen"},  // R1-Distill-Qwen
    {"049ecf7629871e3041641907f3de7c733e4dbfdc736f57d882ba0b0845599754", "deepseek-llm"},      // deepseek-llm-7b
    {"347715f544604f9118bb75ed199f68779f423cabb20db6de6f31b908d04d7821", "deepseek-coder"},    // deepseek-coder
    {"0ef9807a4087ebef797fc749390439009c3b9eda9ad1a097abbe738f486c01e5", "llama-bpe"},         // Meta-Llama-3-8B
    {"e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea", "qwen2"},             // Qwen1.5-7B
    {"d4540891389ea895b53b399da6ac824becc30f2fba0e9ddbb98f92e55ca0e97c", "qwen2"},             // Qwen3-Embedding-0.6B
    {"3ce83efda5659b07b1ad37ca97ca5797ea4285d9b9ab0dc679e4a720c9da7454", "gpt-2"},             // openai-community/gpt2
};

json read_json(const std::string& path, bool required) {
  if (!is_regular_file(path)) {
    if (required) throw FormatError(str(path, ": not found (a byte-level BPE tokenizer.json is needed)"));
    return json();
  }
  json j = json::parse(read_file(path), nullptr, false);
  if (j.is_discarded()) throw FormatError(str(path, ": not valid JSON"));
  return j;
}

// A token given in tokenizer_config.json as a string or as {"content": ...}; "" otherwise.
std::string token_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return "";
}

// The ids HF's tokenizer.encode(text) gives: BOS/EOS as transformers adds them for the tokenizer's
// class (Llama tokenizers from add_bos_token / add_eos_token, others from tokenizer.json's
// TemplateProcessing), then the text's own ids.
std::vector<int32_t> hf_encode(const Tokenizer& tok, const json& tj, const json& cfg, const std::string& text) {
  std::vector<int32_t> ids = tok.encode(text, false, false);
  const std::string cls = cfg.is_object() ? cfg.value("tokenizer_class", "") : "";
  auto id_of = [&](const std::string& t) {
    const int32_t id = tok.token_id(t);
    if (id < 0) throw FormatError(str("tokenizer: special token '", t, "' is not in the vocabulary"));
    return id;
  };
  if (cls.rfind("LlamaTokenizer", 0) == 0 || cls.rfind("CodeLlamaTokenizer", 0) == 0) {
    auto flag = [&](const char* key, bool def) {
      return cfg.contains(key) && cfg[key].is_boolean() ? cfg[key].get<bool>() : def;
    };
    if (flag("add_bos_token", true) && cfg.contains("bos_token"))
      ids.insert(ids.begin(), id_of(token_text(cfg["bos_token"])));
    if (flag("add_eos_token", false) && cfg.contains("eos_token")) ids.push_back(id_of(token_text(cfg["eos_token"])));
    return ids;
  }
  const json pp = tj.value("post_processor", json());
  if (!pp.is_object()) return ids;
  json procs = pp.contains("processors") ? pp["processors"] : json::array();
  if (!pp.contains("processors")) procs.push_back(pp);
  for (const json& p : procs) {
    if (p.value("type", "") != "TemplateProcessing" || !p.contains("single")) continue;
    std::vector<int32_t> before, after;
    bool seen_seq = false;
    for (const json& piece : p["single"]) {
      if (piece.contains("Sequence")) {
        seen_seq = true;
        continue;
      }
      if (!piece.contains("SpecialToken")) continue;
      const std::string name = piece["SpecialToken"].value("id", "");
      const json& st = p.value("special_tokens", json::object());
      std::vector<int32_t> sid;
      if (st.contains(name) && st[name].contains("ids"))
        for (const json& x : st[name]["ids"]) sid.push_back(x.get<int32_t>());
      else sid.push_back(id_of(name));
      (seen_seq ? after : before).insert((seen_seq ? after : before).end(), sid.begin(), sid.end());
    }
    ids.insert(ids.begin(), before.begin(), before.end());
    ids.insert(ids.end(), after.begin(), after.end());
  }
  return ids;
}

std::string pre_tokenizer_name(const Tokenizer& tok, const json& tj, const json& cfg, const std::string& where) {
  const std::vector<int32_t> ids = hf_encode(tok, tj, cfg, kCheckText);
  std::string text = "[";  // Python's str(list)
  for (size_t i = 0; i < ids.size(); ++i) text += (i ? ", " : "") + std::to_string(ids[i]);
  text += "]";
  const std::string hash = sha256_hex(text);
  for (const KnownHash& k : kKnownHashes)
    if (hash == k.sha256) return k.name;
  if (!tok.pre_name().empty()) {
    std::fprintf(stderr,
                 "warning: %s: the check-text hash %s is not in convert_hf_to_gguf.py's table (which would refuse "
                 "this tokenizer); naming the pre-tokenizer by its split expressions: %s\n",
                 where.c_str(), hash.c_str(), tok.pre_name().c_str());
    return tok.pre_name();
  }
  throw FormatError(str(where, ": the BPE pre-tokenizer was not recognised (check-text hash ", hash,
                        ", and its split expressions match no preset llama.cpp knows)"));
}

bool looks_special(const std::string& t) {  // the converter's does_token_look_special
  auto wrapped = [&](const char* a, const char* b) {
    const size_t la = std::strlen(a), lb = std::strlen(b);
    return t.size() >= la + lb && t.compare(0, la, a) == 0 && t.compare(t.size() - lb, lb, b) == 0;
  };
  return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wrapped("<|", "|>") ||
         wrapped("<\xEF\xBD\x9C", "\xEF\xBD\x9C>") || wrapped("<unused", ">");
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

// gguf-py's SpecialVocab over tokenizer.json + tokenizer_config.json + config.json.
struct SpecialVocab {
  std::vector<std::string> merges;
  std::vector<std::pair<std::string, int64_t>> ids;  // "bos" -> id, first set wins, in order set
  std::vector<std::pair<std::string, bool>> add;     // "bos" -> add_bos_token
  json chat_template;                                // string, list of {name, template}, or null
  std::optional<bool> lowercase, strip_accents;

  void set_id(const std::string& typ, const json& v) {
    if (!v.is_number_integer()) return;
    const int64_t id = v.get<int64_t>();
    if (id < 0) throw FormatError(str("invalid value for special token type ", typ, ": ", id));
    for (const auto& [t, _] : ids)
      if (t == typ) return;
    ids.emplace_back(typ, id);
  }
  void set_add(const std::string& typ, bool v) {
    for (auto& [t, x] : add)
      if (t == typ) {
        x = v;
        return;
      }
    add.emplace_back(typ, v);
  }
  void normalizer(const json& n) {
    const std::string type = n.value("type", "");
    if (type == "Lowercase") lowercase = true;
    else if (type == "StripAccents") strip_accents = true;
    else if (type == "BertNormalizer") {
      if (n.contains("lowercase") && n["lowercase"].is_boolean()) lowercase = n["lowercase"].get<bool>();
      if (n.contains("strip_accents") && n["strip_accents"].is_boolean())
        strip_accents = n["strip_accents"].get<bool>();
    } else if (type == "Sequence") {
      for (const json& x : n.value("normalizers", json::array())) normalizer(x);
    }
  }
};

SpecialVocab special_vocab(const std::string& dir, const json& tj) {
  SpecialVocab sv;
  std::vector<std::string> types = {"bos", "eos", "unk", "sep", "pad", "cls", "mask"};
  const json& merges = tj["model"].value("merges", json::array());
  for (const json& m : merges) {
    if (m.is_string()) {
      sv.merges.push_back(m.get<std::string>());
    } else if (m.is_array() && m.size() == 2) {
      // transformers >= 4.45 pairs: spaces inside a side are written as U+0120, as the converter does.
      sv.merges.push_back(replace_all(m[0].get<std::string>(), " ", "\xC4\xA0") + " " +
                          replace_all(m[1].get<std::string>(), " ", "\xC4\xA0"));
    } else {
      throw FormatError("tokenizer.json model.merges: unknown format");
    }
  }
  if (tj.contains("normalizer") && tj["normalizer"].is_object()) sv.normalizer(tj["normalizer"]);
  const json added = tj.value("added_tokens", json::array());
  json cfg = read_json(dir + "/tokenizer_config.json", false);
  const bool has_cfg = cfg.is_object() && !cfg.empty();
  auto cfg_get = [&](const char* k) { return has_cfg && cfg.contains(k) ? cfg[k] : json(); };
  auto truthy = [](const json& v) {
    return !(v.is_null() || (v.is_string() && v.get<std::string>().empty()) || (v.is_object() && v.empty()) ||
             (v.is_boolean() && !v.get<bool>()));
  };
  json special_bos = cfg_get("bos_token"), special_cls = cfg_get("cls_token");
  json special_eos = cfg_get("eos_token"), special_sep = cfg_get("sep_token");
  if (!truthy(special_bos) && truthy(special_cls) && has_cfg) cfg["bos_token"] = special_bos = special_cls;
  if (!truthy(special_eos) && truthy(special_sep) && has_cfg) cfg["eos_token"] = special_eos = special_sep;
  const json pp = tj.value("post_processor", json());
  if (pp.is_object()) {
    json procs = pp.contains("processors") ? pp["processors"] : json::array();
    if (!pp.contains("processors")) procs.push_back(pp);
    for (const json& p : procs) {
      const std::string type = p.value("type", "");
      if (type == "RobertaProcessing") {
        sv.set_add("bos", true);
        sv.set_add("eos", true);
        sv.set_add("sep", true);
        if (!truthy(special_cls) && has_cfg)
          cfg["cls_token"] = special_cls = p.contains("cls") ? p["cls"][0] : special_bos;
        if (!truthy(special_sep) && has_cfg)
          cfg["sep_token"] = special_sep = p.contains("sep") ? p["sep"][0] : special_eos;
        continue;
      }
      if (type != "TemplateProcessing") continue;
      // The converter's crude reading of simple templates: a leading special token means BOS
      // (or CLS), a trailing one EOS (an existing different EOS moves to EOT, then EOM).
      const json single = p.value("single", json::array()), pair = p.value("pair", json::array());
      json first, last;
      if (single.size() > 1) {
        first = single[0].value("SpecialToken", json::object()).value("id", json());
        if (truthy(first)) {
          if (!has_cfg) {
            special_bos = first;
          } else if (first != special_bos && first != special_cls) {
            if (!truthy(special_bos)) cfg["bos_token"] = special_bos = first;
            if (!truthy(special_cls)) cfg["cls_token"] = special_cls = first;
          }
          sv.set_add("bos", first == special_bos || first == special_cls);
        }
        last = single.back().value("SpecialToken", json::object()).value("id", json());
        if (truthy(last)) {
          if (!has_cfg) {
            special_eos = last;
          } else if (last != special_eos) {
            if (std::find(types.begin(), types.end(), "eot") == types.end()) {
              types.push_back("eot");
              cfg["eot_token"] = special_eos;
            } else if (std::find(types.begin(), types.end(), "eom") == types.end()) {
              types.push_back("eom");
              cfg["eom_token"] = special_eos;
            }
            cfg["eos_token"] = special_eos = last;
          }
          sv.set_add("eos", last == special_eos);
        }
      }
      if (!pair.empty()) {
        size_t b = 0, e = pair.size();
        if (truthy(first) && pair[0].value("SpecialToken", json::object()).value("id", json()) == first) b = 1;
        if (truthy(last) && pair.back().value("SpecialToken", json::object()).value("id", json()) == last) --e;
        if (b < e) {
          const std::string a = pair[b].value("Sequence", json::object()).value("id", "");
          const std::string z = pair[e - 1].value("Sequence", json::object()).value("id", "");
          if (a == "A" && z == "B" && e - b > 2) {  // A [sep] [eos] B
            bool add_sep = false;
            auto sep_at = [&](size_t k) {
              const json id = pair[k].value("SpecialToken", json::object()).value("id", json());
              return truthy(id) && (id == special_sep || id == special_eos);
            };
            if (sep_at(b + 1) && !truthy(last)) add_sep = true;
            if (e - b - 2 == 2 && sep_at(b + 2)) add_sep = true;
            sv.set_add("sep", add_sep);
            if (add_sep && !truthy(special_sep) && has_cfg) cfg["sep_token"] = special_eos;
          }
        }
      }
    }
  }
  if (has_cfg) {
    json alt;
    const std::string jinja = dir + "/chat_template.jinja", cjson = dir + "/chat_template.json";
    if (is_regular_file(jinja)) {
      alt = read_file(jinja);
      const std::string extra = dir + "/additional_chat_templates";
      std::vector<std::filesystem::path> more;
      if (is_dir(extra))
        for (const auto& e : std::filesystem::directory_iterator(extra))
          if (e.path().extension() == ".jinja") more.push_back(e.path());
      std::sort(more.begin(), more.end());
      if (!more.empty()) {
        json list = json::array({{{"name", "default"}, {"template", alt}}});
        for (const auto& p : more) list.push_back({{"name", p.stem().string()}, {"template", read_file(p.string())}});
        alt = list;
      }
    } else if (is_regular_file(cjson)) {
      const json j = read_json(cjson, false);
      if (j.is_object() && j.contains("chat_template")) alt = j["chat_template"];
    }
    const json ct = cfg.contains("chat_template") ? cfg["chat_template"] : alt;
    if (ct.is_string() || ct.is_array()) sv.chat_template = ct;
    for (const std::string& typ : types) {
      const json add_entry = cfg_get(("add_" + typ + "_token").c_str());
      if (add_entry.is_boolean()) sv.set_add(typ, add_entry.get<bool>());
      const std::string content = token_text(cfg.contains(typ + "_token") ? cfg[typ + "_token"] : json());
      if (content.empty() && !(cfg.contains(typ + "_token") && cfg[typ + "_token"].is_string())) continue;
      for (const json& a : added)
        if (a.value("content", "") == content) {
          sv.set_id(typ, a.value("id", json()));
          break;
        }
    }
  }
  const json model_cfg = read_json(dir + "/config.json", false);
  if (model_cfg.is_object())
    for (const std::string& typ : types) {
      json v = model_cfg.value(typ + "_token_id", json());
      if (v.is_null() && model_cfg.contains("text_config") && model_cfg["text_config"].is_object())
        v = model_cfg["text_config"].value(typ + "_token_id", json());
      sv.set_id(typ, v);
    }
  return sv;
}

}  // namespace

void add_tokenizer_keys(KvList& kv, const std::string& dir, int64_t n_vocab) {
  const std::string path = dir + "/tokenizer.json";
  const json tj = read_json(path, true);
  if (!tj.is_object() || !tj.contains("model") || !tj["model"].is_object())
    throw FormatError(str(path, ": expected an object with a \"model\""));
  const json cfg = read_json(dir + "/tokenizer_config.json", false);
  const std::unique_ptr<Tokenizer> tok = Tokenizer::from_hf_json(path);

  // tokenizer.vocab of a fast tokenizer: the model's vocabulary and the added tokens.
  std::map<int64_t, std::string> by_id;
  const json vocab = tj["model"].value("vocab", json::object());
  for (const auto& [text, id] : vocab.items()) by_id[id.get<int64_t>()] = text;
  std::map<std::string, const json*> added;  // content -> its added_tokens entry
  const json added_list = tj.value("added_tokens", json::array());
  for (const json& a : added_list) {
    by_id[a.at("id").get<int64_t>()] = a.at("content").get<std::string>();
    added[a.at("content").get<std::string>()] = &a;
  }
  if (!by_id.empty() && by_id.rbegin()->first >= n_vocab)
    throw FormatError(str(path, ": token id ", by_id.rbegin()->first, " is not below config.json's vocab_size ",
                          n_vocab));
  const std::string pre = pre_tokenizer_name(*tok, tj, cfg, path);

  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  tokens.reserve(static_cast<size_t>(n_vocab));
  types.reserve(static_cast<size_t>(n_vocab));
  for (int64_t i = 0; i < n_vocab; ++i) {
    auto it = by_id.find(i);
    if (it == by_id.end()) {
      tokens.push_back(str("[PAD", i, "]"));
      types.push_back(static_cast<int32_t>(TokenType::Unused));
      continue;
    }
    std::string t = it->second;
    auto a = added.find(t);
    if (a == added.end()) {
      types.push_back(static_cast<int32_t>(TokenType::Normal));
    } else if (a->second->value("special", false) || looks_special(t)) {
      types.push_back(static_cast<int32_t>(TokenType::Control));
    } else {
      t = replace_all(t, "\xE2\x96\x81", " ");  // user-defined tokens are pre-normalised (U+2581 -> space)
      types.push_back(static_cast<int32_t>(TokenType::UserDefined));
    }
    tokens.push_back(t);
  }
  kv.set_string("tokenizer.ggml.model", "gpt2");
  kv.set_string("tokenizer.ggml.pre", pre);
  kv.set_strings("tokenizer.ggml.tokens", tokens);
  if (!types.empty()) kv.set("tokenizer.ggml.token_type", GGUFValue::of_i32s(types));

  const SpecialVocab sv = special_vocab(dir, tj);
  if (sv.merges.empty()) std::fprintf(stderr, "warning: %s: no merges, the vocabulary may not work\n", path.c_str());
  kv.set_strings("tokenizer.ggml.merges", sv.merges);
  static const std::map<std::string, std::string> id_keys = {
      {"bos", "bos_token_id"},       {"eos", "eos_token_id"},     {"unk", "unknown_token_id"},
      {"sep", "seperator_token_id"}, {"pad", "padding_token_id"}, {"mask", "mask_token_id"},
      {"eot", "eot_token_id"},       {"eom", "eom_token_id"},
  };  // gguf-py has no cls id key: the converter skips it
  for (const auto& [typ, id] : sv.ids)
    if (auto k = id_keys.find(typ); k != id_keys.end()) kv.set_u32("tokenizer.ggml." + k->second, id);
  for (const auto& [typ, v] : sv.add)
    if (typ == "bos" || typ == "eos" || typ == "sep") kv.set_bool("tokenizer.ggml.add_" + typ + "_token", v);
  if (sv.chat_template.is_string()) {
    kv.set_string("tokenizer.chat_template", sv.chat_template.get<std::string>());
  } else if (sv.chat_template.is_array()) {
    std::string def;
    bool has_def = false;
    std::set<std::string> names;
    for (const json& c : sv.chat_template) {
      std::string name = c.value("name", "");
      for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      if (name.empty() || !c.contains("template") || !c["template"].is_string()) continue;
      if (name == "default") {
        def = c["template"].get<std::string>();
        has_def = true;
      } else {
        names.insert(name);
        kv.set_string("tokenizer.chat_template." + name, c["template"].get<std::string>());
      }
    }
    kv.set_strings("tokenizer.chat_templates", std::vector<std::string>(names.begin(), names.end()));
    if (has_def) kv.set_string("tokenizer.chat_template", def);
  }
  if (sv.lowercase) kv.set_bool("tokenizer.ggml.normalizer.lowercase", *sv.lowercase);
  if (sv.strip_accents) kv.set_bool("tokenizer.ggml.normalizer.strip_accents", *sv.strip_accents);
}

}  // namespace seek::hf_gguf
