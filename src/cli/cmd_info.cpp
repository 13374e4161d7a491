// seek info FILE: a model file's metadata (every key; long arrays as type, length and first
// items) and tensor table (type, PyTorch shape, GGUF ne, bytes), with totals. GGUF (split files
// merged), safetensors files, sharded checkpoints and directories. --json: one JSON object.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "core/file.h"
#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "model/config_io.h"
#include "model/load_weights.h"

namespace seek::cli {

namespace {

using ojson = nlohmann::ordered_json;
constexpr size_t kJsonArrayLimit = 1024;  // longer arrays (vocabularies) are cut in --json
constexpr size_t kJsonArrayHead = 16;

std::string escaped(const std::string& s, size_t max_chars) {
  std::string out;
  for (size_t k = 0; k < s.size() && out.size() < max_chars; ++k) {
    unsigned char c = s[k];
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c == '"' || c == '\\') out += str('\\', static_cast<char>(c));
    else if (c < 32 || c == 127) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  if (out.size() >= max_chars && s.size() > max_chars) out += str("... (", s.size(), " bytes)");
  return "\"" + out + "\"";
}

std::string scalar_text(const GGUFValue& v) {
  switch (v.type) {
    case GGUFType::STRING: return escaped(v.s, 160);
    case GGUFType::BOOL: return v.i ? "true" : "false";
    case GGUFType::F32:
    case GGUFType::F64: {  // shortest text that reads back to the same value
      char buf[64];
      auto r = v.type == GGUFType::F32 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v.f))
                                       : std::to_chars(buf, buf + sizeof buf, v.f);
      return std::string(buf, r.ptr);
    }
    default: return v.is_integer() ? (v.type == GGUFType::U64 ? std::to_string(v.u) : std::to_string(v.as_int())) : "?";
  }
}

std::string type_text(const GGUFValue& v) {
  if (v.type != GGUFType::ARRAY) return gguf_type_name(v.type);
  return str("[", v.arr.size(), "] ", v.arr.empty() ? gguf_type_name(v.array_type) : type_text(v.arr[0]));
}

std::string value_text(const GGUFValue& v, size_t items) {
  if (v.type != GGUFType::ARRAY) return scalar_text(v);
  std::string out = "[";
  for (size_t k = 0; k < v.arr.size() && k < items; ++k) out += (k ? ", " : "") + value_text(v.arr[k], 4);
  if (v.arr.size() > items) out += str(", ... ", v.arr.size() - items, " more");
  return out + "]";
}

ojson value_json(const GGUFValue& v, bool* truncated) {
  switch (v.type) {
    case GGUFType::STRING: return v.s;
    case GGUFType::BOOL: return v.i != 0;
    case GGUFType::F32:
    case GGUFType::F64: return v.f;
    case GGUFType::ARRAY: {
      ojson a = ojson::array();
      size_t n = v.arr.size() > kJsonArrayLimit ? kJsonArrayHead : v.arr.size();
      if (n < v.arr.size()) *truncated = true;
      for (size_t k = 0; k < n; ++k) a.push_back(value_json(v.arr[k], truncated));
      return a;
    }
    default:
      if (v.type == GGUFType::U64 || v.type == GGUFType::U32 || v.type == GGUFType::U16 || v.type == GGUFType::U8)
        return v.u;
      return v.i;
  }
}

std::string shape_text(const int64_t* dims, int n) {
  std::string s = "[";
  for (int d = 0; d < n; ++d) s += (d ? ", " : "") + std::to_string(dims[d]);
  return s + "]";
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) b /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.2f %s" : "%.0f %s", b, units[u]);
  return buf;
}

// The file against its architecture's registry entry (model/arch/registry.h): the config its keys
// give, tensors missing or misshapen, tensors nothing reads.
struct ModelCheck {
  std::string summary;  // the config, or why there is none
  bool runnable = false;
  TensorCheck tensors;
};

