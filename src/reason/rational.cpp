// Exact rational arithmetic with overflow detection (128-bit intermediates, then a range check).
#include "reason/rational.h"

#include <limits>

namespace seek::reason {
namespace {

using i128 = __int128;

i128 gcd128(i128 a, i128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    i128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Reduces n/d (d != 0) to lowest terms with d > 0; nullopt when a part leaves int64.
std::optional<Rational> reduce(i128 n, i128 d) {
  if (d == 0) return std::nullopt;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const i128 g = gcd128(n, d);
  if (g > 1) {
    n /= g;
    d /= g;
  }
  constexpr i128 lo = std::numeric_limits<int64_t>::min() + 1;  // keep -num representable
  constexpr i128 hi = std::numeric_limits<int64_t>::max();
  if (n < lo || n > hi || d > hi) return std::nullopt;
  return Rational{static_cast<int64_t>(n), static_cast<int64_t>(d)};
}

}  // namespace

std::string Rational::to_string() const {
  return den == 1 ? std::to_string(num) : std::to_string(num) + "/" + std::to_string(den);
}

std::optional<Rational> make_rational(int64_t num, int64_t den) { return reduce(num, den); }

// Operands are int64, so each product below fits in 127 bits and each sum of two in 128.
std::optional<Rational> add(const Rational& a, const Rational& b) {
  return reduce(static_cast<i128>(a.num) * b.den + static_cast<i128>(b.num) * a.den, static_cast<i128>(a.den) * b.den);
}
std::optional<Rational> sub(const Rational& a, const Rational& b) {
  return reduce(static_cast<i128>(a.num) * b.den - static_cast<i128>(b.num) * a.den, static_cast<i128>(a.den) * b.den);
}
std::optional<Rational> mul(const Rational& a, const Rational& b) {
  return reduce(static_cast<i128>(a.num) * b.num, static_cast<i128>(a.den) * b.den);
}
std::optional<Rational> div(const Rational& a, const Rational& b) {
  if (b.num == 0) return std::nullopt;
  return reduce(static_cast<i128>(a.num) * b.den, static_cast<i128>(a.den) * b.num);
}

}  // namespace seek::reason
