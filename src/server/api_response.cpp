// Response JSON builders (see api_response.h). Field order and names follow OpenAI's and
// DeepSeek's published responses.
#include "server/api_response.h"

namespace seek {

using json = nlohmann::json;

std::string dump_json(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string sse_event(const json& j) { return "data: " + dump_json(j) + "\n\n"; }

std::string api_finish_reason(const std::string& engine_reason, bool has_tool_calls) {
  if (has_tool_calls && engine_reason == "stop") return "tool_calls";
  return engine_reason;
}

json usage_json(const FinishEvent& f, int64_t reasoning_tokens) {
  return {{"prompt_tokens", f.prompt_tokens},
          {"completion_tokens", f.completion_tokens},
          {"total_tokens", f.prompt_tokens + f.completion_tokens},
          {"prompt_cache_hit_tokens", f.cached_tokens},
          {"prompt_cache_miss_tokens", f.prompt_tokens - f.cached_tokens},
          {"prompt_tokens_details", {{"cached_tokens", f.cached_tokens}}},
          {"completion_tokens_details", {{"reasoning_tokens", reasoning_tokens}}}};
}

namespace {
json token_json(const Tokenizer& tok, int32_t id, float logprob) {
  const std::string& bytes = tok.token_bytes(id);
  json b = json::array();
  for (unsigned char c : bytes) b.push_back(static_cast<int>(c));
  return {{"token", bytes}, {"logprob", logprob}, {"bytes", b}};
}
}  // namespace

json chat_logprob_entry(const Tokenizer& tok, const TokenEvent& ev) {
  json e = token_json(tok, ev.token, ev.logprob);
  json top = json::array();
  for (const auto& [id, lp] : ev.top) top.push_back(token_json(tok, id, lp));
  e["top_logprobs"] = top;
  return e;
}

json chat_delta_json(const ChatDelta& d) {
  json j = json::object();
  if (!d.reasoning.empty()) j["reasoning_content"] = d.reasoning;
  if (!d.content.empty()) j["content"] = d.content;
  if (!d.tool_calls.empty()) {
    json calls = json::array();
    for (size_t i = 0; i < d.tool_calls.size(); ++i) {
      const ToolCall& c = d.tool_calls[i];
      calls.push_back({{"index", d.first_tool_index + i},
                       {"id", c.id},
                       {"type", c.type},
                       {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    }
    j["tool_calls"] = calls;
  }
  return j;
}

json chat_chunk(const ResponseMeta& m, json delta, const std::string& finish_reason, json logprobs) {
  json choice = {{"index", 0},
                 {"delta", std::move(delta)},
                 {"logprobs", std::move(logprobs)},
                 {"finish_reason", finish_reason.empty() ? json(nullptr) : json(finish_reason)}};
  return {{"id", m.id},       {"object", "chat.completion.chunk"}, {"created", m.created},
          {"model", m.model}, {"system_fingerprint", "seek"},      {"choices", json::array({choice})}};
}

json chat_usage_chunk(const ResponseMeta& m, json usage) {
  return {{"id", m.id},
          {"object", "chat.completion.chunk"},
          {"created", m.created},
          {"model", m.model},
          {"system_fingerprint", "seek"},
          {"choices", json::array()},
          {"usage", std::move(usage)}};
}

json chat_completion_json(const ResponseMeta& m, const ChatOutput& out, const std::string& finish_reason, json usage,
                          json logprobs_content) {
  json msg = {{"role", "assistant"}};
  const bool has_calls = !out.tool_calls().empty();
  msg["content"] = has_calls && out.content().empty() ? json(nullptr) : json(out.content());
  if (out.starts_in_thinking() || !out.reasoning().empty()) msg["reasoning_content"] = out.reasoning();
  if (has_calls) {
    json calls = json::array();
    for (const ToolCall& c : out.tool_calls())
      calls.push_back({{"id", c.id}, {"type", c.type}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    msg["tool_calls"] = calls;
  }
  json choice = {{"index", 0},
                 {"message", msg},
                 {"logprobs", logprobs_content.is_null() ? json(nullptr) : json{{"content", logprobs_content}}},
                 {"finish_reason", finish_reason}};
  return {{"id", m.id},
          {"object", "chat.completion"},
          {"created", m.created},
          {"model", m.model},
          {"system_fingerprint", "seek"},
          {"choices", json::array({choice})},
          {"usage", std::move(usage)}};
}

json completion_logprobs(const Tokenizer& tok, const std::vector<TokenEvent>& evs, size_t text_offset) {
  json tokens = json::array(), lps = json::array(), tops = json::array(), offs = json::array();
  for (const TokenEvent& ev : evs) {
    if (ev.token < 0) continue;
    const std::string& s = tok.token_bytes(ev.token);
    tokens.push_back(s);
    lps.push_back(ev.logprob);
    json top = json::object();
    for (const auto& [id, lp] : ev.top) top[tok.token_bytes(id)] = lp;
    tops.push_back(top);
    offs.push_back(text_offset);
    text_offset += s.size();
  }
  return {{"tokens", tokens}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offs}};
}

json text_chunk(const ResponseMeta& m, const std::string& text, const std::string& finish_reason, json logprobs) {
  json choice = {{"index", 0},
                 {"text", text},
                 {"logprobs", std::move(logprobs)},
                 {"finish_reason", finish_reason.empty() ? json(nullptr) : json(finish_reason)}};
  return {{"id", m.id},       {"object", "text_completion"},  {"created", m.created},
          {"model", m.model}, {"system_fingerprint", "seek"}, {"choices", json::array({choice})}};
}

json text_completion_json(const ResponseMeta& m, const std::string& text, const std::string& finish_reason, json usage,
                          json logprobs) {
  json j = text_chunk(m, text, finish_reason, std::move(logprobs));
  j["usage"] = std::move(usage);
  return j;
}

}  // namespace seek
