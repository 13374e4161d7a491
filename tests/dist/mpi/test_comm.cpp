// Comm collectives under mpirun -np N: every result is checked against the closed form each rank
// can compute alone (sums of rank-dependent values), so a wrong count, offset or root fails.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "core/error.h"
#include "dist/comm.h"

namespace seek {
namespace {

TEST(Comm, LaunchedByMpirun) {
  Comm& c = Comm::world();
  EXPECT_TRUE(c.uses_mpi());
  EXPECT_GE(c.size(), 2) << "run this program under mpirun -np 2 or more";
  EXPECT_GE(c.rank(), 0);
  EXPECT_LT(c.rank(), c.size());
}

TEST(Comm, AllreduceSumEveryType) {
  Comm& c = Comm::world();
  const int R = c.size(), r = c.rank();
  const size_t n = 1001;  // odd, not a multiple of anything
  std::vector<float> f(n);
  std::vector<double> d(n);
  std::vector<int64_t> i(n);
  for (size_t k = 0; k < n; ++k) {
    f[k] = float(k) * 0.5f + float(r);
    d[k] = double(k) * 1e-3 * (r + 1);
    i[k] = int64_t(k) * (int64_t(1) << 40) + r;  // needs 64 bits
  }
  c.allreduce_sum(f.data(), n);
  c.allreduce_sum(d.data(), n);
  c.allreduce_sum(i.data(), n);
  const double rank_sum = R * (R - 1) / 2.0, rank1_sum = R * (R + 1) / 2.0;
  for (size_t k = 0; k < n; ++k) {
    ASSERT_FLOAT_EQ(f[k], float(k) * 0.5f * R + float(rank_sum)) << k;
    ASSERT_NEAR(d[k], double(k) * 1e-3 * rank1_sum, 1e-12) << k;
    ASSERT_EQ(i[k], int64_t(k) * (int64_t(1) << 40) * R + int64_t(rank_sum)) << k;
  }
  c.allreduce_sum(f.data(), 0);  // empty is a no-op, not an error
}

TEST(Comm, BroadcastFromEveryRoot) {
  Comm& c = Comm::world();
  for (int root = 0; root < c.size(); ++root) {
    std::vector<char> buf(777, char(c.rank()));
    if (c.rank() == root)
      for (size_t k = 0; k < buf.size(); ++k) buf[k] = char(k * 7 + root);
    c.broadcast(buf.data(), buf.size(), root);
    for (size_t k = 0; k < buf.size(); ++k) ASSERT_EQ(buf[k], char(k * 7 + root));
  }
  EXPECT_THROW(c.broadcast(nullptr, 0, c.size()), Error);
}

TEST(Comm, AllgathervConcatenatesInRankOrder) {
  Comm& c = Comm::world();
  const int r = c.rank();
  std::vector<int32_t> mine(r + 1, r * 100);  // rank r sends r+1 values
  const std::vector<int64_t> counts = c.allgather_counts(int64_t(mine.size() * sizeof(int32_t)));
  int64_t total = 0;
  for (int q = 0; q < c.size(); ++q) {
    ASSERT_EQ(counts[q], int64_t((q + 1) * sizeof(int32_t)));
    total += counts[q];
  }
  std::vector<int32_t> all(total / sizeof(int32_t));
  c.allgatherv_bytes(mine.data(), mine.size() * sizeof(int32_t), all.data(), counts);
  size_t k = 0;
  for (int q = 0; q < c.size(); ++q)
    for (int j = 0; j <= q; ++j) ASSERT_EQ(all[k++], q * 100);
}

TEST(Comm, GathervFillsOnlyTheRoot) {
  Comm& c = Comm::world();
  const int r = c.rank(), root = c.size() - 1;
  std::vector<int32_t> mine(2 * r + 1, r * 7 + 1);  // rank r sends 2r+1 values
  std::vector<int64_t> counts;
  int64_t total = 0;
  for (int q = 0; q < c.size(); ++q) counts.push_back(int64_t((2 * q + 1) * sizeof(int32_t))), total += counts.back();
  std::vector<int32_t> all(total / sizeof(int32_t), -5);
  c.gatherv_bytes(mine.data(), mine.size() * sizeof(int32_t), all.data(), counts, root);
  size_t k = 0;
  for (int q = 0; q < c.size(); ++q)
    for (int j = 0; j <= 2 * q; ++j) ASSERT_EQ(all[k++], r == root ? q * 7 + 1 : -5) << "rank " << r;
  EXPECT_THROW(c.gatherv_bytes(mine.data(), 1, all.data(), counts, root), Error);      // count disagrees
  EXPECT_THROW(c.gatherv_bytes(mine.data(), 0, all.data(), counts, c.size()), Error);  // no such root
}

TEST(Comm, AlltoallvRoutesEachBlockToItsRank) {
  Comm& c = Comm::world();
  const int R = c.size(), r = c.rank();
  // rank r sends (r + q) % 3 elements of 3 doubles to rank q, each tagged (from, to, index).
  std::vector<int64_t> sc(R), rc(R);
  std::vector<double> send;
  for (int q = 0; q < R; ++q) {
    sc[q] = (r + q) % 3;
    rc[q] = (q + r) % 3;
    for (int j = 0; j < sc[q]; ++j) send.insert(send.end(), {double(r), double(q), double(j)});
  }
  std::vector<double> recv(3 * std::accumulate(rc.begin(), rc.end(), int64_t(0)));
  c.alltoallv_bytes(send.data(), sc, recv.data(), rc, 3 * sizeof(double));
  size_t k = 0;
  for (int q = 0; q < R; ++q)
    for (int j = 0; j < rc[q]; ++j, k += 3) {
      ASSERT_EQ(recv[k], q);
      ASSERT_EQ(recv[k + 1], r);
      ASSERT_EQ(recv[k + 2], j);
    }
}

TEST(Comm, BadCountsThrowInsteadOfCorrupting) {
  Comm& c = Comm::world();
  std::vector<int64_t> wrong(c.size() + 1, 0);
  EXPECT_THROW(c.alltoallv_bytes(nullptr, wrong, nullptr, wrong, 4), Error);
  EXPECT_THROW(c.allgatherv_bytes(nullptr, 0, nullptr, wrong), Error);
  c.barrier();
}

}  // namespace
}  // namespace seek
