// A deliberately tiny GGUF reader for the kernel tests (independent of src/formats): header,
// key/values skipped by type, tensor table, data offset. Enough to fetch tensors by name.
#pragma once
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace seek::test {

struct MiniTensor {
  int32_t type = 0;
  std::vector<int64_t> ne;
  uint64_t offset = 0;
};

class MiniGGUF {
 public:
  explicit MiniGGUF(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    bytes_.assign(std::istreambuf_iterator<char>(f), {});
    if (bytes_.size() < 24 || std::memcmp(bytes_.data(), "GGUF", 4) != 0) throw std::runtime_error("not gguf");
    pos_ = 4;
    rd<uint32_t>();
    const uint64_t n_tensors = rd<uint64_t>(), n_kv = rd<uint64_t>();
    uint64_t alignment = 32;
    for (uint64_t i = 0; i < n_kv; ++i) {
      const std::string key = str();
      const uint32_t t = rd<uint32_t>();
      if (key == "general.alignment") {
        alignment = rd<uint32_t>();
      } else {
        skip(t);
      }
    }
    for (uint64_t i = 0; i < n_tensors; ++i) {
      const std::string name = str();
      MiniTensor t;
      const uint32_t nd = rd<uint32_t>();
      for (uint32_t d = 0; d < nd; ++d) t.ne.push_back(static_cast<int64_t>(rd<uint64_t>()));
      t.type = rd<int32_t>();
      t.offset = rd<uint64_t>();
      tensors_[name] = t;
      names_.push_back(name);
    }
    data_ = (pos_ + alignment - 1) / alignment * alignment;
  }
  const std::vector<std::string>& names() const { return names_; }
  const MiniTensor& tensor(const std::string& n) const { return tensors_.at(n); }
  bool has(const std::string& n) const { return tensors_.count(n) != 0; }
  const uint8_t* data(const MiniTensor& t) const { return bytes_.data() + data_ + t.offset; }

 private:
  template <typename T>
  T rd() {
    if (pos_ + sizeof(T) > bytes_.size()) throw std::runtime_error("truncated gguf");
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string str() {
    const uint64_t n = rd<uint64_t>();
    if (pos_ + n > bytes_.size()) throw std::runtime_error("truncated gguf string");
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  void skip(uint32_t t) {
    static const int kSize[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    if (t == 8) {
      str();
    } else if (t == 9) {
      const uint32_t et = rd<uint32_t>();
      const uint64_t n = rd<uint64_t>();
      for (uint64_t i = 0; i < n; ++i) skip(et);
    } else if (t < 13) {
      pos_ += kSize[t];
    } else {
      throw std::runtime_error("bad gguf value type");
    }
  }
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0, data_ = 0;
  std::map<std::string, MiniTensor> tensors_;
  std::vector<std::string> names_;
};

}  // namespace seek::test
