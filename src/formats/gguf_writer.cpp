// GGUFWriter: GGUF v3 as llama.cpp writes it: header, key/values in insertion order, tensor
// infos with offsets packed in order, each tensor's data padded with zeros to general.alignment
// (the last one too; a file without tensors ends unpadded), so llama.cpp's loader (which insists on exactly that
// packing) reads it.
#include <cstring>
#include <stdexcept>

#include "core/error.h"
#include "formats/atomic_write.h"
#include "formats/gguf.h"
#include "formats/tensor_bytes.h"

namespace seek {

namespace {

constexpr size_t kMaxNameBytes = 63;  // ggml's GGML_MAX_NAME is 64 including the terminator

size_t pad_to(size_t n, size_t a) { return (n + a - 1) / a * a; }

struct Emitter {
  const std::function<void(const void*, size_t)>& sink;
  size_t written = 0;
  void bytes(const void* p, size_t n) {
    if (n) sink(p, n);
    written += n;
  }
  template <typename T>
  void pod(T v) {
    bytes(&v, sizeof v);
  }
  void string(const std::string& s) {
    pod<uint64_t>(s.size());
    bytes(s.data(), s.size());
  }
  void zeros(size_t n) {
    static const uint8_t z[256] = {};
    while (n) {
      size_t k = n < sizeof z ? n : sizeof z;
      bytes(z, k);
      n -= k;
    }
  }
  void value(const GGUFValue& v) {
    switch (v.type) {
      case GGUFType::U8: pod<uint8_t>(static_cast<uint8_t>(v.u)); break;
      case GGUFType::I8: pod<int8_t>(static_cast<int8_t>(v.i)); break;
      case GGUFType::U16: pod<uint16_t>(static_cast<uint16_t>(v.u)); break;
      case GGUFType::I16: pod<int16_t>(static_cast<int16_t>(v.i)); break;
      case GGUFType::U32: pod<uint32_t>(static_cast<uint32_t>(v.u)); break;
      case GGUFType::I32: pod<int32_t>(static_cast<int32_t>(v.i)); break;
      case GGUFType::U64: pod<uint64_t>(v.u); break;
      case GGUFType::I64: pod<int64_t>(v.i); break;
      case GGUFType::F32: pod<float>(static_cast<float>(v.f)); break;
      case GGUFType::F64: pod<double>(v.f); break;
      case GGUFType::BOOL: pod<uint8_t>(v.i ? 1 : 0); break;
      case GGUFType::STRING: string(v.s); break;
      case GGUFType::ARRAY:
        pod<uint32_t>(static_cast<uint32_t>(v.array_type));
        pod<uint64_t>(v.arr.size());
        for (const GGUFValue& e : v.arr) value(e);
        break;
    }
  }
  void tensor(const TensorView& t) {
    detail::emit_tensor_bytes(t, [&](const void* p, size_t n) { bytes(p, n); });
  }
};

void check_value(const GGUFValue& v, const std::string& key, int depth) {
  if (static_cast<uint32_t>(v.type) > static_cast<uint32_t>(GGUFType::F64))
    throw UsageError(str("GGUF key ", key, ": invalid value type ", static_cast<int32_t>(v.type)));
  if (v.type != GGUFType::ARRAY) return;
  if (depth >= 8) throw UsageError(str("GGUF key ", key, ": arrays nested too deep"));
  for (const GGUFValue& e : v.arr) {
    if (e.type != v.array_type)
      throw UsageError(str("GGUF key ", key, ": array of ", gguf_type_name(v.array_type), " holds a ",
                           gguf_type_name(e.type)));
    check_value(e, key, depth + 1);
  }
}

}  // namespace

void GGUFWriter::set(const std::string& key, GGUFValue v) {
  check_value(v, key, 0);
  if (key == "general.alignment") {
    if (v.type != GGUFType::U32) throw UsageError("general.alignment must be a u32 value");
    if (v.u == 0 || (v.u & (v.u - 1)) != 0 || v.u > (1u << 30))
      throw UsageError(str("general.alignment = ", v.u, " is not a power of two"));
    alignment_ = v.u;
  }
  for (auto& kv : kv_)
    if (kv.first == key) {
      kv.second = std::move(v);
      return;
    }
  kv_.emplace_back(key, std::move(v));
}

void GGUFWriter::set_alignment(size_t a) { set("general.alignment", GGUFValue::of_u32(static_cast<uint32_t>(a))); }

void GGUFWriter::check_tensor(const std::string& name, const TensorView& t) const {
  if (name.empty() || name.size() > kMaxNameBytes)
    throw UsageError(str("GGUF tensor name '", name, "' must be 1..", kMaxNameBytes, " bytes"));
  if (t.dtype == DType::F8_E4M3 || !dtype_known(static_cast<int32_t>(t.dtype)))
    throw UsageError(str("tensor ", name, ": type ", dtype_name(t.dtype), " cannot be stored in GGUF"));
  if (t.ndim < 1 || t.ndim > kMaxDims) throw UsageError(str("tensor ", name, ": ndim ", t.ndim, " (expected 1..4)"));
  for (int d = 0; d < t.ndim; ++d)
    if (t.shape[d] <= 0) throw UsageError(str("tensor ", name, ": shape ", t.shape_str(), " has a dimension <= 0"));
  row_bytes(t.dtype, t.cols());  // throws when the row is not whole blocks
  for (const auto& e : tensors_)
    if (e.first == name) throw UsageError(str("duplicate tensor name ", name));
}

void GGUFWriter::add_tensor(const std::string& name, const TensorView& t) {
  check_tensor(name, t);
  if (!t.data) throw UsageError(str("tensor ", name, ": no data"));
  tensors_.emplace_back(name, t);
  producers_.emplace_back();
}

void GGUFWriter::add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& shape, Producer produce) {
  if (shape.empty() || shape.size() > static_cast<size_t>(kMaxDims))
    throw UsageError(str("tensor ", name, ": ndim ", shape.size(), " (expected 1..4)"));
  const TensorView t = TensorView::contiguous(dtype, shape.data(), static_cast<int>(shape.size()), nullptr);
  check_tensor(name, t);
  if (!produce) throw UsageError(str("tensor ", name, ": no producer"));
  tensors_.emplace_back(name, t);
  producers_.push_back(std::move(produce));
}

