// POST /v1/chat/completions and /v1/completions: parse, render the chat template, tokenize,
// queue in the engine, then either wait for the whole answer or stream SSE chunks
// ("data: {...}\n\n", last "data: [DONE]"). A client that goes away cancels its request, which
// frees its slot (the chunk write fails, or the socket is found closed while waiting).
#include <chrono>

#include "server/api_error.h"
#include "server/api_response.h"
#include "server/http_server_impl.h"
#include "server/request_channel.h"

namespace seek {

using json = nlohmann::json;

namespace {

constexpr std::chrono::milliseconds kPoll{100};

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

RequestParams to_params(const GenerationRequest& g, std::vector<int32_t> ids, int64_t ctx) {
  RequestParams p;
  p.max_tokens = g.max_tokens >= 0 ? g.max_tokens : ctx - static_cast<int64_t>(ids.size());
  p.prompt = std::move(ids);
  p.sampling = g.sampling;
  p.stop = g.stop;
  p.ignore_eos = g.ignore_eos;
  p.top_logprobs = g.logprobs ? g.top_logprobs : -1;
  p.json_object = g.json_object;
  return p;
}

// A request in the engine; cancelled on destruction unless it finished (client gone, exception).
struct InFlight {
  InFlight(Engine& e, RequestParams p) : engine(e), ch(std::make_shared<RequestChannel>()) {
    id = engine.add_request(std::move(p), ch->callbacks());
  }
  ~InFlight() {
    if (!finished) engine.cancel(id);
  }
  // Blocks for the next event.
  ChannelEvent next() {
    ChannelEvent ev;
    while (!ch->pop(ev, kPoll)) {
    }
    if (ev.finished) finished = true;
    return ev;
  }
  Engine& engine;
  std::shared_ptr<RequestChannel> ch;
  int64_t id = 0;
  bool finished = false;
};

void throw_if_error(const FinishEvent& f) {
  if (f.finish_reason == "error") throw ApiError(500, str("generation failed: ", f.error), "server_error");
}

// Runs a streaming response: `on_event` turns each engine event into SSE text (empty: nothing to
// send); the provider writes it, and cancels the request when the client is gone.
void stream_sse(httplib::Response& res, std::shared_ptr<InFlight> job, std::string first,
                std::function<std::string(const ChannelEvent&)> on_event) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  auto pending = std::make_shared<std::string>(std::move(first));
  res.set_chunked_content_provider(
      "text/event-stream",
      [job, pending, on_event](size_t, httplib::DataSink& sink) {
        if (!pending->empty()) {
          const bool ok = sink.write(pending->data(), pending->size());
          pending->clear();
          return ok;
        }
        ChannelEvent ev;
        if (!job->ch->pop(ev, kPoll)) return sink.is_writable();  // false: client gone, the releaser cancels
        if (ev.finished) job->finished = true;
        const std::string out = on_event(ev);
        if (!out.empty() && !sink.write(out.data(), out.size())) return false;
        if (ev.finished) sink.done();
        return true;
      },
      [job](bool) {
        if (!job->finished) {
          job->engine.cancel(job->id);
          job->finished = true;
        }
      });
}

std::string sse_error(const FinishEvent& f) {
  return "data: " + error_body(str("generation failed: ", f.error), "server_error") + "\n\ndata: [DONE]\n\n";
}

}  // namespace

