// A batch for one forward pass: tokens from any number of sequences (cache slots), each at its
// own position. Prefill is many tokens of one slot; continuous batching is one token of many.
#pragma once
#include <cstdint>
#include <vector>

namespace seek {

struct Batch {
  std::vector<int32_t> tokens;     // [N]
  std::vector<int32_t> positions;  // [N] position of each token in its sequence
  std::vector<int32_t> slots;      // [N] KV cache slot (sequence) of each token
  std::vector<uint8_t> logits;     // [N] 1 = compute this token's logits

  int64_t size() const { return static_cast<int64_t>(tokens.size()); }
  void clear() {
    tokens.clear();
    positions.clear();
    slots.clear();
    logits.clear();
  }
  void add(int32_t token, int32_t pos, int32_t slot, bool want_logits) {
    tokens.push_back(token);
    positions.push_back(pos);
    slots.push_back(slot);
    logits.push_back(want_logits ? 1 : 0);
  }
  int64_t n_logits() const {
    int64_t n = 0;
    for (uint8_t l : logits) n += l;
    return n;
  }
};

}  // namespace seek
