// UTF-8 helpers and GPT-2's byte-to-unicode map (byte-level BPE stores every byte as one
// printable code point: 33..126, 161..172, 174..255 map to themselves, the other 68 bytes to
// U+0100.. in order). Strict UTF-8: overlong forms, surrogates and > U+10FFFF are invalid.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace seek {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid or truncated.
int utf8_valid_len(std::string_view s, size_t i);
// Length a lead byte announces (1..4), 0 for a continuation or invalid lead byte.
int utf8_lead_len(uint8_t b);
// Decodes the code point at s[i] (valid sequences only; see utf8_valid_len).
uint32_t utf8_decode(std::string_view s, size_t i, int len);
void utf8_append(std::string& out, uint32_t cp);
bool utf8_is_valid(std::string_view s);
// Number of bytes at the end of s that form an incomplete (but so far valid) UTF-8 sequence.
size_t utf8_incomplete_tail(std::string_view s);

// GPT-2 byte map: byte -> code point and back (-1 when a code point is not in the map).
uint32_t byte_to_unicode(uint8_t b);
int unicode_to_byte(uint32_t cp);
// Byte-level text ("Ġhello") to raw bytes (" hello"); false when a code point is not a byte
// symbol (such a vocabulary entry is not a byte-level token, e.g. an added token's text).
bool byte_level_decode(std::string_view text, std::string& out);
std::string byte_level_encode(std::string_view bytes);

}  // namespace seek
