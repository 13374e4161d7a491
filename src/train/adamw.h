// AdamW with global-norm gradient clipping over a TrainModel's flat parameter buffer, exactly
// tools/ref/train_ref.py adamw_step (Loshchilov & Hutter 2019; decoupled weight decay applied
// only where ParamInfo.decay, i.e. tensors with dim >= 2).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/threadpool.h"

namespace seek {

class TrainModel;

struct AdamWConfig {
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.1, clip = 1.0;
};

// Expert parallelism splits the routed experts' tensors over the ranks. Per ParamInfo: Replicated
// (the same all-reduced gradient on every rank), Own (this rank's experts: the gradient exists
// here only) or Other (another rank's experts: zero gradient here, left untouched). The clip
// needs the global norm: |g|^2 = replicated + sum over ranks of the Own parts.
enum class TensorShare : uint8_t { Replicated, Own, Other };
struct AdamWShard {
  std::vector<TensorShare> share;                // [n_tensors] in param_info() order
  std::function<double(double)> sum_over_ranks;  // sums a value over every rank
};

class AdamW {
 public:
  explicit AdamW(size_t n_params);
  // Clips the gradient to global norm `c.clip` (<= 0: no clipping), then one AdamW update.
  // Returns the pre-clip global gradient norm. With a shard, Other tensors are skipped and the
  // norm is combined over ranks as AdamWShard says.
  double step(TrainModel& m, double lr, const AdamWConfig& c, ThreadPool& pool, const AdamWShard* shard = nullptr);
  std::vector<float>& m() { return m_; }  // [n_params] first moment
  std::vector<float>& v() { return v_; }  // [n_params] second moment
  int64_t& t() { return t_; }             // steps taken

 private:
  std::vector<float> m_, v_;
  int64_t t_ = 0;
};

}  // namespace seek
