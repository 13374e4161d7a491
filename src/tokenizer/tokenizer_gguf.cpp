// Loads a tokenizer from GGUF `tokenizer.ggml.*` keys (model gpt2 = byte-level BPE with the
// `pre` regex preset; model llama = SentencePiece with scores and <0xNN> byte tokens), and
// writes those keys for a tokenizer (the trainer's GGUF output).
#include "tokenizer/tokenizer_gguf.h"

#include "core/error.h"
#include "formats/gguf.h"
#include "tokenizer/tokenizer_detail.h"
#include "tokenizer/unicode.h"

namespace seek {

namespace {

const char* kSpmSpace = "\xE2\x96\x81";  // U+2581

std::string spm_unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, kSpmSpace) == 0) {
      out += ' ';
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// "<0x0A>" -> 0x0A; -1 when not of that form.
int parse_byte_token(const std::string& s) {
  if (s.size() != 6 || s.compare(0, 3, "<0x") != 0 || s[5] != '>') return -1;
  int v = 0;
  for (int k = 3; k < 5; ++k) {
    const char c = s[k];
    v *= 16;
    if (c >= '0' && c <= '9') v += c - '0';
    else if (c >= 'A' && c <= 'F') v += c - 'A' + 10;
    else if (c >= 'a' && c <= 'f') v += c - 'a' + 10;
    else return -1;
  }
  return v;
}

}  // namespace

namespace detail {

void detect_eot(Vocab& vocab) {
  if (vocab.eot >= 0) return;
  for (const char* text : {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
                           "<\xEF\xBD\x9C"
                           "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"})
    for (int32_t id = 0; id < vocab.size(); ++id)
      if (vocab.tokens[id].spelling == text && vocab.tokens[id].type == TokenType::Control) {
        vocab.eot = id;
        return;
      }
}

}  // namespace detail

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GGUFFile& f) {
  const std::string model = f.get_string("tokenizer.ggml.model");
  TokenizerSpec spec;
  if (model == "gpt2") spec.kind = TokenizerKind::BPE;
  else if (model == "llama") spec.kind = TokenizerKind::SPM;
  else throw FormatError(str("tokenizer.ggml.model: expected gpt2 or llama, got '", model, "'"));

  const GGUFValue* tv = f.find("tokenizer.ggml.tokens");
  if (!tv) throw FormatError("missing key tokenizer.ggml.tokens");
  const std::vector<std::string> tokens = tv->as_strings("tokenizer.ggml.tokens");
  const size_t n = tokens.size();
  if (n == 0 || n > (1u << 24)) throw FormatError(str("tokenizer.ggml.tokens: ", n, " tokens is out of range"));
  std::vector<int64_t> types(n, static_cast<int64_t>(TokenType::Normal));
  if (const GGUFValue* v = f.find("tokenizer.ggml.token_type")) {
    types = v->as_ints("tokenizer.ggml.token_type");
    if (types.size() != n)
      throw FormatError(str("tokenizer.ggml.token_type: expected ", n, " entries, got ", types.size()));
  }
  std::vector<float> scores(n, 0.0f);
  if (const GGUFValue* v = f.find("tokenizer.ggml.scores")) {
    scores = v->as_floats("tokenizer.ggml.scores");
    if (scores.size() != n)
      throw FormatError(str("tokenizer.ggml.scores: expected ", n, " entries, got ", scores.size()));
  }

  spec.vocab.tokens.resize(n);
  for (size_t i = 0; i < n; ++i) {
    TokenData& t = spec.vocab.tokens[i];
    t.spelling = tokens[i];
    t.score = scores[i];
    const int64_t ty = types[i];
    t.type = (ty >= 0 && ty <= 6) ? static_cast<TokenType>(ty) : TokenType::Undefined;
    t.special = t.type == TokenType::Control;
    if (t.type == TokenType::Control || t.type == TokenType::UserDefined || t.type == TokenType::Unknown) {
      t.bytes = t.spelling;
    } else if (spec.kind == TokenizerKind::BPE) {
      if (!byte_level_decode(t.spelling, t.bytes)) t.bytes = t.spelling;
    } else if (t.type == TokenType::Byte) {
      const int b = parse_byte_token(t.spelling);
      if (b < 0) throw FormatError(str("tokenizer.ggml.tokens[", i, "]: byte token '", t.spelling, "' is not <0xNN>"));
      t.bytes = std::string(1, static_cast<char>(b));
    } else {
      t.bytes = spm_unescape(t.spelling);
    }
  }

  if (spec.kind == TokenizerKind::BPE) {
    const GGUFValue* mv = f.find("tokenizer.ggml.merges");
    if (!mv) throw FormatError("missing key tokenizer.ggml.merges (needed by tokenizer.ggml.model = gpt2)");
    const std::vector<std::string> merges = mv->as_strings("tokenizer.ggml.merges");
    spec.merges.reserve(merges.size());
    std::string ra, rb;
    for (size_t i = 0; i < merges.size(); ++i) {
      const std::string& m = merges[i];
      const size_t sp = m.find(' ', 1);
      if (sp == std::string::npos) throw FormatError(str("tokenizer.ggml.merges[", i, "]: no space in '", m, "'"));
      if (!byte_level_decode(std::string_view(m).substr(0, sp), ra) ||
          !byte_level_decode(std::string_view(m).substr(sp + 1), rb))
        throw FormatError(str("tokenizer.ggml.merges[", i, "]: '", m, "' is not byte-level text"));
      spec.merges.emplace_back(ra, rb);
    }
    spec.pre_name = f.get_string_or("tokenizer.ggml.pre", "default");
    spec.pre_patterns = PreTokenizer::patterns_for(spec.pre_name);
    spec.ignore_merges = spec.pre_name == "llama-bpe" || spec.pre_name == "llama3";
  }

  auto id_key = [&](const char* key) -> int32_t {
    const int64_t v = f.get_int_or(key, -1);
    if (v == 0xFFFFFFFFll) return -1;  // written as uint32(-1) = "none" by some converters
    if (v < -1 || v >= static_cast<int64_t>(n)) throw FormatError(str(key, ": id ", v, " out of range [0, ", n, ")"));
    return static_cast<int32_t>(v);
  };
  spec.vocab.bos = id_key("tokenizer.ggml.bos_token_id");
  spec.vocab.eos = id_key("tokenizer.ggml.eos_token_id");
  spec.vocab.eot = id_key("tokenizer.ggml.eot_token_id");
  spec.vocab.unk = id_key("tokenizer.ggml.unknown_token_id");
  spec.vocab.pad = id_key("tokenizer.ggml.padding_token_id");
  spec.vocab.add_bos = f.get_bool_or("tokenizer.ggml.add_bos_token", spec.kind == TokenizerKind::SPM);
  spec.add_space_prefix = f.get_bool_or("tokenizer.ggml.add_space_prefix", true);
  spec.chat_template = f.get_string_or("tokenizer.chat_template", "");
  detail::detect_eot(spec.vocab);
  return std::make_unique<Tokenizer>(std::move(spec));
}

