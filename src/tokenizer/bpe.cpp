// Byte-level BPE merge loop and cache (see bpe.h).
#include "tokenizer/bpe.h"

#include <algorithm>

#include "core/error.h"

namespace seek {

namespace {
constexpr uint64_t kEmpty = ~0ull;
inline uint64_t pair_key(int32_t l, int32_t r) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(l)) << 32) | static_cast<uint32_t>(r);
}
}  // namespace

void BpeModel::init(const Vocab& vocab, const BytesToId& lookup, bool ignore_merges) {
  lookup_ = &lookup;
  ignore_merges_ = ignore_merges;
  unk_ = vocab.unk;
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    auto it = lookup.find(std::string_view(&c, 1));
    byte_id_[b] = it == lookup.end() ? -1 : it->second;
  }
  keys_.assign(1024, kEmpty);
  values_.assign(1024, 0);
  shift_ = 64 - 10;
  n_merges_ = 0;
  std::lock_guard<std::mutex> lock(cache_mu_);
  cache_.clear();
}

void BpeModel::insert_merge(uint64_t key, uint64_t value) {
  if ((n_merges_ + 1) * 2 > keys_.size()) {  // grow to keep the load under 1/2
    std::vector<uint64_t> ok = std::move(keys_), ov = std::move(values_);
    keys_.assign(ok.size() * 2, kEmpty);
    values_.assign(ok.size() * 2, 0);
    --shift_;
    const size_t n = n_merges_;
    n_merges_ = 0;
    for (size_t i = 0; i < ok.size(); ++i)
      if (ok[i] != kEmpty) insert_merge(ok[i], ov[i]);
    SEEK_ASSERT(n_merges_ == n);
  }
  const size_t mask = keys_.size() - 1;
  size_t h = (key * 0x9E3779B97F4A7C15ull) >> shift_;
  while (keys_[h] != kEmpty) {
    if (keys_[h] == key) return;  // a duplicate merge keeps its first (lowest) rank
    h = (h + 1) & mask;
  }
  keys_[h] = key;
  values_[h] = value;
  ++n_merges_;
}

uint64_t BpeModel::find_merge(int32_t left, int32_t right) const {
  const uint64_t key = pair_key(left, right);
  const size_t mask = keys_.size() - 1;
  size_t h = (key * 0x9E3779B97F4A7C15ull) >> shift_;
  while (keys_[h] != kEmpty) {
    if (keys_[h] == key) return values_[h];
    h = (h + 1) & mask;
  }
  return kEmpty;
}

bool BpeModel::add_merge(std::string_view left, std::string_view right) {
  auto l = lookup_->find(left), r = lookup_->find(right);
  std::string joined;
  joined.reserve(left.size() + right.size());
  joined.append(left).append(right);
  auto m = lookup_->find(std::string_view(joined));
  const uint64_t rank = n_merges_;  // ranks only need to keep file order
  if (l == lookup_->end() || r == lookup_->end() || m == lookup_->end()) return false;
  insert_merge(pair_key(l->second, r->second), (rank << 32) | static_cast<uint32_t>(m->second));
  return true;
}

void BpeModel::encode_word_uncached(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    auto it = lookup_->find(word);
    if (it != lookup_->end()) {
      out.push_back(it->second);
      return;
    }
  }
  const int n = static_cast<int>(word.size());
  thread_local std::vector<int32_t> id, prev, next;
  struct Cand {
    uint32_t rank;
    int32_t pos, left, right;
    bool operator<(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }  // min-heap
  };
  thread_local std::vector<Cand> heap;
  id.resize(n);
  prev.resize(n);
  next.resize(n);
  heap.clear();
  for (int i = 0; i < n; ++i) {
    id[i] = byte_id_[static_cast<uint8_t>(word[i])];
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  auto push = [&](int a) {
    const int b = next[a];
    if (a < 0 || b < 0 || id[a] < 0 || id[b] < 0) return;
    const uint64_t v = find_merge(id[a], id[b]);
    if (v == kEmpty) return;
    heap.push_back({static_cast<uint32_t>(v >> 32), a, id[a], id[b]});
    std::push_heap(heap.begin(), heap.end());
  };
  for (int i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const Cand c = heap.back();
    heap.pop_back();
    const int a = c.pos;
    if (id[a] != c.left) continue;  // the left symbol changed or was absorbed (id -2)
    const int b = next[a];
    if (b < 0 || id[b] != c.right) continue;
    id[a] = static_cast<int32_t>(find_merge(c.left, c.right) & 0xFFFFFFFFu);
    id[b] = -2;
    next[a] = next[b];
    if (next[b] >= 0) prev[next[b]] = a;
    if (prev[a] >= 0) push(prev[a]);
    push(a);
  }
  for (int i = 0; i >= 0; i = next[i]) {
    if (id[i] >= 0) {
      out.push_back(id[i]);
    } else if (id[i] == -1 && unk_ >= 0) {
      out.push_back(unk_);
    }
  }
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.size() > kCacheWordMax) {
    encode_word_uncached(word, out);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(word);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t start = out.size();
  encode_word_uncached(word, out);
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (cache_.size() >= kCacheMax) cache_.clear();
  cache_.emplace(std::string(word), std::vector<int32_t>(out.begin() + start, out.end()));
}

}  // namespace seek
