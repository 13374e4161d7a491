// JsonConstraint: walk the token trie in preorder carrying one automaton state per depth;
// a rejected byte skips its whole subtree, so shared prefixes are stepped once.
#include "runtime/json_constraint.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/error.h"
#include "runtime/token_trie.h"
#include "tokenizer/tokenizer.h"

namespace seek {

JsonConstraint::JsonConstraint(const Tokenizer& tok) : trie_(TokenTrie::shared(tok)), tok_(tok) {
  path_.resize(static_cast<size_t>(trie_->max_depth) + 1);
}

const std::vector<uint64_t>& JsonConstraint::allowed_bits() const {
  const JsonState key = json_canonical(state_);
  for (const CachedMask& m : cache_)
    if (m.key == key) return m.bits;
  if (cache_.size() >= kCacheSize) cache_.clear();
  const TokenTrie& t = *trie_;
  CachedMask m{key, std::vector<uint64_t>((static_cast<size_t>(t.n_vocab) + 63) / 64, 0)};
  const size_t n = t.n_nodes();
  path_[0] = state_;
  for (size_t i = 0; i < n;) {
    const uint16_t d = t.depth[i];
    JsonState s = path_[d - 1];
    if (!json_step(s, t.byte[i])) {
      i = t.end[i];  // no token under this node can continue the text
      continue;
    }
    path_[d] = s;
    for (uint32_t k = t.tok_begin[i]; k < t.tok_begin[i + 1]; ++k) {
      const int32_t id = t.token_ids[k];
      m.bits[id >> 6] |= uint64_t(1) << (id & 63);
    }
    ++i;
  }
  if (state_.complete())
    for (int32_t id : {tok_.eos(), tok_.eot()})
      if (id >= 0 && id < t.n_vocab) m.bits[id >> 6] |= uint64_t(1) << (id & 63);
  cache_.push_back(std::move(m));
  return cache_.back().bits;
}

void JsonConstraint::mask(float* logits, int64_t vocab) const {
  const std::vector<uint64_t>& bits = allowed_bits();
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const int64_t n = std::min<int64_t>(vocab, trie_->n_vocab);
  for (int64_t w = 0; w * 64 < n; ++w) {
    const uint64_t word = bits[w];
    if (word == ~uint64_t(0)) continue;
    const int64_t end = std::min<int64_t>(n, (w + 1) * 64);
    for (int64_t i = w * 64; i < end; ++i)
      if (!((word >> (i & 63)) & 1)) logits[i] = neg_inf;
  }
  for (int64_t i = n; i < vocab; ++i) logits[i] = neg_inf;
}

bool JsonConstraint::allows(int32_t token) const {
  if (token < 0 || token >= tok_.n_vocab()) return false;
  if (tok_.is_eog(token)) return state_.complete();
  const TokenType type = tok_.vocab().tokens[token].type;
  if (type == TokenType::Control || type == TokenType::Unknown || type == TokenType::Unused) return false;
  const std::string& bytes = tok_.token_bytes(token);
  JsonState s = state_;
  return !bytes.empty() && json_feed(s, bytes);
}

void JsonConstraint::accept(int32_t token) {
  if (!allows(token)) {
    const std::string what = token >= 0 && token < tok_.n_vocab() ? tok_.token_text(token) : "?";
    throw Error(str("json_object constraint: token ", token, " (", what, ") cannot continue the JSON text",
                    complete() ? " (the object is already complete)" : ""));
  }
  if (tok_.is_eog(token)) return;
  json_feed(state_, tok_.token_bytes(token));
}

}  // namespace seek
