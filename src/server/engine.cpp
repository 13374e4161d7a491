// Engine: admission into slots (prefix cache), one batched forward per step, per-request
// sampling and streaming. Locking: mu_ guards the queue, the active list, the slot table and the
// stats; the forward and every callback run outside it, so callbacks may call add_request or
// cancel. A sequence's callbacks run under its own (recursive) mutex, which cancel() takes once
// after marking the sequence cancelled: after cancel() returns no callback of it runs.
#include "server/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/numeric.h"
#include "runtime/json_constraint.h"
#include "runtime/stop_strings.h"

namespace seek {

namespace {
using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
std::mutex json_constraint_mu;  // the first JsonConstraint of a vocabulary builds a shared trie
}  // namespace

struct Engine::Sequence {
  Sequence(int64_t id_, RequestParams p_, RequestCallbacks cb_, int64_t n_vocab, const Tokenizer& tok)
      : id(id_), p(std::move(p_)), cb(std::move(cb_)), sampler(p.sampling, n_vocab), stops(p.stop), decoder(tok) {
    history = p.prompt;
  }
  int64_t id;
  RequestParams p;
  RequestCallbacks cb;
  int32_t slot = -1;
  int64_t n_prompt_done = 0;  // prompt tokens whose entries are in the slot (reused ones included)
  int64_t cached_hit = 0;
  int32_t next_token = -1;  // sampled, fed by the next step
  int64_t n_generated = 0;
  std::vector<int32_t> history;  // prompt + generated (penalties)
  Sampler sampler;
  StopMatcher stops;
  StreamDecoder decoder;
  std::unique_ptr<JsonConstraint> json;
  std::vector<float> raw;      // [vocab] logits before masks and penalties (logprobs)
  std::vector<int32_t> order;  // [vocab] token ids, partially sorted for top_logprobs
  std::recursive_mutex cb_mu;
  std::atomic<bool> cancelled{false};
  bool finished = false;  // guarded by Engine::mu_
  std::string finish_reason, error;
  Clock::time_point t_added, t_admitted, t_first;
};

struct Engine::Row {
  std::shared_ptr<Sequence> seq;
  int64_t start = 0, n = 0;  // its tokens in the batch
  int64_t logits_row = -1;
  bool prefill = false;
};

Engine::Engine(Model& model, const Tokenizer& tok, const EngineOptions& opt)
    : model_(model),
      tok_(tok),
      opt_(opt),
      n_vocab_(model.config().vocab_size),
      pool_(opt.threads),
      cache_(model.config(), opt.n_slots, opt.ctx, opt.cache_type),
      slots_(opt.n_slots) {
  if (opt.n_slots < 1 || opt.n_slots > 256)
    throw UsageError(str("parallel slots must be in [1, 256], got ", opt.n_slots));
  if (opt.n_batch < 1) throw UsageError(str("batch size must be >= 1, got ", opt.n_batch));
  logits_.resize(static_cast<size_t>(opt.n_slots * n_vocab_));
  model_.reserve(opt.n_batch + opt.n_slots, opt.ctx, pool_.size());
  stats_.n_slots = opt.n_slots;
}

Engine::~Engine() { stop(); }

int64_t Engine::add_request(RequestParams params, RequestCallbacks callbacks) {
  const int64_t n = static_cast<int64_t>(params.prompt.size());
  if (n == 0) throw UsageError("the prompt is empty (no tokens to start from)");
  if (n >= opt_.ctx)
    throw UsageError(str("the prompt is ", n, " tokens but the context holds ", opt_.ctx, " per request"));
  if (params.max_tokens < 0) throw UsageError(str("max_tokens must be >= 0, got ", params.max_tokens));
  if (params.top_logprobs < -1 || params.top_logprobs > 20)
    throw UsageError(str("top_logprobs must be in [0, 20], got ", params.top_logprobs));
  for (int32_t t : params.prompt)
    if (t < 0 || t >= n_vocab_) throw UsageError(str("token id ", t, " out of range [0, ", n_vocab_, ")"));
  params.sampling.validate();
  auto s = std::make_shared<Sequence>(0, std::move(params), std::move(callbacks), n_vocab_, tok_);
  if (s->p.json_object) {
    std::lock_guard<std::mutex> g(json_constraint_mu);
    s->json = std::make_unique<JsonConstraint>(tok_);
  }
  s->t_added = Clock::now();
  {
    std::lock_guard<std::mutex> g(mu_);
    s->id = next_id_++;
    queue_.push_back(s);
    stats_.requests_total++;
    stats_.prompt_tokens_total += n;
  }
  cv_.notify_all();
  return s->id;
}

bool Engine::cancel(int64_t id) {
  std::shared_ptr<Sequence> s;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto q = std::find_if(queue_.begin(), queue_.end(), [&](const auto& x) { return x->id == id; });
    if (q != queue_.end()) {
      s = *q;
      queue_.erase(q);
    } else {
      auto a = std::find_if(active_.begin(), active_.end(), [&](const auto& x) { return x->id == id; });
      if (a == active_.end() || (*a)->finished) return false;
      s = *a;
      release_locked(*s);
      active_.erase(a);
    }
    s->cancelled = true;
    s->finished = true;
    stats_.requests_cancelled++;
  }
  std::lock_guard<std::recursive_mutex> wait_callbacks(s->cb_mu);
  return true;
}

