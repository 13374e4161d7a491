// The serving engine (no HTTP inside): continuous batching over KV-cache slots, after
// nano-vllm's add_request / step / cancel. Each step() is ONE Model::forward over every active
// sequence (a prefill chunk or one decode token each); requests beyond the slots wait in a
// queue; a slot keeps its token history so a new request reuses the longest cached prefix.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/threadpool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "runtime/sampler.h"
#include "server/engine_slots.h"
#include "tokenizer/tokenizer.h"

namespace seek {

struct EngineOptions {
  int64_t n_slots = 4;            // sequences decoded together (--parallel)
  int64_t ctx = 4096;             // tokens per slot
  int64_t n_batch = 512;          // prefill tokens per forward, shared by all prefilling sequences
  int threads = 0;                // 0: all cores
  DType cache_type = DType::F16;  // KV cache (kv_cache.h)
};

struct RequestParams {
  std::vector<int32_t> prompt;  // non-empty, shorter than the context
  SamplingParams sampling;
  int64_t max_tokens = 256;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  int32_t top_logprobs = -1;  // -1: no logprobs; 0..20: the chosen token's logprob + that many alternatives
  bool json_object = false;   // constrain the output to one JSON object (runtime/json_constraint.h)
};

// One generated token (or, with token == -1, the text held back until the end).
struct TokenEvent {
  int32_t token = -1;
  std::string text;      // text now safe to show; may be empty (held back: partial UTF-8, stop-string start)
  float logprob = 0.0f;  // log p(token) under the raw model distribution
  std::vector<std::pair<int32_t, float>> top;  // [top_logprobs] (id, logprob), best first
};

struct FinishEvent {
  std::string finish_reason;  // "stop" (EOS, stop string, JSON complete), "length", "error"
  std::string error;          // with "error"
  int64_t prompt_tokens = 0;
  int64_t cached_tokens = 0;  // prompt tokens reused from the prefix cache
  int64_t completion_tokens = 0;
  double queue_seconds = 0, prefill_seconds = 0, decode_seconds = 0;
};

// Called on the engine's thread (the one running step()), never under an engine lock.
// on_token returning false cancels the request (no on_finish follows).
struct RequestCallbacks {
  std::function<bool(const TokenEvent&)> on_token;
  std::function<void(const FinishEvent&)> on_finish;
};

struct EngineStats {
  int64_t requests_total = 0, requests_finished = 0, requests_cancelled = 0;
  int64_t prompt_tokens_total = 0, cache_hit_tokens_total = 0, completion_tokens_total = 0;
  int64_t forward_tokens_total = 0, steps_total = 0;
  int64_t busy_slots = 0, queued = 0, n_slots = 0;
  double busy_seconds = 0;         // time spent in step()
  double decode_tokens_per_s = 0;  // recent generation speed over all sequences (moving average)
};

class Engine {
 public:
  Engine(Model& model, const Tokenizer& tok, const EngineOptions& opt);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a request; returns its id (> 0). Throws UsageError for an empty prompt, a prompt that
  // does not fit the context, negative max_tokens or sampling values out of range. Thread-safe.
  int64_t add_request(RequestParams params, RequestCallbacks callbacks);
  // Drops a queued or running request and frees its slot at once; no callback of it runs after
  // this returns. Returns false if the id is unknown or already finished. Thread-safe.
  bool cancel(int64_t id);
  // One forward over all active sequences (admitting queued requests into free slots first).
  // Returns false when there was nothing to do. Call from one thread at a time.
  bool step();

  // A thread that runs step() whenever there is work; stop() joins it (also in the destructor).
  void start();
  void stop();

  EngineStats stats() const;
  const EngineOptions& options() const { return opt_; }
  const Tokenizer& tokenizer() const { return tok_; }
  int64_t vocab_size() const { return n_vocab_; }
  // Slot of a running request, -1 when queued, finished or unknown (tests).
  int32_t slot_of(int64_t id) const;

 private:
  struct Sequence;
  struct Row;
  void admit_locked();
  void build_batch_locked(std::vector<Row>& rows);
  void sample_row(const std::shared_ptr<Sequence>& s, float* logits, std::vector<std::shared_ptr<Sequence>>& done);
  void finish(Sequence& s, const std::string& reason, const std::string& error = "");
  void release_locked(Sequence& s);
  void fail_all(const std::string& error);
  void loop();

  Model& model_;
  const Tokenizer& tok_;
  EngineOptions opt_;
  int64_t n_vocab_;
  ThreadPool pool_;
  KVCache cache_;
  SlotTable slots_;

  mutable std::mutex mu_;  // guards queue_, active_, slots_, stats_, next_id_
  std::deque<std::shared_ptr<Sequence>> queue_;
  std::vector<std::shared_ptr<Sequence>> active_;  // in admission order
  EngineStats stats_;
  int64_t next_id_ = 1;

  std::mutex step_mu_;  // one step() at a time
  Batch batch_;
  std::vector<float> logits_;  // [n_slots, vocab] one row per sequence wanting logits
  // step()'s per-step lists, kept so a step allocates nothing once warm.
  std::vector<Row> rows_, to_sample_;
  std::vector<std::shared_ptr<Sequence>> done_;

  std::thread thread_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace seek
