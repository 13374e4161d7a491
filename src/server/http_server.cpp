// The HTTP server: routes, Bearer auth, JSON errors for every failure (bad body, unknown route,
// body too large, exceptions), the small routes (/health, /v1/models, /metrics, /tokenize,
// /detokenize) and the web UI files. Generation routes live in http_generate.cpp.
#include <algorithm>
#include <chrono>

#include "server/api_error.h"
#include "server/api_response.h"
#include "server/http_server_impl.h"
#include "server/ui_assets.h"

namespace seek {

using json = nlohmann::json;

void reply_json(httplib::Response& res, const std::string& body, int status) {
  res.status = status;
  res.set_content(body, "application/json");
}

HttpServer::Impl::Impl(Engine& e, const ServerOptions& o) : engine(e), tok(e.tokenizer()), opt(o) {
  limits.ctx = e.options().ctx;
  limits.vocab = e.vocab_size();
}

std::string HttpServer::Impl::new_id(const char* prefix) {
  static const char* hex = "0123456789abcdef";
  uint64_t x = (static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) *
                0x9E3779B97F4A7C15ull) ^
               (++counter * 0xBF58476D1CE4E5B9ull);
  std::string id = prefix;
  for (int i = 0; i < 16; ++i, x >>= 4) id += hex[x & 15];
  return id;
}

void HttpServer::Impl::check_prompt_fits(size_t n, const char* param) const {
  if (static_cast<int64_t>(n) >= limits.ctx)
    throw ApiError(
        400,
        str("this model's maximum context length is ", limits.ctx, " tokens, but the prompt has ", n,
            " tokens (no room left to generate); shorten the prompt or start the server with a larger --ctx"),
        "invalid_request_error", param, "context_length_exceeded");
}

void HttpServer::Impl::handle_tokenize(const httplib::Request& req, httplib::Response& res) {
  const TokenizeRequest r = parse_tokenize_request(req.body);
  const bool bos = r.add_special && tok.bos() >= 0;
  const std::vector<int32_t> ids = tok.encode(r.content, bos, r.parse_special);
  json tokens = json::array();
  for (int32_t id : ids) {
    if (r.with_pieces) tokens.push_back({{"id", id}, {"piece", tok.token_bytes(id)}});
    else tokens.push_back(id);
  }
  reply_json(res, dump_json({{"tokens", tokens}}));
}

void HttpServer::Impl::handle_detokenize(const httplib::Request& req, httplib::Response& res) {
  const std::vector<int32_t> ids = parse_detokenize_request(req.body, limits);
  for (int32_t id : ids)
    if (id >= tok.n_vocab())
      throw ApiError(400, str("token id ", id, " is past the tokenizer's ", tok.n_vocab(), " tokens"),
                     "invalid_request_error", "tokens", "invalid_value");
  reply_json(res, dump_json({{"content", utf8_repair(tok.decode(ids))}}));
}

namespace {

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

bool ui_file(const std::string& path, std::string_view* body, std::string* type) {
  if (ui_asset(path, body, type)) return true;
  return path.rfind("/ui/", 0) == 0 && ui_asset(path.substr(3), body, type);
}

}  // namespace

