// HFConfig: load, typed getters with defaults, nested objects.
#include "formats/hf_config.h"

#include <cmath>

#include "core/error.h"
#include "core/file.h"

namespace seek {

HFConfig HFConfig::load(const std::string& dir_or_file) {
  const std::string path = is_dir(dir_or_file) ? dir_or_file + "/config.json" : dir_or_file;
  return parse(read_file(path), path);
}

HFConfig HFConfig::parse(const std::string& text, const std::string& name) {
  HFConfig c;
  c.path_ = name;
  c.j_ = nlohmann::json::parse(text, nullptr, false);
  if (c.j_.is_discarded()) throw FormatError(str(name, ": not valid JSON"));
  if (!c.j_.is_object()) throw FormatError(str(name, ": expected a JSON object, got ", c.j_.type_name()));
  return c;
}

void HFConfig::fail(const std::string& key, const std::string& problem) const {
  throw FormatError(str(path_, ": ", prefix_, key, ": ", problem));
}

const nlohmann::json* HFConfig::lookup(const std::string& key) const {
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool HFConfig::has(const std::string& key) const { return j_.contains(key); }
bool HFConfig::is_null(const std::string& key) const { return j_.contains(key) && j_[key].is_null(); }

namespace {
std::string got(const nlohmann::json& v) {
  std::string d = v.dump();
  if (d.size() > 40) d = d.substr(0, 40) + "...";
  return str(v.type_name(), " ", d);
}
}  // namespace

int64_t HFConfig::get_int(const std::string& key, int64_t def) const {
  const nlohmann::json* v = lookup(key);
  if (!v) return def;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail(key, "integer out of range");
    return v->get<int64_t>();
  }
  if (v->is_number_float()) {  // 4096.0 is an integer too
    double d = v->get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9.0e18) return static_cast<int64_t>(d);
  }
  fail(key, str("expected an integer, got ", got(*v)));
}
double HFConfig::get_float(const std::string& key, double def) const {
  const nlohmann::json* v = lookup(key);
  if (!v) return def;
  if (!v->is_number()) fail(key, str("expected a number, got ", got(*v)));
  return v->get<double>();
}
bool HFConfig::get_bool(const std::string& key, bool def) const {
  const nlohmann::json* v = lookup(key);
  if (!v) return def;
  if (!v->is_boolean()) fail(key, str("expected true or false, got ", got(*v)));
  return v->get<bool>();
}
std::string HFConfig::get_string(const std::string& key, const std::string& def) const {
  const nlohmann::json* v = lookup(key);
  if (!v) return def;
  if (!v->is_string()) fail(key, str("expected a string, got ", got(*v)));
  return v->get<std::string>();
}

#define SEEK_HF_REQUIRED(T, getter, zero)            \
  T HFConfig::getter(const std::string& key) const { \
    if (!j_.contains(key)) fail(key, "missing");     \
    if (j_[key].is_null()) fail(key, "is null");     \
    return getter(key, zero);                        \
  }
SEEK_HF_REQUIRED(int64_t, get_int, 0)
SEEK_HF_REQUIRED(double, get_float, 0.0)
SEEK_HF_REQUIRED(bool, get_bool, false)
SEEK_HF_REQUIRED(std::string, get_string, std::string())
#undef SEEK_HF_REQUIRED

std::vector<int64_t> HFConfig::get_int_list(const std::string& key) const {
  const nlohmann::json* v = lookup(key);
  if (!v) return {};
  if (!v->is_array()) return {get_int(key)};
  std::vector<int64_t> out;
  for (size_t k = 0; k < v->size(); ++k) {
    if (!(*v)[k].is_number_integer()) fail(str(key, "[", k, "]"), str("expected an integer, got ", got((*v)[k])));
    out.push_back((*v)[k].get<int64_t>());
  }
  return out;
}

bool HFConfig::has_object(const std::string& key) const {
  const nlohmann::json* v = lookup(key);
  return v && v->is_object();
}

HFConfig HFConfig::child(const std::string& key) const {
  const nlohmann::json* v = lookup(key);
  if (!v) fail(key, "missing or null");
  if (!v->is_object()) fail(key, str("expected an object, got ", got(*v)));
  HFConfig c;
  c.j_ = *v;
  c.path_ = path_;
  c.prefix_ = prefix_ + key + ".";
  return c;
}

}  // namespace seek