std::unique_ptr<Tokenizer> Tokenizer::from_gguf_path(const std::string& path) {
  const GGUFFile f = GGUFFile::open(path);
  return from_gguf(f);
}

void gguf_set_tokenizer(GGUFWriter& w, const Tokenizer& tok) {
  const Vocab& v = tok.vocab();
  if (tok.kind() != TokenizerKind::BPE)
    throw UsageError("gguf_set_tokenizer: only byte-level BPE tokenizers can be written");
  if (tok.pre_name().empty())
    throw UsageError("gguf_set_tokenizer: the pre-tokenizer matches no GGUF `pre` preset, so GGUF cannot describe it");
  if (!PreTokenizer::is_writable_name(tok.pre_name()))
    throw UsageError(
        str("gguf_set_tokenizer: pre-tokenizer '", tok.pre_name(),
            "' is seek's old one, which llama.cpp refuses; retrain the tokenizer with one it knows (e.g. qwen2)"));
  std::vector<std::string> spellings;
  std::vector<int32_t> types;
  for (const TokenData& t : v.tokens) {
    spellings.push_back(t.spelling);
    types.push_back(static_cast<int32_t>(t.type == TokenType::Undefined ? TokenType::Normal : t.type));
  }
  std::vector<std::string> merges;
  for (const auto& [a, b] : tok.merges()) merges.push_back(byte_level_encode(a) + " " + byte_level_encode(b));
  w.set("tokenizer.ggml.model", GGUFValue::of_string("gpt2"));
  w.set("tokenizer.ggml.pre", GGUFValue::of_string(tok.pre_name()));
  w.set("tokenizer.ggml.tokens", GGUFValue::of_strings(spellings));
  w.set("tokenizer.ggml.token_type", GGUFValue::of_i32s(types));
  w.set("tokenizer.ggml.merges", GGUFValue::of_strings(merges));
  if (v.bos >= 0) w.set("tokenizer.ggml.bos_token_id", GGUFValue::of_u32(static_cast<uint32_t>(v.bos)));
  if (v.eos >= 0) w.set("tokenizer.ggml.eos_token_id", GGUFValue::of_u32(static_cast<uint32_t>(v.eos)));
  if (v.pad >= 0) w.set("tokenizer.ggml.padding_token_id", GGUFValue::of_u32(static_cast<uint32_t>(v.pad)));
  w.set("tokenizer.ggml.add_bos_token", GGUFValue::of_bool(v.add_bos));
  if (!tok.chat_template().empty()) w.set("tokenizer.chat_template", GGUFValue::of_string(tok.chat_template()));
}

}  // namespace seek
