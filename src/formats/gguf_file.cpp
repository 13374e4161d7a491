// GGUFFile::open (mmap, llama.cpp's gguf-split convention: NAME-0000k-of-0000n.gguf, each a full
// GGUF with split.no (0-based), split.count and, in the first, split.tensors.count) and getters.
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "formats/gguf.h"

namespace seek {

namespace {

// "dir/name-00002-of-00005.gguf" -> prefix "dir/name", k = 2, n = 5; false when not that form.
bool split_name(const std::string& path, std::string* prefix, int* k, int* n) {
  static const std::string tail = "-00000-of-00000.gguf";
  if (path.size() < tail.size()) return false;
  std::string t = path.substr(path.size() - tail.size());
  for (size_t c = 0; c < tail.size(); ++c) {
    bool digit = tail[c] == '0';
    if (digit ? !(t[c] >= '0' && t[c] <= '9') : t[c] != tail[c]) return false;
  }
  *prefix = path.substr(0, path.size() - tail.size());
  *k = std::atoi(t.substr(1, 5).c_str());
  *n = std::atoi(t.substr(10, 5).c_str());
  return true;
}

std::string split_path(const std::string& prefix, int k, int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%05d-of-%05d.gguf", k, n);
  return prefix + buf;
}

GGUFFile open_one(const std::string& path, std::shared_ptr<MappedFile>* keep) {
  *keep = std::make_shared<MappedFile>(path);
  return GGUFFile::parse((*keep)->data(), (*keep)->size(), path);
}

}  // namespace

GGUFFile GGUFFile::open(const std::string& path) {
  std::shared_ptr<MappedFile> map;
  GGUFFile f = open_one(path, &map);
  f.files_.push_back(map);
  const GGUFValue* count = f.find("split.count");
  if (!count) return f;
  int64_t n = count->as_int(path + ": split.count");
  if (n <= 1) return f;
  if (n > 99999) throw FormatError(str(path, ": split.count = ", n, " (expected at most 99999)"));
  int64_t no = f.get_int("split.no");
  std::string prefix;
  int name_k = 0, name_n = 0;
  if (!split_name(path, &prefix, &name_k, &name_n) || name_n != n || name_k != no + 1)
    throw FormatError(str(path, ": split.no = ", no, ", split.count = ", n, " but the file name is not ",
                          split_path("NAME", static_cast<int>(no + 1), static_cast<int>(n))));
  if (no != 0) return open(split_path(prefix, 1, static_cast<int>(n)));  // metadata lives in the first

  int64_t expected = f.get_int_or("split.tensors.count", -1);
  for (int k = 1; k < n; ++k) {
    std::string p = split_path(prefix, k + 1, static_cast<int>(n));
    std::shared_ptr<MappedFile> part_map;
    GGUFFile part = open_one(p, &part_map);
    if (part.get_int_or("split.no", -1) != k || part.get_int_or("split.count", -1) != n)
      throw FormatError(str(p, ": expected split.no = ", k, " and split.count = ", n, ", got ",
                            part.get_int_or("split.no", -1), " and ", part.get_int_or("split.count", -1)));
    for (GGUFTensorInfo& t : part.tensors_) {
      if (f.tensor_index_.count(t.name))
        throw FormatError(str(p, ": tensor ", t.name, " also appears in an earlier split"));
      t.file_index = k;
      f.tensor_index_[t.name] = f.tensors_.size();
      f.tensors_.push_back(std::move(t));
    }
    f.files_.push_back(part_map);
  }
  if (expected >= 0 && static_cast<size_t>(expected) != f.tensors_.size())
    throw FormatError(str(path, ": split.tensors.count = ", expected, " but the ", n, " files hold ", f.tensors_.size(),
                          " tensors"));
  return f;
}

const GGUFValue* GGUFFile::find(const std::string& key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const GGUFTensorInfo* GGUFFile::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

namespace {
const GGUFValue& need(const GGUFFile& f, const std::string& key) {
  const GGUFValue* v = f.find(key);
  if (!v) throw FormatError(str(f.path(), ": missing key ", key));
  return *v;
}
}  // namespace

int64_t GGUFFile::get_int(const std::string& key) const { return need(*this, key).as_int(path_ + ": " + key); }
int64_t GGUFFile::get_int_or(const std::string& key, int64_t def) const {
  const GGUFValue* v = find(key);
  return v ? v->as_int(path_ + ": " + key) : def;
}
double GGUFFile::get_float(const std::string& key) const { return need(*this, key).as_float(path_ + ": " + key); }
double GGUFFile::get_float_or(const std::string& key, double def) const {
  const GGUFValue* v = find(key);
  return v ? v->as_float(path_ + ": " + key) : def;
}
bool GGUFFile::get_bool_or(const std::string& key, bool def) const {
  const GGUFValue* v = find(key);
  return v ? v->as_bool(path_ + ": " + key) : def;
}
std::string GGUFFile::get_string(const std::string& key) const {
  return need(*this, key).as_string(path_ + ": " + key);
}
std::string GGUFFile::get_string_or(const std::string& key, const std::string& def) const {
  const GGUFValue* v = find(key);
  return v ? v->as_string(path_ + ": " + key) : def;
}

}  // namespace seek
