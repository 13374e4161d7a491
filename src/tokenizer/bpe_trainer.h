// Byte-level BPE training (the GPT-2 / HF tokenizers BpeTrainer recipe): pre-tokens of the
// corpus (a GGUF `pre` preset regex, special-token text cut out first) are counted in a hash
// map, then the most frequent adjacent pair is merged repeatedly, with pair counts updated
// incrementally in the words that hold the pair and a max-heap with lazy invalidation.
// Ids: the 256 byte tokens (id = byte value), then merge results in merge order, then the
// special tokens. Output: HF tokenizer.json + tokenizer_config.json text, or a Tokenizer.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/vocab.h"

namespace seek {

class Tokenizer;

struct BpeTrainOptions {
  int32_t vocab_size = 32000;               // all tokens: 256 bytes + merges + specials
  std::vector<std::string> special_tokens;  // added tokens, special=true, ids after the merges
  // Added tokens that are not special (HF special=false, GGUF USER_DEFINED): matched wherever their
  // text occurs, in HF tokenizers, llama.cpp and seek alike, never merged with their neighbours,
  // and decoded to their text. Ids after the special tokens. For a fixed prompt preamble.
  std::vector<std::string> user_tokens;
  std::string pre = "deepseek-v3";  // PreTokenizer preset name
  int64_t min_frequency = 2;        // a pair seen fewer times is never merged
  std::string bos, eos;             // "" = the first / second special token
  bool progress = true;             // ProgressBar on stderr
};

// What training produces; the byte-level tokenizer is fully described by it.
struct BpeTrainResult {
  std::vector<std::string> tokens;                          // raw bytes of every normal token, by id (first 256: bytes)
  std::vector<std::pair<std::string, std::string>> merges;  // raw bytes of both sides, rank order
  std::vector<std::string> specials;                        // ids tokens.size() + i
  std::vector<std::string> user_tokens;                     // ids tokens.size() + specials.size() + i
  std::vector<std::string> pre_patterns;
  std::string bos, eos;     // special-token text, "" when none
  int64_t n_words = 0;      // distinct pre-tokens counted
  int64_t n_pretokens = 0;  // pre-tokens counted (with repeats)
  int64_t n_bytes = 0;      // corpus bytes read

  int32_t n_vocab() const { return static_cast<int32_t>(tokens.size() + specials.size() + user_tokens.size()); }
};

class BpeTrainer {
 public:
  explicit BpeTrainer(BpeTrainOptions opt);  // throws UsageError on a bad option
  ~BpeTrainer();

  // Counts the pre-tokens of `text` (invalid UTF-8 is repaired to U+FFFD as encode does).
  void add_text(std::string_view text);
  // Streams files in blocks cut after a newline; progress over their total size.
  void add_files(const std::vector<std::string>& paths);
  // Runs the merges; the counts are consumed (call once).
  BpeTrainResult train();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// HF tokenizer.json (BPE model, Split+ByteLevel pre-tokenizer, ByteLevel decoder, added_tokens).
std::string bpe_tokenizer_json(const BpeTrainResult& r);
// tokenizer_config.json: bos/eos tokens, add_bos_token, tokenizer_class.
std::string bpe_tokenizer_config_json(const BpeTrainResult& r);
// The trained tokenizer as seek loads it (through the same JSON HF reads).
std::unique_ptr<Tokenizer> bpe_make_tokenizer(const BpeTrainResult& r);

}  // namespace seek
