// GGUFFile::parse: the GGUF v2/v3 layout read from a byte range (ggml docs/gguf.md):
// header, typed key/values, tensor infos, data aligned to general.alignment. Every count is
// checked against the bytes left before anything is reserved, so a lying header fails fast.
#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "formats/byte_reader.h"
#include "formats/gguf.h"

namespace seek {

namespace {

using detail::ByteReader;

constexpr int kMaxArrayDepth = 8;                    // nested arrays deeper than this are refused
constexpr uint64_t kMaxMetadataValues = 1ull << 24;  // all array elements of a file, together

// Fewest bytes one encoded value of type t can take (array: elem type + count).
uint64_t min_value_bytes(uint32_t t) {
  switch (static_cast<GGUFType>(t)) {
    case GGUFType::U8:
    case GGUFType::I8:
    case GGUFType::BOOL: return 1;
    case GGUFType::U16:
    case GGUFType::I16: return 2;
    case GGUFType::U32:
    case GGUFType::I32:
    case GGUFType::F32: return 4;
    case GGUFType::U64:
    case GGUFType::I64:
    case GGUFType::F64: return 8;
    case GGUFType::STRING: return 8;
    case GGUFType::ARRAY: return 12;
  }
  return 0;  // unknown
}

struct KVParser {
  ByteReader& r;
  const std::string& key;
  uint64_t values_left = kMaxMetadataValues;

  GGUFType check_type(uint32_t t) {
    if (min_value_bytes(t) == 0)
      throw FormatError(str(r.name(), ": key ", key, ": unknown value type id ", t, " at offset ", r.pos() - 4));
    return static_cast<GGUFType>(t);
  }

  GGUFValue value(GGUFType t, int depth) {
    GGUFValue v;
    v.type = t;
    switch (t) {
      case GGUFType::U8: v.u = r.read<uint8_t>("u8 value"); break;
      case GGUFType::I8: v.i = r.read<int8_t>("i8 value"); break;
      case GGUFType::U16: v.u = r.read<uint16_t>("u16 value"); break;
      case GGUFType::I16: v.i = r.read<int16_t>("i16 value"); break;
      case GGUFType::U32: v.u = r.read<uint32_t>("u32 value"); break;
      case GGUFType::I32: v.i = r.read<int32_t>("i32 value"); break;
      case GGUFType::U64: v.u = r.read<uint64_t>("u64 value"); break;
      case GGUFType::I64: v.i = r.read<int64_t>("i64 value"); break;
      case GGUFType::F32: v.f = r.read<float>("f32 value"); break;
      case GGUFType::F64: v.f = r.read<double>("f64 value"); break;
      case GGUFType::BOOL: v.i = r.read<uint8_t>("bool value") != 0; break;
      case GGUFType::STRING: v.s = r.read_string("string value"); break;
      case GGUFType::ARRAY: array(v, depth); break;
    }
    return v;
  }

