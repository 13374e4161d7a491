// Hugging Face config.json: a thin typed accessor over nlohmann::json. Generic on purpose (the
// model layer maps keys to its config); every error names the key and the file. A JSON null
// counts as absent for the *-with-default getters (e.g. DeepSeek-V2-Lite's "q_lora_rank": null).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seek {

class HFConfig {
 public:
  // A config.json file, or a directory holding one. Throws seek::Error / FormatError.
  static HFConfig load(const std::string& dir_or_file);
  // From text (tests); `name` appears in errors.
  static HFConfig parse(const std::string& text, const std::string& name = "<config>");

  bool has(const std::string& key) const;      // present (null included)
  bool is_null(const std::string& key) const;  // present and null
  // Without a default: throw FormatError when absent, null, or of another type.
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  // integers accepted
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  // With a default: returned when absent or null; a wrong type still throws.
  int64_t get_int(const std::string& key, int64_t def) const;
  double get_float(const std::string& key, double def) const;
  bool get_bool(const std::string& key, bool def) const;
  std::string get_string(const std::string& key, const std::string& def) const;
  // An integer or a list of integers (e.g. "eos_token_id": 1 or [1, 2]); empty when absent/null.
  std::vector<int64_t> get_int_list(const std::string& key) const;
  // A nested object, e.g. child("rope_scaling").get_float("factor"); errors then name
  // "rope_scaling.factor". has_object() is false when absent, null or not an object.
  bool has_object(const std::string& key) const;
  HFConfig child(const std::string& key) const;

  const nlohmann::json& json() const { return j_; }
  const std::string& path() const { return path_; }

 private:
  nlohmann::json j_;
  std::string path_;    // the file, for errors
  std::string prefix_;  // "" or "rope_scaling." for a child

  const nlohmann::json* lookup(const std::string& key) const;  // null when absent or JSON null
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
};

}  // namespace seek
