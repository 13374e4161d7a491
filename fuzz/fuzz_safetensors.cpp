// libFuzzer target: safetensors parsing from memory. A parse that succeeds must give views
// whose first and last bytes are readable, and a rewrite that parses back to the same tensors.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "formats/safetensors.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  seek::SafetensorsFile f;
  try {
    f = seek::SafetensorsFile::parse(data, size, "fuzz");
  } catch (const seek::Error&) {
    return 0;
  }
  seek::SafetensorsWriter w;
  for (const seek::SafetensorsTensorInfo& t : f.tensors()) {
    size_t n = t.end - t.begin;
    check(t.view.nbytes() == n);
    if (n) {
      volatile uint8_t sink = static_cast<const uint8_t*>(t.view.data)[0];
      sink = static_cast<const uint8_t*>(t.view.data)[n - 1];
      (void)sink;
    }
    try {
      seek::TensorView v = f.find(t.name);  // resolves FP8 block scales
      if (v.block_scale) {
        volatile float s = v.block_scale[0];
        (void)s;
      }
    } catch (const seek::Error&) {
    }
    w.add(t.name, t.view);
  }
  for (const auto& [k, v] : f.metadata()) w.set_metadata(k, v);
  std::vector<uint8_t> again = w.to_bytes();
  seek::SafetensorsFile g = seek::SafetensorsFile::parse(again.data(), again.size(), "rewrite");
  check(g.tensors().size() == f.tensors().size() && g.metadata() == f.metadata());
  for (const seek::SafetensorsTensorInfo& a : f.tensors()) {
    const seek::SafetensorsTensorInfo* b = g.find_info(a.name);
    check(b && b->view.dtype == a.view.dtype && b->view.shape == a.view.shape && b->end - b->begin == a.end - a.begin);
    check(std::memcmp(a.view.data, b->view.data, a.end - a.begin) == 0);
  }
  return 0;
}
