// SafetensorsWriter: header JSON (__metadata__ first, then tensors widest dtype first, each
// group in insertion order, packed offsets) padded with spaces to a multiple of 8 bytes, as the reference writer does;
// shards plus model.safetensors.index.json ({"metadata": {"total_size"}, "weight_map"}) like HF.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "formats/atomic_write.h"
#include "formats/safetensors.h"
#include "formats/tensor_bytes.h"

namespace seek {

void SafetensorsWriter::add(const std::string& name, const TensorView& t, const std::string& st_dtype) {
  // Any JSON string but the reserved key names a tensor (the empty string too: readers accept it).
  if (name == "__metadata__") throw UsageError("\"__metadata__\" cannot name a safetensors tensor");
  std::string spelled = st_dtype.empty() ? safetensors_dtype_name(t.dtype) : st_dtype;  // throws for block types
  DType dt;
  try {
    dt = safetensors_dtype(spelled);
  } catch (const FormatError& e) {
    throw UsageError(str("tensor ", name, ": ", e.what()));
  }
  if (dt != t.dtype)
    throw UsageError(str("tensor ", name, ": dtype ", spelled, " does not match a ", dtype_name(t.dtype), " view"));
  if (t.ndim < 0 || t.ndim > kMaxDims) throw UsageError(str("tensor ", name, ": ndim ", t.ndim));
  for (int d = 0; d < t.ndim; ++d)
    if (t.shape[d] <= 0) throw UsageError(str("tensor ", name, ": shape ", t.shape_str(), " has a dimension <= 0"));
  if (!t.data) throw UsageError(str("tensor ", name, ": no data"));
  for (const auto& e : tensors_)
    if (e.name == name) throw UsageError(str("duplicate tensor name ", name));
  tensors_.push_back({name, t, spelled});
}

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

namespace {
size_t view_bytes(const TensorView& t) { return t.ndim == 0 ? dtype_info(t.dtype).type_size : t.nbytes(); }
}  // namespace

void SafetensorsWriter::emit(const std::vector<size_t>& which_in,
                             const std::function<void(const void*, size_t)>& sink) const {
  // Widest elements first (stable), as the reference writer does: with the header padded to 8
  // bytes every tensor then starts at a multiple of its element size.
  std::vector<size_t> which = which_in;
  std::stable_sort(which.begin(), which.end(), [&](size_t a, size_t b) {
    return dtype_info(tensors_[a].view.dtype).type_size > dtype_info(tensors_[b].view.dtype).type_size;
  });
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!metadata_.empty()) h["__metadata__"] = metadata_;
  uint64_t off = 0;
  for (size_t k : which) {
    const Entry& e = tensors_[k];
    std::vector<int64_t> shape(e.view.shape.begin(), e.view.shape.begin() + e.view.ndim);
    uint64_t n = view_bytes(e.view);
    h[e.name] = {{"dtype", e.st_dtype}, {"shape", shape}, {"data_offsets", {off, off + n}}};
    off += n;
  }
  std::string s = h.dump();
  s.append((8 - s.size() % 8) % 8, ' ');
  uint64_t len = s.size();
  sink(&len, 8);
  sink(s.data(), s.size());
  for (size_t k : which) {
    const TensorView& t = tensors_[k].view;
    if (t.ndim == 0) sink(t.data, view_bytes(t));
    else detail::emit_tensor_bytes(t, sink);
  }
}

std::vector<uint8_t> SafetensorsWriter::to_bytes() const {
  std::vector<size_t> all(tensors_.size());
  for (size_t k = 0; k < all.size(); ++k) all[k] = k;
  std::vector<uint8_t> out;
  emit(all, [&](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  });
  return out;
}

void SafetensorsWriter::write(const std::string& path) const {
  std::vector<size_t> all(tensors_.size());
  for (size_t k = 0; k < all.size(); ++k) all[k] = k;
  atomic_write(path, [&](const ByteSink& sink) { emit(all, sink); });
}

std::vector<std::string> SafetensorsWriter::write_sharded(const std::string& dir, size_t max_shard_bytes,
                                                          const std::string& prefix) const {
  std::vector<std::vector<size_t>> shards;
  size_t cur = 0, total = 0;
  for (size_t k = 0; k < tensors_.size(); ++k) {
    size_t n = view_bytes(tensors_[k].view);
    if (shards.empty() || (cur > 0 && cur + n > max_shard_bytes)) {
      shards.emplace_back();
      cur = 0;
    }
    shards.back().push_back(k);
    cur += n;
    total += n;
  }
  if (shards.size() <= 1) {
    write(dir + "/" + prefix + ".safetensors");
    return {dir + "/" + prefix + ".safetensors"};
  }
  std::vector<std::string> files;
  nlohmann::ordered_json weight_map = nlohmann::ordered_json::object();
  for (size_t s = 0; s < shards.size(); ++s) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "-%05zu-of-%05zu.safetensors", s + 1, shards.size());
    std::string name = prefix + buf;
    atomic_write(dir + "/" + name, [&](const ByteSink& sink) { emit(shards[s], sink); });
    for (size_t k : shards[s]) weight_map[tensors_[k].name] = name;
    files.push_back(dir + "/" + name);
  }
  nlohmann::ordered_json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
  std::string text = index.dump(2) + "\n";
  std::string index_path = dir + "/" + prefix + ".safetensors.index.json";
  atomic_write(index_path, [&](const ByteSink& sink) { sink(text.data(), text.size()); });
  files.push_back(index_path);
  return files;
}

}  // namespace seek
