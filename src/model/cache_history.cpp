// cache_history: each batch token's view of its slot's cache entries, as f32.
#include <algorithm>
#include <vector>

#include "model/kv_cache.h"
#include "model/layers.h"
#include "model/workspace.h"

namespace seek {

std::vector<const float*> cache_history(const ForwardCtx& ctx) {
  const Batch& b = ctx.batch;
  const int64_t N = b.size();
  // Per distinct slot: the most entries any of its tokens reads (tokens of one slot share them).
  std::vector<std::pair<int32_t, int64_t>> need;  // (slot, entries)
  for (int64_t n = 0; n < N; ++n) {
    auto it = std::find_if(need.begin(), need.end(), [&](const auto& e) { return e.first == b.slots[n]; });
    if (it == need.end()) need.emplace_back(b.slots[n], b.positions[n] + 1);
    else it->second = std::max<int64_t>(it->second, b.positions[n] + 1);
  }
  if (ctx.ws.kv_rows.size() < need.size()) ctx.ws.kv_rows.resize(need.size());
  std::vector<const float*> rows(need.size());
  for (size_t i = 0; i < need.size(); ++i)
    rows[i] = ctx.cache.rows(ctx.cache_layer, need[i].first, need[i].second, ctx.ws.kv_rows[i]);
  std::vector<const float*> hist(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    const size_t i = static_cast<size_t>(
        std::find_if(need.begin(), need.end(), [&](const auto& e) { return e.first == b.slots[n]; }) - need.begin());
    hist[static_cast<size_t>(n)] = rows[i];
  }
  return hist;
}

}  // namespace seek
