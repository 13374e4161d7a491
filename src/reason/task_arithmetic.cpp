// Multi-digit arithmetic: a + b, a - b (a >= b) and a * b with d-digit operands (difficulty =
// d). Ground truth in exact decimal strings (reason/decimal.h), so any d works; the worked
// solution goes column by column with carries and borrows, or by partial products.
// fields = {a, op, b}. The answer must be the canonical integer (digits, no sign, no separators).
#include <algorithm>

#include "core/error.h"
#include "reason/decimal.h"
#include "reason/task.h"

namespace seek::reason {
namespace {

std::string random_digits(Rng& rng, int d) {
  std::string s(1, static_cast<char>('0' + (d == 1 ? rng.uniform(0, 9) : rng.uniform(1, 9))));
  for (int i = 1; i < d; ++i) s.push_back(static_cast<char>('0' + rng.uniform(0, 9)));
  return s;
}

int digit_at(const std::string& s, size_t i) {  // i-th digit from the right, 0 past the end
  return i < s.size() ? s[s.size() - 1 - i] - '0' : 0;
}

std::string explain_add(const std::string& a, const std::string& b) {
  std::string r = "Add column by column from the right, carrying tens.";
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const int s = digit_at(a, i) + digit_at(b, i) + carry;
    r += str("\n", digit_at(a, i), " + ", digit_at(b, i), carry ? " + 1" : "", " = ", s, ": write ", s % 10,
             s >= 10 ? ", carry 1." : ".");
    carry = s / 10;
  }
  if (carry) r += "\nWrite the final carry 1.";
  return r;
}

std::string explain_sub(const std::string& a, const std::string& b) {
  std::string r = "Subtract column by column from the right, borrowing when needed.";
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const int ai = digit_at(a, i), bottom = digit_at(b, i), top = ai - borrow;
    const bool need = top < bottom;
    std::string lhs = borrow ? str(ai, " - 1") : str(ai);
    if (need) lhs += " + 10";
    r += str("\n", lhs, " - ", bottom, " = ", top + (need ? 10 : 0) - bottom, need ? ", borrow 1." : ".");
    borrow = need ? 1 : 0;
  }
  return r;
}

std::string explain_mul(const std::string& a, const std::string& b) {
  std::string r = "Multiply by each digit of the second number, then add the partial products.";
  std::string sum = "0";
  std::vector<std::string> parts;
  for (size_t i = 0; i < b.size(); ++i) {
    const int d = digit_at(b, i);
    std::string part = mul_decimal_digit(a, d);
    if (part != "0") part += std::string(i, '0');
    r += str("\n", a, " * ", d, std::string(i, '0'), " = ", part);
    parts.push_back(part);
  }
  for (const auto& part : parts) {
    const std::string next = add_decimal(sum, part);
    if (sum != "0") r += str("\n", sum, " + ", part, " = ", next);
    sum = next;
  }
  return r;
}

class ArithmeticTask final : public Task {
 public:
  const char* name() const override { return "arithmetic"; }
  int min_difficulty() const override { return 1; }
  int max_difficulty() const override { return 40; }
  int default_difficulty() const override { return 3; }

  Problem generate(Rng& rng, int difficulty) const override {
    if (difficulty < min_difficulty() || difficulty > max_difficulty())
      throw UsageError(str("arithmetic difficulty (digits): expected 1..40, got ", difficulty));
    std::string a = random_digits(rng, difficulty), b = random_digits(rng, difficulty);
    const char op = "+-*"[rng.uniform(0, 2)];
    if (op == '-' && compare_decimal(a, b) < 0) std::swap(a, b);
    Problem p;
    p.task = name();
    p.difficulty = difficulty;
    p.fields = {a, std::string(1, op), b};
    p.truth = op == '+' ? add_decimal(a, b) : op == '-' ? sub_decimal(a, b) : mul_decimal(a, b);
    p.solution = p.truth;
    p.question = str("What is ", a, " ", op, " ", b, "? Give the exact integer");
    return p;
  }

  double check(const Problem& p, std::string_view answer) const override {
    return trim_ascii(answer) == p.truth ? 1.0 : 0.0;
  }

  std::string worked_solution(const Problem& p) const override {
    SEEK_ASSERT(p.fields.size() == 3);
    const std::string& a = p.fields[0];
    const std::string& b = p.fields[2];
    const char op = p.fields[1][0];
    std::string r = op == '+' ? explain_add(a, b) : op == '-' ? explain_sub(a, b) : explain_mul(a, b);
    r += str("\nSo ", a, " ", op, " ", b, " = ", p.truth, ".");
    return format_completion(r, p.truth);
  }
};

}  // namespace

std::unique_ptr<Task> make_arithmetic_task() { return std::make_unique<ArithmeticTask>(); }

}  // namespace seek::reason
