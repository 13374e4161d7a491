// Checkpoint writer and validating reader (layout in checkpoint.h).
#include "train/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "formats/atomic_write.h"
#include "formats/mmap_file.h"

namespace seek {

namespace {

constexpr char kMagic[8] = {'S', 'E', 'E', 'K', 'C', 'K', 'P', 'T'};
constexpr char kEndMagic[8] = {'S', 'E', 'E', 'K', 'C', 'K', 'N', 'D'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 32, kTrailer = 16, kAlign = 64;

size_t align_up(size_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

template <typename T>
T read_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

nlohmann::json meta_to_json(const CheckpointMeta& m) {
  return {{"step", m.step},
          {"model_config", m.model_config},
          {"train_config", m.train_config},
          {"param_table", m.param_table},
          {"rng_state", m.rng_state},
          {"data_position", {{"epoch", m.data.epoch}, {"cursor", m.data.cursor}}},
          {"adam_t", m.adam_t}};
}

CheckpointMeta meta_from_json(const nlohmann::json& j) {
  CheckpointMeta m;
  m.step = j.at("step").get<int64_t>();
  m.model_config = j.at("model_config");
  m.train_config = j.at("train_config");
  m.param_table = j.at("param_table");
  m.rng_state = j.at("rng_state").get<std::string>();
  m.data.epoch = j.at("data_position").at("epoch").get<int64_t>();
  m.data.cursor = j.at("data_position").at("cursor").get<int64_t>();
  m.adam_t = j.at("adam_t").get<int64_t>();
  return m;
}

int64_t step_of(const std::filesystem::path& p) {
  const std::string n = p.filename().string();
  if (n.size() != 22 || n.rfind("ckpt-", 0) != 0 || p.extension() != ".seekckpt") return -1;
  const std::string digits = n.substr(5, 8);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
  return std::stoll(digits);
}

}  // namespace

uint64_t checkpoint_hash(const void* data, size_t n) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) h = (h ^ read_le<uint64_t>(p + i)) * 0x100000001b3ull;
  if (i < n) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, n - i);
    h = (h ^ w) * 0x100000001b3ull;
  }
  return (h ^ static_cast<uint64_t>(n)) * 0x100000001b3ull;
}

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const std::vector<FloatBlob>& blobs) {
  nlohmann::json j = meta_to_json(meta);
  nlohmann::json table = nlohmann::json::array();
  size_t offset = 0;
  for (const FloatBlob& b : blobs) {
    const size_t bytes = b.count * sizeof(float);
    table.push_back({{"name", b.name},
                     {"dtype", "f32"},
                     {"count", b.count},
                     {"offset", offset},
                     {"hash", checkpoint_hash(b.data, bytes)}});
    offset = align_up(offset + bytes);
  }
  j["blobs"] = table;
  const std::string text = j.dump();
  const size_t data_start = align_up(kHeader + text.size());
  const uint64_t total = data_start + offset + kTrailer;
  atomic_write(path, [&](const ByteSink& sink) {
    uint8_t h[kHeader] = {};
    const uint32_t flags = 0;
    const uint64_t len = text.size(), hash = checkpoint_hash(text.data(), text.size());
    std::memcpy(h, kMagic, 8);
    std::memcpy(h + 8, &kVersion, 4);
    std::memcpy(h + 12, &flags, 4);
    std::memcpy(h + 16, &len, 8);
    std::memcpy(h + 24, &hash, 8);
    sink(h, kHeader);
    sink(text.data(), text.size());
    static const uint8_t zeros[kAlign] = {};
    sink(zeros, data_start - kHeader - text.size());
    for (const FloatBlob& b : blobs) {
      const size_t bytes = b.count * sizeof(float);
      sink(b.data, bytes);
      sink(zeros, align_up(bytes) - bytes);
    }
    uint8_t t[kTrailer];
    std::memcpy(t, kEndMagic, 8);
    std::memcpy(t + 8, &total, 8);
    sink(t, kTrailer);
  });
}

const std::vector<float>& LoadedCheckpoint::blob(const std::string& name, size_t expected_count) const {
  auto it = blobs.find(name);
  if (it == blobs.end()) throw FormatError(str("checkpoint ", path, ": no '", name, "' section"));
  if (it->second.size() != expected_count)
    throw FormatError(str("checkpoint ", path, ": section '", name, "' holds ", it->second.size(), " values, expected ",
                          expected_count));
  return it->second;
}

