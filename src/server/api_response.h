// Response JSON of the OpenAI / DeepSeek API: chat.completion and its stream chunks (with
// reasoning_content beside content, tool_calls, logprobs), text_completion, usage with
// DeepSeek's prompt_cache_hit_tokens / prompt_cache_miss_tokens, and SSE framing.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/api_output.h"
#include "server/engine.h"
#include "tokenizer/tokenizer.h"

namespace seek {

struct ResponseMeta {
  std::string id;  // chatcmpl-... / cmpl-...
  std::string model;
  int64_t created = 0;  // unix seconds
};

// "tool_calls" when the answer called tools, else the engine's reason ("stop", "length").
std::string api_finish_reason(const std::string& engine_reason, bool has_tool_calls);
nlohmann::json usage_json(const FinishEvent& f, int64_t reasoning_tokens);

// One entry of choices[].logprobs.content: token, logprob, bytes, top_logprobs.
nlohmann::json chat_logprob_entry(const Tokenizer& tok, const TokenEvent& ev);
// The delta object of a stream chunk (reasoning_content, content, tool_calls as present).
nlohmann::json chat_delta_json(const ChatDelta& d);
// A chat.completion.chunk; finish_reason "" is null; logprobs null unless given.
nlohmann::json chat_chunk(const ResponseMeta& m, nlohmann::json delta, const std::string& finish_reason,
                          nlohmann::json logprobs = nullptr);
// The final usage chunk of a stream (stream_options.include_usage): choices [] and usage.
nlohmann::json chat_usage_chunk(const ResponseMeta& m, nlohmann::json usage);
nlohmann::json chat_completion_json(const ResponseMeta& m, const ChatOutput& out, const std::string& finish_reason,
                                    nlohmann::json usage, nlohmann::json logprobs_content);

// Legacy completions: logprobs {tokens, token_logprobs, top_logprobs, text_offset}.
nlohmann::json completion_logprobs(const Tokenizer& tok, const std::vector<TokenEvent>& evs, size_t text_offset);
nlohmann::json text_chunk(const ResponseMeta& m, const std::string& text, const std::string& finish_reason,
                          nlohmann::json logprobs = nullptr);
nlohmann::json text_completion_json(const ResponseMeta& m, const std::string& text, const std::string& finish_reason,
                                    nlohmann::json usage, nlohmann::json logprobs);

// JSON text; invalid UTF-8 (a token that splits a character) becomes U+FFFD.
std::string dump_json(const nlohmann::json& j);
// "data: {json}\n\n"
std::string sse_event(const nlohmann::json& j);

}  // namespace seek
