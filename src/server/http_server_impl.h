// Private to http_server.cpp / http_generate.cpp: the httplib server and the route handlers.
// Debian's libcpp-httplib is compiled with OpenSSL, zlib and Brotli support; the same macros
// must be set here or httplib::Request's layout would differ from the library's.
#pragma once
#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#include <httplib.h>

#include <atomic>
#include <string>

#include "server/api_request.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace seek {

struct HttpServer::Impl {
  Impl(Engine& e, const ServerOptions& o);

  void routes();
  void handle_chat(const httplib::Request& req, httplib::Response& res);
  void handle_completion(const httplib::Request& req, httplib::Response& res);
  void handle_tokenize(const httplib::Request& req, httplib::Response& res);
  void handle_detokenize(const httplib::Request& req, httplib::Response& res);
  // Tokens of a chat or text prompt, checked against the context (400 context_length_exceeded).
  void check_prompt_fits(size_t n_tokens, const char* param) const;
  std::string new_id(const char* prefix);

  Engine& engine;
  const Tokenizer& tok;
  ServerOptions opt;
  ApiLimits limits;
  Metrics metrics;
  httplib::Server svr;
  int port = -1;
  std::atomic<uint64_t> counter{0};
};

// Sets a JSON body (status defaults to 200).
void reply_json(httplib::Response& res, const std::string& body, int status = 200);

}  // namespace seek
