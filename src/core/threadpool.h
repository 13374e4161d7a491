// The one place that owns threads. A fixed pool of workers that spin briefly, then sleep on a
// futex (std::atomic::wait), so a decode step's many small parallel regions cost microseconds.
// The calling thread is worker 0; run() returns when every worker has finished its share.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace seek {

class ThreadPool {
 public:
  // n_threads counts the caller; 0 means the number of hardware threads.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Calls fn(thread_index, n_threads) once on each thread. Not re-entrant: a region's body
  // must not call run() on the same pool (nested calls run inline on the caller).
  void run(const std::function<void(int, int)>& fn);

  // Splits [0, n) into chunks of at least `grain` items handed out dynamically;
  // fn(begin, end) is called for each chunk.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  // Static split of [0, n) into size() contiguous ranges (good for balanced, cache-friendly work);
  // fn(begin, end, thread_index).
  void parallel_static(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn);

 private:
  void worker_loop(int index);

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int, int)>* job_ = nullptr;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> in_region_{false};
};

// Threads to use when the user gives none: the machine's hardware threads.
int default_thread_count();

}  // namespace seek
