// SafetensorsFile: header validation (every offset inside the data section, no overlaps, size =
// shape x dtype), sharded checkpoints via the index's weight_map, FP8 block scales.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "core/file.h"
#include "formats/safetensors.h"

namespace seek {

namespace {

using nlohmann::json;
constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit

struct DTypeName {
  const char* name;
  DType dtype;
};
constexpr DTypeName kDTypes[] = {
    {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16},         {"BF16", DType::BF16},
    {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16},         {"I8", DType::I8},
    {"U8", DType::I8},   {"BOOL", DType::I8}, {"F8_E4M3", DType::F8_E4M3},
};

uint64_t get_uint(const json& j, const std::string& what) {
  if (!j.is_number_integer() || (j.is_number_integer() && !j.is_number_unsigned() && j.get<int64_t>() < 0))
    throw FormatError(str(what, ": expected a non-negative integer, got ", j.dump()));
  return j.get<uint64_t>();
}

SafetensorsTensorInfo parse_entry(const std::string& name, const json& e, const uint8_t* data, uint64_t data_size,
                                  const std::string& file) {
  std::string where = str(file, ": tensor ", name);
  if (!e.is_object()) throw FormatError(str(where, ": expected an object, got ", e.type_name()));
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!e.contains(field)) throw FormatError(str(where, ": missing \"", field, "\""));
  SafetensorsTensorInfo t;
  t.name = name;
  if (!e["dtype"].is_string()) throw FormatError(str(where, ": dtype must be a string"));
  t.st_dtype = e["dtype"].get<std::string>();
  DType dt;
  try {
    dt = safetensors_dtype(t.st_dtype);
  } catch (const FormatError& err) {
    throw FormatError(str(where, ": ", err.what()));
  }
  const json& shape = e["shape"];
  if (!shape.is_array() || shape.size() > kMaxDims)
    throw FormatError(str(where, ": shape must be an array of at most ", kMaxDims, " dims, got ", shape.dump()));
  int64_t dims[kMaxDims] = {};
  uint64_t numel = 1;
  // The strides multiply every dim, so their product must fit in int64 bytes.
  uint64_t nonzero = 1;
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / 8;
  for (size_t d = 0; d < shape.size(); ++d) {
    uint64_t n = get_uint(shape[d], where + ": shape");
    // seek's views divide by their dims (TensorView::rows, nbytes): empty tensors are refused.
    if (n == 0)
      throw FormatError(str(where, ": shape ", shape.dump(), " has a 0 dimension (empty tensors are not supported)"));
    if (n != 0 && nonzero > limit / n) throw FormatError(str(where, ": shape ", shape.dump(), " overflows"));
    if (n != 0) nonzero *= n;
    dims[d] = static_cast<int64_t>(n);
    numel *= n;
  }
  const json& off = e["data_offsets"];
  if (!off.is_array() || off.size() != 2)
    throw FormatError(str(where, ": data_offsets must be [begin, end], got ", off.dump()));
  t.begin = get_uint(off[0], where + ": data_offsets");
  t.end = get_uint(off[1], where + ": data_offsets");
  if (t.begin > t.end || t.end > data_size)
    throw FormatError(str(where, ": data_offsets [", t.begin, ", ", t.end, "] outside the data section of ", data_size,
                          " bytes"));
  uint64_t esize = static_cast<uint64_t>(dtype_info(dt).type_size);
  if (numel > std::numeric_limits<uint64_t>::max() / esize || numel * esize != t.end - t.begin)
    throw FormatError(str(where, ": ", t.end - t.begin, " bytes in data_offsets, but shape ", shape.dump(), " of ",
                          t.st_dtype, " needs ", numel, " x ", esize));
  t.view = TensorView::contiguous(dt, dims, static_cast<int>(shape.size()), const_cast<uint8_t*>(data) + t.begin);
  return t;
}

json read_json_file(const std::string& path) {
  json j = json::parse(read_file(path), nullptr, false);
  if (j.is_discarded()) throw FormatError(str(path, ": not valid JSON"));
  return j;
}

// What a directory holds: the index, model.safetensors, or its only *.safetensors[.index.json].
std::string resolve_dir(const std::string& dir) {
  for (const char* n : {"/model.safetensors.index.json", "/model.safetensors"})
    if (is_regular_file(dir + n)) return dir + n;
  std::vector<std::string> idx, files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string p = e.path().string();
    if (ends_with(p, ".safetensors.index.json")) idx.push_back(p);
    else if (ends_with(p, ".safetensors")) files.push_back(p);
  }
  if (idx.size() == 1) return idx[0];
  if (idx.empty() && files.size() == 1) return files[0];
  throw FormatError(str(dir,
                        ": expected model.safetensors.index.json, model.safetensors or a single *.safetensors; found ",
                        idx.size(), " index files and ", files.size(), " .safetensors files"));
}

}  // namespace

