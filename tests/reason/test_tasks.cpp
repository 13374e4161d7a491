// The tasks: deterministic generation, solvable instances (the construction is independently
// re-evaluated), worked solutions that the reward accepts in full, checkers that reject wrong
// answers, and train/test splits with no problem in both.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/error.h"
#include "reason/decimal.h"
#include "reason/expression.h"
#include "reason/reward.h"
#include "reason/task.h"

using namespace seek::reason;

TEST(Decimal, AgainstInt128) {
  Rng rng(5);
  for (int i = 0; i < 2000; ++i) {
    const int64_t a = rng.uniform(0, INT64_MAX / 2), b = rng.uniform(0, INT64_MAX / 2);
    const std::string sa = std::to_string(a), sb = std::to_string(b);
    EXPECT_EQ(add_decimal(sa, sb), std::to_string(a + b));
    EXPECT_EQ(sub_decimal(std::to_string(std::max(a, b)), std::to_string(std::min(a, b))),
              std::to_string(std::max(a, b) - std::min(a, b)));
    // the 128-bit product in decimal, digit by digit
    __int128 p = static_cast<__int128>(a) * b;
    std::string ps;
    do {
      ps.insert(ps.begin(), static_cast<char>('0' + static_cast<int>(p % 10)));
      p /= 10;
    } while (p != 0);
    EXPECT_EQ(mul_decimal(sa, sb), ps);
  }
  EXPECT_EQ(mul_decimal("0", "12345"), "0");
  EXPECT_EQ(sub_decimal("1000", "1"), "999");
  EXPECT_TRUE(is_canonical_decimal("0"));
  EXPECT_FALSE(is_canonical_decimal("007"));
  EXPECT_FALSE(is_canonical_decimal("-7"));
}

class EveryTask : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryTask, DeterministicBySeed) {
  auto t = make_task(GetParam());
  SplitConfig c;
  for (uint64_t i = 0; i < 20; ++i) {
    Problem a = sample_problem(*t, Split::Train, c, i, t->default_difficulty());
    Problem b = sample_problem(*t, Split::Train, c, i, t->default_difficulty());
    EXPECT_EQ(a.question, b.question);
    EXPECT_EQ(a.truth, b.truth);
  }
  c.seed += 1;
  int same = 0;
  SplitConfig c0;
  for (uint64_t i = 0; i < 20; ++i)
    same += sample_problem(*t, Split::Train, c0, i, t->default_difficulty()).question ==
            sample_problem(*t, Split::Train, c, i, t->default_difficulty()).question;
  EXPECT_LT(same, 5);
}

TEST_P(EveryTask, WorkedSolutionsEarnFullReward) {
  auto t = make_task(GetParam());
  SplitConfig c;
  for (int d = t->min_difficulty(); d <= std::min(t->max_difficulty(), t->min_difficulty() + 5); ++d)
    for (uint64_t i = 0; i < 50; ++i) {
      Problem p = sample_problem(*t, Split::Train, c, i, d);
      const std::string sol = t->worked_solution(p);
      Reward r = score_completion(*t, p, sol);
      ASSERT_EQ(r.accuracy, 1.0) << p.question << "\n" << sol;
      ASSERT_EQ(r.format, 1.0) << parse_completion(sol).format_error << "\n" << sol;
      EXPECT_EQ(r.total, 2.0);
      // the prompt embeds the question and ends where the completion starts
      const std::string prompt = r1_zero_prompt(p.question);
      EXPECT_NE(prompt.find(p.question), std::string::npos);
      EXPECT_EQ(prompt.substr(prompt.size() - 10), "Assistant:");
    }
}

TEST_P(EveryTask, WrongAnswersScoreZero) {
  auto t = make_task(GetParam());
  SplitConfig c;
  for (uint64_t i = 0; i < 50; ++i) {
    Problem p = sample_problem(*t, Split::Train, c, i, t->default_difficulty());
    EXPECT_EQ(t->check(p, p.solution), 1.0) << p.question;
    EXPECT_EQ(t->check(p, ""), 0.0);
    EXPECT_EQ(t->check(p, "banana"), 0.0);
    EXPECT_EQ(t->check(p, p.solution + " + 1"), 0.0) << p.question;
    EXPECT_EQ(t->check(p, p.solution + p.solution), 0.0) << p.question;
  }
}

TEST_P(EveryTask, SplitsAreDisjoint) {
  auto t = make_task(GetParam());
  SplitConfig c;
  std::set<std::string> train, test;
  for (uint64_t i = 0; i < 400; ++i)
    train.insert(sample_problem(*t, Split::Train, c, i, t->default_difficulty()).question);
  for (const auto& p : test_set(*t, c, 100, t->default_difficulty())) {
    EXPECT_TRUE(test.insert(p.question).second) << "duplicate in the test set: " << p.question;
    EXPECT_EQ(split_of(p, c), Split::Test);
    EXPECT_EQ(train.count(p.question), 0u) << p.question;
  }
  EXPECT_GE(test.size(), 50u);
  // the held-out fraction is roughly what was asked for
  seek::reason::Rng rng(3);
  int n_test = 0;
  for (int i = 0; i < 4000; ++i) n_test += split_of(t->generate(rng, t->default_difficulty()), c) == Split::Test;
  EXPECT_NEAR(n_test / 4000.0, c.test_fraction, 0.03);
}

