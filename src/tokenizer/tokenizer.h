// The tokenizer the engine, server and CLI use: a vocabulary, added tokens matched first, a
// regex pre-tokenizer and a byte-level BPE model (GGUF `gpt2`, HF tokenizer.json BPE), or a
// SentencePiece-style model (GGUF `llama`). Loaded from GGUF tokenizer keys or tokenizer.json
// (+ tokenizer_config.json beside it for bos/eos, add_bos_token and the chat template).
// Invalid UTF-8 input is first repaired: each maximal invalid subsequence becomes U+FFFD
// (the WHATWG/Node decoder's rule), so ids match an HF tokenizer fed the decoded string.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/spm.h"
#include "tokenizer/vocab.h"

namespace seek {

class GGUFFile;

enum class TokenizerKind { BPE, SPM };

// Everything a loader collects; Tokenizer builds its tables from it.
struct TokenizerSpec {
  TokenizerKind kind = TokenizerKind::BPE;
  Vocab vocab;
  std::vector<std::pair<std::string, std::string>> merges;  // BPE, raw bytes of both sides, rank order
  std::vector<std::string> pre_patterns;                    // BPE pre-tokenizer
  std::string pre_name;                                     // GGUF name when known ("deepseek-v3"), else ""
  bool ignore_merges = false;                               // a whole pre-token in the vocab wins (Llama-3)
  bool add_space_prefix = true;                             // SPM
  std::string chat_template;                                // Jinja source, when the file has one
};

class Tokenizer {
 public:
  explicit Tokenizer(TokenizerSpec spec);
  static std::unique_ptr<Tokenizer> from_gguf(const GGUFFile& f);
  static std::unique_ptr<Tokenizer> from_gguf_path(const std::string& path);
  // tokenizer.json; reads tokenizer_config.json from the same folder when present.
  static std::unique_ptr<Tokenizer> from_hf_json(const std::string& path);
  static std::unique_ptr<Tokenizer> from_hf_json_text(const std::string& tokenizer_json,
                                                      const std::string& config_json = "");

  // parse_special: special (control) tokens written in the text become their ids; added tokens
  // that are not special (e.g. V3's <think>) are always matched, as HF and llama.cpp do.
  std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const;
  // Concatenated token bytes; special tokens are written as their text unless skip_special.
  // May hold invalid UTF-8 when the ids split a character (use StreamDecoder for streaming).
  std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;
  // Appends one token's bytes as decode() would; at_start tracks SentencePiece's leading space.
  void append_piece(int32_t id, bool skip_special, bool& at_start, std::string& out) const;

  const std::string& token_text(int32_t id) const;   // the file's spelling ("Ġhi", "<｜User｜>")
  const std::string& token_bytes(int32_t id) const;  // what it decodes to (" hi")
  int32_t token_id(std::string_view text) const;     // exact spelling or added-token text; -1 if none
  int32_t n_vocab() const { return vocab_.size(); }
  int32_t bos() const { return vocab_.bos; }
  int32_t eos() const { return vocab_.eos; }
  int32_t eot() const { return vocab_.eot; }
  bool add_bos_default() const { return vocab_.add_bos; }
  bool is_special(int32_t id) const;  // control tokens (never produced from plain text)
  bool is_eog(int32_t id) const;      // end of generation: eos, eot
  TokenizerKind kind() const { return spec_kind_; }
  const std::string& pre_name() const { return pre_name_; }
  const std::string& chat_template() const { return chat_template_; }
  const Vocab& vocab() const { return vocab_; }
  const PreTokenizer& pre_tokenizer() const { return pre_; }
  size_t n_merges() const { return bpe_.n_merges(); }
  const std::vector<std::pair<std::string, std::string>>& merges() const { return merges_; }

 private:
  void encode_text(std::string_view text, bool first, std::vector<int32_t>& out) const;

  TokenizerKind spec_kind_;
  Vocab vocab_;
  BytesToId lookup_;  // BPE: token bytes -> id (normal tokens); SPM: spelling -> id
  BytesToId by_spelling_;
  AddedTokenMatcher added_;
  PreTokenizer pre_;
  std::string pre_name_;
  BpeModel bpe_;
  SpmModel spm_;
  bool add_space_prefix_ = true;
  std::string chat_template_;
  std::vector<std::pair<std::string, std::string>> merges_;
};

// Replaces each maximal invalid UTF-8 subsequence with U+FFFD (no-op on valid input).
std::string utf8_repair(std::string_view s);

// Turns a stream of ids into text that never ends inside a UTF-8 character: bytes of an
// incomplete character wait for the next token; flush() emits what is left (invalid bytes
// repaired to U+FFFD).
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tok, bool skip_special = false) : tok_(tok), skip_special_(skip_special) {}
  std::string push(int32_t id);
  std::string flush();
  // The ids decoded so far belong to text shown before (a prompt): a SentencePiece piece that
  // follows text keeps its leading space. Special tokens alone (BOS) leave the start a start.
  void continue_after(const std::vector<int32_t>& context);

 private:
  const Tokenizer& tok_;
  bool skip_special_;
  bool started_ = false;
  std::string pending_;
};

}  // namespace seek
