// GradAllReduce without mpirun: the 1-rank group makes no MPI call, leaves the buffer unchanged
// and still checks its input (the trainer runs the same code path in a single process).
#include <gtest/gtest.h>

#include "core/error.h"
#include "dist/comm.h"
#include "dist/grad_allreduce.h"

namespace seek {
namespace {

TEST(DistLocal, WorldIsOneRankWithoutMpirun) {
  if (std::getenv("OMPI_COMM_WORLD_SIZE")) GTEST_SKIP() << "launched by mpirun";
  Comm& c = Comm::world();
  EXPECT_FALSE(c.uses_mpi());
  EXPECT_EQ(c.size(), 1);
  EXPECT_EQ(c.rank(), 0);
  double d[3] = {1, 2, 3};
  c.allreduce_sum(d, 3);
  EXPECT_EQ(d[2], 3);
  c.barrier();
  EXPECT_THROW(c.broadcast(d, sizeof d, 1), Error);
}

TEST(DistLocal, GradAllReduceOneRankIsIdentity) {
  if (std::getenv("OMPI_COMM_WORLD_SIZE")) GTEST_SKIP() << "launched by mpirun";
  std::vector<float> g(1000);
  for (size_t i = 0; i < g.size(); ++i) g[i] = float(i) * 0.25f;
  GradAllReduce ar(Comm::world(), g.data(), g.size(), 400);  // 100 floats a bucket
  EXPECT_EQ(ar.n_buckets(), 10u);
  ar.mark_ready(900, 100);
  EXPECT_THROW(ar.mark_ready(950, 1), Error);
  EXPECT_THROW(ar.mark_ready(999, 2), Error);
  const GradSyncStats& s = ar.wait_all();
  EXPECT_EQ(s.buckets, 10);
  EXPECT_EQ(s.bytes, 4000);
  for (size_t i = 0; i < g.size(); ++i) ASSERT_EQ(g[i], float(i) * 0.25f);
  EXPECT_THROW(GradAllReduce(Comm::world(), g.data(), g.size(), 0), UsageError);
}

TEST(DistLocal, GradAllReduceRangesAreChecked) {
  if (std::getenv("OMPI_COMM_WORLD_SIZE")) GTEST_SKIP() << "launched by mpirun";
  std::vector<float> g(1000, 2.0f);
  Comm& c = Comm::world();
  using R = std::vector<GradRange>;
  EXPECT_THROW(GradAllReduce(c, g.data(), g.size(), R{{0, 10}, {5, 10}}, 400), UsageError);      // overlap
  EXPECT_THROW(GradAllReduce(c, g.data(), g.size(), R{{500, 10}, {100, 10}}, 400), UsageError);  // descending
  EXPECT_THROW(GradAllReduce(c, g.data(), g.size(), R{{990, 11}}, 400), UsageError);             // past the end
  GradAllReduce ar(c, g.data(), g.size(), R{{0, 150}, {400, 0}, {600, 100}}, 400);
  EXPECT_EQ(ar.n_buckets(), 3u);  // 100 | 50 + 50 | 50 floats
  EXPECT_EQ(ar.reduced_floats(), 250u);
  ar.mark_ready(0, 1000);  // marks outside the ranges are ignored
  EXPECT_EQ(ar.wait_all().bytes, 1000);
  for (float v : g) ASSERT_EQ(v, 2.0f);
}

}  // namespace
}  // namespace seek
