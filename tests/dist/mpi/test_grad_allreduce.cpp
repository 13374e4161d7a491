// GradAllReduce under mpirun: each rank marks its ranges in its own shuffled order (different on
// every rank) and the result must equal the sum every rank can recompute from the others' seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/error.h"
#include "dist/comm.h"
#include "dist/grad_allreduce.h"

namespace seek {
namespace {

float grad_value(int rank, int step, size_t k) { return std::sin(0.37f * float(k) + 1.3f * rank + 0.1f * step); }

// Cuts [0, n) into pieces of 1..max_len and shuffles them with a rank-specific seed.
std::vector<std::pair<size_t, size_t>> shuffled_pieces(size_t n, size_t max_len, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t off = 0; off < n;) {
    const size_t len = std::min(n - off, size_t(1 + rng() % max_len));
    out.push_back({off, len});
    off += len;
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

TEST(GradAllReduce, SumsEveryBucketWhateverTheMarkOrder) {
  Comm& c = Comm::world();
  const size_t n = 10007, bucket_bytes = 4096;  // 1024 floats: 10 buckets, the last one short
  std::vector<float> g(n);
  GradAllReduce ar(c, g.data(), n, bucket_bytes);
  ASSERT_EQ(ar.n_buckets(), 10u);
  for (int step = 0; step < 3; ++step) {
    for (size_t k = 0; k < n; ++k) g[k] = grad_value(c.rank(), step, k);
    auto pieces = shuffled_pieces(n, 700, 1000u * c.rank() + step);
    // leave a few pieces unmarked: wait_all must treat them as ready
    for (size_t i = 0; i + 3 < pieces.size(); ++i) ar.mark_ready(pieces[i].first, pieces[i].second);
    const GradSyncStats& s = ar.wait_all();
    EXPECT_EQ(s.buckets, 10);
    EXPECT_EQ(s.bytes, int64_t(n * sizeof(float)));
    EXPECT_GE(s.wait_s, 0);
    for (size_t k = 0; k < n; ++k) {
      float want = 0;
      for (int q = 0; q < c.size(); ++q) want += grad_value(q, step, k);
      ASSERT_NEAR(g[k], want, 1e-5f * c.size()) << "step " << step << " element " << k;
    }
  }
}

// Expert parallelism leaves the routed experts out: only the given ranges are summed, buckets
// straddle the gaps (packed, reduced, unpacked), and the gaps keep each rank's own values.
TEST(GradAllReduce, SumsOnlyTheReducedRanges) {
  Comm& c = Comm::world();
  const size_t n = 5003;
  const std::vector<GradRange> reduce = {{0, 100}, {300, 1700}, {2100, 900}, {4000, 3}};
  auto inside = [&](size_t k) {
    for (const GradRange& r : reduce)
      if (k >= r.offset && k < r.offset + r.n) return true;
    return false;
  };
  std::vector<float> g(n);
  GradAllReduce ar(c, g.data(), n, reduce, 1024 * sizeof(float));
  EXPECT_EQ(ar.reduced_floats(), 2703u);
  EXPECT_EQ(ar.n_buckets(), 3u);  // 1024 + 1024 + 655 floats
  for (int step = 0; step < 3; ++step) {
    for (size_t k = 0; k < n; ++k) g[k] = grad_value(c.rank(), step, k);
    auto pieces = shuffled_pieces(n, 400, 77u * c.rank() + step);
    for (size_t i = 0; i + 2 < pieces.size(); ++i) ar.mark_ready(pieces[i].first, pieces[i].second);
    const GradSyncStats& s = ar.wait_all();
    EXPECT_EQ(s.buckets, 3);
    EXPECT_EQ(s.bytes, int64_t(2703 * sizeof(float)));
    for (size_t k = 0; k < n; ++k) {
      float want = grad_value(c.rank(), step, k);
      if (inside(k)) {
        want = 0;
        for (int q = 0; q < c.size(); ++q) want += grad_value(q, step, k);
      }
      ASSERT_NEAR(g[k], want, 1e-5f * c.size()) << "step " << step << " element " << k;
    }
  }
}

TEST(GradAllReduce, OverlappingMarksThrow) {
  Comm& c = Comm::world();
  std::vector<float> g(100, 1.0f);
  GradAllReduce ar(c, g.data(), g.size(), 64);
  ar.mark_ready(10, 20);
  EXPECT_THROW(ar.mark_ready(25, 10), Error);
  EXPECT_THROW(ar.mark_ready(5, 6), Error);
  EXPECT_THROW(ar.mark_ready(90, 11), Error);
  ar.wait_all();  // every rank must still complete the step's collectives
  for (float v : g) ASSERT_EQ(v, float(c.size()));
}

}  // namespace
}  // namespace seek