ModelCheck check_model(const GGUFFile& f) {
  ModelCheck m;
  if (f.tensors().empty()) {
    m.summary = "no tensors (a vocabulary or metadata-only file)";
    return m;
  }
  try {
    const ModelConfig c = config_from_gguf(f);
    m.summary = c.summary();
    m.tensors = check_gguf_tensors(f, c);
    m.runnable = m.tensors.problems.empty();
  } catch (const Error& e) {
    m.summary = e.what();
  }
  return m;
}

int info_gguf(const std::string& path, bool as_json) {
  GGUFFile f = GGUFFile::open(path);
  const ModelCheck check = check_model(f);
  int64_t params = 0;
  uint64_t bytes = 0;
  for (const GGUFTensorInfo& t : f.tensors()) params += t.view.numel(), bytes += t.nbytes;
  if (as_json) {
    ojson j = {{"file", path},
               {"format", "gguf"},
               {"version", f.version()},
               {"alignment", f.alignment()},
               {"n_files", f.n_files()},
               {"array_note", str("arrays longer than ", kJsonArrayLimit, " items list only their first ",
                                  kJsonArrayHead, " (\"truncated\": true; \"length\" is the full length)")}};
    ojson md = ojson::object();
    for (const auto& [key, v] : f.metadata()) {
      ojson e = {{"type", gguf_type_name(v.type)}};
      bool truncated = false;
      if (v.type == GGUFType::ARRAY) e["array_type"] = gguf_type_name(v.array_type), e["length"] = v.arr.size();
      e["value"] = value_json(v, &truncated);
      if (v.type == GGUFType::ARRAY) e["truncated"] = truncated;
      md[key] = std::move(e);
    }
    j["metadata"] = std::move(md);
    ojson ts = ojson::array();
    for (const GGUFTensorInfo& t : f.tensors())
      ts.push_back({{"name", t.name},
                    {"type", dtype_name(t.dtype)},
                    {"shape", std::vector<int64_t>(t.view.shape.begin(), t.view.shape.begin() + t.view.ndim)},
                    {"ne", std::vector<int64_t>(t.ne, t.ne + t.n_dims)},
                    {"bytes", t.nbytes},
                    {"offset", t.offset},
                    {"file", t.file_index}});
    j["tensors"] = std::move(ts);
    j["n_tensors"] = f.tensors().size();
    j["n_params"] = params;
    j["n_bytes"] = bytes;
    j["model"] = {{"runnable", check.runnable},
                  {"config", check.summary},
                  {"problems", check.tensors.problems},
                  {"unused_tensors", check.tensors.unused}};
    std::cout << j.dump(1, ' ', false, ojson::error_handler_t::replace) << "\n";
    return 0;
  }
  std::printf("%s: GGUF v%u, alignment %zu, %zu file(s)\n\nmetadata (%zu keys):\n", path.c_str(), f.version(),
              f.alignment(), f.n_files(), f.metadata().size());
  size_t w = 0;
  for (const auto& kv : f.metadata()) w = std::max(w, kv.first.size());
  for (const auto& [key, v] : f.metadata())
    std::printf("  %-*s  %-14s %s\n", static_cast<int>(w), key.c_str(), type_text(v).c_str(), value_text(v, 8).c_str());
  std::printf("\ntensors (%zu):\n", f.tensors().size());
  w = 4;
  for (const GGUFTensorInfo& t : f.tensors()) w = std::max(w, t.name.size());
  std::printf("  %-*s  %-6s %-22s %-22s %12s\n", static_cast<int>(w), "name", "type", "shape", "ne", "bytes");
  for (const GGUFTensorInfo& t : f.tensors())
    std::printf("  %-*s  %-6s %-22s %-22s %12zu%s\n", static_cast<int>(w), t.name.c_str(), dtype_name(t.dtype).c_str(),
                t.view.shape_str().c_str(), shape_text(t.ne, t.n_dims).c_str(), t.nbytes,
                f.n_files() > 1 ? str("  (file ", t.file_index + 1, ")").c_str() : "");
  std::printf("\ntotal: %zu tensors, %lld parameters, %llu bytes (%s)\n", f.tensors().size(),
              static_cast<long long>(params), static_cast<unsigned long long>(bytes),
              human_bytes(static_cast<double>(bytes)).c_str());
  std::printf("\nmodel: %s\n", check.summary.c_str());
  for (const std::string& p : check.tensors.problems) std::printf("  problem: %s\n", p.c_str());
  for (const std::string& u : check.tensors.unused) std::printf("  unused tensor: %s\n", u.c_str());
  std::printf("check: %s\n", check.runnable
                                 ? "every tensor the config needs is present with its shape and a supported type"
                                 : "seek cannot run this file (see above)");
  return 0;
}

