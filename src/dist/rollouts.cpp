// Rollout sharing and gathering (rollouts.h). Wire format per rollout, little-endian host order:
// int64 prompt, int64 prompt_len, double reward, int64 n_tokens, int64 n_logp, then the int32
// tokens and float log-probs. Every rank runs the same binary, so host order is the job's order.
#include "dist/rollouts.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace seek {

namespace {

struct Header {
  int64_t prompt, prompt_len;
  double reward;
  int64_t n_tokens, n_logp;
};

void check(const Rollout& r) {
  const int64_t T = int64_t(r.tokens.size());
  if (r.prompt < 0 || r.prompt_len < 0 || r.prompt_len > T)
    throw Error(str("rollout of prompt ", r.prompt, ": prompt_len ", r.prompt_len, " outside [0, ", T, "]"));
  if (!r.logp.empty() && int64_t(r.logp.size()) != T - r.prompt_len)
    throw Error(str("rollout of prompt ", r.prompt, ": expected ", T - r.prompt_len, " completion log-probs, got ",
                    r.logp.size()));
}

}  // namespace

Share share_of(int64_t n, int rank, int size) {
  if (n < 0 || size <= 0 || rank < 0 || rank >= size)
    throw Error(str("share_of: n ", n, ", rank ", rank, ", size ", size, " out of range"));
  const int64_t base = n / size, extra = n % size;
  Share s;
  s.begin = rank * base + std::min<int64_t>(rank, extra);
  s.end = s.begin + base + (rank < extra ? 1 : 0);
  return s;
}

std::vector<char> pack_rollouts(const std::vector<Rollout>& rs) {
  size_t bytes = 0;
  for (const Rollout& r : rs) {
    check(r);
    bytes += sizeof(Header) + r.tokens.size() * sizeof(int32_t) + r.logp.size() * sizeof(float);
  }
  std::vector<char> out(bytes);
  char* p = out.data();
  for (const Rollout& r : rs) {
    const Header h{r.prompt, r.prompt_len, r.reward, int64_t(r.tokens.size()), int64_t(r.logp.size())};
    std::memcpy(p, &h, sizeof h);
    p += sizeof h;
    if (!r.tokens.empty()) std::memcpy(p, r.tokens.data(), r.tokens.size() * sizeof(int32_t));
    p += r.tokens.size() * sizeof(int32_t);
    if (!r.logp.empty()) std::memcpy(p, r.logp.data(), r.logp.size() * sizeof(float));
    p += r.logp.size() * sizeof(float);
  }
  return out;
}

std::vector<Rollout> unpack_rollouts(const char* data, size_t bytes) {
  std::vector<Rollout> out;
  size_t off = 0;
  while (off < bytes) {
    Header h;
    if (bytes - off < sizeof h)
      throw FormatError(str("rollout buffer: ", bytes - off, " bytes left at offset ", off, ", expected a ", sizeof h,
                            "-byte header"));
    std::memcpy(&h, data + off, sizeof h);
    off += sizeof h;
    const size_t left = bytes - off;
    if (h.n_tokens < 0 || h.n_logp < 0 || size_t(h.n_tokens) > left / sizeof(int32_t) ||
        size_t(h.n_logp) > (left - size_t(h.n_tokens) * sizeof(int32_t)) / sizeof(float))
      throw FormatError(str("rollout buffer: rollout ", out.size(), " claims ", h.n_tokens, " tokens and ", h.n_logp,
                            " log-probs, but ", left, " bytes remain"));
    Rollout r;
    r.prompt = h.prompt, r.prompt_len = h.prompt_len, r.reward = h.reward;
    r.tokens.resize(h.n_tokens);
    r.logp.resize(h.n_logp);
    if (h.n_tokens) std::memcpy(r.tokens.data(), data + off, h.n_tokens * sizeof(int32_t));
    off += h.n_tokens * sizeof(int32_t);
    if (h.n_logp) std::memcpy(r.logp.data(), data + off, h.n_logp * sizeof(float));
    off += h.n_logp * sizeof(float);
    try {
      check(r);
    } catch (const Error& e) {
      throw FormatError(str("rollout buffer: ", e.what()));
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Rollout> gather_rollouts(Comm& comm, const std::vector<Rollout>& mine) {
  const std::vector<char> send = pack_rollouts(mine);
  const std::vector<int64_t> counts = comm.allgather_counts(int64_t(send.size()));
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  std::vector<char> all(total);
  comm.allgatherv_bytes(send.data(), send.size(), all.data(), counts);
  std::vector<Rollout> out = unpack_rollouts(all.data(), all.size());
  std::stable_sort(out.begin(), out.end(), [](const Rollout& a, const Rollout& b) { return a.prompt < b.prompt; });
  return out;
}

}  // namespace seek
