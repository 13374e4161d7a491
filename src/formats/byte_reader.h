// A bounds-checked little-endian cursor over a byte range: every read first checks that the
// bytes are there, so a truncated or lying file becomes a FormatError naming the field and
// the offset, never a read past the end. Internal to the formats layer.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include "core/error.h"

namespace seek::detail {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string name) : data_(data), size_(size), name_(std::move(name)) {}

  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  const uint8_t* at(size_t off) const { return data_ + off; }
  const std::string& name() const { return name_; }

  // Throws unless n more bytes exist; `what` names the field being read.
  void need(uint64_t n, const char* what) const {
    if (n > remaining())
      throw FormatError(str(name_, ": truncated reading ", what, " at offset ", pos_, ": need ", n, " bytes, file has ",
                            remaining(), " left"));
  }
  template <typename T>
  T read(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));  // files are little-endian, like every host seek runs on
    pos_ += sizeof(T);
    return v;
  }
  std::string read_string(const char* what) {
    uint64_t n = read<uint64_t>(what);
    need(n, what);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }
  void skip(uint64_t n, const char* what) {
    need(n, what);
    pos_ += n;
  }
  void seek(size_t off) {
    SEEK_ASSERT(off <= size_);
    pos_ = off;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string name_;
};

}  // namespace seek::detail
