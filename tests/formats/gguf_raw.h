// A raw little-endian byte builder for hand-made GGUF images, independent of GGUFWriter, so
// the bad-file tests can put any value in any field.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace seek::test {

struct Raw {
  std::vector<uint8_t> b;
  template <typename T>
  Raw& put(T v) {
    uint8_t tmp[sizeof(T)];
    std::memcpy(tmp, &v, sizeof v);
    b.insert(b.end(), tmp, tmp + sizeof v);
    return *this;
  }
  Raw& u32(uint32_t v) { return put(v); }
  Raw& u64(uint64_t v) { return put(v); }
  Raw& i64(int64_t v) { return put(v); }
  Raw& s(const std::string& x) {
    u64(x.size());
    b.insert(b.end(), x.begin(), x.end());
    return *this;
  }
  Raw& bytes(const void* p, size_t n) {
    const uint8_t* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
    return *this;
  }
  Raw& pad(size_t a) {
    while (b.size() % a) b.push_back(0);
    return *this;
  }
  Raw& zeros(size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
  Raw& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    b.insert(b.end(), {'G', 'G', 'U', 'F'});
    return u32(version).u64(n_tensors).u64(n_kv);
  }
  // A key/value of a u32.
  Raw& kv_u32(const std::string& key, uint32_t v) { return s(key).u32(4).u32(v); }
  Raw& kv_str(const std::string& key, const std::string& v) { return s(key).u32(8).s(v); }
  // A tensor info: name, dims (GGUF ne order), ggml type id, offset.
  Raw& tensor(const std::string& name, std::vector<int64_t> ne, uint32_t type, uint64_t offset) {
    s(name).u32(static_cast<uint32_t>(ne.size()));
    for (int64_t n : ne) i64(n);
    return u32(type).u64(offset);
  }
};

}  // namespace seek::test
