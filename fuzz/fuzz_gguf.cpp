// libFuzzer target: GGUF parsing from memory. A parse that succeeds must give tensors whose
// first and last bytes are readable (ASan catches any view past the image), typed getters that
// only throw seek::Error, and a rewrite through GGUFWriter that parses back to the same content.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "formats/gguf.h"

namespace {

void touch(const seek::TensorView& v, size_t nbytes) {
  if (nbytes == 0) return;
  volatile uint8_t sink = static_cast<const uint8_t*>(v.data)[0];
  sink = static_cast<const uint8_t*>(v.data)[nbytes - 1];
  (void)sink;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  seek::GGUFFile f;
  try {
    f = seek::GGUFFile::parse(data, size, "fuzz");
  } catch (const seek::Error&) {
    return 0;
  }
  for (const auto& [key, v] : f.metadata()) {
    try {
      (void)v.as_int(key);
    } catch (const seek::Error&) {
    }
    try {
      (void)v.as_strings(key);
      (void)v.as_floats(key);
    } catch (const seek::Error&) {
    }
  }
  for (const seek::GGUFTensorInfo& t : f.tensors()) {
    check(t.view.nbytes() == t.nbytes);
    touch(t.view, t.nbytes);
  }
  // Differential: write it again and read it back.
  seek::GGUFWriter w;
  std::vector<uint8_t> again;
  try {
    for (const auto& [k, v] : f.metadata()) w.set(k, v);
    for (const seek::GGUFTensorInfo& t : f.tensors()) w.add_tensor(t.name, t.view);
    again = w.to_bytes();
  } catch (const seek::UsageError&) {
    return 0;  // e.g. names llama.cpp could not read: the writer refuses them
  }
  seek::GGUFFile g = seek::GGUFFile::parse(again.data(), again.size(), "rewrite");
  check(g.metadata().size() == f.metadata().size() && g.tensors().size() == f.tensors().size());
  for (size_t k = 0; k < f.metadata().size(); ++k)
    check(g.metadata()[k].first == f.metadata()[k].first && g.metadata()[k].second == f.metadata()[k].second);
  for (size_t k = 0; k < f.tensors().size(); ++k) {
    const seek::GGUFTensorInfo& a = f.tensors()[k];
    const seek::GGUFTensorInfo& b = g.tensors()[k];
    check(a.name == b.name && a.dtype == b.dtype && a.nbytes == b.nbytes && a.view.shape == b.view.shape);
    check(std::memcmp(a.view.data, b.view.data, a.nbytes) == 0);
  }
  return 0;
}