LoadedCheckpoint load_checkpoint(const std::string& path, bool with_blobs) {
  MappedFile f(path);
  const uint8_t* d = f.data();
  const size_t size = f.size();
  auto fail = [&](const std::string& what) -> FormatError { return FormatError(str("checkpoint ", path, ": ", what)); };
  if (size < kHeader + kTrailer) throw fail(str("file of ", size, " bytes is shorter than header + trailer"));
  if (std::memcmp(d, kMagic, 8) != 0) throw fail("not a seek checkpoint (magic is not SEEKCKPT)");
  const uint32_t version = read_le<uint32_t>(d + 8);
  if (version != kVersion) throw fail(str("version ", version, ", expected ", kVersion));
  if (std::memcmp(d + size - kTrailer, kEndMagic, 8) != 0 || read_le<uint64_t>(d + size - 8) != size)
    throw fail(str("truncated or extended (trailer missing or records another size than ", size, " bytes)"));
  const uint64_t meta_len = read_le<uint64_t>(d + 16), meta_hash = read_le<uint64_t>(d + 24);
  if (meta_len > size - kHeader - kTrailer) throw fail(str("metadata length ", meta_len, " exceeds the file"));
  if (checkpoint_hash(d + kHeader, meta_len) != meta_hash) throw fail("metadata checksum mismatch (file corrupted)");
  LoadedCheckpoint out;
  out.path = path;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(d + kHeader, d + kHeader + meta_len);
    out.meta = meta_from_json(j);
  } catch (const nlohmann::json::exception& e) {
    throw fail(str("bad metadata: ", e.what()));
  }
  const size_t data_start = align_up(kHeader + meta_len), data_end = size - kTrailer;
  if (data_start > data_end) throw fail("no room for the data section");
  if (!with_blobs) return out;
  try {
    for (const auto& b : j.at("blobs")) {
      const std::string name = b.at("name").get<std::string>();
      if (b.at("dtype").get<std::string>() != "f32")
        throw fail(str("section '", name, "' has dtype ", b.at("dtype"), ", expected f32"));
      const uint64_t count = b.at("count").get<uint64_t>(), offset = b.at("offset").get<uint64_t>();
      if (count > (data_end - data_start) / 4 || offset > data_end - data_start - count * 4)
        throw fail(str("section '", name, "' (", count, " floats at ", offset, ") lies outside the data section"));
      const uint8_t* src = d + data_start + offset;
      if (checkpoint_hash(src, count * 4) != b.at("hash").get<uint64_t>())
        throw fail(str("section '", name, "' checksum mismatch (file corrupted)"));
      if (out.blobs.count(name)) throw fail(str("section '", name, "' appears twice"));
      std::vector<float>& v = out.blobs[name];
      v.resize(count);
      std::memcpy(v.data(), src, count * 4);
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(str("bad section table: ", e.what()));
  }
  return out;
}

std::string checkpoint_path(const std::string& dir, int64_t step) {
  char name[40];
  std::snprintf(name, sizeof name, "ckpt-%08lld.seekckpt", static_cast<long long>(step));
  return (std::filesystem::path(dir) / name).string();
}

std::vector<std::string> list_checkpoints(const std::string& dir) {
  std::vector<std::pair<int64_t, std::string>> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const int64_t s = step_of(e.path());
    if (s >= 0 && e.is_regular_file()) found.emplace_back(s, e.path().string());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [s, p] : found) out.push_back(p);
  return out;
}

std::string resolve_checkpoint(const std::string& file_or_dir) {
  if (!std::filesystem::is_directory(file_or_dir)) return file_or_dir;
  std::vector<std::string> all = list_checkpoints(file_or_dir);
  return all.empty() ? "" : all.back();
}

void prune_checkpoints(const std::string& dir, int64_t keep) {
  if (keep <= 0) return;
  std::vector<std::string> all = list_checkpoints(dir);
  for (size_t i = 0; i + static_cast<size_t>(keep) < all.size(); ++i) std::filesystem::remove(all[i]);
}

}  // namespace seek
