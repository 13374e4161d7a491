// AdamW step over the flat parameter buffer (see adamw.h): global-norm clip with
// coef = min(1, clip / (norm + 1e-6)), bias-corrected moments, decoupled decay
// p -= lr * (m_hat / (sqrt(v_hat) + eps) + wd * p), as tools/ref/train_ref.py adamw_step.
#include "train/adamw.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "train/train_model.h"

namespace seek {

namespace {

double sq_norm(const float* g, size_t n, ThreadPool& pool) {
  std::vector<double> partial(pool.size(), 0.0);
  pool.parallel_static(static_cast<int64_t>(n), [&](int64_t b, int64_t e, int t) {
    double s[4] = {0, 0, 0, 0};  // four chains, so the double adds overlap
    int64_t i = b;
    for (; i + 4 <= e; i += 4)
      for (int j = 0; j < 4; ++j) s[j] += double(g[i + j]) * g[i + j];
    for (; i < e; ++i) s[0] += double(g[i]) * g[i];
    partial[t] += (s[0] + s[1]) + (s[2] + s[3]);
  });
  double sq = 0;
  for (double s : partial) sq += s;
  return sq;
}

double sharded_sq_norm(const TrainModel& m, const AdamWShard& shard, ThreadPool& pool) {
  double replicated = 0, own = 0;
  for (size_t k = 0; k < m.param_info().size(); ++k) {
    const ParamInfo& info = m.param_info()[k];
    if (shard.share[k] == TensorShare::Other) continue;
    (shard.share[k] == TensorShare::Own ? own : replicated) += sq_norm(m.grads() + info.offset, info.numel, pool);
  }
  return replicated + (shard.sum_over_ranks ? shard.sum_over_ranks(own) : own);
}

// One tensor stretch of the update, cloned for AVX-512 / AVX2 / baseline and picked at load
// time (v >= 0, so sqrt needs no errno path and the loop vectorizes).
__attribute__((target_clones("avx512f", "avx2", "default"), optimize("no-math-errno"))) void adamw_stretch(
    float* p, float* mi, float* vi, const float* g, int64_t n, float cf, float b1, float b2, float keep, float step,
    float inv_sqrt_bc2, float eps) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i] * cf;
    const float m = b1 * mi[i] + (1.0f - b1) * gi;
    const float v = b2 * vi[i] + (1.0f - b2) * gi * gi;
    mi[i] = m, vi[i] = v;
    p[i] = p[i] * keep - step * m / (__builtin_sqrtf(v) * inv_sqrt_bc2 + eps);
  }
}

}  // namespace

AdamW::AdamW(size_t n_params) : m_(n_params, 0.0f), v_(n_params, 0.0f) {}

double AdamW::step(TrainModel& model, double lr, const AdamWConfig& c, ThreadPool& pool, const AdamWShard* shard) {
  const size_t n = model.n_params();
  if (n != m_.size()) throw UsageError(str("AdamW: parameter count: expected ", m_.size(), ", got ", n));
  const std::vector<ParamInfo>& infos = model.param_info();
  if (shard && shard->share.size() != infos.size())
    throw UsageError(str("AdamW: shard describes ", shard->share.size(), " tensors, the model has ", infos.size()));
  const float* g = model.grads();
  float* p = model.params();
  const double norm = std::sqrt(shard ? sharded_sq_norm(model, *shard, pool) : sq_norm(g, n, pool));
  const double coef = c.clip > 0 ? std::min(1.0, c.clip / (norm + 1e-6)) : 1.0;
  ++t_;
  const double bc1 = 1.0 - std::pow(c.beta1, double(t_)), bc2 = 1.0 - std::pow(c.beta2, double(t_));
  // p -= lr * (m / bc1 / (sqrt(v / bc2) + eps) + wd * p), in float with the constants folded:
  // p = p * (1 - lr wd) - step * m / (sqrt(v) * inv_sqrt_bc2 + eps), step = lr / bc1
  const float b1 = static_cast<float>(c.beta1), b2 = static_cast<float>(c.beta2), cf = static_cast<float>(coef);
  const float step = static_cast<float>(lr / bc1), inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  const float eps = static_cast<float>(c.eps);
  float* mi = m_.data();
  float* vi = v_.data();
  // one parallel pass over the flat buffer; each chunk walks the tensors it overlaps (decay, and
  // under expert parallelism the experts another rank owns, which are skipped)
  pool.parallel_for(static_cast<int64_t>(n), 1 << 15, [&](int64_t b, int64_t e) {
    auto it = std::upper_bound(infos.begin(), infos.end(), static_cast<size_t>(b),
                               [](size_t x, const ParamInfo& q) { return x < q.offset; });
    for (--it; b < e; ++it) {
      const int64_t end = std::min<int64_t>(e, static_cast<int64_t>(it->offset + it->numel));
      const size_t k = static_cast<size_t>(it - infos.begin());
      if (!(shard && shard->share[k] == TensorShare::Other)) {
        const float keep = static_cast<float>(1.0 - lr * (it->decay ? c.weight_decay : 0.0));
        adamw_stretch(p + b, mi + b, vi + b, g + b, end - b, cf, b1, b2, keep, step, inv_sqrt_bc2, eps);
      }
      b = end;
    }
  });
  return norm;
}

}  // namespace seek
