// The vocabulary every tokenizer model shares: per-token bytes, score and type (GGUF's
// tokenizer.ggml.token_type values), plus the special-token ids. Token text is stored as the
// raw bytes the token decodes to (byte-level "Ġhi" is stored as " hi"; SentencePiece "▁hi" as
// " hi"; <0x0A> as "\n"); `spelling` keeps the file's own spelling for display and writing.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace seek {

enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

struct TokenData {
  std::string bytes;     // what the token decodes to
  std::string spelling;  // as the file writes it ("Ġhi", "▁hi", "<0x0A>", "<｜User｜>")
  float score = 0;
  TokenType type = TokenType::Normal;
  bool special = false;                 // an added token marked special (Control in GGUF)
  bool lstrip = false, rstrip = false;  // HF added-token flags: swallow whitespace on that side
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using BytesToId = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

struct Vocab {
  std::vector<TokenData> tokens;
  int32_t bos = -1, eos = -1, eot = -1, pad = -1, unk = -1;
  bool add_bos = false;

  int32_t size() const { return static_cast<int32_t>(tokens.size()); }
  bool valid(int32_t id) const { return id >= 0 && id < size(); }
};

}  // namespace seek
