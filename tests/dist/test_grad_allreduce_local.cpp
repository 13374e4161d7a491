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

}  // namespace
}  // namespace seek
