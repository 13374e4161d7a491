// Added (special and user-defined) tokens are cut out of the text before pre-tokenization,
// leftmost-longest, like HF tokenizers' added-vocabulary split. A byte trie finds the longest
// token at each position; a first-byte table skips positions no token can start at.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seek {

struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false;  // special tokens are matched only when parse_special is on
  bool lstrip = false;   // swallows whitespace on its left
  bool rstrip = false;   // swallows whitespace on its right
};

class AddedTokenMatcher {
 public:
  void add(const AddedToken& t);
  bool empty() const { return tokens_.empty(); }

  // One piece of the input: either plain text or an added token.
  struct Piece {
    std::string_view text;
    int32_t id = -1;  // -1: plain text
  };
  // Splits `text`; special tokens count only when parse_special is set.
  void split(std::string_view text, bool parse_special, std::vector<Piece>& out) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> next;  // sorted by byte
    int32_t token = -1;                             // index into tokens_
  };
  // Longest token starting at text[i] (index into tokens_), or -1.
  int32_t longest_at(std::string_view text, size_t i, bool parse_special) const;

  std::vector<AddedToken> tokens_;
  std::vector<Node> nodes_{Node{}};
  std::array<bool, 256> first_{};
};

}  // namespace seek
