// Expert parallelism in the trainer (DeepSeek-V3 report 3.2, EP; docs/distributed.md): which of a
// TrainModel's tensors each rank owns (a routed expert's three matrices belong to the rank that
// runs it, dist/expert_parallel.h), the gradient ranges the data-parallel all-reduce covers
// (everything but the routed experts: an owner's expert gradient is already complete), the
// AdamW split, and the gather of every rank's experts to rank 0 before a checkpoint or export.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "dist/comm.h"
#include "dist/expert_parallel.h"
#include "dist/grad_allreduce.h"
#include "train/adamw.h"
#include "train/train_model.h"

namespace seek {

class ExpertShard {
 public:
  // Throws UsageError when the model's routed experts do not split evenly over comm's ranks.
  ExpertShard(Comm& comm, const TrainModel& m);

  ExpertParallel& ep() { return *ep_; }
  // Per tensor Replicated / Own / Other, and the sum over ranks the clip norm needs.
  const AdamWShard& adam() const { return adam_; }
  // Flat-buffer ranges of every tensor but the routed experts, ascending (the all-reduced part).
  const std::vector<GradRange>& replicated() const { return replicated_; }
  int64_t own_floats() const { return floats_of_[size_t(comm_.rank())]; }

  // Collective (every rank calls it): `root` receives each rank's own experts' weights and AdamW
  // moments into params / adam_m / adam_v [n_params], so its whole model is current. The other
  // ranks' copies of experts they do not own stay stale (they never read them).
  void gather_to_root(float* params, float* adam_m, float* adam_v, int root = 0);

 private:
  Comm& comm_;
  std::unique_ptr<ExpertParallel> ep_;
  std::vector<const ParamInfo*> tensors_;  // every tensor, param_info() order
  std::vector<int> owner_;                 // [n_tensors] owner rank; -1: replicated
  std::vector<int64_t> floats_of_;         // [R] floats of the experts rank r owns
  AdamWShard adam_;
  std::vector<GradRange> replicated_;
};

}  // namespace seek
