// general.* keys of a converted checkpoint (hf_to_gguf_detail.h), made as gguf-py's Metadata makes
// them: the model card's YAML front matter first, then config.json's _name_or_path, then the
// directory's name, each filling only what is still unset; names are split into basename, size
// label, finetune and version by the same rules, so "DeepSeek-R1-Distill-Qwen-7B" gives the same
// general.name / basename / size_label / finetune as the converter.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>

#include "core/error.h"
#include "core/file.h"
#include "model/hf_to_gguf_detail.h"

namespace seek::hf_gguf {

namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? sep : "") + parts[i];
  return s;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

bool full_match_icase(const std::string& s, const char* pattern) {
  return std::regex_match(s, std::regex(pattern, std::regex::ECMAScript | std::regex::icase));
}

// Python's str.islower / str.title on ASCII words: a word is lowercase when it has a letter and
// no capital; title() capitalises each run of letters (so "r1" -> "R1", "3b" -> "3B").
bool py_islower(const std::string& w) {
  bool cased = false;
  for (char c : w) {
    if (is_upper(c)) return false;
    cased = cased || is_lower(c);
  }
  return cased;
}

std::string py_title(const std::string& w) {
  std::string out;
  bool prev_letter = false;
  for (char c : w) {
    const bool letter = std::isalpha(static_cast<unsigned char>(c)) != 0;
    out += letter ? static_cast<char>(prev_letter ? std::tolower(c) : std::toupper(c)) : c;
    prev_letter = letter;
  }
  return out;
}

// Metadata.id_to_title: "deepseek-r1-distill" -> "Deepseek R1 Distill"; versions and words that
// start with a digit stay as they are.
std::string id_to_title(const std::string& s) {
  std::string spaced = s;
  for (char& c : spaced)
    if (c == '-') c = ' ';
  std::vector<std::string> words;
  std::string w;
  for (char c : spaced + " ") {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!w.empty()) words.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  for (std::string& x : words) {
    static const std::regex keep(R"(^(v\d+(?:\.\d+)*|\d.*)$)");
    if (py_islower(x) && !std::regex_search(x, keep)) x = py_title(x);
  }
  return join(words, " ");
}

struct IdParts {
  std::optional<std::string> full_name, org, basename, finetune, version, size_label;
};

