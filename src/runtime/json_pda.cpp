// The JSON object automaton: one switch over the lexical mode; containers on a bit stack.
#include "runtime/json_pda.h"

namespace seek {

namespace {

using S = JsonState;

constexpr const char* kLiterals[3] = {"true", "false", "null"};
constexpr uint8_t kLiteralLen[3] = {4, 5, 4};

bool is_ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
bool is_hex(uint8_t c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Enters mode m (resetting the mode's count when given); the byte is accepted.
bool go(S& s, uint8_t m) {
  s.mode = m;
  return true;
}
bool go(S& s, uint8_t m, uint8_t count) {
  s.count = count;
  return go(s, m);
}

// Whitespace where the grammar allows it, up to the run limit.
bool step_ws(S& s) {
  if (s.ws >= JsonLimits::kMaxWhitespace) return false;
  ++s.ws;
  return true;
}

bool push(S& s, bool object) {
  if (s.depth >= JsonLimits::kMaxDepth) return false;
  if (object) s.stack |= uint64_t(1) << s.depth;
  else s.stack &= ~(uint64_t(1) << s.depth);
  ++s.depth;
  s.mode = object ? S::kObjFirst : S::kArrFirst;
  return true;
}

bool top_is_object(const S& s) { return (s.stack >> (s.depth - 1)) & 1; }

bool pop(S& s) {
  --s.depth;
  return go(s, s.depth == 0 ? S::kDone : S::kAfterValue);
}

bool begin_string(S& s, bool key) {
  s.flags = key ? S::kKey : 0;
  return go(s, S::kString);
}

// The first byte of a value.
bool begin_value(S& s, uint8_t c) {
  switch (c) {
    case '{': return push(s, true);
    case '[': return push(s, false);
    case '"': return begin_string(s, false);
    case '-': return go(s, S::kNumMinus, 0);
    case '0': return go(s, S::kNumZero);
    case 't':
    case 'f':
    case 'n': s.lit = c == 't' ? 0 : c == 'f' ? 1 : 2; return go(s, S::kLiteral, 1);
    default: return c >= '1' && c <= '9' && go(s, S::kNumInt, 1);
  }
}

// Structural modes (whitespace allowed); c is not whitespace.
bool step_after_value(S& s, uint8_t c) {
  if (s.depth == 0) return false;
  const bool obj = top_is_object(s);
  if (c == ',') return go(s, obj ? S::kObjKey : S::kValue);
  return c == (obj ? '}' : ']') && pop(s);
}

// A string byte that is not '"' or '\': printable ASCII or the lead of a UTF-8 character.
bool step_string_byte(S& s, uint8_t c) {
  if (c < 0x20) return false;
  if (c < 0x80) return true;
  s.lo = 0x80, s.hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) return go(s, S::kUtf8, 1);
  if (c == 0xE0) s.lo = 0xA0;  // no overlong forms
  if (c == 0xED) s.hi = 0x9F;  // no UTF-16 surrogates
  if (c >= 0xE0 && c <= 0xEF) return go(s, S::kUtf8, 2);
  if (c == 0xF0) s.lo = 0x90;
  if (c == 0xF4) s.hi = 0x8F;  // nothing above U+10FFFF
  return c >= 0xF0 && c <= 0xF4 && go(s, S::kUtf8, 3);
}

bool step_hex(S& s, uint8_t c) {
  if (!is_hex(c)) return false;
  const bool d = c == 'd' || c == 'D';
  const int v = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
  if (s.count == 0) {
    if ((s.flags & S::kNeedLow) && !d) return false;
    if (d) s.flags |= S::kHexD;
  } else if (s.count == 1 && (s.flags & S::kHexD)) {
    if (s.flags & S::kNeedLow) {
      if (v < 0xC) return false;  // low surrogate DC00-DFFF
    } else if (v >= 0xC) {
      return false;  // a lone low surrogate
    } else if (v >= 0x8) {
      s.flags |= S::kHighSurr;  // D800-DBFF: a low one must follow
    }
  }
  if (++s.count < 4) return true;
  const uint8_t key = s.flags & S::kKey;
  const bool high = s.flags & S::kHighSurr;
  s.flags = key | (high ? S::kNeedLow : 0);
  return go(s, S::kString);
}

// Number modes that may end: a byte that does not extend the number ends it and is read as
// the byte after a value.
bool end_number(S& s, uint8_t c) {
  s.mode = S::kAfterValue;
  s.ws = 0;
  if (is_ws(c)) return step_ws(s);
  return step_after_value(s, c);
}

bool step_number(S& s, uint8_t c) {
  switch (s.mode) {
    case S::kNumMinus:
      if (c == '0') return go(s, S::kNumZero);
      return c >= '1' && c <= '9' && go(s, S::kNumInt, 1);
    case S::kNumZero:
    case S::kNumInt:
      if (is_digit(c) && s.mode == S::kNumInt) return ++s.count <= JsonLimits::kMaxIntDigits;
      if (c == '.') return go(s, S::kNumDot);
      if (c == 'e' || c == 'E') return go(s, S::kNumExp);
      return end_number(s, c);
    case S::kNumDot: return is_digit(c) && go(s, S::kNumFrac, 1);
    case S::kNumFrac:
      if (is_digit(c)) return ++s.count <= JsonLimits::kMaxFracDigits;
      if (c == 'e' || c == 'E') return go(s, S::kNumExp);
      return end_number(s, c);
    case S::kNumExp:
      if (c == '+' || c == '-') return go(s, S::kNumExpSign);
      [[fallthrough]];
    case S::kNumExpSign: return is_digit(c) && go(s, S::kNumExpDigits, 1);
    case S::kNumExpDigits:
      if (is_digit(c)) return ++s.count <= JsonLimits::kMaxExpDigits;
      return end_number(s, c);
    default: return false;
  }
}

}  // namespace

bool json_step(S& s, uint8_t c) {
  switch (s.mode) {
    case S::kString:
      if (s.flags & S::kNeedLow) return c == '\\' && go(s, S::kEscape);
      if (c == '"') {
        s.ws = 0;
        return go(s, (s.flags & S::kKey) ? S::kColon : S::kAfterValue);
      }
      if (c == '\\') return go(s, S::kEscape);
      return step_string_byte(s, c);
    case S::kUtf8:
      if (c < s.lo || c > s.hi) return false;
      s.lo = 0x80, s.hi = 0xBF;
      if (--s.count == 0) s.mode = S::kString;
      return true;
    case S::kEscape:
      if (s.flags & S::kNeedLow) {
        if (c != 'u') return false;
      } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') {
        return go(s, S::kString);
      }
      if (c != 'u') return false;
      s.flags &= S::kKey | S::kNeedLow;
      return go(s, S::kHex, 0);
    case S::kHex: return step_hex(s, c);
    case S::kLiteral:
      if (c != static_cast<uint8_t>(kLiterals[s.lit][s.count])) return false;
      if (++s.count == kLiteralLen[s.lit]) {
        s.mode = S::kAfterValue;
        s.ws = 0;
      }
      return true;
    case S::kNumMinus:
    case S::kNumZero:
    case S::kNumInt:
    case S::kNumDot:
    case S::kNumFrac:
    case S::kNumExp:
    case S::kNumExpSign:
    case S::kNumExpDigits: return step_number(s, c);
    default: break;
  }
  // Structural modes: whitespace, then one structural byte (which resets the run).
  if (is_ws(c)) return step_ws(s);
  s.ws = 0;
  switch (s.mode) {
    case S::kStart: return c == '{' && push(s, true);
    case S::kObjFirst:
      if (c == '}') return pop(s);
      [[fallthrough]];
    case S::kObjKey: return c == '"' && begin_string(s, true);
    case S::kColon: return c == ':' && go(s, S::kValue);
    case S::kArrFirst:
      if (c == ']') return pop(s);
      [[fallthrough]];
    case S::kValue: return begin_value(s, c);
    case S::kAfterValue: return step_after_value(s, c);
    default:  // kDone: only whitespace
      return false;
  }
}

JsonState json_canonical(JsonState s) {
  if (s.depth < 64) s.stack &= (uint64_t(1) << s.depth) - 1;
  JsonState c;
  c.stack = s.stack;
  c.depth = s.depth;
  c.mode = s.mode;
  switch (s.mode) {
    case S::kString:
    case S::kEscape: c.flags = s.flags; break;
    case S::kUtf8: c.flags = s.flags, c.count = s.count, c.lo = s.lo, c.hi = s.hi; break;
    case S::kHex: c.flags = s.flags, c.count = s.count; break;
    case S::kLiteral: c.lit = s.lit, c.count = s.count; break;
    case S::kNumInt:
    case S::kNumFrac:
    case S::kNumExpDigits: c.count = s.count; break;
    case S::kNumMinus:
    case S::kNumZero:
    case S::kNumDot:
    case S::kNumExp:
    case S::kNumExpSign: break;
    default:  // structural modes: only the whitespace run matters
      c.ws = s.ws;
      break;
  }
  return c;
}

bool json_feed(JsonState& s, std::string_view bytes) {
  for (char c : bytes)
    if (!json_step(s, static_cast<uint8_t>(c))) return false;
  return true;
}

}  // namespace seek