  void array(GGUFValue& v, int depth) {
    if (depth >= kMaxArrayDepth)
      throw FormatError(str(r.name(), ": key ", key, ": arrays nested deeper than ", kMaxArrayDepth));
    v.array_type = check_type(r.read<uint32_t>("array element type"));
    uint64_t n = r.read<uint64_t>("array length");
    uint64_t fits = r.remaining() / min_value_bytes(static_cast<uint32_t>(v.array_type));
    if (n > fits)
      throw FormatError(str(r.name(), ": key ", key, ": array of ", n, " ", gguf_type_name(v.array_type),
                            " needs at least ", n, " x ", min_value_bytes(static_cast<uint32_t>(v.array_type)),
                            " bytes, only ", r.remaining(), " left in the file"));
    if (n > values_left)
      throw FormatError(str(r.name(), ": key ", key, ": more than ", kMaxMetadataValues,
                            " array elements in the metadata"));
    values_left -= n;
    v.arr.reserve(n);
    for (uint64_t k = 0; k < n; ++k) v.arr.push_back(value(v.array_type, depth + 1));
  }
};

bool mul_overflows(uint64_t a, uint64_t b, uint64_t limit, uint64_t* out) {
  if (a != 0 && b > limit / a) return true;
  *out = a * b;
  return false;
}

void read_header(ByteReader& r, uint32_t* version, uint64_t* n_tensors, uint64_t* n_kv) {
  r.need(4, "magic");
  if (std::memcmp(r.at(0), "GGUF", 4) != 0) {
    std::string got;
    for (int k = 0; k < 4; ++k) {
      unsigned char c = *r.at(k);
      got += (c >= 32 && c < 127) ? static_cast<char>(c) : '?';
    }
    throw FormatError(str(r.name(), ": not a GGUF file (magic '", got, "', expected 'GGUF')"));
  }
  r.skip(4, "magic");
  *version = r.read<uint32_t>("version");
  if (*version == 1)
    throw FormatError(str(r.name(), ": GGUF version 1 is not supported (expected 2 or 3; re-convert the model)"));
  if (*version == 0x02000000u || *version == 0x03000000u)
    throw FormatError(str(r.name(), ": big-endian GGUF is not supported"));
  if (*version != 2 && *version != 3)
    throw FormatError(str(r.name(), ": unsupported GGUF version ", *version, " (expected 2 or 3)"));
  *n_tensors = r.read<uint64_t>("tensor count");
  *n_kv = r.read<uint64_t>("key/value count");
  // A key/value takes at least 13 bytes (key length, type, one byte); a tensor info 32.
  if (*n_kv > r.remaining() / 13)
    throw FormatError(str(r.name(), ": header claims ", *n_kv, " key/values, the file has room for at most ",
                          r.remaining() / 13));
  if (*n_tensors > r.remaining() / 32)
    throw FormatError(str(r.name(), ": header claims ", *n_tensors, " tensors, the file has room for at most ",
                          r.remaining() / 32));
}

size_t alignment_from(const GGUFValue& v, const std::string& name) {
  if (!v.is_integer())
    throw FormatError(str(name, ": general.alignment must be an integer, got ", gguf_type_name(v.type)));
  int64_t a = v.as_int("general.alignment");
  if (a <= 0 || (a & (a - 1)) != 0 || a > (1 << 30))
    throw FormatError(str(name, ": general.alignment = ", a, " is not a power of two (up to 2^30)"));
  return static_cast<size_t>(a);
}

GGUFTensorInfo read_tensor_info(ByteReader& r) {
  GGUFTensorInfo t;
  t.name = r.read_string("tensor name");
  uint32_t n_dims = r.read<uint32_t>("tensor n_dims");
  if (n_dims < 1 || n_dims > kMaxDims)
    throw FormatError(str(r.name(), ": tensor ", t.name, ": n_dims = ", n_dims, " (expected 1..", kMaxDims, ")"));
  t.n_dims = static_cast<int>(n_dims);
  uint64_t numel = 1;
  for (int d = 0; d < t.n_dims; ++d) {
    t.ne[d] = r.read<int64_t>("tensor dimension");
    if (t.ne[d] <= 0)
      throw FormatError(str(r.name(), ": tensor ", t.name, ": ne[", d, "] = ", t.ne[d], " (expected > 0)"));
    if (mul_overflows(numel, static_cast<uint64_t>(t.ne[d]), std::numeric_limits<int64_t>::max(), &numel))
      throw FormatError(str(r.name(), ": tensor ", t.name, ": element count overflows int64"));
  }
  auto shape = [&] {
    std::string s = "[";
    for (int d = 0; d < t.n_dims; ++d) s += str(d ? ", " : "", t.ne[d]);
    return s + "]";
  };
  int32_t type_id = r.read<int32_t>("tensor type");
  if (!dtype_known(type_id))
    throw FormatError(str(r.name(), ": tensor ", t.name, " of shape ", shape(), ": unknown tensor type id ", type_id));
  t.dtype = static_cast<DType>(type_id);
  t.offset = r.read<uint64_t>("tensor offset");
  const DTypeInfo& info = dtype_info(t.dtype);
  if (t.ne[0] % info.block_size != 0)
    throw FormatError(str(r.name(), ": tensor ", t.name, " of type ", info.name, " and shape ", shape(), ": row of ",
                          t.ne[0], " elements is not a whole number of ", info.name, " blocks of ", info.block_size));
  uint64_t nbytes = 0;
  if (mul_overflows(numel / static_cast<uint64_t>(info.block_size), static_cast<uint64_t>(info.type_size),
                    std::numeric_limits<int64_t>::max(), &nbytes))
    throw FormatError(str(r.name(), ": tensor ", t.name, ": byte size overflows int64"));
  t.nbytes = nbytes;
  return t;
}

// Offsets are aligned, inside the data section, and no two tensors share a byte.
void check_placement(std::vector<GGUFTensorInfo>& ts, size_t alignment, uint64_t data_size, const std::string& name) {
  for (const GGUFTensorInfo& t : ts) {
    if (t.offset % alignment != 0)
      throw FormatError(str(name, ": tensor ", t.name, ": data offset ", t.offset,
                            " is not a multiple of the alignment ", alignment));
    if (t.offset > data_size || t.nbytes > data_size - t.offset)
      throw FormatError(str(name, ": tensor ", t.name, ": data [", t.offset, ", +", t.nbytes,
                            ") runs past the end of the data section (", data_size, " bytes)"));
  }
  std::vector<size_t> order(ts.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ts[a].offset < ts[b].offset; });
  for (size_t k = 1; k < order.size(); ++k) {
    const GGUFTensorInfo& a = ts[order[k - 1]];
    const GGUFTensorInfo& b = ts[order[k]];
    if (a.offset + a.nbytes > b.offset)
      throw FormatError(str(name, ": tensors ", a.name, " and ", b.name, " overlap in the data section"));
  }
}

}  // namespace

