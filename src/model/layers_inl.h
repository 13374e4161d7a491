// Template helper: parallel loop over (token, head) pairs with per-thread scratch.
#pragma once
#include <atomic>

namespace seek {

template <typename Fn>
void for_each_token_head(const ForwardCtx& ctx, int64_t n_heads, Fn fn) {
  const int64_t total = ctx.batch.size() * n_heads;
  std::atomic<int64_t> next{0};
  ctx.pool.run([&](int t, int) {
    float* scratch = ctx.ws.scratch.data() + static_cast<size_t>(t) * ctx.ws.scratch_per_thread;
    for (;;) {
      int64_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= total) break;
      fn(i / n_heads, i % n_heads, scratch);
    }
  });
}

}  // namespace seek
