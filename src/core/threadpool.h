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

  // Like run(), but fn is work-sharing (it pulls work until none is left), so a worker that has
  // not picked the job up by the time the caller's own fn(0, n) returns is not waited for: it
  // skips the job. Returns once every fn that started has finished. On a machine shared with
  // other processes a descheduled worker then costs nothing instead of a scheduler time slice.
  // fn may run on any subset of the threads that includes the caller (thread index 0).
  void run_dynamic(const std::function<void(int, int)>& fn);

  // Splits [0, n) into chunks of at least `grain` items handed out dynamically;
  // fn(begin, end) is called for each chunk.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  // Static split of [0, n) into size() contiguous ranges (good for balanced, cache-friendly work);
  // fn(begin, end, thread_index).
  void parallel_static(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn);

 private:
  void worker_loop(int index);
  void start(const std::function<void(int, int)>& fn, bool dynamic);
  void finish();

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int, int)>* job_ = nullptr;
  bool dynamic_ = false;
  std::atomic<uint32_t> generation_{0};
  // Who is inside the current job: (generation << 32) | closed bit | count of workers in fn.
  // A worker joins generation g only by a compare-exchange on this word while it names g and
  // is open, so a worker that wakes late for a closed job (or an older one) skips it.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> pending_{0};  // run(): workers still to finish
  std::atomic<bool> stop_{false};
  std::atomic<bool> in_region_{false};
};

// Threads to use when the user gives none: the machine's hardware threads.
int default_thread_count();

}  // namespace seek