void HttpServer::Impl::handle_chat(const httplib::Request& req, httplib::Response& res) {
  ChatRequest cr = parse_chat_request(req.body, limits);
  const bool continue_last = cr.messages.back().role == "assistant" && cr.messages.back().prefix;
  const std::string prompt = render_chat(opt.template_kind, cr.messages,
                                         chat_options_for(tok, !continue_last, cr.thinking));
  std::vector<int32_t> ids = tok.encode(prompt, false, true);
  check_prompt_fits(ids.size(), "messages");
  const bool in_thinking = !continue_last && template_starts_thinking(opt.template_kind, cr.thinking);
  const ResponseMeta meta{new_id("chatcmpl-"), opt.model_name, unix_now()};
  const GenerationRequest g = cr.gen;
  auto job = std::make_shared<InFlight>(engine, to_params(g, std::move(ids), limits.ctx));

  if (!g.stream) {
    ChatOutput out(in_thinking);
    json lp = g.logprobs ? json::array() : json(nullptr);
    for (;;) {
      ChannelEvent ev = job->next();
      if (ev.finished) {
        throw_if_error(ev.finish);
        out.finish();
        const std::string reason = api_finish_reason(ev.finish.finish_reason, !out.tool_calls().empty());
        reply_json(
            res, dump_json(chat_completion_json(meta, out, reason, usage_json(ev.finish, out.reasoning_tokens()), lp)));
        return;
      }
      out.feed(ev.token.text, ev.token.token >= 0);
      if (g.logprobs && ev.token.token >= 0) lp.push_back(chat_logprob_entry(tok, ev.token));
    }
  }
  auto out = std::make_shared<ChatOutput>(in_thinking);
  auto chunk = [meta, g](json delta, const std::string& reason, json lp = nullptr) {
    json c = chat_chunk(meta, std::move(delta), reason, std::move(lp));
    if (g.include_usage) c["usage"] = nullptr;
    return sse_event(c);
  };
  std::string first = chunk({{"role", "assistant"}, {"content", ""}}, "");
  stream_sse(res, job, std::move(first), [this, out, chunk, meta, g](const ChannelEvent& ev) -> std::string {
    if (!ev.finished) {
      const ChatDelta d = out->feed(ev.token.text, ev.token.token >= 0);
      json lp = nullptr;
      if (g.logprobs && ev.token.token >= 0) lp = {{"content", json::array({chat_logprob_entry(tok, ev.token)})}};
      if (d.empty() && lp.is_null()) return "";
      return chunk(chat_delta_json(d), "", lp);
    }
    if (ev.finish.finish_reason == "error") return sse_error(ev.finish);
    std::string s;
    const ChatDelta d = out->finish();
    if (!d.empty()) s += chunk(chat_delta_json(d), "");
    s += chunk(json::object(), api_finish_reason(ev.finish.finish_reason, !out->tool_calls().empty()));
    if (g.include_usage) s += sse_event(chat_usage_chunk(meta, usage_json(ev.finish, out->reasoning_tokens())));
    return s + "data: [DONE]\n\n";
  });
}

void HttpServer::Impl::handle_completion(const httplib::Request& req, httplib::Response& res) {
  CompletionRequest cr = parse_completion_request(req.body, limits);
  std::vector<int32_t> ids = cr.has_ids ? cr.prompt_ids
                                        : tok.encode(cr.prompt, tok.add_bos_default() && tok.bos() >= 0, true);
  check_prompt_fits(ids.size(), "prompt");
  const std::string echo = !cr.echo ? "" : cr.has_ids ? utf8_repair(tok.decode(ids)) : cr.prompt;
  const ResponseMeta meta{new_id("cmpl-"), opt.model_name, unix_now()};
  const GenerationRequest g = cr.gen;
  auto job = std::make_shared<InFlight>(engine, to_params(g, std::move(ids), limits.ctx));

  if (!g.stream) {
    std::string text = echo;
    std::vector<TokenEvent> evs;
    for (;;) {
      ChannelEvent ev = job->next();
      if (ev.finished) {
        throw_if_error(ev.finish);
        const json lp = g.logprobs ? completion_logprobs(tok, evs, echo.size()) : json(nullptr);
        reply_json(res,
                   dump_json(text_completion_json(meta, text, ev.finish.finish_reason, usage_json(ev.finish, 0), lp)));
        return;
      }
      text += ev.token.text;
      if (g.logprobs) evs.push_back(ev.token);
    }
  }
  auto offset = std::make_shared<size_t>(echo.size());
  auto chunk = [meta, g](const std::string& text, const std::string& reason, json lp = nullptr) {
    json c = text_chunk(meta, text, reason, std::move(lp));
    if (g.include_usage) c["usage"] = nullptr;
    return sse_event(c);
  };
  std::string first = echo.empty() ? "" : chunk(echo, "");
  stream_sse(res, job, std::move(first), [this, chunk, meta, g, offset](const ChannelEvent& ev) -> std::string {
    if (!ev.finished) {
      json lp = nullptr;
      if (g.logprobs && ev.token.token >= 0) {
        lp = completion_logprobs(tok, {ev.token}, *offset);
        *offset += tok.token_bytes(ev.token.token).size();
      }
      if (ev.token.text.empty() && lp.is_null()) return "";
      return chunk(ev.token.text, "", lp);
    }
    if (ev.finish.finish_reason == "error") return sse_error(ev.finish);
    std::string s = chunk("", ev.finish.finish_reason);
    if (g.include_usage) {
      json u = text_chunk(meta, "", "");
      u["choices"] = json::array();
      u["usage"] = usage_json(ev.finish, 0);
      s += sse_event(u);
    }
    return s + "data: [DONE]\n\n";
  });
}

}  // namespace seek
