// A byte-level pushdown automaton for one JSON object (RFC 8259 grammar; strings checked as
// well-formed UTF-8 per Unicode Table 3-7 with paired \u surrogate escapes, as strict parsers
// such as nlohmann::json require). Bounds keep generation finite and parseable: nesting depth,
// whitespace run length, and digits per number part (so a number never overflows a double).
#pragma once
#include <cstdint>
#include <string_view>

namespace seek {

struct JsonLimits {
  static constexpr int kMaxDepth = 32;       // nested objects/arrays, the top-level one included
  static constexpr int kMaxWhitespace = 24;  // consecutive whitespace bytes between tokens
  static constexpr int kMaxIntDigits = 16;   // integer part
  static constexpr int kMaxFracDigits = 16;  // fraction part
  static constexpr int kMaxExpDigits = 2;    // exponent part (|exp| <= 99)
};

// The whole automaton state: 16 bytes, no padding, compared and hashed as bytes.
struct JsonState {
  enum Mode : uint8_t {
    kStart,         // before the top-level object: whitespace or '{'
    kObjFirst,      // after '{': '"' (a key) or '}'
    kObjKey,        // after ',' in an object: '"'
    kColon,         // after a key: ':'
    kValue,         // after ':' or ',' in an array: any value
    kArrFirst,      // after '[': any value or ']'
    kAfterValue,    // ',' or the closer of the innermost container
    kString,        // inside a string
    kUtf8,          // inside a multi-byte character: `count` bytes left, next in [lo, hi]
    kEscape,        // after '\'
    kHex,           // after '\u': `count` hex digits read
    kLiteral,       // inside true/false/null: `lit` which, `count` bytes read
    kNumMinus,      // after '-': a digit
    kNumZero,       // integer part "0": '.', 'e', or the end of the number
    kNumInt,        // integer digits
    kNumDot,        // after '.': a digit
    kNumFrac,       // fraction digits
    kNumExp,        // after 'e'/'E': sign or digit
    kNumExpSign,    // after the exponent sign: a digit
    kNumExpDigits,  // exponent digits
    kDone,          // the object is complete: whitespace only
  };
  enum Flag : uint8_t {
    kKey = 1,       // the current string is an object key
    kHexD = 2,      // the current \u escape began with 'D' (surrogate range decision)
    kHighSurr = 4,  // the current \u escape is a high surrogate D800-DBFF
    kNeedLow = 8,   // a high surrogate was read: "\uDC00-DFFF" must follow at once
  };

  uint64_t stack = 0;  // bit i set: container at depth i is an object (else an array)
  uint8_t depth = 0;   // open containers
  uint8_t mode = kStart;
  uint8_t flags = 0;
  uint8_t count = 0;       // per mode: bytes left / digits read / literal bytes read
  uint8_t ws = 0;          // consecutive whitespace bytes so far
  uint8_t lit = 0;         // literal index: 0 true, 1 false, 2 null
  uint8_t lo = 0, hi = 0;  // kUtf8: allowed range of the next byte

  bool complete() const { return mode == kDone; }
  bool operator==(const JsonState&) const = default;
};
static_assert(sizeof(JsonState) == 16);

// Advances s over byte c; returns false (s then unspecified) if c cannot continue the text.
bool json_step(JsonState& s, uint8_t c);

// s with every field its mode does not read zeroed (and container bits above the depth), so
// states that accept the same continuations compare equal: the key of JsonConstraint's cache.
JsonState json_canonical(JsonState s);

// Runs bytes from s; false if some byte cannot continue (s then unspecified).
bool json_feed(JsonState& s, std::string_view bytes);

}  // namespace seek
