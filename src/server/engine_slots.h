// KV-cache slots and the prefix cache: each slot remembers the tokens whose cache entries it
// holds, so a new request goes to the free slot sharing the longest prefix with its prompt and
// only the rest is prefilled. A busy slot with a longer prefix is copied from instead.
#pragma once
#include <cstdint>
#include <vector>

namespace seek {

struct SlotChoice {
  int32_t slot = -1;       // free slot to use; -1 when none is free
  int64_t reuse = 0;       // prompt tokens whose entries are (or will be, after the copy) cached
  int32_t copy_from = -1;  // >= 0: copy `reuse` positions from this busy slot first
};

class SlotTable {
 public:
  explicit SlotTable(int64_t n_slots);

  int64_t size() const { return static_cast<int64_t>(slots_.size()); }
  int64_t n_busy() const;
  // At least one prompt token is always left to run (its logits start the generation).
  SlotChoice choose(const std::vector<int32_t>& prompt) const;
  // Marks the slot busy for `owner`, keeping only its first `keep` cached tokens.
  void acquire(int32_t slot, int64_t owner, int64_t keep);
  // Replaces the slot's history by the first n tokens of another slot's (after KVCache::copy_prefix).
  void copy_tokens(int32_t from, int32_t to, int64_t n);
  void release(int32_t slot);
  int64_t owner(int32_t slot) const { return slots_[slot].owner; }
  // Tokens whose cache entries the slot holds, in position order.
  std::vector<int32_t>& cached(int32_t slot) { return slots_[slot].cached; }
  const std::vector<int32_t>& cached(int32_t slot) const { return slots_[slot].cached; }

 private:
  struct Slot {
    std::vector<int32_t> cached;
    int64_t owner = 0;       // request id; 0 when free
    uint64_t last_used = 0;  // ties go to the least recently used slot
  };
  std::vector<Slot> slots_;
  uint64_t clock_ = 0;
};

// Length of the common prefix of a and b.
int64_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

}  // namespace seek
