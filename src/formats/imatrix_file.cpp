// Importance matrix files (imatrix_file.h): the GGUF layout through the project's GGUF reader and
// writer, the legacy .dat layout through a bounds-checked cursor.
#include "formats/imatrix_file.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/tensor.h"
#include "formats/byte_reader.h"
#include "formats/gguf.h"
#include "formats/mmap_file.h"

namespace seek {

namespace {

constexpr const char* kType = "imatrix";
constexpr const char* kDatasets = "imatrix.datasets";
constexpr const char* kChunkCount = "imatrix.chunk_count";
constexpr const char* kChunkSize = "imatrix.chunk_size";
const std::string kSumsSuffix = ".in_sum2";
const std::string kCountsSuffix = ".counts";

bool strip_suffix(std::string& s, const std::string& suffix) {
  if (s.size() <= suffix.size() || s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  s.resize(s.size() - suffix.size());
  return true;
}

int32_t u32_key(const GGUFFile& f, const std::string& name, const char* key) {
  const GGUFValue* v = f.find(key);
  if (!v) throw FormatError(str(name, ": missing key ", key, " (not an imatrix file written by llama-imatrix)"));
  const int64_t n = v->as_int(str(name, ": ", key));
  if (n < 0 || n > std::numeric_limits<int32_t>::max())
    throw FormatError(str(name, ": ", key, " = ", n, " is out of range"));
  return static_cast<int32_t>(n);
}

std::vector<float> f32_values(const GGUFTensorInfo& t, const std::string& name) {
  if (t.dtype != DType::F32)
    throw FormatError(str(name, ": tensor ", t.name, " is ", dtype_name(t.dtype), ", an imatrix holds only f32"));
  std::vector<float> v(static_cast<size_t>(t.view.numel()));
  std::memcpy(v.data(), t.view.data, v.size() * sizeof(float));  // the mapping need not be float-aligned
  return v;
}

void check_sums(const std::vector<float>& sums, const std::string& name, const std::string& entry) {
  for (size_t i = 0; i < sums.size(); ++i)
    if (!std::isfinite(sums[i]))
      throw FormatError(str(name, ": entry ", entry, ": value ", i, " is ", sums[i], " (not finite)"));
}

Imatrix parse_gguf(const uint8_t* data, size_t size, const std::string& name) {
  const GGUFFile f = GGUFFile::parse(data, size, name);
  const std::string type = f.get_string_or("general.type", "");
  if (type != kType)
    throw FormatError(str(name, ": general.type is ", type.empty() ? "missing" : "'" + type + "'", ", expected '",
                          kType, "' (is this a model rather than an importance matrix?)"));
  Imatrix m;
  const GGUFValue* ds = f.find(kDatasets);
  if (!ds) throw FormatError(str(name, ": missing key ", kDatasets, " (not an imatrix file written by llama-imatrix)"));
  m.datasets = ds->as_strings(str(name, ": ", kDatasets));
  m.chunk_count = u32_key(f, name, kChunkCount);
  m.chunk_size = u32_key(f, name, kChunkSize);

  // Pair each weight's two tensors; other tensors are not llama.cpp's and are ignored, as it does.
  std::map<std::string, std::pair<const GGUFTensorInfo*, const GGUFTensorInfo*>> pairs;
  for (const GGUFTensorInfo& t : f.tensors()) {
    std::string w = t.name;
    if (strip_suffix(w, kSumsSuffix)) pairs[w].first = &t;
    else if (strip_suffix(w, kCountsSuffix)) pairs[w].second = &t;
  }
  for (const auto& [w, st] : pairs) {
    if (!st.first || !st.second)
      throw FormatError(str(name, ": entry ", w, " has ", st.first ? kSumsSuffix : kCountsSuffix, " but no ",
                            st.first ? kCountsSuffix : kSumsSuffix));
    ImatrixEntry e;
    e.sums = f32_values(*st.first, name);
    const std::vector<float> counts = f32_values(*st.second, name);
    if (e.sums.size() % counts.size() != 0)
      throw FormatError(str(name, ": entry ", w, ": ", e.sums.size(), " sums are not a whole number of blocks for ",
                            counts.size(), " counts"));
    for (size_t j = 0; j < counts.size(); ++j) {
      // Whole token counts stored as f32; llama.cpp's loader rounds them.
      if (!std::isfinite(counts[j]) || counts[j] < 0.0f || counts[j] > 9.0e15f)
        throw FormatError(str(name, ": entry ", w, ": count ", j, " is ", counts[j], " (expected a token count >= 0)"));
      e.counts.push_back(std::llround(counts[j]));
    }
    check_sums(e.sums, name, w);
    m.entries.emplace(w, std::move(e));
  }
  if (m.entries.empty()) throw FormatError(str(name, ": no imatrix entries (no <name>.in_sum2 / .counts tensors)"));
  return m;
}

Imatrix parse_legacy(const uint8_t* data, size_t size, const std::string& name) {
  detail::ByteReader r(data, size, name);
  Imatrix m;
  m.legacy = true;
  const int32_t n_entries = r.read<int32_t>("the entry count");
  if (n_entries < 1)
    throw FormatError(str(name, ": not an imatrix file: neither GGUF nor the legacy layout (entry count ", n_entries,
                          ")"));
  for (int32_t i = 0; i < n_entries; ++i) {
    const std::string at = str("entry ", i + 1, " of ", n_entries);
    const int32_t len = r.read<int32_t>((at + " name length").c_str());
    if (len < 1 || static_cast<size_t>(len) > r.remaining())
      throw FormatError(str(name, ": ", at, ": name length ", len, " (", r.remaining(), " bytes left)"));
    std::string w(reinterpret_cast<const char*>(r.at(r.pos())), static_cast<size_t>(len));
    r.skip(static_cast<uint64_t>(len), "name");
    const std::string ent = str(at, " (", w, ")");
    const int32_t ncall = r.read<int32_t>((ent + " ncall").c_str());
    const int32_t nval = r.read<int32_t>((ent + " value count").c_str());
    if (ncall < 0) throw FormatError(str(name, ": ", ent, ": ncall ", ncall, " is negative"));
    if (nval < 1) throw FormatError(str(name, ": ", ent, ": value count ", nval, " (expected >= 1)"));
    r.need(static_cast<uint64_t>(nval) * sizeof(float), (ent + " values").c_str());  // before allocating them
    ImatrixEntry e;
    e.sums.resize(static_cast<size_t>(nval));
    std::memcpy(e.sums.data(), r.at(r.pos()), e.sums.size() * sizeof(float));
    r.skip(e.sums.size() * sizeof(float), "values");
    e.counts = {ncall};
    check_sums(e.sums, name, w);
    if (!m.entries.emplace(w, std::move(e)).second) throw FormatError(str(name, ": ", ent, ": duplicate entry name"));
  }
  // Optional trailer (newer writers): the chunk count, then the dataset's name. Files from before
  // it end here; one that starts it must finish it.
  if (r.remaining() > 0) {
    const int32_t chunks = r.read<int32_t>("the chunk count after the entries");
    if (chunks < 0) throw FormatError(str(name, ": chunk count ", chunks, " is negative"));
    m.chunk_count = chunks;
    if (r.remaining() > 0) {
      const int32_t len = r.read<int32_t>("the dataset name length");
      if (len < 0 || static_cast<size_t>(len) > r.remaining())
        throw FormatError(str(name, ": dataset name length ", len, " (", r.remaining(), " bytes left)"));
      if (len > 0) m.datasets.emplace_back(reinterpret_cast<const char*>(r.at(r.pos())), static_cast<size_t>(len));
    }
  }
  return m;
}

}  // namespace

std::vector<float> Imatrix::importance(const std::string& name) const {
  const auto it = entries.find(name);
  if (it == entries.end()) return {};
  const ImatrixEntry& e = it->second;
  std::vector<float> out(e.sums.size());
  if (legacy) {  // stored as mean x^2 times ncall
    const float ncall = static_cast<float>(e.counts.empty() ? 0 : e.counts[0]);
    for (size_t i = 0; i < out.size(); ++i) out[i] = ncall > 0 ? e.sums[i] / ncall : e.sums[i];
    return out;
  }
  const int64_t n = e.row_size();
  for (int64_t j = 0; j < e.n_counts(); ++j) {
    const float count = static_cast<float>(e.counts[j]);
    for (int64_t i = j * n; i < (j + 1) * n; ++i) out[i] = count > 0 ? e.sums[i] / count : 1.0f;
  }
  return out;
}

Imatrix parse_imatrix(const uint8_t* data, size_t size, const std::string& name) {
  if (size >= 4 && std::memcmp(data, "GGUF", 4) == 0) return parse_gguf(data, size, name);
  return parse_legacy(data, size, name);
}

Imatrix read_imatrix(const std::string& path) {
  const MappedFile f(path);
  return parse_imatrix(f.data(), f.size(), path);
}

namespace {

GGUFWriter imatrix_writer(const Imatrix& m, std::vector<std::vector<float>>& counts_store) {
  GGUFWriter w;
  w.set("general.type", GGUFValue::of_string(kType));
  w.set(kDatasets, GGUFValue::of_strings(m.datasets));
  w.set(kChunkCount, GGUFValue::of_u32(static_cast<uint32_t>(m.chunk_count)));
  w.set(kChunkSize, GGUFValue::of_u32(static_cast<uint32_t>(m.chunk_size)));
  counts_store.reserve(m.entries.size());
  for (const auto& [name, e] : m.entries) {  // std::map: llama-imatrix's sorted name order
    if (e.counts.empty() || e.sums.empty()) continue;
    const int64_t n_mat = e.n_counts();
    if (static_cast<int64_t>(e.sums.size()) % n_mat != 0)
      throw UsageError(str("imatrix entry ", name, ": ", e.sums.size(), " sums for ", n_mat, " counts"));
    std::vector<float>& c = counts_store.emplace_back(e.counts.begin(), e.counts.end());
    // ggml drops trailing dimensions of 1 when it writes a tensor: one block is stored 1-D.
    const int64_t ne0 = e.row_size();
    const TensorView sums = n_mat > 1 ? TensorView::contiguous(DType::F32, {n_mat, ne0}, (void*)e.sums.data())
                                      : TensorView::contiguous(DType::F32, {ne0}, (void*)e.sums.data());
    const TensorView cnt = n_mat > 1 ? TensorView::contiguous(DType::F32, {n_mat, 1}, c.data())
                                     : TensorView::contiguous(DType::F32, {1}, c.data());
    w.add_tensor(name + kSumsSuffix, sums);
    w.add_tensor(name + kCountsSuffix, cnt);
  }
  return w;
}

}  // namespace

void write_imatrix(const Imatrix& m, const std::string& path) {
  std::vector<std::vector<float>> counts;
  imatrix_writer(m, counts).write(path);
}

std::vector<uint8_t> imatrix_to_bytes(const Imatrix& m) {
  std::vector<std::vector<float>> counts;
  return imatrix_writer(m, counts).to_bytes();
}

}  // namespace seek
