// Accuracy + format rewards on adversarial completions: hedging with several answers, answers
// hidden in the reasoning, unterminated tags, empty answers, stray text, whitespace, and
// hostile expressions inside an otherwise well-formed completion.
#include <gtest/gtest.h>

#include "reason/reward.h"

using namespace seek::reason;

namespace {

struct Fixture {
  std::unique_ptr<Task> task = make_task("countdown");
  Problem p;
  Fixture() {
    p.task = "countdown";
    p.fields = {"44", "19", "35", "98"};
    p.truth = "98";
  }
  Reward operator()(const std::string& completion) const { return score_completion(*task, p, completion); }
};

}  // namespace

TEST(Reward, CorrectAndWellFormed) {
  Fixture f;
  Reward r = f("<think>44 + 19 = 63, 63 + 35 = 98</think> <answer>44 + 19 + 35</answer>");
  EXPECT_EQ(r.accuracy, 1.0);
  EXPECT_EQ(r.format, 1.0);
  EXPECT_EQ(r.total, 2.0);
  // surrounding and inner whitespace and newlines are fine
  r = f("  \n<think>\nok\n</think>\n\n<answer>\n  44 + 19 + 35 \n</answer>\n ");
  EXPECT_EQ(r.total, 2.0);
  EXPECT_EQ(f("<think></think><answer>44+19+35</answer>").total, 2.0);  // empty reasoning is allowed
}

TEST(Reward, WrongButWellFormed) {
  Fixture f;
  Reward r = f("<think>hmm</think><answer>44 + 19</answer>");
  EXPECT_EQ(r.accuracy, 0.0);
  EXPECT_EQ(r.format, 1.0);
  EXPECT_EQ(r.total, 1.0);
}

TEST(Reward, TinyZeroCountdownWeights) {
  Fixture f;
  RewardConfig c;
  c.accuracy_weight = 0.9;
  c.format_weight = 0.1;
  EXPECT_DOUBLE_EQ(score_completion(*f.task, f.p, "<think>x</think><answer>44+19+35</answer>", c).total, 1.0);
  EXPECT_DOUBLE_EQ(score_completion(*f.task, f.p, "<think>x</think><answer>44+19</answer>", c).total, 0.1);
  EXPECT_DOUBLE_EQ(score_completion(*f.task, f.p, "44+19+35", c).total, 0.0);
}

TEST(Reward, NoAnswerTag) {
  Fixture f;
  EXPECT_EQ(f("").total, 0.0);
  EXPECT_EQ(f("44 + 19 + 35").total, 0.0);
  EXPECT_EQ(f("<think>44 + 19 + 35</think>").total, 0.0);
}

TEST(Reward, UnterminatedTags) {
  Fixture f;
  Reward r = f("<think>a</think><answer>44 + 19 + 35");
  EXPECT_EQ(r.accuracy, 0.0);
  EXPECT_EQ(r.format, 0.0);
  r = f("<think>a<answer>44 + 19 + 35</answer>");  // think never closed: answer is fine, format not
  EXPECT_EQ(r.accuracy, 1.0);
  EXPECT_EQ(r.format, 0.0);
  EXPECT_EQ(f("<think>a</think>44 + 19 + 35</answer>").total, 0.0);
  EXPECT_EQ(f("<think>a</think><answer 44 + 19 + 35</answer>").total, 0.0);
}

TEST(Reward, SeveralAnswerBlocksEarnNothing) {
  Fixture f;
  Reward r = f("<think>a</think><answer>44 + 19</answer><answer>44 + 19 + 35</answer>");
  EXPECT_EQ(r.accuracy, 0.0);
  EXPECT_EQ(r.format, 0.0);
  r = f("<think>a</think><answer>44 + 19 + 35</answer><answer>44 + 19 + 35</answer>");
  EXPECT_EQ(r.total, 0.0);
  // an answer tag hidden inside the reasoning is a second answer
  r = f("<think>try <answer>1</answer></think><answer>44 + 19 + 35</answer>");
  EXPECT_EQ(r.total, 0.0);
}

TEST(Reward, TagsInsideThinkAndOutOfOrder) {
  Fixture f;
  EXPECT_EQ(f("<think>a <think> b</think><answer>44+19+35</answer>").format, 0.0);
  EXPECT_EQ(f("<think>a</think> b </think><answer>44+19+35</answer>").format, 0.0);
  EXPECT_EQ(f("<answer>44+19+35</answer><think>a</think>").format, 0.0);
  EXPECT_EQ(f("<answer>44+19+35</answer><think>a</think>").accuracy, 1.0);
  EXPECT_EQ(f("</answer><think>a</think><answer>44+19+35").total, 0.0);  // close before open
}

TEST(Reward, StrayText) {
  Fixture f;
  EXPECT_EQ(f("Sure! <think>a</think><answer>44+19+35</answer>").format, 0.0);
  EXPECT_EQ(f("<think>a</think> so <answer>44+19+35</answer>").format, 0.0);
  EXPECT_EQ(f("<think>a</think><answer>44+19+35</answer> done").format, 0.0);
  EXPECT_EQ(f("<think>a</think><answer>44+19+35</answer> done").accuracy, 1.0);
}

TEST(Reward, EmptyAnswer) {
  Fixture f;
  Reward r = f("<think>a</think><answer>   </answer>");
  EXPECT_EQ(r.accuracy, 0.0);
  EXPECT_EQ(r.format, 0.0);
  EXPECT_EQ(parse_completion("<think>a</think><answer></answer>").format_error, "empty answer");
}

TEST(Reward, HostileExpressions) {
  Fixture f;
  auto wrap = [](const std::string& a) { return "<think>x</think><answer>" + a + "</answer>"; };
  for (const std::string& a : std::vector<std::string>{
           "44 + 19 + 35 + 0", "44 + 44 + 10", "98", "44 + 19 + 35 / 0", "(44 + 19 + 35) / (19 - 19)", "44 ^ 2",
           "2 ** 99999999", "99999999999999999999999999 - 99999999999999999999999901", "\xd9\xa4\xd9\xa4 + 19 + 35",
           "\xef\xbc\x94\xef\xbc\x94 + 19 + 35", "44 + 19 + 35 = 98",
           std::string(3000, '(') + "98" + std::string(3000, ')')}) {
    Reward r = f(wrap(a));
    EXPECT_EQ(r.accuracy, 0.0) << a;
    EXPECT_EQ(r.format, 1.0) << a;
  }
  RewardConfig c;
  c.max_answer_chars = 8;
  EXPECT_EQ(score_completion(*f.task, f.p, wrap("44 + 19 + 35"), c).accuracy, 0.0);
}

TEST(Reward, ParseReportsWhy) {
  EXPECT_EQ(parse_completion("<think>a</think><answer>1</answer><answer>2</answer>").format_error,
            "expected one <answer>, found 2");
  EXPECT_EQ(parse_completion("x<think>a</think><answer>1</answer>").format_error, "text before <think>");
  EXPECT_TRUE(parse_completion("<think>a</think><answer>1</answer>").format_ok);
  EXPECT_FALSE(parse_completion("<think>a</think><answer>1</answer><answer>2</answer>").has_answer);
}
