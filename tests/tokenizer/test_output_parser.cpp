// Output parser: reasoning/content split at </think> (with and without the opening tag),
// DeepSeek tool-call blocks in both formats, and the streaming parser fed every possible split
// point and random chunkings, which must give exactly the one-shot result.
#include <gtest/gtest.h>

#include <random>

#include "tokenizer/output_parser.h"

namespace seek {
namespace {

ParsedOutput stream_parse(const std::string& text, const std::vector<size_t>& cuts, OutputParserOptions opt) {
  StreamingOutputParser p(opt);
  ParsedOutput out;
  size_t prev = 0;
  auto take = [&](OutputDelta d) {
    out.reasoning_content += d.reasoning;
    out.content += d.content;
    for (auto& c : d.tool_calls) out.tool_calls.push_back(c);
  };
  for (size_t c : cuts) {
    take(p.feed(std::string_view(text).substr(prev, c - prev)));
    prev = c;
  }
  take(p.feed(std::string_view(text).substr(prev)));
  take(p.finish());
  return out;
}

void expect_same(const ParsedOutput& a, const ParsedOutput& b, const std::string& what) {
  EXPECT_EQ(a.reasoning_content, b.reasoning_content) << what;
  EXPECT_EQ(a.content, b.content) << what;
  ASSERT_EQ(a.tool_calls.size(), b.tool_calls.size()) << what;
  for (size_t i = 0; i < a.tool_calls.size(); ++i) {
    EXPECT_EQ(a.tool_calls[i].name, b.tool_calls[i].name) << what;
    EXPECT_EQ(a.tool_calls[i].arguments, b.tool_calls[i].arguments) << what;
  }
}

const std::string kR1Calls =
    "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Paris\"}\n```"
    "<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n{}\n```<｜tool▁call▁end｜>"
    "<｜tool▁calls▁end｜>";

TEST(OutputParser, ReasoningWithTags) {
  const auto r = parse_output("<think>\nLet me think.\n</think>\n\nThe answer is 4.");
  EXPECT_EQ(r.reasoning_content, "Let me think.");
  EXPECT_EQ(r.content, "The answer is 4.");
}

TEST(OutputParser, ReasoningWithoutOpeningTag) {
  const auto r = parse_output("Let me think.\n</think>\n\nFour.");
  EXPECT_EQ(r.reasoning_content, "Let me think.");
  EXPECT_EQ(r.content, "Four.");
  const auto s = parse_output("Still thinking...", {.starts_in_thinking = true});
  EXPECT_EQ(s.reasoning_content, "Still thinking...");
  EXPECT_EQ(s.content, "");
}

TEST(OutputParser, NoReasoning) {
  const auto r = parse_output("  plain <b>answer</b> <thinking> text");
  EXPECT_EQ(r.reasoning_content, "");
  EXPECT_EQ(r.content, "  plain <b>answer</b> <thinking> text");
}

TEST(OutputParser, ToolCallsR1Format) {
  const auto r = parse_output("<think>need weather</think>Checking." + kR1Calls);
  EXPECT_EQ(r.reasoning_content, "need weather");
  EXPECT_EQ(r.content, "Checking.");
  ASSERT_EQ(r.tool_calls.size(), 2u);
  EXPECT_EQ(r.tool_calls[0].type, "function");
  EXPECT_EQ(r.tool_calls[0].name, "get_weather");
  EXPECT_EQ(r.tool_calls[0].arguments, "{\"city\": \"Paris\"}");
  EXPECT_EQ(r.tool_calls[1].name, "get_time");
  EXPECT_EQ(r.tool_calls[1].arguments, "{}");
}

TEST(OutputParser, ToolCallsV31Format) {
  const auto r = parse_output("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>search<｜tool▁sep｜>{\"q\": "
                              "\"x\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>");
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0].name, "search");
  EXPECT_EQ(r.tool_calls[0].arguments, "{\"q\": \"x\"}");
  EXPECT_EQ(r.content, "");
}

TEST(OutputParser, TruncatedToolCallKeepsText) {
  const auto r = parse_output("ok<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{\"a\":");
  EXPECT_TRUE(r.tool_calls.empty());
  EXPECT_EQ(r.content, "ok<｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{\"a\":");
}

TEST(OutputParser, StreamingEqualsOneShotAtEverySplit) {
  const std::vector<std::pair<std::string, bool>> texts = {
      {"<think>\nStep 1.\n\nStep 2.  \n</think>\n\nAnswer: 4 <b>", false},
      {"reasoning only, no close tag \n", true},
      {"\n\nLet me see</think>\n\nDone.", true},
      {"<think>a</think>b" + kR1Calls + "\n\nafter", false},
      {"plain text with < and </thi and <｜tool▁calls", false},
      {"<think><think>x</think>y", false},
  };
  for (const auto& [text, in_think] : texts) {
    OutputParserOptions opt{.starts_in_thinking = in_think};
    const ParsedOutput whole = stream_parse(text, {}, opt);
    for (size_t cut = 1; cut < text.size(); ++cut)
      expect_same(stream_parse(text, {cut}, opt), whole, text + " @" + std::to_string(cut));
    std::mt19937 rng(7);
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<size_t> cuts;
      for (size_t i = 1; i < text.size(); ++i)
        if (rng() % 4 == 0) cuts.push_back(i);
      expect_same(stream_parse(text, cuts, opt), whole, text + " random chunks");
    }
  }
}

}  // namespace
}  // namespace seek
