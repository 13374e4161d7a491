// Exact rationals and the Countdown expression evaluator against hand-computed values and
// hostile inputs (overflow, division by zero, exponents, deep nesting, non-ASCII digits).
#include <gtest/gtest.h>

#include <limits>

#include "reason/expression.h"
#include "reason/rational.h"

using namespace seek::reason;

TEST(Rational, ReducesAndKeepsSignOnNumerator) {
  auto r = make_rational(6, -4);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->num, -3);
  EXPECT_EQ(r->den, 2);
  EXPECT_FALSE(make_rational(1, 0));
  EXPECT_EQ(add(*make_rational(1, 3), *make_rational(1, 6))->to_string(), "1/2");
  EXPECT_EQ(sub(Rational::of(1), *make_rational(1, 3))->to_string(), "2/3");
  EXPECT_EQ(div(Rational::of(7), Rational::of(14))->to_string(), "1/2");
  EXPECT_FALSE(div(Rational::of(7), Rational::of(0)));
}

TEST(Rational, OverflowIsReportedNotWrapped) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_FALSE(mul(Rational::of(big), Rational::of(2)));
  EXPECT_FALSE(add(Rational::of(big), Rational::of(1)));
  EXPECT_FALSE(sub(Rational::of(-big), Rational::of(2)));
  // A huge intermediate that cancels back into range is fine (128-bit intermediates).
  auto r = mul(*make_rational(big, 3), *make_rational(3, big));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, Rational::of(1));
}

static ExprResult ev(const char* s) { return evaluate_expression(s); }

TEST(Expression, PrecedenceAndParentheses) {
  EXPECT_EQ(ev("1 + 2 * 3").value, Rational::of(7));
  EXPECT_EQ(ev("(1 + 2) * 3").value, Rational::of(9));
  EXPECT_EQ(ev("8 - 3 - 2").value, Rational::of(3));  // left associative
  EXPECT_EQ(ev("24 / 4 / 2").value, Rational::of(3));
  EXPECT_EQ(ev("7 / 2").value.to_string(), "7/2");  // exact, not truncated
  EXPECT_EQ(ev("(3 / 7) * 14").value, Rational::of(6));
  EXPECT_EQ(ev("\t 10\n-( 4 )  ").value, Rational::of(6));
  auto r = ev("(44 + 19) + 35");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.literals, (std::vector<int64_t>{44, 19, 35}));
}

TEST(Expression, RejectsWhatCountdownDoesNotAllow) {
  for (const char* bad : {"", "   ", "2 ^ 3", "2 ** 3", "-3 + 5", "+3", "1.5 * 2", "3 x 4", "3 = 3", "(1 + 2", "1 + 2)",
                          "()", "1 +", "* 2", "1e3", "0x10", "eval(1)", "3 4"}) {
    auto r = ev(bad);
    EXPECT_FALSE(r.ok) << "accepted '" << bad << "' = " << r.value.to_string();
    EXPECT_FALSE(r.error.empty()) << bad;
  }
}

TEST(Expression, DivisionByZeroIncludingComputedZero) {
  EXPECT_FALSE(ev("5 / 0").ok);
  auto r = ev("5 / (3 - 3)");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("division by zero"), std::string::npos) << r.error;
}

TEST(Expression, HugeNumbersAndProducts) {
  EXPECT_FALSE(ev("1234567890123456789").ok);  // 19 digits
  EXPECT_TRUE(ev("123456789012345678").ok);    // 18 digits
  auto r = ev("999999999999999999 * 999999999999999999");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("overflow"), std::string::npos) << r.error;
  std::string long_digits(5000, '9');
  EXPECT_FALSE(ev(long_digits.c_str()).ok);
}

TEST(Expression, NestingAndLengthLimits) {
  std::string deep = std::string(1000, '(') + "1" + std::string(1000, ')');
  ExprLimits lim;
  lim.max_chars = 100000;
  auto r = evaluate_expression(deep, lim);  // must not overflow the stack
  EXPECT_FALSE(r.ok);
  std::string ok = std::string(30, '(') + "1" + std::string(30, ')');
  EXPECT_TRUE(evaluate_expression(ok).ok);
  std::string long_sum = "1";
  for (int i = 0; i < 300; ++i) long_sum += " + 1";
  EXPECT_FALSE(evaluate_expression(long_sum).ok);  // over max_chars
}

TEST(Expression, NonAsciiDigitsAndOperators) {
  EXPECT_FALSE(ev("\xd9\xa3 + 4").ok);      // ARABIC-INDIC DIGIT THREE
  EXPECT_FALSE(ev("\xef\xbc\x93 + 4").ok);  // FULLWIDTH DIGIT THREE
  EXPECT_FALSE(ev("3 \xc3\x97 4").ok);      // MULTIPLICATION SIGN
  EXPECT_FALSE(ev("3 \xe2\x88\x92 4").ok);  // MINUS SIGN
  EXPECT_FALSE(ev("3\xc2\xa0+ 4").ok);      // NO-BREAK SPACE
  EXPECT_FALSE(std::string(ev(std::string("3 +\0 4", 6).c_str()).error).empty());
}
