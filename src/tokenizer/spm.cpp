// SentencePiece score-ordered merges (see spm.h).
#include "tokenizer/spm.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace seek {

void SpmModel::init(const Vocab& vocab, const BytesToId& lookup) {
  vocab_ = &vocab;
  lookup_ = &lookup;
  for (int b = 0; b < 256; ++b) byte_id_[b] = -1;
  for (int32_t id = 0; id < vocab.size(); ++id) {
    const TokenData& t = vocab.tokens[id];
    if (t.type == TokenType::Byte && t.bytes.size() == 1) byte_id_[static_cast<uint8_t>(t.bytes[0])] = id;
  }
}

void SpmModel::encode(std::string_view text, bool add_prefix, std::vector<int32_t>& out) const {
  static const std::string kSpace = "\xE2\x96\x81";  // U+2581
  std::string s;
  s.reserve(text.size() * 2 + 3);
  if (add_prefix) s += kSpace;
  for (char c : text) {
    if (c == ' ') s += kSpace;
    else s += c;
  }
  if (s.empty()) return;
  // Symbols are UTF-8 characters (invalid bytes stand alone): [start, len) with a linked list.
  std::vector<int> start, len, prev, next;
  for (size_t i = 0; i < s.size();) {
    int n = utf8_valid_len(s, i);
    if (n == 0) n = 1;
    start.push_back(static_cast<int>(i));
    len.push_back(n);
    i += n;
  }
  const int n = static_cast<int>(start.size());
  prev.resize(n);
  next.resize(n);
  for (int i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  struct Cand {
    float score;
    int left, right, size;
    bool operator<(const Cand& o) const { return score != o.score ? score < o.score : left > o.left; }  // max-heap
  };
  std::vector<Cand> heap;
  auto push = [&](int a) {
    if (a < 0 || next[a] < 0) return;
    const int b = next[a];
    auto it = lookup_->find(std::string_view(s).substr(start[a], len[a] + len[b]));
    if (it == lookup_->end()) return;
    heap.push_back({vocab_->tokens[it->second].score, a, b, len[a] + len[b]});
    std::push_heap(heap.begin(), heap.end());
  };
  for (int i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const Cand c = heap.back();
    heap.pop_back();
    const int a = c.left;
    const int b = c.right;
    if (len[a] == 0 || next[a] != b || len[a] + len[b] != c.size) continue;  // stale
    len[a] += len[b];
    len[b] = 0;
    next[a] = next[b];
    if (next[b] >= 0) prev[next[b]] = a;
    push(prev[a]);
    push(a);
  }
  for (int i = 0; i >= 0; i = next[i]) {
    const std::string_view piece = std::string_view(s).substr(start[i], len[i]);
    auto it = lookup_->find(piece);
    if (it != lookup_->end()) {
      out.push_back(it->second);
      continue;
    }
    for (char c : piece) {  // byte fallback
      const int32_t b = byte_id_[static_cast<uint8_t>(c)];
      if (b >= 0) out.push_back(b);
      else if (vocab_->unk >= 0) out.push_back(vocab_->unk);
    }
  }
}

}  // namespace seek
