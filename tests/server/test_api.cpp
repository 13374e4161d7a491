// The API layer without a model: request validation (every bad field is a 400 naming it),
// option mapping (thinking off, json_object, stop, logprobs), the streaming answer state
// against the one-shot output parser, and the response JSON (DeepSeek usage, tool_calls).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api_error.h"
#include "server/api_output.h"
#include "server/api_request.h"
#include "server/api_response.h"

namespace seek {
namespace {

using json = nlohmann::json;

ApiLimits limits() {
  ApiLimits l;
  l.ctx = 1024;
  l.vocab = 32256;
  return l;
}

// The ApiError a body produces (status 0 if it parses).
ApiError chat_error(const std::string& body) {
  try {
    parse_chat_request(body, limits());
  } catch (const ApiError& e) {
    return e;
  }
  return ApiError(0, "parsed");
}

TEST(ApiRequest, ParsesAChat) {
  const ChatRequest r = parse_chat_request(R"({"model": "m", "messages": [
      {"role": "developer", "content": "Be brief."},
      {"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "f", "arguments": "{\"x\": 1}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "42"}],
    "temperature": 0.5, "top_p": 0.9, "top_k": 40, "min_p": 0.05, "seed": 7, "max_tokens": 100,
    "presence_penalty": 0.5, "frequency_penalty": -0.5, "stop": "END", "stream": true,
    "stream_options": {"include_usage": true}, "logprobs": true, "top_logprobs": 3,
    "response_format": {"type": "json_object"}, "thinking": {"type": "disabled"},
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]})",
                                           limits());
  ASSERT_EQ(r.messages.size(), 4u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(*r.messages[1].content, "Hello there");
  EXPECT_FALSE(r.messages[2].content.has_value());
  ASSERT_EQ(r.messages[2].tool_calls.size(), 1u);
  EXPECT_EQ(r.messages[2].tool_calls[0].name, "f");
  EXPECT_EQ(r.messages[2].tool_calls[0].arguments, "{\"x\": 1}");
  EXPECT_EQ(r.messages[3].tool_call_id, "call_1");
  EXPECT_FLOAT_EQ(r.gen.sampling.temperature, 0.5f);
  EXPECT_FLOAT_EQ(r.gen.sampling.top_p, 0.9f);
  EXPECT_EQ(r.gen.sampling.top_k, 40);
  EXPECT_EQ(r.gen.sampling.seed, 7u);
  EXPECT_EQ(r.gen.max_tokens, 100);
  EXPECT_EQ(r.gen.stop, std::vector<std::string>{"END"});
  EXPECT_TRUE(r.gen.stream && r.gen.include_usage && r.gen.logprobs && r.gen.json_object);
  EXPECT_EQ(r.gen.top_logprobs, 3);
  EXPECT_FALSE(r.thinking);
  EXPECT_EQ(json::parse(r.tools)[0]["function"]["name"], "f");
}

TEST(ApiRequest, DefaultsAndAlternatives) {
  ChatRequest r = parse_chat_request(R"({"messages": [{"role": "user", "content": "hi"}]})", limits());
  EXPECT_FLOAT_EQ(r.gen.sampling.temperature, 1.0f);  // OpenAI's default
  EXPECT_EQ(r.gen.max_tokens, -1);
  EXPECT_TRUE(r.thinking);
  EXPECT_TRUE(r.tools.empty());
  r = parse_chat_request(R"({"messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": 5,
      "chat_template_kwargs": {"enable_thinking": false}, "tool_choice": "none",
      "tools": [{"type": "function", "function": {"name": "f"}}], "stop": ["a", "", "b"], "temperature": null})",
                         limits());
  EXPECT_EQ(r.gen.max_tokens, 5);
  EXPECT_FALSE(r.thinking);
  EXPECT_TRUE(r.tools.empty());  // tool_choice none
  EXPECT_EQ(r.gen.stop, (std::vector<std::string>{"a", "b"}));
  EXPECT_FLOAT_EQ(r.gen.sampling.temperature, 1.0f);  // null = absent
}

