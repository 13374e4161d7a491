// The assistant's answer as it streams: engine text pieces -> reasoning / content / tool-call
// deltas (tokenizer/output_parser.h), accumulated for the final message, with the count of
// reasoning tokens for usage.completion_tokens_details and an id for every tool call.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/chat_template.h"
#include "tokenizer/output_parser.h"

namespace seek {

struct ChatDelta {
  std::string reasoning;
  std::string content;
  std::vector<ToolCall> tool_calls;  // calls completed by this delta, ids assigned
  size_t first_tool_index = 0;       // index of tool_calls[0] among all calls of the answer
  bool empty() const { return reasoning.empty() && content.empty() && tool_calls.empty(); }
};

class ChatOutput {
 public:
  explicit ChatOutput(bool starts_in_thinking);
  // One engine event: its text (maybe empty) and whether it carried a generated token.
  ChatDelta feed(const std::string& text, bool is_token);
  ChatDelta finish();

  const std::string& reasoning() const { return reasoning_; }
  const std::string& content() const { return content_; }
  const std::vector<ToolCall>& tool_calls() const { return tool_calls_; }
  // Generated tokens before the answer proper began (all of them if it never did).
  int64_t reasoning_tokens() const;
  bool starts_in_thinking() const { return starts_in_thinking_; }

 private:
  ChatDelta take(const OutputDelta& d);

  StreamingOutputParser parser_;
  bool starts_in_thinking_;
  std::string reasoning_, content_;
  std::vector<ToolCall> tool_calls_;
  int64_t n_tokens_ = 0, tokens_before_answer_ = -1;
};

// "call_" + 24 random hex digits.
std::string new_tool_call_id();

}  // namespace seek
