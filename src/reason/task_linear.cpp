// Linear equations in one unknown with an integer solution: "3x + 7 = 22" (difficulty 1-2) or
// "5x - 3 = 2x + 9" (difficulty 3+); larger difficulty widens the coefficient ranges.
// fields = {a, b, c, e} for a*x + b = c*x + e. Accepted answers: "4", "-4", "x = -4".
#include <cstdlib>

#include "core/error.h"
#include "reason/decimal.h"
#include "reason/task.h"

namespace seek::reason {
namespace {

// "3x + 7", "-x", "x - 2", "5"
std::string side(int64_t a, int64_t b) {
  std::string s;
  if (a == 1) s = "x";
  else if (a == -1) s = "-x";
  else if (a != 0) s = str(a, "x");
  if (s.empty()) return std::to_string(b);
  if (b > 0) s += str(" + ", b);
  if (b < 0) s += str(" - ", -b);
  return s;
}

class LinearTask final : public Task {
 public:
  const char* name() const override { return "linear"; }
  int min_difficulty() const override { return 1; }
  int max_difficulty() const override { return 10; }
  int default_difficulty() const override { return 2; }

  Problem generate(Rng& rng, int d) const override {
    if (d < min_difficulty() || d > max_difficulty())
      throw UsageError(str("linear difficulty: expected 1..10, got ", d));
    const int64_t R = 5 * d, A = d + 2;
    const int64_t x = rng.uniform(-R, R);
    int64_t a = 0, c = 0;
    while (a == 0) a = rng.uniform(-A, A);
    if (d >= 3)
      while (c == 0 || c == a) c = rng.uniform(-A, A);
    const int64_t b = rng.uniform(-4 * R, 4 * R);
    const int64_t e = (a - c) * x + b;
    Problem p;
    p.task = name();
    p.difficulty = d;
    p.fields = {std::to_string(a), std::to_string(b), std::to_string(c), std::to_string(e)};
    p.truth = std::to_string(x);
    p.solution = p.truth;
    p.question = str("Solve for x: ", side(a, b), " = ", side(c, e), ". Give x as an integer");
    return p;
  }

  double check(const Problem& p, std::string_view answer) const override {
    std::string_view s = trim_ascii(answer);
    if (s.size() >= 1 && s[0] == 'x') {
      s = trim_ascii(s.substr(1));
      if (s.empty() || s[0] != '=') return 0.0;
      s = trim_ascii(s.substr(1));
    }
    std::string_view digits = s.size() && s[0] == '-' ? s.substr(1) : s;
    if (!is_canonical_decimal(digits) || s == "-0") return 0.0;
    return s == p.truth ? 1.0 : 0.0;
  }

  std::string worked_solution(const Problem& p) const override {
    SEEK_ASSERT(p.fields.size() == 4);
    const int64_t a = std::stoll(p.fields[0]), b = std::stoll(p.fields[1]);
    const int64_t c = std::stoll(p.fields[2]), e = std::stoll(p.fields[3]);
    std::string r = str("The equation is ", side(a, b), " = ", side(c, e), ".");
    const int64_t k = a - c;
    if (c != 0) r += str("\nSubtract ", side(c, 0), " from both sides: ", side(k, b), " = ", e, ".");
    if (b != 0)
      r += str("\n", b > 0 ? "Subtract " : "Add ", std::llabs(b), " on both sides: ", side(k, 0), " = ", e - b, ".");
    if (k != 1) r += str("\nDivide both sides by ", k, ": x = ", e - b, " / ", k, " = ", p.truth, ".");
    r += str("\nCheck: the left side is ", a * std::stoll(p.truth) + b, " and the right side is ",
             c * std::stoll(p.truth) + e, ".");
    return format_completion(r, str("x = ", p.truth));
  }
};

}  // namespace

std::unique_ptr<Task> make_linear_task() { return std::make_unique<LinearTask>(); }

}  // namespace seek::reason
