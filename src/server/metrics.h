// GET /metrics: Prometheus text exposition (format 0.0.4) of the engine's counters (requests,
// tokens, cache hits, busy slots, generation speed) and HTTP requests by route and status.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "server/engine.h"

namespace seek {

class Metrics {
 public:
  Metrics();
  void count_http(const std::string& route, int status);
  std::string prometheus(const EngineStats& s) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> http_;  // (route, status) -> count
  std::chrono::steady_clock::time_point start_;
};

}  // namespace seek
