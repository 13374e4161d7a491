// Multi-digit arithmetic: a + b, a - b (a >= b) and a * b with d-digit operands (difficulty =
// d). Ground truth in exact decimal strings (reason/decimal.h), so any d works; the worked
// solution goes column by column with carries and borrows, or by partial products.
// fields = {a, op, b}. The answer must be the canonical integer (digits, no sign, no separators).
#include <algorithm>
#include <string_view>
#include <vector>

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

// The wordings people type for "a op b" (the bundled model must answer them, not only the
// canonical one). A wording is a tuple (lead, form of the expression, tail, lower-case start); a
// fixed hash of the tuple keeps about one in seven out of every training corpus (held out), so
// held-out accuracy measures questions whose exact wording the model never saw, although each part
// of it (a lead, an operator spelling, a tail) did occur in other combinations.
const char* const kLeads[] = {"What is {e}?", "What is {e}", "What's {e}?",  "Compute {e}",      "Calculate {e}",
                              "Evaluate {e}", "Find {e}",    "Work out {e}", "How much is {e}?", "{e}",
                              "{e} =",        "{e} = ?",     "Solve {e}",    "Tell me {e}"};
const std::vector<const char*>& forms(char op) {
  static const std::vector<const char*> add = {"{a} + {b}", "{a}+{b}", "{a} plus {b}", "{a} +{b}"};
  static const std::vector<const char*> sub = {"{a} - {b}", "{a}-{b}", "{a} minus {b}", "{a} -{b}"};
  static const std::vector<const char*> mul = {"{a} * {b}", "{a}*{b}",   "{a} times {b}",
                                               "{a} x {b}", "{a} × {b}", "{a} multiplied by {b}"};
  return op == '+' ? add : op == '-' ? sub : mul;
}
const char* const kTails[] = {"", " Give the exact integer", " Give the exact integer.", " Answer with an integer."};
constexpr int kLeadCount = sizeof(kLeads) / sizeof(kLeads[0]);
constexpr int kTailCount = sizeof(kTails) / sizeof(kTails[0]);

struct Wording {
  int lead = 0, form = 0, tail = 1;
  bool lower = false;
};
constexpr Wording kCanonical{0, 0, 1, false};  // "What is a op b? Give the exact integer"

bool held_out(const Wording& w, char op) {
  if (w.lead == kCanonical.lead && w.form == kCanonical.form && w.tail == kCanonical.tail && !w.lower) return false;
  const uint64_t code =
      (((static_cast<uint64_t>(w.lead) * 8 + static_cast<uint64_t>(w.form)) * 8 + static_cast<uint64_t>(w.tail)) * 2 +
       (w.lower ? 1 : 0)) *
          256 +
      static_cast<uint8_t>(op);
  return mix_seed(0x5EE4'0A11'4E1Dull, code) % 7 == 0;
}

std::string replace_all(std::string s, std::string_view key, std::string_view value) {
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
    s.replace(at, key.size(), value);
  return s;
}

std::string word(const Wording& w, const std::string& a, char op, const std::string& b) {
  const std::string e = replace_all(replace_all(forms(op)[static_cast<size_t>(w.form)], "{a}", a), "{b}", b);
  std::string q = replace_all(kLeads[w.lead], "{e}", e);
  if (const std::string_view tail = kTails[w.tail]; !tail.empty()) {
    if (q.back() != '?' && q.back() != '.') q += '.';
    q += tail;
  }
  if (w.lower && q[0] >= 'A' && q[0] <= 'Z') q[0] = static_cast<char>(q[0] - 'A' + 'a');
  return q;
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
    p.question = word(kCanonical, a, op, b);
    return p;
  }

  double check(const Problem& p, std::string_view answer) const override {
    return trim_ascii(answer) == p.truth ? 1.0 : 0.0;
  }

  std::string phrase(const Problem& p, Phrasing how, Rng& rng) const override {
    SEEK_ASSERT(p.fields.size() == 3);
    if (how == Phrasing::Canonical) return p.question;
    const char op = p.fields[1][0];
    const int n_forms = static_cast<int>(forms(op).size());
    for (;;) {  // about 6 in 7 wordings are for training, 1 in 7 held out: a few draws at most
      Wording w;
      w.lead = static_cast<int>(rng.uniform(0, kLeadCount - 1));
      w.form = static_cast<int>(rng.uniform(0, n_forms - 1));
      w.tail = static_cast<int>(rng.uniform(0, kTailCount - 1));
      // lower case only changes a wording that starts with a word: one tuple per distinct text
      w.lower = rng.uniform(0, 1) == 1 && kLeads[w.lead][0] != '{';
      if (held_out(w, op) == (how == Phrasing::HeldOut)) return word(w, p.fields[0], op, p.fields[2]);
    }
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