TEST(ApiRequest, BadFieldsAre400NamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"messages": [)", ""},
      {R"([1, 2])", ""},
      {"{\"messages\": [{\"role\": \"user\", \"content\": \"\xff\"}]}", ""},  // invalid UTF-8
      {R"({})", "messages"},
      {R"({"messages": "hi"})", "messages"},
      {R"({"messages": []})", "messages"},
      {R"({"messages": [{"role": "wizard", "content": "x"}]})", "messages[0].role"},
      {R"({"messages": [{"content": "x"}]})", "messages[0].role"},
      {R"({"messages": [{"role": "user"}]})", "messages[0].content"},
      {R"({"messages": [{"role": "user", "content": 5}]})", "messages[0].content"},
      {R"({"messages": [{"role": "assistant"}]})", "messages[0].content"},
      {R"({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]})",
       "messages[0].content[0].type"},
      {R"({"messages": [{"role": "user", "content": "x"}], "temperature": "hot"})", "temperature"},
      {R"({"messages": [{"role": "user", "content": "x"}], "temperature": 3})", "temperature"},
      {R"({"messages": [{"role": "user", "content": "x"}], "top_p": -1})", "top_p"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 1000000000})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 1.5})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": true})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "seed": 1e30})", "seed"},
      {R"({"messages": [{"role": "user", "content": "x"}], "n": 2})", "n"},
      {R"({"messages": [{"role": "user", "content": "x"}], "stop": 5})", "stop"},
      {R"({"messages": [{"role": "user", "content": "x"}], "stream": "yes"})", "stream"},
      {R"({"messages": [{"role": "user", "content": "x"}], "stream_options": {"include_usage": true}})",
       "stream_options"},
      {R"({"messages": [{"role": "user", "content": "x"}], "top_logprobs": 2})", "top_logprobs"},
      {R"({"messages": [{"role": "user", "content": "x"}], "logprobs": true, "top_logprobs": 21})", "top_logprobs"},
      {R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_schema"}})",
       "response_format.type"},
      {R"({"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function", "function": {}}]})",
       "tools[0].function.name"},
      {R"({"messages": [{"role": "user", "content": "x"}], "tools": {}})", "tools"},
      {R"({"messages": [{"role": "user", "content": "x"}], "thinking": {"type": "maybe"}})", "thinking.type"},
  };
  for (const auto& [body, param] : cases) {
    const ApiError e = chat_error(body);
    EXPECT_EQ(e.status, 400) << body;
    EXPECT_EQ(e.param, param) << body;
    EXPECT_EQ(e.type, "invalid_request_error") << body;
    const json j = json::parse(error_body(e));
    EXPECT_TRUE(j["error"]["message"].is_string());
  }
}

TEST(ApiRequest, Completions) {
  CompletionRequest r = parse_completion_request(R"({"prompt": "Once", "logprobs": 2, "echo": true})", limits());
  EXPECT_EQ(r.prompt, "Once");
  EXPECT_TRUE(r.gen.logprobs && r.echo);
  EXPECT_EQ(r.gen.top_logprobs, 2);
  r = parse_completion_request(R"({"prompt": [[1, 2, 3]]})", limits());
  EXPECT_TRUE(r.has_ids);
  EXPECT_EQ(r.prompt_ids, (std::vector<int32_t>{1, 2, 3}));
  for (const char* bad : {R"({})", R"({"prompt": ""})", R"({"prompt": [40000]})", R"({"prompt": ["a", "b"]})",
                          R"({"prompt": {"x": 1}})", R"({"prompt": [1.5]})"}) {
    EXPECT_THROW(parse_completion_request(bad, limits()), ApiError) << bad;
  }
  EXPECT_EQ(parse_detokenize_request(R"({"tokens": [5, 6]})", limits()), (std::vector<int32_t>{5, 6}));
  EXPECT_THROW(parse_detokenize_request(R"({"tokens": [-1]})", limits()), ApiError);
  EXPECT_EQ(parse_tokenize_request(R"({"content": "abc", "add_special": true})").content, "abc");
  EXPECT_THROW(parse_tokenize_request(R"({"content": 3})"), ApiError);
}

const std::string kBegin = "<\xEF\xBD\x9Ctool\xE2\x96\x81"
                           "calls\xE2\x96\x81"
                           "begin\xEF\xBD\x9C>";
const std::string kCall = "<\xEF\xBD\x9Ctool\xE2\x96\x81"
                          "call\xE2\x96\x81"
                          "begin\xEF\xBD\x9C>";
const std::string kSep = "<\xEF\xBD\x9Ctool\xE2\x96\x81sep\xEF\xBD\x9C>";
const std::string kCallEnd = "<\xEF\xBD\x9Ctool\xE2\x96\x81"
                             "call\xE2\x96\x81"
                             "end\xEF\xBD\x9C>";
const std::string kEnd = "<\xEF\xBD\x9Ctool\xE2\x96\x81"
                         "calls\xE2\x96\x81"
                         "end\xEF\xBD\x9C>";