void GGUFWriter::emit(const std::function<void(const void*, size_t)>& sink, bool count_only) const {
  Emitter e{sink};
  e.bytes("GGUF", 4);
  e.pod<uint32_t>(3);
  e.pod<int64_t>(static_cast<int64_t>(tensors_.size()));
  e.pod<int64_t>(static_cast<int64_t>(kv_.size()));
  for (const auto& [key, v] : kv_) {
    e.string(key);
    e.pod<uint32_t>(static_cast<uint32_t>(v.type));
    e.value(v);
  }
  size_t offset = 0;
  for (const auto& [name, t] : tensors_) {
    e.string(name);
    e.pod<uint32_t>(static_cast<uint32_t>(t.ndim));
    for (int d = t.ndim - 1; d >= 0; --d) e.pod<int64_t>(t.shape[d]);  // PyTorch order -> GGUF ne
    e.pod<uint32_t>(static_cast<uint32_t>(t.dtype));
    e.pod<uint64_t>(offset);
    offset += pad_to(t.nbytes(), alignment_);
  }
  if (tensors_.empty()) return;  // a vocab-only file ends after its metadata, unpadded, as llama.cpp's are
  e.zeros(pad_to(e.written, alignment_) - e.written);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const auto& [name, t] = tensors_[i];
    if (!producers_[i]) {
      e.tensor(t);
    } else if (count_only) {
      e.bytes(nullptr, t.nbytes());  // the counting sink reads no bytes
    } else {
      const size_t before = e.written;
      producers_[i]([&](const void* p, size_t n) { e.bytes(p, n); });
      if (e.written - before != t.nbytes())
        throw std::logic_error(str("GGUFWriter: tensor ", name, ": the producer wrote ", e.written - before,
                                   " bytes, expected ", t.nbytes()));
    }
    e.zeros(pad_to(t.nbytes(), alignment_) - t.nbytes());
  }
}

size_t GGUFWriter::file_size() const {
  size_t n = 0;
  emit([&](const void*, size_t k) { n += k; }, true);  // tensor bytes are counted, not copied
  return n;
}

std::vector<uint8_t> GGUFWriter::to_bytes() const {
  std::vector<uint8_t> out;
  out.reserve(file_size());
  emit([&](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  });
  return out;
}

void GGUFWriter::write(const std::string& path) const {
  atomic_write(path, [&](const ByteSink& sink) { emit(sink); });
}

}  // namespace seek