DType safetensors_dtype(const std::string& st_dtype) {
  for (const DTypeName& d : kDTypes)
    if (st_dtype == d.name) return d.dtype;
  throw FormatError(str("unknown or unsupported dtype \"", st_dtype,
                        "\" (expected F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL F8_E4M3)"));
}

std::string safetensors_dtype_name(DType t) {
  for (const DTypeName& d : kDTypes)
    if (d.dtype == t) return d.name;  // I8 -> "I8": it precedes U8 and BOOL in the table
  throw UsageError(str("type ", dtype_name(t), " cannot be stored in safetensors"));
}

SafetensorsFile SafetensorsFile::parse(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 8)
    throw FormatError(str(name, ": truncated: ", size,
                          " bytes, a safetensors file starts with an 8-byte header length"));
  uint64_t n;
  std::memcpy(&n, data, 8);
  if (n > size - 8)
    throw FormatError(str(name, ": header length ", n, " runs past the end of the file (", size, " bytes)"));
  if (n > kMaxHeaderBytes) throw FormatError(str(name, ": header length ", n, " exceeds ", kMaxHeaderBytes, " bytes"));
  json h = json::parse(data + 8, data + 8 + n, nullptr, false);
  if (h.is_discarded()) throw FormatError(str(name, ": header is not valid JSON"));
  if (!h.is_object()) throw FormatError(str(name, ": header must be a JSON object, got ", h.type_name()));

  SafetensorsFile f;
  f.path_ = name;
  f.file_names_.push_back(name);
  const uint8_t* base = data + 8 + n;
  uint64_t data_size = size - 8 - n;
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) throw FormatError(str(name, ": __metadata__ must be an object"));
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string()) throw FormatError(str(name, ": __metadata__ value of ", m.key(), " must be a string"));
        f.metadata_[m.key()] = m->get<std::string>();
      }
      continue;
    }
    f.tensors_.push_back(parse_entry(it.key(), *it, base, data_size, name));
  }
  std::sort(f.tensors_.begin(), f.tensors_.end(),
            [](const auto& a, const auto& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  for (size_t k = 1; k < f.tensors_.size(); ++k)
    if (f.tensors_[k - 1].end > f.tensors_[k].begin)
      throw FormatError(str(name, ": tensors ", f.tensors_[k - 1].name, " and ", f.tensors_[k].name,
                            " overlap in the data section"));
  for (size_t k = 0; k < f.tensors_.size(); ++k) f.index_[f.tensors_[k].name] = k;
  f.align_scales();
  return f;
}

void SafetensorsFile::align_scales() {
  for (SafetensorsTensorInfo& t : tensors_) {
    if (t.view.dtype != DType::F32 || !ends_with(t.name, "_scale_inv")) continue;
    if (reinterpret_cast<uintptr_t>(t.view.data) % alignof(float) == 0) continue;
    auto copy = std::make_shared<std::vector<float>>(std::max<size_t>(1, (t.end - t.begin) / sizeof(float)));
    std::memcpy(copy->data(), t.view.data, t.end - t.begin);
    t.view.data = copy->data();
    owned_.push_back(std::move(copy));
  }
}

void SafetensorsFile::add_shard(SafetensorsFile&& shard, int file_index) {
  for (SafetensorsTensorInfo& t : shard.tensors_) {
    if (index_.count(t.name))
      throw FormatError(str(shard.path_, ": tensor ", t.name, " also appears in another shard"));
    t.file_index = file_index;
    index_[t.name] = tensors_.size();
    tensors_.push_back(std::move(t));
  }
  for (auto& [k, v] : shard.metadata_) metadata_.emplace(k, v);
  for (auto& m : shard.maps_) maps_.push_back(m);
  for (auto& o : shard.owned_) owned_.push_back(o);
}

SafetensorsFile SafetensorsFile::open(const std::string& path_or_dir) {
  std::string path = is_dir(path_or_dir) ? resolve_dir(path_or_dir) : path_or_dir;
  if (!ends_with(path, ".json")) {
    auto map = std::make_shared<MappedFile>(path);
    SafetensorsFile f = parse(map->data(), map->size(), path);
    f.maps_.push_back(map);
    return f;
  }
  json idx = read_json_file(path);
  if (!idx.is_object() || !idx.contains("weight_map") || !idx["weight_map"].is_object())
    throw FormatError(str(path, ": expected an object with a \"weight_map\" object"));
  std::string dir = path.rfind('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  std::map<std::string, std::string> want;  // tensor -> shard file
  std::set<std::string> shards;
  for (auto it = idx["weight_map"].begin(); it != idx["weight_map"].end(); ++it) {
    if (!it->is_string()) throw FormatError(str(path, ": weight_map[", it.key(), "] must be a file name"));
    std::string file = it->get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "..")
      throw FormatError(str(path, ": weight_map[", it.key(), "] = \"", file, "\" is not a plain file name"));
    want[it.key()] = file;
    shards.insert(file);
  }
  SafetensorsFile f;
  f.path_ = path;
  if (idx.contains("metadata") && idx["metadata"].is_object())
    for (auto m = idx["metadata"].begin(); m != idx["metadata"].end(); ++m)
      f.metadata_[m.key()] = m->is_string() ? m->get<std::string>() : m->dump();
  for (const std::string& file : shards) {
    SafetensorsFile shard = open(dir + "/" + file);
    for (const auto& t : shard.tensors_) {
      auto w = want.find(t.name);
      if (w != want.end() && w->second != file)
        throw FormatError(str(path, ": weight_map puts ", t.name, " in ", w->second, " but it is in ", file));
    }
    f.file_names_.push_back(dir + "/" + file);
    f.add_shard(std::move(shard), static_cast<int>(f.file_names_.size() - 1));
  }
  for (const auto& [name, file] : want)
    if (!f.index_.count(name))
      throw FormatError(str(path, ": weight_map names ", name, " in ", file, " but that file lacks it"));
  return f;
}

const SafetensorsTensorInfo* SafetensorsFile::find_info(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

TensorView SafetensorsFile::find(const std::string& name) const {
  const SafetensorsTensorInfo* t = find_info(name);
  if (!t) throw FormatError(str(path_, ": no tensor named ", name));
  TensorView v = t->view;
  if (v.dtype != DType::F8_E4M3) return v;
  const SafetensorsTensorInfo* s = find_info(name + "_scale_inv");
  if (!s) return v;
  int64_t rows = v.ndim >= 2 ? v.shape[v.ndim - 2] : 1;
  int64_t want_r = (rows + 127) / 128, want_c = (v.cols() + 127) / 128;
  const TensorView& sv = s->view;
  bool ok = sv.dtype == DType::F32 && ((sv.ndim == 2 && sv.shape[0] == want_r && sv.shape[1] == want_c) ||
                                       (sv.ndim == 1 && v.ndim == 1 && sv.shape[0] == want_c));
  if (!ok)
    throw FormatError(str(path_, ": tensor ", s->name, ": expected F32 [", want_r, ", ", want_c, "] for ", name, " ",
                          v.shape_str(), ", got ", s->st_dtype, " ", sv.shape_str()));
  SEEK_ASSERT(reinterpret_cast<uintptr_t>(sv.data) % alignof(float) == 0);  // align_scales()
  v.block_scale = static_cast<const float*>(sv.data);
  return v;
}

}  // namespace seek