TEST(ApiOutput, StreamedPiecesAgreeWithOneShotParser) {
  const std::string text = "Let me check the weather.\n</think>\n\nSure." + kBegin + kCall + "function" + kSep +
                           "get_weather\n```json\n{\"city\": \"Paris\"}\n```" + kCallEnd + kEnd;
  const ParsedOutput ref = parse_output(text, {true});
  ASSERT_EQ(ref.tool_calls.size(), 1u);
  ChatOutput out(true);
  std::string reasoning, content;
  std::vector<ToolCall> calls;
  for (size_t i = 0; i < text.size(); i += 3) {  // 3-byte pieces split tags and characters
    const ChatDelta d = out.feed(text.substr(i, 3), true);
    reasoning += d.reasoning;
    content += d.content;
    EXPECT_TRUE(content.empty() || d.reasoning.empty()) << "reasoning after content";
    for (size_t k = 0; k < d.tool_calls.size(); ++k) {
      EXPECT_EQ(d.first_tool_index + k, calls.size());
      calls.push_back(d.tool_calls[k]);
    }
  }
  const ChatDelta d = out.finish();
  reasoning += d.reasoning;
  content += d.content;
  calls.insert(calls.end(), d.tool_calls.begin(), d.tool_calls.end());
  EXPECT_EQ(reasoning, ref.reasoning_content);
  EXPECT_EQ(content, ref.content);
  EXPECT_EQ(out.reasoning(), ref.reasoning_content);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].name, "get_weather");
  EXPECT_EQ(json::parse(calls[0].arguments)["city"], "Paris");
  EXPECT_EQ(calls[0].id.rfind("call_", 0), 0u);
  EXPECT_EQ(out.tool_calls()[0].id, calls[0].id);
  // Reasoning tokens: the pieces fed before the answer began.
  EXPECT_GT(out.reasoning_tokens(), 0);
  EXPECT_LT(out.reasoning_tokens(), static_cast<int64_t>(text.size() / 3));

  FinishEvent f;
  f.finish_reason = "stop";
  f.prompt_tokens = 30;
  f.cached_tokens = 12;
  f.completion_tokens = 20;
  const json resp = chat_completion_json({"chatcmpl-1", "m", 5}, out, api_finish_reason("stop", true),
                                         usage_json(f, out.reasoning_tokens()), nullptr);
  const json& msg = resp["choices"][0]["message"];
  EXPECT_EQ(resp["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(msg["content"], "Sure.");
  EXPECT_EQ(msg["reasoning_content"], ref.reasoning_content);
  EXPECT_EQ(msg["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(resp["usage"]["prompt_cache_hit_tokens"], 12);
  EXPECT_EQ(resp["usage"]["prompt_cache_miss_tokens"], 18);
  EXPECT_EQ(resp["usage"]["total_tokens"], 50);
  EXPECT_EQ(resp["usage"]["prompt_tokens_details"]["cached_tokens"], 12);
}

TEST(ApiOutput, NoThinkingMeansNoReasoning) {
  ChatOutput out(false);
  out.feed("Hello", true);
  out.feed(" world", true);
  out.finish();
  EXPECT_EQ(out.content(), "Hello world");
  EXPECT_EQ(out.reasoning_tokens(), 0);
  FinishEvent f;
  f.finish_reason = "length";
  const json resp = chat_completion_json({"id", "m", 0}, out, api_finish_reason("length", false), usage_json(f, 0),
                                         nullptr);
  EXPECT_FALSE(resp["choices"][0]["message"].contains("reasoning_content"));
  EXPECT_EQ(resp["choices"][0]["finish_reason"], "length");
}

TEST(ApiResponse, ChunksAndSse) {
  ChatDelta d;
  d.reasoning = "hmm";
  const json c = chat_chunk({"id", "m", 1}, chat_delta_json(d), "");
  EXPECT_EQ(c["object"], "chat.completion.chunk");
  EXPECT_EQ(c["choices"][0]["delta"]["reasoning_content"], "hmm");
  EXPECT_FALSE(c["choices"][0]["delta"].contains("content"));
  EXPECT_TRUE(c["choices"][0]["finish_reason"].is_null());
  const std::string s = sse_event(c);
  EXPECT_EQ(s.rfind("data: {", 0), 0u);
  EXPECT_EQ(s.substr(s.size() - 2), "\n\n");
  // A token that splits a UTF-8 character still dumps (as U+FFFD).
  EXPECT_NE(dump_json(json{{"t", std::string("\xE4\xB8")}}).find("\xEF\xBF\xBD"), std::string::npos);
}

}  // namespace
}  // namespace seek
