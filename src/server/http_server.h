// `seek serve`'s HTTP front (cpp-httplib): OpenAI/DeepSeek-compatible routes over an Engine,
// Bearer auth, body limit, JSON errors, the embedded web UI. The handlers only adapt: parse
// (api_request.h), render + tokenize, queue in the engine, stream back (api_response.h).
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "server/engine.h"
#include "tokenizer/chat_template.h"

namespace seek {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;            // 0: any free port (bind() returns it)
  std::string api_key;        // non-empty: "Authorization: Bearer KEY" on every route but /health and the UI files
  size_t max_body = 8 << 20;  // bytes; larger bodies get 413
  std::string model_name = "seek";
  TemplateKind template_kind = TemplateKind::DeepSeekV3;
  int http_threads = 0;  // 0: max(8, 4 * slots)
};

class HttpServer {
 public:
  HttpServer(Engine& engine, const ServerOptions& opt);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket; returns the port. Throws Error when the address cannot be bound.
  int bind();
  // Serves until stop() (from another thread or a signal handler's thread). Call after bind().
  void listen();
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace seek
