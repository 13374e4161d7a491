// The queue between the engine thread and one HTTP handler: the engine's callbacks push token
// and finish events, the handler pops them (with a timeout, so it can notice a gone client).
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "server/engine.h"

namespace seek {

struct ChannelEvent {
  bool finished = false;
  TokenEvent token;
  FinishEvent finish;
};

class RequestChannel : public std::enable_shared_from_this<RequestChannel> {
 public:
  RequestCallbacks callbacks() {
    std::shared_ptr<RequestChannel> self = shared_from_this();
    return {[self](const TokenEvent& e) {
              self->push({false, e, {}});
              return true;
            },
            [self](const FinishEvent& f) {
              self->push({true, {}, f});
            }};
  }
  // Waits up to `timeout` for the next event; false when none came.
  bool pop(ChannelEvent& out, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lk(mu_);
    if (!cv_.wait_for(lk, timeout, [&] { return !events_.empty(); })) return false;
    out = std::move(events_.front());
    events_.pop_front();
    return true;
  }

 private:
  void push(ChannelEvent e) {
    {
      std::lock_guard<std::mutex> g(mu_);
      events_.push_back(std::move(e));
    }
    cv_.notify_one();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ChannelEvent> events_;
};

}  // namespace seek
