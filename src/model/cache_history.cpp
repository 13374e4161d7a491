// cache_history: each batch token's view of its slot's cache entries, as f32.
#include <algorithm>
#include <vector>

#include "model/kv_cache.h"
#include "model/layers.h"
#include "model/workspace.h"

namespace seek {

const std::vector<const float*>& cache_history(const ForwardCtx& ctx) {
  const Batch& b = ctx.batch;
  const int64_t N = b.size();
  // Per distinct slot: the most entries any of its tokens reads (tokens of one slot share them).
  auto& need = ctx.ws.kv_need;
  need.clear();
  auto slot_index = [&](int32_t slot) {
    return static_cast<size_t>(std::find_if(need.begin(), need.end(), [&](const auto& e) { return e.first == slot; }) -
                               need.begin());
  };
  for (int64_t n = 0; n < N; ++n) {
    const size_t i = slot_index(b.slots[n]);
    if (i == need.size()) need.emplace_back(b.slots[n], b.positions[n] + 1);
    else need[i].second = std::max<int64_t>(need[i].second, b.positions[n] + 1);
  }
  if (ctx.ws.kv_rows.size() < need.size()) ctx.ws.kv_rows.resize(need.size());
  auto& hist = ctx.ws.kv_hist;
  hist.resize(static_cast<size_t>(N));
  for (size_t i = 0; i < need.size(); ++i) {
    const float* rows = ctx.cache.rows(ctx.cache_layer, need[i].first, need[i].second, ctx.ws.kv_rows[i]);
    for (int64_t n = 0; n < N; ++n)
      if (b.slots[n] == need[i].first) hist[static_cast<size_t>(n)] = rows;
  }
  return hist;
}

}  // namespace seek
