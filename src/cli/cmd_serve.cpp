// seek serve: the OpenAI/DeepSeek-compatible HTTP server (docs/server.md): one engine thread
// doing continuous batching over --parallel KV-cache slots, HTTP handlers on a thread pool.
// Prints "seek serve: listening on http://HOST:PORT" once bound (--port 0 picks a free port).
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "server/engine.h"
#include "server/http_server.h"

namespace seek::cli {

namespace {

TemplateKind serve_template(const std::string& name, const Tokenizer& tok) {
  if (!name.empty()) return template_kind_from_name(name);
  const TemplateKind k = tok.chat_template().empty() ? TemplateKind::Unknown : detect_template(tok.chat_template());
  return k == TemplateKind::Unknown ? TemplateKind::DeepSeekV3 : k;
}

int stop_pipe[2] = {-1, -1};

void on_stop_signal(int) {
  const char c = 1;
  [[maybe_unused]] ssize_t n = write(stop_pipe[1], &c, 1);
}

}  // namespace

int cmd_serve(int argc, char** argv) {
  CLI::App app{"OpenAI/DeepSeek-compatible HTTP server with continuous batching", "seek serve"};
  ModelArgs margs;
  ServerOptions sopt;
  EngineOptions eopt;
  std::string template_name, alias;
  margs.add_to(app, false);  // default: the bundled quickstart model
  app.add_option("--host", sopt.host, "address to listen on")->capture_default_str();
  app.add_option("--port", sopt.port, "port (0: any free port, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--parallel", eopt.n_slots, "requests decoded together (KV-cache slots)")
      ->check(CLI::Range(int64_t{1}, int64_t{256}))
      ->capture_default_str();
  app.add_option("-b,--batch", eopt.n_batch, "prefill tokens per forward pass")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  app.add_option("--api-key", sopt.api_key, "require 'Authorization: Bearer KEY' (default: $SEEK_API_KEY)");
  app.add_option("--max-body", sopt.max_body, "largest request body in bytes")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 32));
  app.add_option("--template", template_name, "chat template (deepseek-v3, deepseek-r1, ...); default: from the model");
  app.add_option("--alias", alias, "model name reported by the API (default: the file name)");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  if (sopt.api_key.empty())
    if (const char* k = std::getenv("SEEK_API_KEY")) sopt.api_key = k;

  if (margs.model_path.empty()) margs.model_path = default_model_path();
  LoadedModel lm = load_model(margs);
  eopt.ctx = margs.ctx;
  eopt.cache_type = margs.cache_dtype();
  eopt.threads = margs.threads;
  sopt.template_kind = serve_template(template_name, *lm.tokenizer);
  sopt.model_name = !alias.empty() ? alias : std::filesystem::path(margs.model_path).filename().string();
  if (sopt.model_name.empty())
    sopt.model_name = std::filesystem::path(margs.model_path).parent_path().filename().string();

  // Signals: SIGPIPE off (a client closing mid-write is a failed write, not a crash). SIGINT and
  // SIGTERM write a byte to a pipe (async-signal-safe); a thread waiting on it stops the server.
  // Masking the signals instead would not do: OpenBLAS starts its threads before main.
  signal(SIGPIPE, SIG_IGN);
  if (pipe(stop_pipe) != 0) throw Error("cannot create the stop pipe");
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  Engine engine(*lm.model, *lm.tokenizer, eopt);
  HttpServer server(engine, sopt);
  const int port = server.bind();
  engine.start();
  std::thread waiter([&] {
    char c;
    while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR) {
    }
    server.stop();
  });
  std::fprintf(stderr, "seek serve: template %s, %lld slots x %lld tokens, model '%s'%s\n",
               template_kind_name(sopt.template_kind), static_cast<long long>(eopt.n_slots),
               static_cast<long long>(eopt.ctx), sopt.model_name.c_str(),
               sopt.api_key.empty() ? "" : ", API key required");
  std::printf("seek serve: listening on http://%s:%d\n", sopt.host.c_str(), port);
  std::fflush(stdout);
  server.listen();
  on_stop_signal(0);  // wakes the waiter if listen() ended on its own
  waiter.join();
  engine.stop();
  std::fprintf(stderr, "seek serve: stopped\n");
  return 0;
}

}  // namespace seek::cli
