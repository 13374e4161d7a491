// Recursive descent over   expr := term (('+'|'-') term)* ;  term := atom (('*'|'/') atom)* ;
// atom := integer | '(' expr ')'   with exact rational evaluation (reason/rational.h).
#include "reason/expression.h"

#include <optional>

#include "core/error.h"

namespace seek::reason {
namespace {

class Parser {
 public:
  Parser(std::string_view s, const ExprLimits& lim, ExprResult& out) : s_(s), lim_(lim), out_(out) {}

  std::optional<Rational> parse_all() {
    auto v = expr(0);
    if (!v) return std::nullopt;
    skip_ws();
    if (pos_ != s_.size()) return fail("unexpected '", describe(), "'");
    return v;
  }

 private:
  template <typename... A>
  std::optional<Rational> fail(const A&... parts) {
    if (out_.error.empty()) out_.error = str(parts..., " at ", pos_);
    return std::nullopt;
  }
  std::string describe() const {
    const unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c >= 0x20 && c < 0x7f) return std::string(1, static_cast<char>(c));
    return str("byte 0x", std::hex, static_cast<int>(c));
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool at(char c) {
    skip_ws();
    return pos_ < s_.size() && s_[pos_] == c;
  }

  std::optional<Rational> expr(int depth) {
    auto acc = term(depth);
    while (acc && (at('+') || at('-'))) {
      const char op = s_[pos_++];
      auto rhs = term(depth);
      if (!rhs) return std::nullopt;
      acc = op == '+' ? add(*acc, *rhs) : sub(*acc, *rhs);
      if (!acc) return fail("overflow");
    }
    return acc;
  }

  std::optional<Rational> term(int depth) {
    auto acc = atom(depth);
    while (acc && (at('*') || at('/'))) {
      const char op = s_[pos_++];
      if (op == '*' && at('*')) return fail("unexpected '*' (no exponents)");
      auto rhs = atom(depth);
      if (!rhs) return std::nullopt;
      if (op == '/' && rhs->num == 0) return fail("division by zero");
      acc = op == '*' ? mul(*acc, *rhs) : div(*acc, *rhs);
      if (!acc) return fail("overflow");
    }
    return acc;
  }

  std::optional<Rational> atom(int depth) {
    skip_ws();
    if (pos_ >= s_.size()) return fail("unexpected end");
    if (s_[pos_] == '(') {
      if (depth + 1 > lim_.max_depth) return fail("nesting deeper than ", lim_.max_depth);
      ++pos_;
      auto v = expr(depth + 1);
      if (!v) return std::nullopt;
      if (!at(')')) return pos_ >= s_.size() ? fail("missing ')'") : fail("expected ')', got '", describe(), "'");
      ++pos_;
      return v;
    }
    if (s_[pos_] < '0' || s_[pos_] > '9') return fail("unexpected '", describe(), "'");
    int64_t n = 0;
    int digits = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (++digits > lim_.max_digits) return fail("number longer than ", lim_.max_digits, " digits");
      n = n * 10 + (s_[pos_++] - '0');
    }
    if (pos_ < s_.size() && s_[pos_] == '.') return fail("unexpected '.' (integers only)");
    out_.literals.push_back(n);
    return Rational::of(n);
  }

  std::string_view s_;
  const ExprLimits& lim_;
  ExprResult& out_;
  size_t pos_ = 0;
};

}  // namespace

ExprResult evaluate_expression(std::string_view text, const ExprLimits& limits) {
  ExprResult r;
  if (text.size() > limits.max_chars) {
    r.error = str("expression longer than ", limits.max_chars, " characters (", text.size(), ")");
    return r;
  }
  Parser p(text, limits, r);
  if (auto v = p.parse_all()) {
    r.ok = true;
    r.value = *v;
  }
  return r;
}

}  // namespace seek::reason
