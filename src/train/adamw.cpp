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
    double s = 0;
    for (int64_t i = b; i < e; ++i) s += double(g[i]) * g[i];
    partial[t] += s;
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

}  // namespace

AdamW::AdamW(size_t n_params) : m_(n_params, 0.0f), v_(n_params, 0.0f) {}

double AdamW::step(TrainModel& model, double lr, const AdamWConfig& c, ThreadPool& pool, const AdamWShard* shard) {
  const size_t n = model.n_params();
  if (n != m_.size())
    throw UsageError(str("AdamW: parameter count: expected ", m_.size(), ", got ", n));
  const std::vector<ParamInfo>& infos = model.param_info();
  if (shard && shard->share.size() != infos.size())
    throw UsageError(str("AdamW: shard describes ", shard->share.size(), " tensors, the model has ", infos.size()));
  const float* g = model.grads();
  float* p = model.params();
  const double norm = std::sqrt(shard ? sharded_sq_norm(model, *shard, pool) : sq_norm(g, n, pool));
  const double coef = c.clip > 0 ? std::min(1.0, c.clip / (norm + 1e-6)) : 1.0;
  ++t_;
  const double bc1 = 1.0 - std::pow(c.beta1, double(t_)), bc2 = 1.0 - std::pow(c.beta2, double(t_));
  for (size_t k = 0; k < infos.size(); ++k) {
    const ParamInfo& info = infos[k];
    if (shard && shard->share[k] == TensorShare::Other) continue;
    const double wd = info.decay ? c.weight_decay : 0.0;
    const int64_t off = static_cast<int64_t>(info.offset);
    pool.parallel_for(static_cast<int64_t>(info.numel), 4096, [&](int64_t b, int64_t e) {
      for (int64_t i = off + b; i < off + e; ++i) {
        const double gi = g[i] * coef;
        const double m = c.beta1 * m_[i] + (1.0 - c.beta1) * gi;
        const double v = c.beta2 * v_[i] + (1.0 - c.beta2) * gi * gi;
        m_[i] = static_cast<float>(m), v_[i] = static_cast<float>(v);
        const double upd = (m / bc1) / (std::sqrt(v / bc2) + c.eps);
        p[i] = static_cast<float>(p[i] - lr * (upd + wd * p[i]));
      }
    });
  }
  return norm;
}

}  // namespace seek