void Engine::release_locked(Sequence& s) {
  if (s.slot >= 0) slots_.release(s.slot);
  s.slot = -1;
}

void Engine::admit_locked() {
  while (!queue_.empty()) {
    std::shared_ptr<Sequence> s = queue_.front();
    const SlotChoice c = slots_.choose(s->p.prompt);
    if (c.slot < 0) break;
    if (c.copy_from >= 0) {
      cache_.copy_prefix(c.copy_from, c.slot, c.reuse);
      slots_.copy_tokens(c.copy_from, c.slot, c.reuse);
    }
    slots_.acquire(c.slot, s->id, c.reuse);
    s->slot = c.slot;
    s->n_prompt_done = s->cached_hit = c.reuse;
    s->t_admitted = Clock::now();
    stats_.cache_hit_tokens_total += c.reuse;
    active_.push_back(s);
    queue_.pop_front();
  }
}

void Engine::build_batch_locked(std::vector<Row>& rows) {
  batch_.clear();
  int64_t n_logits = 0;
  for (const auto& s : active_) {  // one decode token per generating sequence
    if (s->n_prompt_done < static_cast<int64_t>(s->p.prompt.size()) || s->next_token < 0) continue;
    const int32_t pos = static_cast<int32_t>(slots_.cached(s->slot).size());
    rows.push_back({s, batch_.size(), 1, n_logits++, false});
    batch_.add(s->next_token, pos, s->slot, true);
  }
  int64_t budget = opt_.n_batch;  // prefill chunks share what is left, oldest request first
  for (const auto& s : active_) {
    const int64_t total = static_cast<int64_t>(s->p.prompt.size());
    if (s->n_prompt_done >= total) continue;
    const int64_t n = std::min(total - s->n_prompt_done, budget);
    if (n <= 0) break;
    SEEK_ASSERT(static_cast<int64_t>(slots_.cached(s->slot).size()) == s->n_prompt_done);
    const bool last = s->n_prompt_done + n == total;
    rows.push_back({s, batch_.size(), n, last ? n_logits++ : -1, true});
    for (int64_t i = 0; i < n; ++i) {
      const int64_t pos = s->n_prompt_done + i;
      batch_.add(s->p.prompt[static_cast<size_t>(pos)], static_cast<int32_t>(pos), s->slot, last && i + 1 == n);
    }
    budget -= n;
  }
}

bool Engine::step() {
  std::lock_guard<std::mutex> step_lock(step_mu_);
  const auto t0 = Clock::now();
  rows_.clear();
  to_sample_.clear();
  done_.clear();
  {
    std::lock_guard<std::mutex> g(mu_);
    admit_locked();
    build_batch_locked(rows_);
  }
  if (batch_.size() == 0) return false;
  model_.forward(batch_, cache_, pool_, logits_.data());

  {
    std::lock_guard<std::mutex> g(mu_);
    for (const Row& r : rows_) {
      if (r.seq->cancelled) continue;  // its slot was freed during the forward
      std::vector<int32_t>& cached = slots_.cached(r.seq->slot);
      cached.insert(cached.end(), batch_.tokens.begin() + r.start, batch_.tokens.begin() + r.start + r.n);
      if (r.prefill) r.seq->n_prompt_done += r.n;
      if (r.logits_row >= 0) to_sample_.push_back(r);
    }
    stats_.forward_tokens_total += batch_.size();
    stats_.steps_total++;
  }
  int64_t n_sampled = 0;
  for (const Row& r : to_sample_) {
    if (r.prefill) r.seq->t_first = Clock::now();
    sample_row(r.seq, logits_.data() + r.logits_row * n_vocab_, done_);
    n_sampled++;
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& s : done_) {
      if (s->finished) continue;  // cancelled meanwhile: already released
      s->finished = true;
      release_locked(*s);
      active_.erase(std::find(active_.begin(), active_.end(), s));
      if (s->finish_reason == "cancelled") stats_.requests_cancelled++;
      else stats_.requests_finished++;
    }
    const double dt = seconds(t0, Clock::now());
    stats_.busy_seconds += dt;
    if (dt > 0 && n_sampled > 0) {
      const double inst = static_cast<double>(n_sampled) / dt;
      stats_.decode_tokens_per_s = stats_.decode_tokens_per_s == 0 ? inst
                                                                   : 0.8 * stats_.decode_tokens_per_s + 0.2 * inst;
    }
  }
  for (const auto& s : done_) {
    if (s->finish_reason == "cancelled") continue;
    std::lock_guard<std::recursive_mutex> g(s->cb_mu);
    if (s->cancelled) continue;
    FinishEvent f;
    f.finish_reason = s->finish_reason;
    f.error = s->error;
    f.prompt_tokens = static_cast<int64_t>(s->p.prompt.size());
    f.cached_tokens = s->cached_hit;
    f.completion_tokens = s->n_generated;
    const auto now = Clock::now();
    f.queue_seconds = seconds(s->t_added, s->t_admitted);
    f.prefill_seconds = seconds(s->t_admitted, s->t_first);
    f.decode_seconds = seconds(s->t_first, now);
    if (s->cb.on_finish) s->cb.on_finish(f);
  }
  rows_.clear();  // drop the references to finished sequences now, not a step later
  to_sample_.clear();
  done_.clear();
  return true;
}

