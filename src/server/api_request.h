// Request bodies of the OpenAI / DeepSeek API, parsed and validated into plain structs:
// POST /v1/chat/completions, /v1/completions, /tokenize, /detokenize. Every bad field throws
// ApiError(400) naming the field (param) and what was expected versus found.
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampler.h"
#include "tokenizer/chat_template.h"

namespace seek {

struct ApiLimits {
  int64_t ctx = 4096;  // tokens per request (prompt + completion)
  int64_t vocab = 0;   // token ids in [0, vocab)
  size_t max_messages = 4096;
};

// Fields shared by chat and text completions.
struct GenerationRequest {
  std::string model;
  SamplingParams sampling;
  int64_t max_tokens = -1;  // -1: not given (until the context or EOS ends it)
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool logprobs = false;
  int32_t top_logprobs = 0;  // alternatives per token, with logprobs
  bool json_object = false;  // response_format {"type": "json_object"}
  bool ignore_eos = false;
};

struct ChatRequest {
  GenerationRequest gen;
  std::vector<ChatMessage> messages;
  std::string tools;     // the `tools` array as JSON text, "" when none (or tool_choice "none")
  bool thinking = true;  // false: thinking {"type":"disabled"} / chat_template_kwargs.enable_thinking=false
};

struct CompletionRequest {
  GenerationRequest gen;
  std::string prompt;               // text prompt, or
  std::vector<int32_t> prompt_ids;  // a prompt given as token ids
  bool has_ids = false;
  bool echo = false;
};

struct TokenizeRequest {
  std::string content;
  bool add_special = false;  // add BOS
  bool parse_special = true;
  bool with_pieces = false;
};

// Parses JSON text; throws ApiError(400) for malformed JSON or invalid UTF-8 or a non-object.
nlohmann::json parse_json_object(std::string_view body);

ChatRequest parse_chat_request(std::string_view body, const ApiLimits& lim);
CompletionRequest parse_completion_request(std::string_view body, const ApiLimits& lim);
TokenizeRequest parse_tokenize_request(std::string_view body);
std::vector<int32_t> parse_detokenize_request(std::string_view body, const ApiLimits& lim);

}  // namespace seek
