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
    (*job_)(index, n_threads_);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
  if (n_threads_ == 1 || in_region_.exchange(true)) {
    // One thread, or a call made while a region is running (nested, or from another thread):
    // run it all here rather than deadlock or interleave two jobs.
    fn(0, 1);
    return;
  }
  job_ = &fn;
  pending_.store(n_threads_ - 1, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
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
  job_ = nullptr;
  in_region_.store(false);
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  if (n <= grain || n_threads_ == 1) {
    fn(0, n);
    return;
  }
  std::atomic<int64_t> next{0};
  run([&](int, int) {
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