TEST_P(EveryTask, DifficultyOutOfRangeThrows) {
  auto t = make_task(GetParam());
  Rng rng(1);
  EXPECT_THROW(t->generate(rng, t->min_difficulty() - 1), seek::UsageError);
  EXPECT_THROW(t->generate(rng, t->max_difficulty() + 1), seek::UsageError);
}

INSTANTIATE_TEST_SUITE_P(Reason, EveryTask, ::testing::Values("countdown", "arithmetic", "linear"));

TEST(Tasks, UnknownNameThrows) {
  try {
    make_task("sudoku");
    FAIL();
  } catch (const seek::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("countdown"), std::string::npos);
  }
}

TEST(Countdown, InstancesAreSolvableByTheirConstruction) {
  auto t = make_task("countdown");
  Rng rng(11);
  for (int d = 2; d <= 6; ++d)
    for (int i = 0; i < 200; ++i) {
      Problem p = t->generate(rng, d);
      ASSERT_EQ(p.fields.size(), static_cast<size_t>(d + 1));
      const ExprResult r = evaluate_expression(p.solution);
      ASSERT_TRUE(r.ok) << p.solution << ": " << r.error;
      EXPECT_EQ(r.value.to_string(), p.truth);
      std::multiset<std::string> given(p.fields.begin(), p.fields.end() - 1), used;
      for (int64_t l : r.literals) used.insert(std::to_string(l));
      EXPECT_EQ(given, used) << "construction uses every number exactly once";
      const int64_t target = std::stoll(p.truth);
      EXPECT_GE(target, 1);
      EXPECT_LE(target, 999);
    }
}

TEST(Countdown, CheckerRules) {
  Problem p;
  p.task = "countdown";
  p.fields = {"44", "19", "35", "98"};
  auto t = make_task("countdown");
  EXPECT_EQ(t->check(p, "44 + 19 + 35"), 1.0);
  EXPECT_EQ(t->check(p, " (35 + 19) + 44 "), 1.0);
  EXPECT_EQ(t->check(p, "44 + 19 + 35 + 0"), 0.0);  // extra number
  EXPECT_EQ(t->check(p, "44 + 44 + 10"), 0.0);      // reused number, number not given
  EXPECT_EQ(t->check(p, "98"), 0.0);                // the target itself is not given
  EXPECT_EQ(t->check(p, "44 + 19 + 35 = 98"), 0.0);
  EXPECT_EQ(t->check(p, "44 + 19 + 35 / (19 - 19)"), 0.0);
  EXPECT_EQ(t->check(p, "(44 * 35 - 19 * 0) / 0"), 0.0);
  Problem q = p;
  q.fields = {"3", "3", "9", "18"};
  EXPECT_EQ(t->check(q, "3 * 3 + 9"), 1.0);      // a repeated given number may be used twice
  EXPECT_EQ(t->check(q, "3 * 3 * 3 - 9"), 0.0);  // but not three times
  Problem f = p;
  f.fields = {"7", "2", "4", "14"};
  EXPECT_EQ(t->check(f, "7 / 2 * 4"), 1.0);  // exact rationals: 3.5 * 4
  EXPECT_EQ(t->check(f, "7 * 2"), 1.0);      // at most once: unused numbers are fine
}

TEST(Arithmetic, CheckerWantsTheCanonicalInteger) {
  auto t = make_task("arithmetic");
  Rng rng(2);
  Problem p = t->generate(rng, 12);
  EXPECT_EQ(t->check(p, " " + p.truth + "\n"), 1.0);
  EXPECT_EQ(t->check(p, "0" + p.truth), 0.0);
  EXPECT_EQ(t->check(p, p.truth + ".0"), 0.0);
  std::string spaced = p.truth;
  spaced.insert(1, ",");
  EXPECT_EQ(t->check(p, spaced), 0.0);
  // 40-digit operands: truth beyond any machine integer, checked against an independent path
  Problem big = t->generate(rng, 40);
  const std::string& a = big.fields[0];
  const std::string& b = big.fields[2];
  if (big.fields[1] == "+") {
    EXPECT_EQ(sub_decimal(big.truth, b), a);
  } else if (big.fields[1] == "-") {
    EXPECT_EQ(add_decimal(big.truth, b), a);
  } else {
    EXPECT_GE(big.truth.size(), 79u);
  }
}

