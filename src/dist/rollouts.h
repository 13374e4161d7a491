// GRPO rollouts across ranks (deepseek.md 7): each rank generates the groups of a contiguous
// share of the prompts, then gather_rollouts gives every rank all of them in prompt order. When
// each prompt's sampling is seeded by its global index, the gathered batch is the one a single
// process would have produced, whatever the number of ranks.
#pragma once
#include <cstdint>
#include <vector>

#include "dist/comm.h"

namespace seek {

// [begin, end) of n items owned by `rank` of `size`: contiguous, in rank order, sizes differ by at
// most one (the first n % size ranks take one more).
struct Share {
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};
Share share_of(int64_t n, int rank, int size);
inline Share share_of(int64_t n, const Comm& c) { return share_of(n, c.rank(), c.size()); }

struct Rollout {
  int64_t prompt = 0;      // index of its prompt in the global prompt list
  int64_t prompt_len = 0;  // tokens[0, prompt_len) are the prompt
  double reward = 0;
  std::vector<int32_t> tokens;  // [T] prompt + completion
  std::vector<float> logp;      // [T - prompt_len] or empty: behaviour log-probs of the completion
};

// Every rank's rollouts, on every rank, ordered by prompt (stable: a prompt's G completions keep
// their order). Throws Error when a rollout is inconsistent (prompt_len > T, bad logp length).
std::vector<Rollout> gather_rollouts(Comm& comm, const std::vector<Rollout>& mine);

// The wire format gather_rollouts uses, exposed for tests: a flat byte string and its inverse
// (which throws FormatError on a truncated or inconsistent buffer instead of reading past it).
std::vector<char> pack_rollouts(const std::vector<Rollout>& rs);
std::vector<Rollout> unpack_rollouts(const char* data, size_t bytes);

}  // namespace seek
