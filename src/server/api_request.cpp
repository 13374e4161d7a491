// Request parsing. Optional fields may be absent or null; anything else of the wrong type or out
// of range is a 400 naming the field. Unknown fields are ignored, as OpenAI does.
#include "server/api_request.h"

#include <climits>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "server/api_error.h"

namespace seek {

using json = nlohmann::json;

namespace {

[[noreturn]] void bad(const std::string& param, const std::string& msg) {
  throw ApiError(400, msg, "invalid_request_error", param, "invalid_value");
}

const json* field(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return nullptr;
  return &*it;
}

double get_number(const json& o, const char* key, double lo, double hi, double def) {
  const json* v = field(o, key);
  if (!v) return def;
  if (!v->is_number()) bad(key, str("'", key, "' must be a number, got ", v->type_name()));
  const double x = v->get<double>();
  if (!(x >= lo && x <= hi)) bad(key, str("'", key, "' must be in [", lo, ", ", hi, "], got ", x));
  return x;
}

int64_t get_int(const json& o, const char* key, int64_t lo, int64_t hi, int64_t def) {
  const json* v = field(o, key);
  if (!v) return def;
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (d != std::floor(d) || !(std::fabs(d) < 9e15)) bad(key, str("'", key, "' must be an integer, got ", d));
    if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
      bad(key, str("'", key, "' must be in [", lo, ", ", hi, "], got ", d));
    return static_cast<int64_t>(d);
  }
  if (!v->is_number_integer()) bad(key, str("'", key, "' must be an integer, got ", v->type_name()));
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    bad(key, str("'", key, "' must be in [", lo, ", ", hi, "], got ", v->get<uint64_t>()));
  const int64_t x = v->get<int64_t>();
  if (x < lo || x > hi) bad(key, str("'", key, "' must be in [", lo, ", ", hi, "], got ", x));
  return x;
}

bool get_bool(const json& o, const char* key, bool def) {
  const json* v = field(o, key);
  if (!v) return def;
  if (!v->is_boolean()) bad(key, str("'", key, "' must be a boolean, got ", v->type_name()));
  return v->get<bool>();
}

std::string get_string(const json& o, const char* key, const std::string& def, const std::string& param) {
  const json* v = field(o, key);
  if (!v) return def;
  if (!v->is_string()) bad(param, str("'", param, "' must be a string, got ", v->type_name()));
  return v->get<std::string>();
}

// content: a string, or an array of {"type": "text", "text": ...} parts (joined).
std::optional<std::string> message_content(const json& m, const std::string& param) {
  const json* c = field(m, "content");
  if (!c) return std::nullopt;
  if (c->is_string()) return c->get<std::string>();
  if (!c->is_array()) bad(param, str("'", param, "' must be a string or an array of text parts, got ", c->type_name()));
  std::string out;
  for (size_t i = 0; i < c->size(); ++i) {
    const json& part = (*c)[i];
    const std::string p = str(param, "[", i, "]");
    if (!part.is_object()) bad(p, str("'", p, "' must be an object, got ", part.type_name()));
    const std::string type = get_string(part, "type", "", p + ".type");
    if (type != "text") bad(p + ".type", str("only text content parts are supported, got '", type, "'"));
    out += get_string(part, "text", "", p + ".text");
  }
  return out;
}

std::vector<ToolCall> message_tool_calls(const json& m, const std::string& param) {
  std::vector<ToolCall> calls;
  const json* tc = field(m, "tool_calls");
  if (!tc) return calls;
  if (!tc->is_array()) bad(param, str("'", param, "' must be an array, got ", tc->type_name()));
  for (size_t i = 0; i < tc->size(); ++i) {
    const json& c = (*tc)[i];
    const std::string p = str(param, "[", i, "]");
    if (!c.is_object()) bad(p, str("'", p, "' must be an object, got ", c.type_name()));
    ToolCall call;
    call.id = get_string(c, "id", "", p + ".id");
    call.type = get_string(c, "type", "function", p + ".type");
    const json* f = field(c, "function");
    if (!f || !f->is_object()) bad(p + ".function", str("'", p, ".function' must be an object"));
    call.name = get_string(*f, "name", "", p + ".function.name");
    if (call.name.empty()) bad(p + ".function.name", str("'", p, ".function.name' must be a non-empty string"));
    const json* args = field(*f, "arguments");
    if (args && args->is_string()) call.arguments = args->get<std::string>();
    else if (args && args->is_object()) call.arguments = args->dump();
    else if (args) bad(p + ".function.arguments", "'arguments' must be a JSON string");
    calls.push_back(std::move(call));
  }
  return calls;
}

ChatMessage parse_message(const json& m, size_t i) {
  const std::string p = str("messages[", i, "]");
  if (!m.is_object()) bad(p, str("'", p, "' must be an object, got ", m.type_name()));
  std::string role = get_string(m, "role", "", p + ".role");
  if (role == "developer") role = "system";
  if (role != "system" && role != "user" && role != "assistant" && role != "tool")
    bad(p + ".role", str("'", p, ".role' must be one of system, developer, user, assistant, tool; got '", role, "'"));
  ChatMessage msg;
  msg.role = role;
  msg.content = message_content(m, p + ".content");
  if (role == "assistant") {
    msg.tool_calls = message_tool_calls(m, p + ".tool_calls");
    msg.reasoning_content = get_string(m, "reasoning_content", "", p + ".reasoning_content");
    msg.prefix = get_bool(m, "prefix", false);
    if (!msg.content && msg.tool_calls.empty())
      bad(p + ".content", str("'", p, "': an assistant message needs content or tool_calls"));
  } else {
    if (!msg.content) bad(p + ".content", str("'", p, ".content' is required for role ", role));
    if (role == "tool") msg.tool_call_id = get_string(m, "tool_call_id", "", p + ".tool_call_id");
  }
  return msg;
}

std::string parse_tools(const json& o) {
  const json* t = field(o, "tools");
  if (!t) return "";
  if (!t->is_array()) bad("tools", str("'tools' must be an array, got ", t->type_name()));
  for (size_t i = 0; i < t->size(); ++i) {
    const json& tool = (*t)[i];
    const std::string p = str("tools[", i, "]");
    if (!tool.is_object()) bad(p, str("'", p, "' must be an object"));
    if (get_string(tool, "type", "function", p + ".type") != "function")
      bad(p + ".type", "only 'function' tools are supported");
    const json* f = field(tool, "function");
    if (!f || !f->is_object()) bad(p + ".function", str("'", p, ".function' must be an object"));
    if (get_string(*f, "name", "", p + ".function.name").empty())
      bad(p + ".function.name", str("'", p, ".function.name' must be a non-empty string"));
    const json* params = field(*f, "parameters");
    if (params && !params->is_object()) bad(p + ".function.parameters", "'parameters' must be a JSON Schema object");
  }
  if (const json* choice = field(o, "tool_choice")) {
    if (choice->is_string()) {
      const std::string c = choice->get<std::string>();
      if (c == "none") return "";
      if (c != "auto" && c != "required")
        bad("tool_choice", str("'tool_choice' must be none, auto or required, got '", c, "'"));
    } else if (!choice->is_object()) {
      bad("tool_choice", "'tool_choice' must be a string or an object");
    }
  }
  return t->empty() ? "" : t->dump(-1, ' ', false, json::error_handler_t::replace);
}

void parse_stop(const json& o, std::vector<std::string>& out) {
  const json* s = field(o, "stop");
  if (!s) return;
  if (s->is_string()) {
    if (!s->get<std::string>().empty()) out.push_back(s->get<std::string>());
    return;
  }
  if (!s->is_array()) bad("stop", str("'stop' must be a string or an array of strings, got ", s->type_name()));
  if (s->size() > 16) bad("stop", str("'stop' holds at most 16 strings, got ", s->size()));
  for (const json& x : *s) {
    if (!x.is_string()) bad("stop", "'stop' must hold only strings");
    if (!x.get<std::string>().empty()) out.push_back(x.get<std::string>());
  }
}

void parse_generation(const json& o, const ApiLimits& lim, GenerationRequest& g) {
  g.model = get_string(o, "model", "", "model");
  SamplingParams& s = g.sampling;
  s.temperature = static_cast<float>(get_number(o, "temperature", 0.0, 2.0, 1.0));
  const double top_p = get_number(o, "top_p", 0.0, 1.0, 1.0);
  if (top_p == 0.0) s.temperature = 0.0f;  // top_p 0 keeps only the best token
  else s.top_p = static_cast<float>(top_p);
  s.top_k = static_cast<int32_t>(get_int(o, "top_k", 0, 1 << 30, 0));
  s.min_p = static_cast<float>(get_number(o, "min_p", 0.0, 1.0, 0.0));
  s.presence_penalty = static_cast<float>(get_number(o, "presence_penalty", -2.0, 2.0, 0.0));
  s.frequency_penalty = static_cast<float>(get_number(o, "frequency_penalty", -2.0, 2.0, 0.0));
  const char* rp = field(o, "repetition_penalty") ? "repetition_penalty" : "repeat_penalty";
  s.repeat_penalty = static_cast<float>(get_number(o, rp, 1e-3, 10.0, 1.0));
  s.repeat_last_n = static_cast<int32_t>(get_int(o, "repeat_last_n", -1, 1 << 30, 64));
  if (field(o, "seed")) s.seed = static_cast<uint64_t>(get_int(o, "seed", INT64_MIN, INT64_MAX, 0));
  else s.seed = std::random_device{}() * 0x9E3779B97F4A7C15ull + std::random_device{}();
  const char* mt = field(o, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  g.max_tokens = get_int(o, mt, 1, lim.ctx, -1);
  if (get_int(o, "n", 1, 1, 1) != 1) bad("n", "only n = 1 is supported");
  parse_stop(o, g.stop);
  g.stream = get_bool(o, "stream", false);
  if (const json* so = field(o, "stream_options")) {
    if (!so->is_object()) bad("stream_options", "'stream_options' must be an object");
    if (!g.stream) bad("stream_options", "'stream_options' is only allowed when 'stream' is true");
    g.include_usage = get_bool(*so, "include_usage", false);
  }
  if (const json* rf = field(o, "response_format")) {
    if (!rf->is_object()) bad("response_format", "'response_format' must be an object");
    const std::string type = get_string(*rf, "type", "text", "response_format.type");
    if (type == "json_object") g.json_object = true;
    else if (type != "text")
      bad("response_format.type", str("'response_format.type' must be text or json_object, got '", type, "'"));
  }
  g.ignore_eos = get_bool(o, "ignore_eos", false);
}

}  // namespace

json parse_json_object(std::string_view body) {
  json j;
  try {
    j = json::parse(body.begin(), body.end());
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number overflow
    throw ApiError(400, str("the body is not valid JSON: ", e.what()), "invalid_request_error", "", "invalid_json");
  }
  if (!j.is_object()) throw ApiError(400, str("the body must be a JSON object, got ", j.type_name()));
  return j;
}

ChatRequest parse_chat_request(std::string_view body, const ApiLimits& lim) {
  const json o = parse_json_object(body);
  ChatRequest r;
  parse_generation(o, lim, r.gen);
  const json* msgs = field(o, "messages");
  if (!msgs) throw ApiError(400, "'messages' is required", "invalid_request_error", "messages", "missing_field");
  if (!msgs->is_array()) bad("messages", str("'messages' must be an array, got ", msgs->type_name()));
  if (msgs->empty()) bad("messages", "'messages' must hold at least one message");
  if (msgs->size() > lim.max_messages) bad("messages", str("'messages' holds at most ", lim.max_messages, " messages"));
  for (size_t i = 0; i < msgs->size(); ++i) r.messages.push_back(parse_message((*msgs)[i], i));
  r.tools = parse_tools(o);
  r.gen.logprobs = get_bool(o, "logprobs", false);
  r.gen.top_logprobs = static_cast<int32_t>(get_int(o, "top_logprobs", 0, 20, 0));
  if (field(o, "top_logprobs") && !r.gen.logprobs) bad("top_logprobs", "'top_logprobs' needs 'logprobs': true");
  if (const json* t = field(o, "thinking")) {
    if (t->is_boolean()) r.thinking = t->get<bool>();
    else if (t->is_object()) {
      const std::string type = get_string(*t, "type", "enabled", "thinking.type");
      if (type != "enabled" && type != "disabled")
        bad("thinking.type", str("'thinking.type' must be enabled or disabled, got '", type, "'"));
      r.thinking = type == "enabled";
    } else {
      bad("thinking", "'thinking' must be an object like {\"type\": \"disabled\"}");
    }
  }
  if (const json* k = field(o, "chat_template_kwargs")) {
    if (!k->is_object()) bad("chat_template_kwargs", "'chat_template_kwargs' must be an object");
    if (field(*k, "enable_thinking")) r.thinking = get_bool(*k, "enable_thinking", true);
    if (field(*k, "thinking")) r.thinking = get_bool(*k, "thinking", true);
  }
  return r;
}

CompletionRequest parse_completion_request(std::string_view body, const ApiLimits& lim) {
  const json o = parse_json_object(body);
  CompletionRequest r;
  parse_generation(o, lim, r.gen);
  const json* p = field(o, "prompt");
  if (!p) throw ApiError(400, "'prompt' is required", "invalid_request_error", "prompt", "missing_field");
  const json* one = p;
  if (p->is_array() && !p->empty() && (p->front().is_string() || p->front().is_array())) {
    if (p->size() != 1) bad("prompt", str("one prompt per request is supported, got ", p->size()));
    one = &p->front();
  }
  if (one->is_string()) {
    r.prompt = one->get<std::string>();
  } else if (one->is_array()) {
    if (one->empty()) bad("prompt", "'prompt' must not be empty");
    for (const json& t : *one) {
      if (!t.is_number_integer()) bad("prompt", "a token-id prompt must hold only integers");
      const int64_t id = t.get<int64_t>();
      if (id < 0 || id >= lim.vocab) bad("prompt", str("token id ", id, " out of range [0, ", lim.vocab, ")"));
      r.prompt_ids.push_back(static_cast<int32_t>(id));
    }
    r.has_ids = true;
  } else {
    bad("prompt", str("'prompt' must be a string or an array of token ids, got ", one->type_name()));
  }
  if (!r.has_ids && r.prompt.empty()) bad("prompt", "'prompt' must not be empty");
  r.echo = get_bool(o, "echo", false);
  if (const json* lp = field(o, "logprobs")) {
    if (lp->is_boolean()) r.gen.logprobs = lp->get<bool>();
    else {
      r.gen.top_logprobs = static_cast<int32_t>(get_int(o, "logprobs", 0, 20, 0));
      r.gen.logprobs = true;
    }
  }
  return r;
}

TokenizeRequest parse_tokenize_request(std::string_view body) {
  const json o = parse_json_object(body);
  TokenizeRequest r;
  const char* key = field(o, "content") ? "content" : "text";
  if (!field(o, key)) throw ApiError(400, "'content' is required", "invalid_request_error", "content", "missing_field");
  r.content = get_string(o, key, "", key);
  r.add_special = get_bool(o, "add_special", false);
  r.parse_special = get_bool(o, "parse_special", true);
  r.with_pieces = get_bool(o, "with_pieces", false);
  return r;
}

std::vector<int32_t> parse_detokenize_request(std::string_view body, const ApiLimits& lim) {
  const json o = parse_json_object(body);
  const json* t = field(o, "tokens");
  if (!t) throw ApiError(400, "'tokens' is required", "invalid_request_error", "tokens", "missing_field");
  if (!t->is_array()) bad("tokens", str("'tokens' must be an array of token ids, got ", t->type_name()));
  std::vector<int32_t> ids;
  for (const json& x : *t) {
    if (!x.is_number_integer()) bad("tokens", "'tokens' must hold only integers");
    const int64_t id = x.get<int64_t>();
    if (id < 0 || id >= lim.vocab) bad("tokens", str("token id ", id, " out of range [0, ", lim.vocab, ")"));
    ids.push_back(static_cast<int32_t>(id));
  }
  return ids;
}

}  // namespace seek
