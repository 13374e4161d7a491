// libFuzzer target: importance matrix files (GGUF and the legacy .dat layout) from memory. A
// parse that succeeds must give entries whose sums are whole blocks of their counts and whose
// importance() has one value per sum; writing it back and reading that must give the same
// entries; anything else must be a seek::Error.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "formats/imatrix_file.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  seek::Imatrix m;
  try {
    m = seek::parse_imatrix(data, size, "fuzz");
  } catch (const seek::Error&) {
    return 0;
  }
  for (const auto& [name, e] : m.entries) {
    check(e.n_counts() > 0 && e.sums.size() % e.counts.size() == 0);
    check(m.importance(name).size() == e.sums.size());
  }
  if (m.legacy) return 0;  // written back only as GGUF, with its own counts layout
  std::vector<uint8_t> bytes;
  try {
    bytes = seek::imatrix_to_bytes(m);
  } catch (const seek::Error&) {
    return 0;  // e.g. an entry no writer could express
  }
  const seek::Imatrix back = seek::parse_imatrix(bytes.data(), bytes.size(), "fuzz rewrite");
  check(back.entries.size() == m.entries.size());
  for (const auto& [name, e] : m.entries) {
    auto it = back.entries.find(name);
    check(it != back.entries.end() && it->second.sums == e.sums && it->second.counts == e.counts);
  }
  return 0;
}
