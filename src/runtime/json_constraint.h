// JSON-constrained decoding (OpenAI response_format {"type": "json_object"}): the byte-level
// automaton of runtime/json_pda.h run over a preorder trie of the vocabulary's token bytes.
// mask() sets -inf on every token whose bytes cannot continue the text generated so far, so any
// sampled sequence is a prefix of one valid JSON object; EOS/EOT are allowed only once the
// object is complete, every other control token never.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/json_pda.h"

namespace seek {

class Tokenizer;
struct TokenTrie;

class JsonConstraint {
 public:
  // Cheap after the first call for a vocabulary (the token trie is shared, see TokenTrie).
  explicit JsonConstraint(const Tokenizer& tok);
  // logits: [vocab] (vocab may exceed the tokenizer's; the extra ids are masked).
  void mask(float* logits, int64_t vocab) const;
  // Advances over the token's bytes. Throws seek::Error if mask() would have forbidden it.
  void accept(int32_t token);
  // The bytes so far form one complete JSON object (the caller may stop; EOS is allowed).
  bool complete() const { return state_.complete(); }
  // True if mask() allows the token now.
  bool allows(int32_t token) const;
  const JsonState& state() const { return state_; }

 private:
  // Allowed-token bitsets by canonical state: generation revisits a few states (inside a
  // string at the same nesting) most of the time, so most masks skip the trie walk.
  struct CachedMask {
    JsonState key;
    std::vector<uint64_t> bits;  // [ceil(n_vocab / 64)]
  };
  static constexpr size_t kCacheSize = 48;
  const std::vector<uint64_t>& allowed_bits() const;

  std::shared_ptr<const TokenTrie> trie_;
  const Tokenizer& tok_;
  JsonState state_;
  mutable std::vector<JsonState> path_;    // [max token bytes + 1] scratch of the trie walk
  mutable std::vector<CachedMask> cache_;  // at most kCacheSize, cleared when full
};

}  // namespace seek
