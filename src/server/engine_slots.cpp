// Slot choice for the prefix cache (see engine_slots.h).
#include "server/engine_slots.h"

#include <algorithm>

#include "core/error.h"

namespace seek {

int64_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return static_cast<int64_t>(i);
}

SlotTable::SlotTable(int64_t n_slots) : slots_(static_cast<size_t>(n_slots)) { SEEK_ASSERT(n_slots > 0); }

int64_t SlotTable::n_busy() const {
  int64_t n = 0;
  for (const Slot& s : slots_) n += s.owner != 0;
  return n;
}

SlotChoice SlotTable::choose(const std::vector<int32_t>& prompt) const {
  SlotChoice best;
  const int64_t limit = std::max<int64_t>(0, static_cast<int64_t>(prompt.size()) - 1);
  int64_t best_busy = 0;
  int32_t busy_slot = -1;
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    const int64_t lcp = std::min(common_prefix(s.cached, prompt), limit);
    if (s.owner != 0) {
      if (lcp > best_busy) best_busy = lcp, busy_slot = static_cast<int32_t>(i);
      continue;
    }
    const bool better = best.slot < 0 || lcp > best.reuse ||
                        (lcp == best.reuse && s.last_used < slots_[best.slot].last_used);
    if (better) best.slot = static_cast<int32_t>(i), best.reuse = lcp;
  }
  if (best.slot >= 0 && busy_slot >= 0 && best_busy > best.reuse) {
    best.reuse = best_busy;
    best.copy_from = busy_slot;
  }
  return best;
}

void SlotTable::acquire(int32_t slot, int64_t owner, int64_t keep) {
  Slot& s = slots_.at(static_cast<size_t>(slot));
  SEEK_ASSERT(s.owner == 0 && owner != 0);
  SEEK_ASSERT(keep >= 0 && keep <= static_cast<int64_t>(s.cached.size()));
  s.owner = owner;
  s.cached.resize(static_cast<size_t>(keep));
  s.last_used = ++clock_;
}

void SlotTable::copy_tokens(int32_t from, int32_t to, int64_t n) {
  const std::vector<int32_t>& src = slots_.at(static_cast<size_t>(from)).cached;
  SEEK_ASSERT(n <= static_cast<int64_t>(src.size()));
  slots_.at(static_cast<size_t>(to)).cached.assign(src.begin(), src.begin() + n);
}

void SlotTable::release(int32_t slot) {
  Slot& s = slots_.at(static_cast<size_t>(slot));
  s.owner = 0;
  s.last_used = ++clock_;
}

}  // namespace seek