GGUFFile GGUFFile::parse(const uint8_t* data, size_t size, const std::string& name) {
  ByteReader r(data, size, name);
  GGUFFile f;
  f.path_ = name;
  uint64_t n_tensors = 0, n_kv = 0;
  read_header(r, &f.version_, &n_tensors, &n_kv);

  f.kv_.reserve(n_kv);
  uint64_t values_left = kMaxMetadataValues;
  for (uint64_t k = 0; k < n_kv; ++k) {
    std::string key = r.read_string("key");
    if (f.kv_index_.count(key)) throw FormatError(str(name, ": duplicate key ", key));
    KVParser p{r, key, values_left};
    GGUFType t = p.check_type(r.read<uint32_t>("value type"));
    GGUFValue v = p.value(t, 0);
    values_left = p.values_left;
    if (key == "general.alignment") f.alignment_ = alignment_from(v, name);
    f.kv_index_[key] = f.kv_.size();
    f.kv_.emplace_back(std::move(key), std::move(v));
  }

  f.tensors_.reserve(n_tensors);
  for (uint64_t k = 0; k < n_tensors; ++k) {
    GGUFTensorInfo t = read_tensor_info(r);
    if (f.tensor_index_.count(t.name)) throw FormatError(str(name, ": duplicate tensor name ", t.name));
    f.tensor_index_[t.name] = f.tensors_.size();
    f.tensors_.push_back(std::move(t));
  }

  size_t data_start = (r.pos() + f.alignment_ - 1) / f.alignment_ * f.alignment_;
  if (n_tensors > 0 && data_start > size)
    throw FormatError(str(name, ": truncated: the data section should start at ", data_start, ", the file has ", size,
                          " bytes"));
  uint64_t data_size = data_start <= size ? size - data_start : 0;
  check_placement(f.tensors_, f.alignment_, data_size, name);

  for (GGUFTensorInfo& t : f.tensors_) {
    int64_t shape[kMaxDims];
    for (int d = 0; d < t.n_dims; ++d) shape[d] = t.ne[t.n_dims - 1 - d];  // GGUF ne -> PyTorch order
    t.view = TensorView::contiguous(t.dtype, shape, t.n_dims, const_cast<uint8_t*>(data) + data_start + t.offset);
  }
  return f;
}

}  // namespace seek