void Engine::sample_row(const std::shared_ptr<Sequence>& sp, float* logits,
                        std::vector<std::shared_ptr<Sequence>>& done) {
  Sequence& s = *sp;
  auto end = [&](const std::string& reason) {
    if (reason != "cancelled" && reason != "error" && !s.stops.stopped()) {
      TokenEvent tail;
      tail.text = s.stops.push(s.decoder.flush());
      tail.text += s.stops.flush();
      if (!tail.text.empty()) {
        std::lock_guard<std::recursive_mutex> g(s.cb_mu);
        if (!s.cancelled && s.cb.on_token) s.cb.on_token(tail);
      }
    }
    s.finish_reason = reason;
    done.push_back(sp);
  };
  if (s.cancelled) return;
  if (s.n_generated >= s.p.max_tokens) return end("length");
  if (s.p.top_logprobs >= 0) s.raw.assign(logits, logits + n_vocab_);
  if (s.json) s.json->mask(logits, n_vocab_);
  const int32_t id = s.sampler.sample(logits, s.history);
  if (!s.p.ignore_eos && tok_.is_eog(id)) return end("stop");
  try {
    if (s.json) s.json->accept(id);
  } catch (const Error& e) {
    s.error = e.what();
    return end("error");
  }
  s.history.push_back(id);
  s.n_generated++;
  {
    std::lock_guard<std::mutex> g(mu_);
    stats_.completion_tokens_total++;
  }
  TokenEvent ev;
  ev.token = id;
  ev.text = s.stops.push(s.decoder.push(id));
  if (s.p.top_logprobs >= 0) {
    const double z = log_sum_exp(s.raw.data(), n_vocab_);
    ev.logprob = static_cast<float>(s.raw[id] - z);
    const int64_t k = std::min<int64_t>(s.p.top_logprobs, n_vocab_);
    std::vector<int32_t>& idx = s.order;
    idx.resize(static_cast<size_t>(n_vocab_));
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [&](int32_t a, int32_t b) { return s.raw[a] > s.raw[b] || (s.raw[a] == s.raw[b] && a < b); });
    for (int64_t i = 0; i < k; ++i) ev.top.emplace_back(idx[i], static_cast<float>(s.raw[idx[i]] - z));
  }
  bool keep = true;
  {
    std::lock_guard<std::recursive_mutex> g(s.cb_mu);
    if (s.cancelled) return;
    if (s.cb.on_token) keep = s.cb.on_token(ev);
  }
  if (!keep) {
    s.cancelled = true;
    return end("cancelled");
  }
  if (s.stops.stopped()) return end("stop");
  if (s.json && s.json->complete()) return end("stop");
  if (s.n_generated >= s.p.max_tokens) return end("length");
  if (static_cast<int64_t>(slots_.cached(s.slot).size()) + 1 >= opt_.ctx) return end("length");
  s.next_token = id;
}

void Engine::fail_all(const std::string& error) {
  std::vector<std::shared_ptr<Sequence>> all;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& s : active_) {
      release_locked(*s);
      s->finished = true;
      all.push_back(s);
    }
    for (auto& s : queue_) all.push_back(s), s->finished = true;
    active_.clear();
    queue_.clear();
  }
  for (auto& s : all) {
    std::lock_guard<std::recursive_mutex> g(s->cb_mu);
    if (s->cancelled || !s->cb.on_finish) continue;
    FinishEvent f;
    f.finish_reason = "error";
    f.error = error;
    f.prompt_tokens = static_cast<int64_t>(s->p.prompt.size());
    f.completion_tokens = s->n_generated;
    s->cb.on_finish(f);
  }
}

void Engine::loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty() || !active_.empty(); });
      if (stopping_) return;
    }
    try {
      step();
    } catch (const std::exception& e) {  // thread entry: a failed forward fails its requests, the engine goes on
      fail_all(e.what());
    }
  }
}

void Engine::start() {
  std::lock_guard<std::mutex> g(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Engine::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

EngineStats Engine::stats() const {
  std::lock_guard<std::mutex> g(mu_);
  EngineStats s = stats_;
  s.busy_slots = static_cast<int64_t>(active_.size());
  s.queued = static_cast<int64_t>(queue_.size());
  return s;
}

int32_t Engine::slot_of(int64_t id) const {
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& s : active_)
    if (s->id == id) return s->slot;
  return -1;
}

}  // namespace seek
