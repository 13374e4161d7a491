// SentencePiece-style BPE as GGUF stores it (tokenizer.ggml.model = llama): spaces become
// U+2581 "▁" (with one prepended to the text), the text starts as single UTF-8 characters,
// and the adjacent pair whose concatenation is a token with the highest score is merged
// (ties: leftmost) until none is left. A character with no token falls back to its bytes
// (<0xNN> tokens), or to unk when the vocabulary has no byte tokens.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace seek {

class SpmModel {
 public:
  // `lookup` maps token bytes (spaces already as "▁" U+2581) to ids.
  void init(const Vocab& vocab, const BytesToId& lookup);
  // Appends the ids of `text` (spaces not yet escaped). add_prefix: prepend one space first.
  void encode(std::string_view text, bool add_prefix, std::vector<int32_t>& out) const;

 private:
  const Vocab* vocab_ = nullptr;
  const BytesToId* lookup_ = nullptr;
  int32_t byte_id_[256];
};

}  // namespace seek