void HttpServer::Impl::routes() {
  auto guarded = [this](const std::string& route, Handler h) {
    return [this, route, h](const httplib::Request& req, httplib::Response& res) {
      try {
        h(req, res);
      } catch (const ApiError& e) {
        reply_json(res, error_body(e), e.status);
      } catch (const Error& e) {  // UsageError from the engine or tokenizer: the request's fault
        reply_json(res, error_body(e.what(), "invalid_request_error"), 400);
      } catch (const std::exception& e) {
        reply_json(res, error_body(str("internal error: ", e.what()), "server_error"), 500);
      }
      metrics.count_http(route, res.status < 0 ? 200 : res.status);
    };
  };
  auto chat = guarded("/v1/chat/completions", [this](const auto& q, auto& r) { handle_chat(q, r); });
  auto completion = guarded("/v1/completions", [this](const auto& q, auto& r) { handle_completion(q, r); });
  svr.Post("/v1/chat/completions", chat);
  svr.Post("/chat/completions", chat);
  svr.Post("/v1/completions", completion);
  svr.Post("/completions", completion);
  svr.Post("/tokenize", guarded("/tokenize", [this](const auto& q, auto& r) { handle_tokenize(q, r); }));
  svr.Post("/detokenize", guarded("/detokenize", [this](const auto& q, auto& r) { handle_detokenize(q, r); }));
  svr.Get("/health", guarded("/health", [this](const auto&, auto& r) {
            const EngineStats s = engine.stats();
            reply_json(r, dump_json({{"status", "ok"},
                                     {"slots_idle", s.n_slots - s.busy_slots},
                                     {"slots_processing", s.busy_slots},
                                     {"requests_queued", s.queued}}));
          }));
  auto models = guarded("/v1/models", [this](const auto&, auto& r) {
    const json m = {{"id", opt.model_name},
                    {"object", "model"},
                    {"created", 0},
                    {"owned_by", "seek"},
                    {"context_length", limits.ctx}};
    reply_json(r, dump_json({{"object", "list"}, {"data", json::array({m})}}));
  });
  svr.Get("/v1/models", models);
  svr.Get("/models", models);
  svr.Get("/metrics", guarded("/metrics", [this](const auto&, auto& r) {
            r.set_content(metrics.prometheus(engine.stats()), "text/plain; version=0.0.4; charset=utf-8");
          }));
  svr.Get(R"(/.*)", guarded("ui", [](const httplib::Request& q, httplib::Response& r) {
            std::string_view body;
            std::string type;
            if (!ui_file(q.path, &body, &type))
              throw ApiError(404, str("no route GET ", q.path), "not_found_error", "", "not_found");
            r.set_content(std::string(body), type.c_str());
          }));
  svr.Options(R"(/.*)", [](const httplib::Request&, httplib::Response& r) { r.status = 204; });
  svr.set_default_headers({{"Access-Control-Allow-Origin", "*"},
                           {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                           {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"}});

  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (opt.api_key.empty() || req.path == "/health" || req.method == "OPTIONS")
      return httplib::Server::HandlerResponse::Unhandled;
    std::string_view body;
    std::string type;
    if (req.method == "GET" && ui_file(req.path, &body, &type)) return httplib::Server::HandlerResponse::Unhandled;
    if (req.get_header_value("Authorization") == "Bearer " + opt.api_key)
      return httplib::Server::HandlerResponse::Unhandled;
    reply_json(res,
               error_body(req.has_header("Authorization") ? "invalid API key"
                                                          : "missing API key: send 'Authorization: Bearer KEY'",
                          "authentication_error", "", "invalid_api_key"),
               401);
    metrics.count_http("auth", 401);
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a handler's own error
    if (res.status == 413) {
      reply_json(res,
                 error_body(str("the request body is larger than the server's limit of ", opt.max_body, " bytes"),
                            "invalid_request_error", "", "request_too_large"),
                 413);
    } else if (res.status == 404) {
      reply_json(res, error_body(str("no route ", req.method, " ", req.path), "not_found_error", "", "not_found"), 404);
    } else {
      reply_json(res, error_body(str("HTTP ", res.status, " for ", req.method, " ", req.path), "invalid_request_error"),
                 res.status);
    }
    metrics.count_http("error", res.status);
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_payload_max_length(opt.max_body);
  const int n_threads = opt.http_threads > 0 ? opt.http_threads
                                             : std::max<int>(8, static_cast<int>(4 * engine.options().n_slots));
  svr.new_task_queue = [n_threads] { return new httplib::ThreadPool(static_cast<size_t>(n_threads)); };
}

HttpServer::HttpServer(Engine& engine, const ServerOptions& opt) : impl_(std::make_unique<Impl>(engine, opt)) {
  impl_->routes();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  Impl& m = *impl_;
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which lets a second `seek serve`
  // bind the same port and take half the requests instead of failing with "address in use".
  m.svr.set_socket_options([](socket_t s) {
    int yes = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  m.port = m.opt.port == 0 ? m.svr.bind_to_any_port(m.opt.host)
                           : (m.svr.bind_to_port(m.opt.host, m.opt.port) ? m.opt.port : -1);
  if (m.port < 0)
    throw Error(str("cannot listen on ", m.opt.host, ":", m.opt.port, " (address in use or not available)"));
  return m.port;
}

void HttpServer::listen() { impl_->svr.listen_after_bind(); }

void HttpServer::stop() {
  if (impl_->svr.is_running()) impl_->svr.stop();
}

}  // namespace seek
