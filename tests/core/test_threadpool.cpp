// ThreadPool: run() calls fn exactly once per thread index; run_dynamic() runs fn on the caller
// and any subset of workers, never twice on a thread and never after it returns; both mixed
// over many regions (a worker that wakes late for a closed dynamic job must not run the next
// job twice or an old job at all). parallel_for covers every index exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/threadpool.h"

namespace seek {
namespace {

TEST(ThreadPool, RunCallsEveryThreadOnce) {
  for (int n : {1, 2, 3, 4}) {
    ThreadPool pool(n);
    for (int rep = 0; rep < 200; ++rep) {
      std::vector<std::atomic<int>> hits(n);
      pool.run([&](int t, int nt) {
        ASSERT_EQ(nt, n);
        hits[t].fetch_add(1);
      });
      for (int t = 0; t < n; ++t) ASSERT_EQ(hits[t].load(), 1) << "n=" << n << " t=" << t;
    }
  }
}

TEST(ThreadPool, RunDynamicNeverRunsTwiceOrLate) {
  for (int n : {2, 3, 4}) {
    ThreadPool pool(n);
    for (int rep = 0; rep < 2000; ++rep) {
      std::vector<std::atomic<int>> hits(n);
      std::atomic<bool> returned{false};
      std::atomic<int> late{0};
      auto body = [&](int t, int) {
        if (returned.load()) late.fetch_add(1);
        hits[t].fetch_add(1);
      };
      if (rep % 3 == 2) {
        pool.run(body);
        for (int t = 0; t < n; ++t) ASSERT_EQ(hits[t].load(), 1);
      } else {
        pool.run_dynamic(body);
        ASSERT_EQ(hits[0].load(), 1);
        for (int t = 1; t < n; ++t) ASSERT_LE(hits[t].load(), 1);
      }
      returned.store(true);
      if (rep % 50 == 0) std::this_thread::yield();
      ASSERT_EQ(late.load(), 0);
    }
  }
}

TEST(ThreadPool, ParallelForCoversEveryIndexOnce) {
  ThreadPool pool(3);
  for (int64_t n : {0, 1, 7, 100, 1000}) {
    for (int64_t grain : {1, 3, 64}) {
      std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
      pool.parallel_for(n, grain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) seen[static_cast<size_t>(i)].fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(seen[static_cast<size_t>(i)].load(), 1) << n << " " << grain;
    }
  }
}

}  // namespace
}  // namespace seek
