// Splitting DeepSeek model output into reasoning, content and tool calls, in one go or
// incrementally as text deltas arrive (the server streams reasoning_content / content deltas).
// Reasoning is the text before </think> (an opening <think> is optional: R1 prompts already
// open it), trimmed of surrounding whitespace; content follows, leading whitespace dropped.
// Tool calls: <｜tool▁calls▁begin｜> then calls, each <｜tool▁call▁begin｜>TYPE<｜tool▁sep｜>NAME
// \n```json\nARGS\n```<｜tool▁call▁end｜> (V3/R1) or <｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS
// <｜tool▁call▁end｜> (V3.1), then <｜tool▁calls▁end｜>.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace seek {

struct ParsedToolCall {
  std::string type = "function";
  std::string name;
  std::string arguments;  // JSON text as the model wrote it (trimmed)
};

struct ParsedOutput {
  std::string reasoning_content;
  std::string content;
  std::vector<ParsedToolCall> tool_calls;
};

struct OutputParserOptions {
  // The prompt ended inside a thinking block (R1's "<｜Assistant｜><think>\n"): output starts as
  // reasoning. parse_output() also assumes it when the text has a </think> but no <think>.
  bool starts_in_thinking = false;
};

struct OutputDelta {
  std::string reasoning;
  std::string content;
  std::vector<ParsedToolCall> tool_calls;  // calls completed by this delta
  bool empty() const { return reasoning.empty() && content.empty() && tool_calls.empty(); }
};

// Incremental parser: feed() any split of the text, then finish(); the concatenated deltas
// equal parse_output() of the whole text. Text that might be the start of a tag is held back.
class StreamingOutputParser {
 public:
  explicit StreamingOutputParser(OutputParserOptions opt = {});
  OutputDelta feed(std::string_view delta);
  OutputDelta finish();

 private:
  enum class Mode { Start, Reasoning, Content, Tools };
  void step(OutputDelta& d, bool final);

  Mode mode_;
  std::string buf_;
  bool reasoning_started_ = false;  // leading whitespace / "<think>" already skipped
  bool skip_ws_ = false;            // drop whitespace at the start of content
  bool finished_ = false;
};

ParsedOutput parse_output(std::string_view text, const OutputParserOptions& opt = {});
// One call body (between <｜tool▁call▁begin｜> and <｜tool▁call▁end｜>), either format.
ParsedToolCall parse_tool_call(std::string_view body);

}  // namespace seek
