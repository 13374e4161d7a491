// Tokenizer: added-token split, pre-tokenization, BPE/SPM, decoding (see tokenizer.h).
#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "tokenizer/unicode.h"

namespace seek {

Tokenizer::Tokenizer(TokenizerSpec spec)
    : spec_kind_(spec.kind),
      vocab_(std::move(spec.vocab)),
      pre_(spec.pre_patterns),
      pre_name_(spec.pre_name),
      add_space_prefix_(spec.add_space_prefix),
      chat_template_(std::move(spec.chat_template)),
      merges_(std::move(spec.merges)) {
  if (vocab_.tokens.empty()) throw FormatError("tokenizer: empty vocabulary");
  for (int32_t id = 0; id < vocab_.size(); ++id) {
    const TokenData& t = vocab_.tokens[id];
    by_spelling_.emplace(t.spelling, id);
    const bool plain = t.type == TokenType::Normal || t.type == TokenType::Undefined;
    if (plain) {
      const std::string& key = spec_kind_ == TokenizerKind::BPE ? t.bytes : t.spelling;
      if (!key.empty()) lookup_.emplace(key, id);
    }
    if (t.type == TokenType::Control || t.type == TokenType::UserDefined)
      added_.add({t.bytes, id, t.type == TokenType::Control, t.lstrip, t.rstrip});
  }
  const std::pair<const char*, int32_t> ids[] = {
      {"bos", vocab_.bos}, {"eos", vocab_.eos}, {"eot", vocab_.eot}, {"pad", vocab_.pad}, {"unk", vocab_.unk}};
  for (const auto& [name, v] : ids)
    if (v < -1 || v >= vocab_.size())
      throw FormatError(str("tokenizer: ", name, " token id ", v, " out of range [0, ", vocab_.size(), ")"));
  if (spec_kind_ == TokenizerKind::BPE) {
    bpe_.init(vocab_, lookup_, spec.ignore_merges);
    for (const auto& [l, r] : merges_) bpe_.add_merge(l, r);
  } else {
    spm_.init(vocab_, lookup_);
  }
}

std::string utf8_repair(std::string_view s) {
  if (utf8_is_valid(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    const int n = utf8_valid_len(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    // Maximal subpart: the lead byte plus the continuation bytes that could still have
    // completed it; one U+FFFD for all of them.
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const int want = utf8_lead_len(p[i]);
    size_t k = 1;
    if (want > 1) {
      while (k < static_cast<size_t>(want) && i + k < s.size() && (p[i + k] & 0xC0) == 0x80) {
        if (k == 1) {
          const uint8_t b0 = p[i], b1 = p[i + 1];
          if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F) || (b0 == 0xF0 && b1 < 0x90) ||
              (b0 == 0xF4 && b1 > 0x8F))
            break;
        }
        ++k;
      }
    }
    out += "\xEF\xBF\xBD";
    i += k;
  }
  return out;
}

void Tokenizer::encode_text(std::string_view text, bool first, std::vector<int32_t>& out) const {
  if (spec_kind_ == TokenizerKind::SPM) {
    spm_.encode(text, add_space_prefix_ && first, out);
    return;
  }
  thread_local std::vector<std::string_view> words;
  words.clear();
  pre_.split(text, words);
  for (std::string_view w : words) bpe_.encode_word(w, out);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
  std::string repaired;
  if (!utf8_is_valid(text)) {
    repaired = utf8_repair(text);
    text = repaired;
  }
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (add_bos && vocab_.bos >= 0) out.push_back(vocab_.bos);
  if (added_.empty()) {
    encode_text(text, true, out);
    return out;
  }
  std::vector<AddedTokenMatcher::Piece> pieces;
  added_.split(text, parse_special, pieces);
  bool prev_special = true;  // SentencePiece prefixes a space at the start and after a token
  for (const auto& p : pieces) {
    if (p.id >= 0) {
      out.push_back(p.id);
      prev_special = true;
    } else {
      encode_text(p.text, prev_special, out);
      prev_special = false;
    }
  }
  return out;
}

void Tokenizer::append_piece(int32_t id, bool skip_special, bool& at_start, std::string& out) const {
  if (!vocab_.valid(id)) throw Error(str("decode: token id ", id, " out of range [0, ", vocab_.size(), ")"));
  const TokenData& t = vocab_.tokens[id];
  const bool special = t.type == TokenType::Control || t.type == TokenType::Unknown;
  if (special && skip_special) return;
  std::string_view b = t.bytes;
  if (spec_kind_ == TokenizerKind::SPM && add_space_prefix_ && at_start && !special && !b.empty() && b[0] == ' ')
    b.remove_prefix(1);
  if (!special) at_start = false;
  out.append(b);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string out;
  bool at_start = true;
  for (int32_t id : ids) append_piece(id, skip_special, at_start, out);
  return out;
}

const std::string& Tokenizer::token_text(int32_t id) const {
  if (!vocab_.valid(id)) throw Error(str("token id ", id, " out of range [0, ", vocab_.size(), ")"));
  return vocab_.tokens[id].spelling;
}

const std::string& Tokenizer::token_bytes(int32_t id) const {
  if (!vocab_.valid(id)) throw Error(str("token id ", id, " out of range [0, ", vocab_.size(), ")"));
  return vocab_.tokens[id].bytes;
}

int32_t Tokenizer::token_id(std::string_view text) const {
  auto it = by_spelling_.find(text);
  if (it != by_spelling_.end()) return it->second;
  for (const AddedToken& t : added_.tokens())
    if (t.content == text) return t.id;
  return -1;
}

bool Tokenizer::is_special(int32_t id) const {
  return vocab_.valid(id) && vocab_.tokens[id].type == TokenType::Control;
}

bool Tokenizer::is_eog(int32_t id) const { return id >= 0 && (id == vocab_.eos || id == vocab_.eot); }

std::string StreamDecoder::push(int32_t id) {
  bool at_start = !started_;
  tok_.append_piece(id, skip_special_, at_start, pending_);
  started_ = !at_start;
  const size_t keep = utf8_incomplete_tail(pending_);
  std::string out = utf8_repair(std::string_view(pending_).substr(0, pending_.size() - keep));
  pending_.erase(0, pending_.size() - keep);
  return out;
}

void StreamDecoder::continue_after(const std::vector<int32_t>& context) {
  for (int32_t id : context)
    if (!tok_.is_special(id)) started_ = true;
}

std::string StreamDecoder::flush() {
  std::string out = utf8_repair(pending_);
  pending_.clear();
  return out;
}

}  // namespace seek
