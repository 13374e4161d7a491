// Preorder token trie: sort the token bytes; each string adds nodes for its suffix past the
// longest common prefix with the previous one, which yields the nodes in preorder directly.
#include "runtime/token_trie.h"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <string>
#include <utility>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace seek {

namespace {

bool is_text_token(const Tokenizer& tok, int32_t id) {
  const TokenType t = tok.vocab().tokens[id].type;
  if (t == TokenType::Control || t == TokenType::Unknown || t == TokenType::Unused) return false;
  return !tok.token_bytes(id).empty();
}

// FNV-1a over every token's bytes and type: equal vocabularies give equal tries.
uint64_t fingerprint(const Tokenizer& tok) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  for (int32_t id = 0; id < tok.n_vocab(); ++id) {
    for (char c : tok.token_bytes(id)) mix(static_cast<uint8_t>(c));
    mix(0xFF);
    mix(static_cast<uint8_t>(tok.vocab().tokens[id].type));
  }
  return h ^ static_cast<uint64_t>(tok.n_vocab());
}

}  // namespace

TokenTrie TokenTrie::build(const Tokenizer& tok) {
  TokenTrie t;
  t.n_vocab = tok.n_vocab();
  std::vector<int32_t> ids;
  for (int32_t id = 0; id < tok.n_vocab(); ++id)
    if (is_text_token(tok, id)) ids.push_back(id);
  std::stable_sort(ids.begin(), ids.end(),
                   [&](int32_t a, int32_t b) { return tok.token_bytes(a) < tok.token_bytes(b); });
  std::vector<uint32_t> open;  // node index at each depth of the current path
  const std::string* prev = nullptr;
  for (int32_t id : ids) {
    const std::string& s = tok.token_bytes(id);
    if (s.size() > 0xFFFF) throw Error(str("token ", id, ": ", s.size(), " bytes, expected at most 65535"));
    size_t lcp = 0;
    if (prev) {
      const size_t m = std::min(prev->size(), s.size());
      while (lcp < m && (*prev)[lcp] == s[lcp]) ++lcp;
    }
    // Close the nodes of the previous path below the common prefix.
    while (open.size() > lcp) {
      t.end[open.back()] = static_cast<uint32_t>(t.byte.size());
      open.pop_back();
    }
    for (size_t d = lcp; d < s.size(); ++d) {
      open.push_back(static_cast<uint32_t>(t.byte.size()));
      t.byte.push_back(static_cast<uint8_t>(s[d]));
      t.depth.push_back(static_cast<uint16_t>(d + 1));
      t.end.push_back(0);
      t.tok_begin.push_back(static_cast<uint32_t>(t.token_ids.size()));
    }
    // Same bytes as the previous token (lcp == size): it ends at the same node; tok_begin of
    // the following nodes is taken when they are created, so the range grows.
    t.token_ids.push_back(id);
    t.max_depth = std::max(t.max_depth, static_cast<int32_t>(s.size()));
    prev = &s;
  }
  while (!open.empty()) {
    t.end[open.back()] = static_cast<uint32_t>(t.byte.size());
    open.pop_back();
  }
  t.tok_begin.push_back(static_cast<uint32_t>(t.token_ids.size()));
  return t;
}

std::shared_ptr<const TokenTrie> TokenTrie::shared(const Tokenizer& tok) {
  static std::mutex mu;
  static std::vector<std::pair<uint64_t, std::shared_ptr<const TokenTrie>>> cache;
  const uint64_t fp = fingerprint(tok);
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& [k, v] : cache)
      if (k == fp) return v;
  }
  auto trie = std::make_shared<const TokenTrie>(build(tok));
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= 4) cache.erase(cache.begin());
  cache.emplace_back(fp, trie);
  return trie;
}

}  // namespace seek
