// ChatOutput: the streaming parser plus bookkeeping (see api_output.h).
#include "server/api_output.h"

#include <algorithm>
#include <random>

namespace seek {

std::string new_tool_call_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id = "call_";
  for (int i = 0; i < 24; ++i) id += hex[rng() & 15];
  return id;
}

ChatOutput::ChatOutput(bool starts_in_thinking)
    : parser_(OutputParserOptions{starts_in_thinking}), starts_in_thinking_(starts_in_thinking) {}

ChatDelta ChatOutput::take(const OutputDelta& d) {
  ChatDelta out;
  out.reasoning = d.reasoning;
  out.content = d.content;
  out.first_tool_index = tool_calls_.size();
  for (const ParsedToolCall& p : d.tool_calls) {
    ToolCall c;
    c.id = new_tool_call_id();
    c.type = p.type;
    c.name = p.name;
    c.arguments = p.arguments;
    out.tool_calls.push_back(c);
    tool_calls_.push_back(c);
  }
  reasoning_ += out.reasoning;
  content_ += out.content;
  if (tokens_before_answer_ < 0 && (!out.content.empty() || !out.tool_calls.empty()))
    tokens_before_answer_ = n_tokens_ - (out.reasoning.empty() ? 1 : 0);
  return out;
}

ChatDelta ChatOutput::feed(const std::string& text, bool is_token) {
  if (is_token) ++n_tokens_;
  return take(parser_.feed(text));
}

ChatDelta ChatOutput::finish() { return take(parser_.finish()); }

int64_t ChatOutput::reasoning_tokens() const {
  if (reasoning_.empty()) return 0;
  if (tokens_before_answer_ < 0) return n_tokens_;
  return std::max<int64_t>(0, tokens_before_answer_);
}

}  // namespace seek