TEST(Linear, CheckerForms) {
  auto t = make_task("linear");
  Problem p;
  p.task = "linear";
  p.fields = {"3", "7", "0", "-5"};
  p.truth = "-4";
  EXPECT_EQ(t->check(p, "-4"), 1.0);
  EXPECT_EQ(t->check(p, "x = -4"), 1.0);
  EXPECT_EQ(t->check(p, "x=-4"), 1.0);
  EXPECT_EQ(t->check(p, "4"), 0.0);
  EXPECT_EQ(t->check(p, "-04"), 0.0);
  EXPECT_EQ(t->check(p, "y = -4"), 0.0);
  EXPECT_EQ(t->check(p, "x = -4 or x = 4"), 0.0);
  Rng rng(4);
  for (int d = 1; d <= 10; ++d)
    for (int i = 0; i < 100; ++i) {
      Problem q = t->generate(rng, d);
      const int64_t a = std::stoll(q.fields[0]), b = std::stoll(q.fields[1]);
      const int64_t c = std::stoll(q.fields[2]), e = std::stoll(q.fields[3]), x = std::stoll(q.truth);
      EXPECT_EQ(a * x + b, c * x + e) << q.question;
      EXPECT_NE(a, c);
    }
}

// Wordings: the canonical one is what generate() writes; training and held-out wordings are two
// disjoint sets (no held-out question text ever appears among training ones), every part of a
// held-out wording occurs in training, and every wording states the same problem (re-read here
// with a regex that knows nothing of the wording table).
TEST(Arithmetic, WordingsAreDisjointAndStateTheSameProblem) {
  auto t = make_task("arithmetic");
  Rng rng(11);
  const Problem p = t->generate(rng, 2);
  EXPECT_EQ(p.question.rfind("What is ", 0), 0u);
  EXPECT_EQ(t->phrase(p, Phrasing::Canonical, rng), p.question);
  // one fixed problem per operator, so the wordings of one op are comparable as strings
  for (const char* op : {"+", "-", "*"}) {
    Problem q = p;
    q.fields = {"47", op, "38"};
    q.truth = std::string(op) == "+" ? "85" : std::string(op) == "-" ? "9" : "1786";
    std::set<std::string> train, held;
    Rng r(3);
    for (int i = 0; i < 4000; ++i) {
      train.insert(t->phrase(q, Phrasing::Train, r));
      held.insert(t->phrase(q, Phrasing::HeldOut, r));
    }
    EXPECT_GT(held.size(), 20u) << op;
    EXPECT_GT(train.size(), 5 * held.size()) << op;
    for (const std::string& h : held) EXPECT_EQ(train.count(h), 0u) << "held-out wording also in training: " << h;
    EXPECT_EQ(held.count("What is 47 " + std::string(op) + " 38? Give the exact integer"), 0u);
    EXPECT_EQ(train.count("What is 47 " + std::string(op) + " 38? Give the exact integer"), 1u);
    // each word of every held-out question occurs in some training question
    std::set<std::string> train_words;
    auto words = [](const std::string& s) {
      std::vector<std::string> w;
      std::string cur;
      for (char c : s + " ") {
        if (c == ' ') {
          if (!cur.empty()) w.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      return w;
    };
    for (const std::string& s : train)
      for (const std::string& w : words(s)) train_words.insert(w);
    for (const std::string& s : held)
      for (const std::string& w : words(s)) EXPECT_EQ(train_words.count(w), 1u) << "'" << w << "' of '" << s << "'";
    // every wording names 47, 38 and the operation, in that order
    const std::regex re(std::string("47 ?(\\+|-|\\*|x|×|plus|minus|times|multiplied by) ?38"));
    for (const auto* set : {&train, &held})
      for (const std::string& s : *set) {
        std::smatch m;
        ASSERT_TRUE(std::regex_search(s, m, re)) << s;
        const std::string o = m[1];
        const char said = o == "+" || o == "plus" ? '+' : o == "-" || o == "minus" ? '-' : '*';
        EXPECT_EQ(said, op[0]) << s;
      }
  }
  // rewording keeps the problem: fields and truth (the checker and the split read only those)
  const Problem r1 = rephrase(*t, p, Phrasing::HeldOut, 99);
  EXPECT_EQ(r1.fields, p.fields);
  EXPECT_EQ(r1.truth, p.truth);
  EXPECT_EQ(rephrase(*t, p, Phrasing::HeldOut, 99).question, r1.question);  // deterministic in the seed
  // tasks without wordings keep their question
  auto c = make_task("countdown");
  Rng rc(4);
  const Problem cp = c->generate(rc, 3);
  EXPECT_EQ(rephrase(*c, cp, Phrasing::HeldOut, 1).question, cp.question);
  EXPECT_EQ(parse_phrasing("held-out"), Phrasing::HeldOut);
  EXPECT_THROW(parse_phrasing("heldout"), seek::UsageError);
}