// Metadata.get_model_id_components: "org/Name-7B-Instruct-v1.0" annotated part by part.
IdParts model_id_components(const std::optional<std::string>& id, int64_t total_params) {
  IdParts r;
  if (!id) return r;
  if (id->find(' ') != std::string::npos) {
    r.full_name = *id;
    return r;
  }
  std::string name = *id;
  if (const size_t slash = id->find('/'); slash != std::string::npos) {
    r.org = id->substr(0, slash);
    name = id->substr(slash + 1);
  }
  if (r.org && !r.org->empty() && (*r.org)[0] == '.') r.org.reset();  // "./x" or "../x" are paths
  r.full_name = name;

  std::vector<std::string> parts;
  for (const std::string& p : split_on(name, '-'))
    if (!p.empty()) parts.push_back(p);
  enum Tag { kBase = 1, kSize = 2, kFinetune = 4, kVersion = 8, kType = 16 };
  std::vector<int> tags(parts.size(), 0);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string part = parts[i];
    if (full_match_icase(part, R"((v|iter)?\d+([.]\d+)*)")) {
      tags[i] |= kVersion;
    } else if (full_match_icase(part, R"(i?q\d(_\w)*|b?fp?(16|32))")) {
      tags[i] |= kType;
      for (char& c : part) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      parts[i] = part;
    } else if (i > 0 &&
               full_match_icase(part, R"((([A]|\d+[x])?\d+([._]\d+)?[KMBT][\d]?|small|mini|medium|large|x?xl))")) {
      for (char& c : part)
        if (c == '_') c = '.';
      if (is_digit(part.back()))  // bloom-7b1 -> 7.1b
        part = part.substr(0, part.size() - 2) + "." + part.back() + part[part.size() - 2];
      if (part.size() > 1 && is_digit(part[part.size() - 2]) &&
          std::string("kmbt").find(part.back()) != std::string::npos)
        part.back() = static_cast<char>(std::toupper(static_cast<unsigned char>(part.back())));
      if (total_params != 0) {
        // A size far from the model's own is a context length ("128k"): a finetune, lowercased.
        char* end = nullptr;
        const std::string num = part.substr(0, part.size() - 1);
        const double v = std::strtod(num.c_str(), &end);
        if (!num.empty() && end == num.c_str() + num.size()) {
          const int64_t pos = static_cast<int64_t>(std::string(" KMBT").find(part.back()));
          const double label = v * std::pow(1000.0, static_cast<double>(
                                                        pos == static_cast<int64_t>(std::string::npos) ? -1 : pos));
          const bool far = total_params < 0 ? label < static_cast<double>(std::llabs(total_params) / 8)
                                            : std::fabs(label - static_cast<double>(total_params)) >
                                                  static_cast<double>(7 * total_params / 8);
          if (far) {
            tags[i] |= kFinetune;
            part.back() = static_cast<char>(std::tolower(static_cast<unsigned char>(part.back())));
          }
        }
      }
      if (tags[i] == 0) tags[i] |= kSize;
      parts[i] = part;
    } else if (i > 0 && full_match_icase(part, "chat|instruct|vision|lora")) {
      tags[i] |= (total_params < 0 && (part == "lora" || part == "LORA" || part == "Lora")) ? kType : kFinetune;
    }
  }
  // Word sizes ("small") give way to a numeric one.
  bool numeric_size = false;
  for (size_t i = 0; i < parts.size(); ++i)
    if (tags[i] & kSize)
      for (char c : parts[i]) numeric_size = numeric_size || is_digit(c);
  if (numeric_size)
    for (size_t i = 0; i < parts.size(); ++i) {
      bool all_alpha = true;
      for (char c : parts[i]) all_alpha = all_alpha && std::isalpha(static_cast<unsigned char>(c));
      if ((tags[i] & kSize) && all_alpha) tags[i] &= ~kSize;
    }
  bool at_start = true;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (at_start && ((tags[i] == 0 && is_alpha(parts[i][0])) || (tags[i] & kVersion))) {
      tags[i] |= kBase;
    } else {
      at_start = false;
      if (tags[i] == 0) tags[i] |= kFinetune;
    }
  }
  for (size_t k = parts.size(); k-- > 0;) {  // a trailing version is not part of the basename
    if ((tags[k] & kBase) && tags[k] != kBase) tags[k] &= ~kBase;
    else break;
  }
  std::vector<std::string> base, sizes, fine, ver;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (tags[i] & kBase) base.push_back(parts[i]);
    if ((tags[i] & kSize) && std::find(sizes.begin(), sizes.end(), parts[i]) == sizes.end()) sizes.push_back(parts[i]);
    if (tags[i] & kFinetune) fine.push_back(parts[i]);
    if ((tags[i] & kVersion) && !(tags[i] & kBase)) ver.push_back(parts[i]);
  }
  auto opt = [](const std::vector<std::string>& v) {
    return v.empty() ? std::nullopt : std::optional<std::string>(join(v, "-"));
  };
  r.basename = opt(base);
  r.size_label = opt(sizes);
  r.finetune = opt(fine);
  r.version = opt(ver);
  if (!r.size_label && !r.finetune && !r.version) r.basename.reset();  // too ambiguous
  return r;
}

// The model card's YAML front matter, for the flat keys the converter reads: `key: value`,
// `key: [a, b]` and `key:` followed by `- item` lines. Nested mappings are skipped.
struct CardValue {
  bool list = false;
  std::string s;
  std::vector<std::string> items;
};
using Card = std::map<std::string, CardValue>;

std::string yaml_scalar(std::string v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\r' || v.back() == '\t')) v.pop_back();
  if (const size_t hash = v.find(" #"); hash != std::string::npos && v[0] != '"' && v[0] != '\'') v.resize(hash);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'') && v.back() == v[0]) v = v.substr(1, v.size() - 2);
  return v;
}

