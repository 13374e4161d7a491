// Exact rational numbers for checking arithmetic answers (Countdown): int64 numerator and
// positive denominator in lowest terms; every operation checks for overflow and reports it
// instead of wrapping, so no input can make a wrong expression evaluate to the target.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace seek::reason {

struct Rational {
  int64_t num = 0;
  int64_t den = 1;  // > 0, gcd(|num|, den) == 1

  static Rational of(int64_t n) { return Rational{n, 1}; }
  bool is_integer() const { return den == 1; }
  bool operator==(const Rational&) const = default;
  std::string to_string() const;  // "7" or "-3/4"
};

// Each returns nullopt on overflow (or division by zero), never a wrapped value.
std::optional<Rational> make_rational(int64_t num, int64_t den);
std::optional<Rational> add(const Rational& a, const Rational& b);
std::optional<Rational> sub(const Rational& a, const Rational& b);
std::optional<Rational> mul(const Rational& a, const Rational& b);
std::optional<Rational> div(const Rational& a, const Rational& b);

}  // namespace seek::reason
