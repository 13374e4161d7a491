// Countdown (TinyZero's R1-Zero replication task, deepseek.md 7): given numbers and a target,
// write an expression with + - * / and parentheses using each given number at most once.
// Instances are solvable by construction: the target is built from a random expression over all
// the numbers with integer intermediate results. fields = the numbers, then the target.
#include <algorithm>
#include <map>

#include "core/error.h"
#include "reason/expression.h"
#include "reason/task.h"

namespace seek::reason {
namespace {

struct Item {
  int64_t value;
  std::string expr;  // parenthesised unless a leaf
};

class CountdownTask final : public Task {
 public:
  const char* name() const override { return "countdown"; }
  int min_difficulty() const override { return 2; }
  int max_difficulty() const override { return 6; }
  int default_difficulty() const override { return 3; }

  Problem generate(Rng& rng, int difficulty) const override {
    if (difficulty < min_difficulty() || difficulty > max_difficulty())
      throw UsageError(str("countdown difficulty (count of numbers): expected 2..6, got ", difficulty));
    for (;;) {
      std::vector<int64_t> numbers(difficulty);
      for (auto& n : numbers) n = rng.uniform(1, 99);
      Problem p;
      if (build(rng, numbers, p)) return p;
    }
  }

  double check(const Problem& p, std::string_view answer) const override {
    SEEK_ASSERT(p.fields.size() >= 2);
    const ExprResult r = evaluate_expression(trim_ascii(answer));
    if (!r.ok) return 0.0;
    std::map<int64_t, int> avail;
    for (size_t i = 0; i + 1 < p.fields.size(); ++i) ++avail[std::stoll(p.fields[i])];
    for (int64_t lit : r.literals)
      if (--avail[lit] < 0) return 0.0;  // not given, or used more often than given
    return r.value == Rational::of(std::stoll(p.fields.back())) ? 1.0 : 0.0;
  }

  std::string worked_solution(const Problem& p) const override {
    std::string nums;
    for (size_t i = 0; i + 1 < p.fields.size(); ++i) nums += (i ? ", " : "") + p.fields[i];
    std::string r = str("I need to reach ", p.truth, " using ", nums, ", each at most once.");
    for (size_t i = 0; i < p.steps.size(); ++i) r += "\n" + p.steps[i];
    r += str("\nThat reaches ", p.truth, ", so the expression is ", p.solution, ".");
    return format_completion(r, p.solution);
  }

 private:
  // Combines random pairs until one item is left; false when a rule rejects the instance.
  static bool build(Rng& rng, const std::vector<int64_t>& numbers, Problem& p) {
    std::vector<Item> items;
    for (int64_t n : numbers) items.push_back({n, std::to_string(n)});
    while (items.size() > 1) {
      const size_t i = rng.uniform(0, items.size() - 1);
      size_t j = rng.uniform(0, items.size() - 2);
      if (j >= i) ++j;
      Item a = items[i], b = items[j];
      const char ops[] = {'+', '-', '*', '/'};
      const char op = ops[rng.uniform(0, 3)];
      if ((op == '-' || op == '/') && a.value < b.value) std::swap(a, b);
      int64_t v;
      if (op == '+') v = a.value + b.value;
      else if (op == '-') v = a.value - b.value;
      else if (op == '*') v = a.value * b.value;
      else if (b.value <= 1 || a.value % b.value != 0) return false;  // exact, non-trivial division
      else v = a.value / b.value;
      if (v <= 0 || v > 100000) return false;
      p.steps.push_back(str(a.value, " ", op, " ", b.value, " = ", v));
      Item c{v, "(" + a.expr + " " + op + " " + b.expr + ")"};
      items.erase(items.begin() + std::max(i, j));
      items.erase(items.begin() + std::min(i, j));
      items.push_back(std::move(c));
    }
    const int64_t target = items[0].value;
    if (target < 1 || target > 999 || std::find(numbers.begin(), numbers.end(), target) != numbers.end()) return false;
    std::string list;
    for (size_t k = 0; k < numbers.size(); ++k) {
      list += (k ? ", " : "") + std::to_string(numbers[k]);
      p.fields.push_back(std::to_string(numbers[k]));
    }
    p.fields.push_back(std::to_string(target));
    p.task = "countdown";
    p.difficulty = static_cast<int>(numbers.size());
    p.question = str("Using the numbers [", list, "], create an equation that equals ", target,
                     ". You can use + - * / and parentheses, and each number at most once. Write only the "
                     "expression in the answer, for example <answer> (1 + 2) / 3 </answer>");
    p.truth = std::to_string(target);
    p.solution = items[0].expr.substr(1, items[0].expr.size() - 2);  // drop the outer parentheses
    return true;
  }
};

}  // namespace

std::unique_ptr<Task> make_countdown_task() { return std::make_unique<CountdownTask>(); }

}  // namespace seek::reason