Card read_card(const std::string& dir) {
  Card card;
  const std::string path = dir + "/README.md";
  if (!is_regular_file(path)) return card;
  std::vector<std::string> lines = split_on(read_file(path), '\n');
  if (lines.empty() || (lines[0] != "---" && lines[0] != "---\r")) return card;
  std::string key;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "---") break;
    for (char& c : line)
      if (c == '\t') c = ' ';
    const size_t ind = line.find_first_not_of(' ');
    if (ind == std::string::npos || line[ind] == '#') continue;
    if (line.compare(ind, 2, "- ") == 0 || line.substr(ind) == "-") {
      if (!key.empty() && card.count(key) && card[key].list)
        card[key].items.push_back(yaml_scalar(line.substr(ind + 1 + (line.size() > ind + 1))));
      continue;
    }
    if (ind > 0) continue;  // a nested mapping's entry
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    key = yaml_scalar(line.substr(0, colon));
    std::string v = line.substr(colon + 1);
    const size_t b = v.find_first_not_of(' ');
    v = b == std::string::npos ? "" : v.substr(b);
    CardValue cv;
    if (v.empty()) {
      cv.list = true;  // a block list may follow (or a nested mapping, which stays an empty list)
    } else if (v[0] == '[') {
      cv.list = true;
      const size_t e = v.rfind(']');
      for (const std::string& item : split_on(v.substr(1, e == std::string::npos ? std::string::npos : e - 1), ','))
        if (const std::string t = yaml_scalar(item.substr(std::min(item.size(), item.find_first_not_of(' '))));
            !t.empty())
          cv.items.push_back(t);
    } else {
      cv.s = yaml_scalar(v);
      if (cv.s == "null" || cv.s == "~") continue;
    }
    card[key] = cv;
  }
  return card;
}

json read_json_or_empty(const std::string& path) {
  if (!is_regular_file(path)) return json::object();
  json j = json::parse(read_file(path), nullptr, false);
  return j.is_object() ? j : json::object();
}

struct SourceRef {  // a base model or a dataset
  std::optional<std::string> name, organization, version, repo_url;
};

SourceRef source_ref(const std::string& id, int64_t total_params) {
  SourceRef r;
  auto fill = [&](const std::string& hf_id, bool with_repo) {
    const IdParts p = model_id_components(hf_id, total_params);
    if (p.full_name) r.name = id_to_title(*p.full_name);
    if (p.org) r.organization = id_to_title(*p.org);
    if (p.version) r.version = p.version;
    if (with_repo && p.org && p.full_name) r.repo_url = "https://huggingface.co/" + *p.org + "/" + *p.full_name;
  };
  if (id.rfind("http://", 0) == 0 || id.rfind("https://", 0) == 0 || id.rfind("ssh://", 0) == 0) {
    r.repo_url = id;
    std::smatch m;
    static const std::regex hf(R"(https?://huggingface.co/([^/]+/[^/]+)$)");
    if (id.find("huggingface.co") != std::string::npos && std::regex_match(id, m, hf)) fill(m[1].str(), false);
  } else {
    fill(id, true);
  }
  return r;
}

std::string rounded_count(int64_t n) {
  const double v = static_cast<double>(n);
  double scaled;
  char suffix;
  if (v > 1e12) scaled = v * 1e-12, suffix = 'T';
  else if (v > 1e9) scaled = v * 1e-9, suffix = 'B';
  else if (v > 1e6) scaled = v * 1e-6, suffix = 'M';
  else scaled = v * 1e-3, suffix = 'K';
  // Two significant digits at least: digits of the rounded integer part (ties to even, as Python's
  // round), leading zeros not counted.
  std::string whole = std::to_string(static_cast<long long>(std::nearbyint(scaled)));
  whole.erase(0, whole.find_first_not_of('0') == std::string::npos ? whole.size() : whole.find_first_not_of('0'));
  const int fix = std::max(2 - static_cast<int>(whole.size()), 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%c", fix, scaled, suffix);
  return buf;
}

}  // namespace

