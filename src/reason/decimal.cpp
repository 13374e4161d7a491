// Schoolbook decimal arithmetic on digit strings (most significant digit first).
#include "reason/decimal.h"

#include <algorithm>
#include <vector>

#include "core/error.h"

namespace seek::reason {
namespace {

std::string strip_zeros(std::string s) {
  const size_t nz = s.find_first_not_of('0');
  return nz == std::string::npos ? "0" : s.substr(nz);
}

}  // namespace

bool is_canonical_decimal(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return s.size() == 1 || s[0] != '0';
}

int compare_decimal(std::string_view a, std::string_view b) {
  SEEK_ASSERT(is_canonical_decimal(a) && is_canonical_decimal(b));
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string add_decimal(std::string_view a, std::string_view b) {
  std::string r;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    r.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(r.begin(), r.end());
  return strip_zeros(r);
}

std::string sub_decimal(std::string_view a, std::string_view b) {
  SEEK_ASSERT(compare_decimal(a, b) >= 0);
  std::string r;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') - borrow - (i < b.size() ? b[b.size() - 1 - i] - '0' : 0);
    borrow = d < 0 ? 1 : 0;
    r.push_back(static_cast<char>('0' + d + 10 * borrow));
  }
  std::reverse(r.begin(), r.end());
  return strip_zeros(r);
}

std::string mul_decimal_digit(std::string_view a, int digit) {
  SEEK_ASSERT(digit >= 0 && digit <= 9);
  std::string r;
  int carry = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const int d = (a[a.size() - 1 - i] - '0') * digit + carry;
    r.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  if (carry) r.push_back(static_cast<char>('0' + carry));
  std::reverse(r.begin(), r.end());
  return strip_zeros(r);
}

std::string mul_decimal(std::string_view a, std::string_view b) {
  std::vector<int> acc(a.size() + b.size(), 0);  // least significant first
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) acc[i + j] += (a[a.size() - 1 - i] - '0') * (b[b.size() - 1 - j] - '0');
  std::string r;
  int carry = 0;
  for (int v : acc) {
    v += carry;
    r.push_back(static_cast<char>('0' + v % 10));
    carry = v / 10;
  }
  while (carry) {
    r.push_back(static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
  std::reverse(r.begin(), r.end());
  return strip_zeros(r);
}

}  // namespace seek::reason