int info_safetensors(const std::string& path, bool as_json) {
  SafetensorsFile f = SafetensorsFile::open(path);
  int64_t params = 0;
  uint64_t bytes = 0;
  for (const SafetensorsTensorInfo& t : f.tensors()) params += t.view.numel(), bytes += t.end - t.begin;
  if (as_json) {
    ojson j = {{"file", path}, {"format", "safetensors"}, {"files", f.files()}, {"metadata", f.metadata()}};
    ojson ts = ojson::array();
    for (const SafetensorsTensorInfo& t : f.tensors())
      ts.push_back({{"name", t.name},
                    {"type", t.st_dtype},
                    {"shape", std::vector<int64_t>(t.view.shape.begin(), t.view.shape.begin() + t.view.ndim)},
                    {"bytes", t.end - t.begin},
                    {"data_offsets", {t.begin, t.end}},
                    {"file", t.file_index}});
    j["tensors"] = std::move(ts);
    j["n_tensors"] = f.tensors().size();
    j["n_params"] = params;
    j["n_bytes"] = bytes;
    std::cout << j.dump(1, ' ', false, ojson::error_handler_t::replace) << "\n";
    return 0;
  }
  std::printf("%s: safetensors, %zu file(s)\n\nmetadata (%zu keys):\n", path.c_str(), f.files().size(),
              f.metadata().size());
  for (const auto& [k, v] : f.metadata()) std::printf("  %s = %s\n", k.c_str(), escaped(v, 160).c_str());
  std::printf("\ntensors (%zu):\n", f.tensors().size());
  size_t w = 4;
  for (const SafetensorsTensorInfo& t : f.tensors()) w = std::max(w, t.name.size());
  std::printf("  %-*s  %-8s %-22s %12s\n", static_cast<int>(w), "name", "type", "shape", "bytes");
  for (const SafetensorsTensorInfo& t : f.tensors())
    std::printf("  %-*s  %-8s %-22s %12llu%s\n", static_cast<int>(w), t.name.c_str(), t.st_dtype.c_str(),
                t.view.shape_str().c_str(), static_cast<unsigned long long>(t.end - t.begin),
                f.files().size() > 1 ? str("  (file ", t.file_index + 1, ")").c_str() : "");
  std::printf("\ntotal: %zu tensors, %lld parameters, %llu bytes (%s)\n", f.tensors().size(),
              static_cast<long long>(params), static_cast<unsigned long long>(bytes),
              human_bytes(static_cast<double>(bytes)).c_str());
  return 0;
}

// GGUF by its magic (or a .gguf name, so a damaged one gets the GGUF error); else safetensors.
bool looks_gguf(const std::string& path) {
  if (is_dir(path)) return false;
  regular_file_size(path);  // a missing file, a FIFO or a device is refused by name
  if (ends_with(path, ".gguf")) return true;
  char magic[4] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(magic, 4);
  return in.gcount() == 4 && std::string(magic, 4) == "GGUF";
}

}  // namespace

int cmd_info(int argc, char** argv) {
  CLI::App app{"seek info: a model file's metadata and tensor table (GGUF, safetensors file, index or directory)"};
  std::string path;
  bool as_json = false;
  app.add_option("FILE", path, "GGUF file (first split of a multi-file model), .safetensors, index .json or directory")
      ->required();
  app.add_flag("--json", as_json, "print one JSON object instead of text");
  app.name("seek info");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    throw UsageError(str(e.what(), " (see seek info --help)"));
  }
  return looks_gguf(path) ? info_gguf(path, as_json) : info_safetensors(path, as_json);
}

}  // namespace seek::cli