std::string size_label(const ParamCounts& p) {
  if (p.expert_count > 0) return str(p.expert_count, "x", rounded_count(std::llabs(p.shared) + std::llabs(p.expert)));
  return rounded_count(std::llabs(p.total));
}

void add_general_keys(KvList& kv, const std::string& dir, const ParamCounts& params) {
  const Card card = read_card(dir);
  const json hf = read_json_or_empty(dir + "/config.json");
  const json gen = read_json_or_empty(dir + "/generation_config.json");
  const int64_t total = params.total;

  std::map<std::string, std::string> m;  // the metadata fields that are set
  auto set_if_unset = [&](const std::string& field, const std::optional<std::string>& v) {
    if (v && !m.count(field)) m[field] = *v;
  };
  auto card_scalar = [&](const char* key) -> std::optional<std::string> {
    auto it = card.find(key);
    if (it == card.end() || it->second.list) return std::nullopt;
    return it->second.s;
  };
  // The card's own keys, then its model_* spellings, then the ones some publishers use.
  const std::pair<const char*, const char*> card_keys[] = {
      {"name", "name"},
      {"author", "author"},
      {"version", "version"},
      {"organization", "organization"},
      {"description", "description"},
      {"finetune", "finetune"},
      {"basename", "basename"},
      {"size_label", "size_label"},
      {"source_url", "url"},
      {"source_doi", "doi"},
      {"source_uuid", "uuid"},
      {"source_repo_url", "repo_url"},
      {"name", "model_name"},
      {"author", "model_author"},
      {"version", "model_version"},
      {"organization", "model_organization"},
      {"description", "model_description"},
      {"finetune", "model_finetune"},
      {"basename", "model_basename"},
      {"size_label", "model_size_label"},
      {"source_url", "model_url"},
      {"source_doi", "model_doi"},
      {"source_uuid", "model_uuid"},
      {"source_repo_url", "model_repo_url"},
      {"name", "model_name"},
      {"author", "model_creator"},
      {"basename", "model_type"},
  };
  for (const auto& [field, key] : card_keys) set_if_unset(field, card_scalar(key));
  std::vector<SourceRef> base_models, datasets;
  bool has_base_models = false, has_datasets = false;
  auto card_list = [&](const char* key, std::vector<std::string>& out) -> bool {
    auto it = card.find(key);
    if (it == card.end()) return false;
    if (it->second.list) out.insert(out.end(), it->second.items.begin(), it->second.items.end());
    else out.push_back(it->second.s);
    return true;
  };
  for (const char* key : {"base_model", "base_models", "base_model_sources"}) {
    std::vector<std::string> ids;
    if (!card_list(key, ids)) continue;
    has_base_models = true;
    for (const std::string& id : ids) base_models.push_back(source_ref(id, total));
    break;
  }
  for (const char* key : {"datasets", "dataset", "dataset_sources"}) {
    std::vector<std::string> ids;
    if (!card_list(key, ids)) continue;
    has_datasets = true;
    for (const std::string& id : ids) datasets.push_back(source_ref(id, total));
    break;
  }
  set_if_unset("license", card_scalar("license"));
  if (auto it = card.find("license"); it != card.end() && it->second.list) m["license"] = join(it->second.items, ",");
  set_if_unset("license_name", card_scalar("license_name"));
  set_if_unset("license_link", card_scalar("license_link"));
  std::vector<std::string> tags, languages;
  const bool has_tags = card_list("tags", tags) | card_list("pipeline_tag", tags);
  const bool has_languages = card_list("languages", languages) | card_list("language", languages);

  // config.json's _name_or_path when it is a hub id ("org/name"), then the directory's name.
  auto use_id = [&](const std::string& id) {
    const IdParts p = model_id_components(id, total);
    if (p.full_name) set_if_unset("name", id_to_title(*p.full_name));
    if (p.org) set_if_unset("organization", id_to_title(*p.org));
    set_if_unset("basename", p.basename);
    set_if_unset("finetune", p.finetune);
    set_if_unset("version", p.version);
    set_if_unset("size_label", p.size_label);
  };
  if (hf.contains("_name_or_path") && hf["_name_or_path"].is_string()) {
    const std::string id = hf["_name_or_path"].get<std::string>();
    if (std::count(id.begin(), id.end(), '/') <= 1) use_id(id);
  }
  std::string dir_name = std::filesystem::path(dir).lexically_normal().filename().string();
  if (dir_name.empty()) dir_name = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
  if (dir_name == ".") dir_name = "";
  use_id(dir_name);
  if (!m.count("name")) m["name"] = dir_name;
  if (!m.count("size_label") && total > 0) m["size_label"] = size_label(params);

  kv.set_string("general.type", "model");
  // generation_config.json's sampling defaults.
  auto gen_num = [&](const char* key) -> const json* {
    auto it = gen.find(key);
    return it == gen.end() || it->is_null() ? nullptr : &*it;
  };
  if (const json* v = gen_num("sequence"); v && v->is_string())
    kv.set_string("general.sampling.sequence", v->get<std::string>());
  auto i32 = [&](const char* key, const char* gkey) {
    if (const json* v = gen_num(key)) kv.set(gkey, GGUFValue::of_i32(static_cast<int32_t>(json_int(*v, key))));
  };
  auto f32 = [&](const char* key, const char* gkey) {
    if (const json* v = gen_num(key)) kv.set_f32(gkey, json_float(*v, key));
  };
  i32("top_k", "general.sampling.top_k");
  f32("top_p", "general.sampling.top_p");
  f32("min_p", "general.sampling.min_p");
  f32("xtc_probability", "general.sampling.xtc_probability");
  f32("xtc_threshold", "general.sampling.xtc_threshold");
  f32("temperature", "general.sampling.temp");
  i32("penalty_last_n", "general.sampling.penalty_last_n");
  f32(gen_num("penalty_repeat") ? "penalty_repeat" : "repetition_penalty", "general.sampling.penalty_repeat");
  i32("mirostat", "general.sampling.mirostat");
  f32("mirostat_tau", "general.sampling.mirostat_tau");
  f32("mirostat_eta", "general.sampling.mirostat_eta");

  const std::pair<const char*, const char*> keys[] = {
      {"name", "general.name"},
      {"author", "general.author"},
      {"version", "general.version"},
      {"organization", "general.organization"},
      {"finetune", "general.finetune"},
      {"basename", "general.basename"},
      {"description", "general.description"},
      {"size_label", "general.size_label"},
      {"license", "general.license"},
      {"license_name", "general.license.name"},
      {"license_link", "general.license.link"},
      {"source_url", "general.source.url"},
      {"source_doi", "general.source.doi"},
      {"source_uuid", "general.source.uuid"},
      {"source_repo_url", "general.source.repo_url"},
  };
  for (const auto& [field, key] : keys)
    if (auto it = m.find(field); it != m.end()) kv.set_string(key, it->second);
  auto refs = [&](const char* what, const std::vector<SourceRef>& list) {
    kv.set_u32(str("general.", what, ".count"), static_cast<int64_t>(list.size()));
    for (size_t i = 0; i < list.size(); ++i) {
      const SourceRef& r = list[i];
      if (r.name) kv.set_string(str("general.", what, ".", i, ".name"), *r.name);
      if (r.version) kv.set_string(str("general.", what, ".", i, ".version"), *r.version);
      if (r.organization) kv.set_string(str("general.", what, ".", i, ".organization"), *r.organization);
      if (r.repo_url) kv.set_string(str("general.", what, ".", i, ".repo_url"), *r.repo_url);
    }
  };
  if (has_base_models) refs("base_model", base_models);
  if (has_datasets) refs("dataset", datasets);
  if (has_tags) kv.set_strings("general.tags", tags);
  if (has_languages) kv.set_strings("general.languages", languages);
}

}  // namespace seek::hf_gguf
