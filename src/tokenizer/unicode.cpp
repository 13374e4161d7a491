// UTF-8 helpers and the GPT-2 byte map (see unicode.h).
#include "tokenizer/unicode.h"

#include <array>

namespace seek {

int utf8_lead_len(uint8_t b) {
  if (b < 0x80) return 1;
  if (b < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  if (b < 0xF5) return 4;
  return 0;
}

int utf8_valid_len(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + i;
  const size_t left = s.size() - i;
  const int n = utf8_lead_len(p[0]);
  if (n <= 1) return n;
  if (left < static_cast<size_t>(n)) return 0;
  for (int k = 1; k < n; ++k)
    if ((p[k] & 0xC0) != 0x80) return 0;
  // Second-byte ranges that exclude overlongs, surrogates and code points past U+10FFFF.
  if (p[0] == 0xE0 && p[1] < 0xA0) return 0;
  if (p[0] == 0xED && p[1] > 0x9F) return 0;
  if (p[0] == 0xF0 && p[1] < 0x90) return 0;
  if (p[0] == 0xF4 && p[1] > 0x8F) return 0;
  return n;
}

uint32_t utf8_decode(std::string_view s, size_t i, int len) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + i;
  switch (len) {
    case 1: return p[0];
    case 2: return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    case 3: return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    default: return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
  }
}

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool utf8_is_valid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const int n = utf8_valid_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t utf8_incomplete_tail(std::string_view s) {
  // Look back at most 3 bytes for a lead byte whose sequence runs past the end; hold it back
  // only when the bytes present can still become a valid sequence.
  const size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + (n - back);
    if ((p[0] & 0xC0) == 0x80) continue;  // continuation: keep looking for the lead
    const int want = utf8_lead_len(p[0]);
    if (want <= static_cast<int>(back)) return 0;
    for (size_t k = 1; k < back; ++k)
      if ((p[k] & 0xC0) != 0x80) return 0;
    if (back >= 2) {
      if (p[0] == 0xE0 && p[1] < 0xA0) return 0;
      if (p[0] == 0xED && p[1] > 0x9F) return 0;
      if (p[0] == 0xF0 && p[1] < 0x90) return 0;
      if (p[0] == 0xF4 && p[1] > 0x8F) return 0;
    }
    return back;
  }
  return 0;
}

namespace {

struct ByteMap {
  std::array<uint32_t, 256> to_cp{};
  std::array<int16_t, 324> to_byte{};  // code points 0..323 cover the whole map
  ByteMap() {
    to_byte.fill(-1);
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      to_cp[b] = printable ? static_cast<uint32_t>(b) : next++;
      to_byte[to_cp[b]] = static_cast<int16_t>(b);
    }
  }
};

const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

}  // namespace

uint32_t byte_to_unicode(uint8_t b) { return byte_map().to_cp[b]; }

int unicode_to_byte(uint32_t cp) { return cp < 324 ? byte_map().to_byte[cp] : -1; }

bool byte_level_decode(std::string_view text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size();) {
    const int n = utf8_valid_len(text, i);
    if (n == 0) return false;
    const int b = unicode_to_byte(utf8_decode(text, i, n));
    if (b < 0) return false;
    out += static_cast<char>(b);
    i += n;
  }
  return true;
}

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) utf8_append(out, byte_to_unicode(static_cast<uint8_t>(c)));
  return out;
}

}  // namespace seek
