// Byte-level BPE: a pre-token's bytes start as single-byte tokens, then the adjacent pair with
// the lowest merge rank is merged (ties: leftmost) until no ranked pair is left. A binary heap
// over candidate pairs with lazy invalidation makes this O(n log n) in the pre-token length,
// and a pre-token -> ids cache skips repeated words entirely.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace seek {

class BpeModel {
 public:
  // `lookup` maps a normal token's bytes to its id; byte tokens are found through it.
  void init(const Vocab& vocab, const BytesToId& lookup, bool ignore_merges);
  // Appends a merge (ranks follow call order). False when a side or the result is not a token.
  bool add_merge(std::string_view left, std::string_view right);
  size_t n_merges() const { return n_merges_; }

  // Appends the ids of one pre-token. Bytes without a token are skipped (unk when one exists).
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
  // The same without the cache (the reference the cache is tested against).
  void encode_word_uncached(std::string_view word, std::vector<int32_t>& out) const;

 private:
  // Open-addressing table (left id, right id) -> (rank << 32 | merged id).
  uint64_t find_merge(int32_t left, int32_t right) const;
  void insert_merge(uint64_t key, uint64_t value);

  const BytesToId* lookup_ = nullptr;
  bool ignore_merges_ = false;
  int32_t unk_ = -1;
  int32_t byte_id_[256];
  std::vector<uint64_t> keys_, values_;
  size_t n_merges_ = 0;
  int shift_ = 64;

  static constexpr size_t kCacheMax = 1 << 18;
  static constexpr size_t kCacheWordMax = 128;  // longer pre-tokens are not cached
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache_;
};

}  // namespace seek
