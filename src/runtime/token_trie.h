// The bytes of every text token of a vocabulary as a trie laid out in preorder, for
// constrained decoding: walking it with an automaton visits each shared prefix once and skips
// a whole subtree as soon as a byte is rejected. Built once per vocabulary and shared.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace seek {

class Tokenizer;

struct TokenTrie {
  // Node i (preorder): the byte on the edge into it, its depth (prefix length, >= 1), the index
  // one past its subtree, and the tokens whose bytes end exactly there:
  // token_ids[tok_begin[i] .. tok_begin[i + 1]).
  std::vector<uint8_t> byte;        // [n_nodes]
  std::vector<uint16_t> depth;      // [n_nodes]
  std::vector<uint32_t> end;        // [n_nodes]
  std::vector<uint32_t> tok_begin;  // [n_nodes + 1]
  std::vector<int32_t> token_ids;   // [n_text_tokens]
  int32_t max_depth = 0;
  int32_t n_vocab = 0;

  size_t n_nodes() const { return byte.size(); }

  // Text tokens: every token with non-empty bytes that is not a control, unknown or unused
  // token (those are never part of constrained text).
  static TokenTrie build(const Tokenizer& tok);
  // build(), cached by a fingerprint of the vocabulary (a server builds it once).
  static std::shared_ptr<const TokenTrie> shared(const Tokenizer& tok);
};

}  // namespace seek
