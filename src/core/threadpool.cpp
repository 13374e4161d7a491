// ThreadPool: generation counter + pending counter; workers spin ~50us before sleeping.
#include "core/threadpool.h"

#include <algorithm>

#include "core/error.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define SEEK_PAUSE() _mm_pause()
#else
#define SEEK_PAUSE() ((void)0)
#endif

namespace seek {

namespace {
constexpr int kSpinIterations = 20000;
}

int default_thread_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads > 0 ? n_threads : default_thread_count()) {
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

namespace {
constexpr uint64_t kClosed = 1ull << 31;
constexpr uint64_t kCountMask = kClosed - 1;
}  // namespace

void ThreadPool::worker_loop(int index) {
  uint32_t seen = 0;
  for (;;) {
    int spins = 0;
    uint32_t g;
    while ((g = generation_.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinIterations) {
        SEEK_PAUSE();
      } else {
        generation_.wait(seen, std::memory_order_acquire);
      }
    }
    seen = g;
    if (stop_.load()) return;
    uint64_t c = claim_.load(std::memory_order_acquire);
    bool joined = false;
    while ((c >> 32) == g && !(c & kClosed)) {
      if (claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        joined = true;
        break;
      }
    }
    if (!joined) continue;  // closed (dynamic job done without us) or already superseded
    // The job cannot move on while we are counted in claim_, so job_ and dynamic_ are stable.
    const bool dynamic = dynamic_;
    (*job_)(index, n_threads_);
    const uint64_t left = claim_.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if (dynamic) {
      if ((left & kCountMask) == 0 && (left & kClosed)) claim_.notify_one();
    } else if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      pending_.notify_one();
    }
  }
}

void ThreadPool::start(const std::function<void(int, int)>& fn, bool dynamic) {
  job_ = &fn;
  dynamic_ = dynamic;
  pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  const uint32_t g = generation_.load(std::memory_order_relaxed) + 1;
  claim_.store(static_cast<uint64_t>(g) << 32, std::memory_order_release);
  generation_.store(g, std::memory_order_release);
  generation_.notify_all();
}

void ThreadPool::finish() {
  job_ = nullptr;
  in_region_.store(false);
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
  if (n_threads_ == 1 || in_region_.exchange(true)) {
    // One thread, or a call made while a region is running (nested, or from another thread):
    // run it all here rather than deadlock or interleave two jobs.
    fn(0, 1);
    return;
  }
  start(fn, false);
  fn(0, n_threads_);
  int spins = 0;
  int p;
  while ((p = pending_.load(std::memory_order_acquire)) != 0) {
    if (++spins < kSpinIterations) {
      SEEK_PAUSE();
    } else {
      pending_.wait(p, std::memory_order_acquire);
    }
  }
  finish();
}

void ThreadPool::run_dynamic(const std::function<void(int, int)>& fn) {
  if (n_threads_ == 1 || in_region_.exchange(true)) {
    fn(0, 1);
    return;
  }
  start(fn, true);
  fn(0, n_threads_);
  uint64_t c = claim_.fetch_or(kClosed, std::memory_order_acq_rel) | kClosed;
  int spins = 0;
  while ((c & kCountMask) != 0) {
    if (++spins < kSpinIterations) {
      SEEK_PAUSE();
    } else {
      claim_.wait(c, std::memory_order_acquire);
    }
    c = claim_.load(std::memory_order_acquire);
  }
  finish();
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  if (n <= grain || n_threads_ == 1) {
    fn(0, n);
    return;
  }
  std::atomic<int64_t> next{0};
  run_dynamic([&](int, int) {
    for (;;) {
      int64_t b = next.fetch_add(grain, std::memory_order_relaxed);
      if (b >= n) break;
      fn(b, std::min(n, b + grain));
    }
  });
}

void ThreadPool::parallel_static(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn) {
  if (n <= 0) return;
  run([&](int t, int nt) {
    int64_t b = n * t / nt, e = n * (t + 1) / nt;
    if (b < e) fn(b, e, t);
  });
}

}  // namespace seek
