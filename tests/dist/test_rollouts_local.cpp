// Rollout sharing and the wire format, in one process: shares tile [0, n) exactly, a packed batch
// unpacks to itself, and a truncated or corrupted buffer throws instead of reading past its end.
#include <gtest/gtest.h>

#include <cstring>

#include "core/error.h"
#include "dist/rollouts.h"

namespace seek {
namespace {

TEST(DistLocal, SharesTileTheRangeInRankOrder) {
  for (int size : {1, 2, 3, 8})
    for (int64_t n : {0, 1, 5, 8, 17}) {
      int64_t next = 0, smallest = n, largest = 0;
      for (int r = 0; r < size; ++r) {
        const Share s = share_of(n, r, size);
        EXPECT_EQ(s.begin, next);
        next = s.end;
        smallest = std::min(smallest, s.size()), largest = std::max(largest, s.size());
      }
      EXPECT_EQ(next, n);
      EXPECT_LE(largest - smallest, 1);
    }
  EXPECT_THROW(share_of(5, 2, 2), Error);
}

TEST(DistLocal, RolloutWireFormatRoundTripsAndRejectsBadBuffers) {
  std::vector<Rollout> rs(3);
  rs[0] = {4, 2, 0.5, {1, 2, 3, 4}, {-0.1f, -0.2f}};
  rs[1] = {4, 1, 1.0, {7}, {}};
  rs[2] = {9, 0, 0.0, {}, {}};
  const std::vector<char> b = pack_rollouts(rs);
  const std::vector<Rollout> back = unpack_rollouts(b.data(), b.size());
  ASSERT_EQ(back.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back[i].prompt, rs[i].prompt);
    EXPECT_EQ(back[i].tokens, rs[i].tokens);
    EXPECT_EQ(back[i].logp, rs[i].logp);
  }
  const size_t end0 = pack_rollouts({rs[0]}).size(), end1 = pack_rollouts({rs[0], rs[1]}).size();
  for (size_t cut = 1; cut < b.size(); cut += 3) {
    if (cut == end0 || cut == end1) continue;  // a whole prefix of rollouts is a valid buffer
    bool ok = true;
    try {
      unpack_rollouts(b.data(), cut);
    } catch (const FormatError&) {
      ok = false;
    }
    EXPECT_FALSE(ok) << "a buffer cut at " << cut << " of " << b.size() << " bytes was accepted";
  }
  std::vector<char> huge = b;
  const int64_t lie = int64_t(1) << 40;
  std::memcpy(huge.data() + 24, &lie, sizeof lie);  // the first rollout's n_tokens
  EXPECT_THROW(unpack_rollouts(huge.data(), huge.size()), FormatError);
  std::vector<Rollout> bad = {{0, 5, 0, {1, 2}, {}}};
  EXPECT_THROW(pack_rollouts(bad), Error);
}

}  // namespace
}  // namespace seek
