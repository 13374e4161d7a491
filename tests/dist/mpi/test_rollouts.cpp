// gather_rollouts under mpirun: each rank "generates" (a seeded function of the prompt index) the
// groups of its share of the prompts; the gathered batch must equal what one process generating
// every prompt produces, on every rank.
#include <gtest/gtest.h>

#include <random>

#include "dist/comm.h"
#include "dist/rollouts.h"

namespace seek {
namespace {

std::vector<Rollout> generate(int64_t prompt, int64_t G) {
  std::mt19937 rng(9000 + unsigned(prompt));
  std::vector<Rollout> out;
  for (int64_t g = 0; g < G; ++g) {
    Rollout r;
    r.prompt = prompt;
    r.prompt_len = 1 + rng() % 4;
    const int64_t T = r.prompt_len + rng() % 6;  // some completions are empty
    for (int64_t t = 0; t < T; ++t) r.tokens.push_back(int32_t(rng() % 50000));
    if (g % 2 == 0) r.logp.assign(T - r.prompt_len, -0.25f * float(g + 1));
    r.reward = double(rng() % 3) / 2;
    out.push_back(r);
  }
  return out;
}

TEST(Rollouts, GatherEqualsOneProcess) {
  Comm& c = Comm::world();
  for (int64_t n_prompts : {int64_t(0), int64_t(1), int64_t(7)}) {  // fewer prompts than ranks too
    const int64_t G = 3;
    std::vector<Rollout> mine, want;
    const Share s = share_of(n_prompts, c);
    for (int64_t p = s.begin; p < s.end; ++p)
      for (Rollout& r : generate(p, G)) mine.push_back(r);
    for (int64_t p = 0; p < n_prompts; ++p)
      for (Rollout& r : generate(p, G)) want.push_back(r);
    const std::vector<Rollout> got = gather_rollouts(c, mine);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].prompt, want[i].prompt) << i;
      EXPECT_EQ(got[i].prompt_len, want[i].prompt_len) << i;
      EXPECT_EQ(got[i].reward, want[i].reward) << i;
      EXPECT_EQ(got[i].tokens, want[i].tokens) << i;
      EXPECT_EQ(got[i].logp, want[i].logp) << i;
    }
  }
}

}  // namespace
}  // namespace seek
