// Prometheus text for the engine stats and HTTP counts.
#include "server/metrics.h"

#include <sstream>

namespace seek {

Metrics::Metrics() : start_(std::chrono::steady_clock::now()) {}

void Metrics::count_http(const std::string& route, int status) {
  std::lock_guard<std::mutex> g(mu_);
  http_[{route, status}]++;
}

namespace {
void metric(std::ostringstream& os, const char* name, const char* type, const char* help, double v) {
  os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n' << name << ' ' << v << '\n';
}
}  // namespace

std::string Metrics::prometheus(const EngineStats& s) const {
  std::ostringstream os;
  os.precision(10);
  metric(os, "seek_requests_total", "counter", "Generation requests accepted by the engine.", s.requests_total);
  metric(os, "seek_requests_finished_total", "counter", "Generation requests that ran to the end.",
         s.requests_finished);
  metric(os, "seek_requests_cancelled_total", "counter", "Generation requests cancelled (client gone).",
         s.requests_cancelled);
  metric(os, "seek_prompt_tokens_total", "counter", "Prompt tokens of all requests.", s.prompt_tokens_total);
  metric(os, "seek_prompt_cache_hit_tokens_total", "counter", "Prompt tokens reused from the prefix cache.",
         s.cache_hit_tokens_total);
  metric(os, "seek_completion_tokens_total", "counter", "Tokens generated.", s.completion_tokens_total);
  metric(os, "seek_forward_tokens_total", "counter", "Tokens run through the model (prefill + decode).",
         s.forward_tokens_total);
  metric(os, "seek_steps_total", "counter", "Batched forward passes.", s.steps_total);
  metric(os, "seek_busy_seconds_total", "counter", "Seconds the engine spent in forward passes and sampling.",
         s.busy_seconds);
  metric(os, "seek_tokens_per_second", "gauge", "Recent generation speed over all sequences (tokens/s).",
         s.decode_tokens_per_s);
  metric(os, "seek_slots_busy", "gauge", "KV-cache slots decoding a request.", s.busy_slots);
  metric(os, "seek_slots_total", "gauge", "KV-cache slots (--parallel).", s.n_slots);
  metric(os, "seek_requests_queued", "gauge", "Requests waiting for a free slot.", s.queued);
  metric(os, "seek_uptime_seconds", "gauge", "Seconds since the server started.",
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  os << "# HELP seek_http_requests_total HTTP requests by route and status.\n# TYPE seek_http_requests_total counter\n";
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& [key, n] : http_)
    os << "seek_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << '\n';
  return os.str();
}

}  // namespace seek
