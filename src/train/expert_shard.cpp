// ExpertShard (expert_shard.h): tensor ownership from the parameter layout (a routed expert's
// tensors belong to its owner rank; everything else is replicated) and the gather of owned
// experts to a root.
#include "train/expert_shard.h"

#include <cstring>
#include <string>

#include "core/error.h"

namespace seek {

ExpertShard::ExpertShard(Comm& comm, const TrainModel& m) : comm_(comm) {
  const int64_t E = m.config().n_routed_experts;
  if (E % comm.size() != 0)
    throw UsageError(
        str("--expert-parallel: the ", E, " routed experts of each MoE layer do not split over ", comm.size(),
            " ranks (n_routed_experts must be a multiple of the number of ranks; change -np or --experts)"));
  ep_ = std::make_unique<ExpertParallel>(comm, E);
  const std::vector<ParamInfo>& info = m.param_info();
  floats_of_.assign(size_t(comm.size()), 0);
  adam_.share.resize(info.size());
  for (size_t k = 0; k < info.size(); ++k) {
    const int64_t e = info[k].expert;
    tensors_.push_back(&info[k]);
    owner_.push_back(e < 0 ? -1 : ep_->owner(e));
    if (e < 0) {
      adam_.share[k] = TensorShare::Replicated;
      if (!replicated_.empty() && replicated_.back().offset + replicated_.back().n == info[k].offset)
        replicated_.back().n += info[k].numel;
      else replicated_.push_back({info[k].offset, info[k].numel});
      continue;
    }
    floats_of_[size_t(owner_[k])] += int64_t(info[k].numel);
    adam_.share[k] = owner_[k] == comm.rank() ? TensorShare::Own : TensorShare::Other;
  }
  adam_.sum_over_ranks = [&comm](double x) {
    comm.allreduce_sum(&x, 1);
    return x;
  };
}

void ExpertShard::gather_to_root(float* params, float* adam_m, float* adam_v, int root) {
  float* const blobs[3] = {params, adam_m, adam_v};
  const int R = comm_.size(), me = comm_.rank();
  std::vector<float> send;
  send.reserve(size_t(3 * own_floats()));
  for (float* b : blobs)
    for (size_t k = 0; k < tensors_.size(); ++k)
      if (owner_[k] == me)
        send.insert(send.end(), b + tensors_[k]->offset, b + tensors_[k]->offset + tensors_[k]->numel);
  std::vector<int64_t> bytes;  // [R] what each rank sends
  int64_t total = 0;
  for (int q = 0; q < R; ++q) {
    bytes.push_back(3 * floats_of_[size_t(q)] * int64_t(sizeof(float)));
    total += bytes.back();
  }
  std::vector<float> recv(me == root ? size_t(total) / sizeof(float) : 0);
  comm_.gatherv_bytes(send.data(), send.size() * sizeof(float), recv.data(), bytes, root);
  if (me != root) return;
  const float* at = recv.data();
  for (int q = 0; q < R; ++q)
    for (float* b : blobs)
      for (size_t k = 0; k < tensors_.size(); ++k)
        if (owner_[k] == q) {
          std::memcpy(b + tensors_[k]->offset, at, sizeof(float) * tensors_[k]->numel);
          at += tensors_[k]->numel;
        }
}

}  // namespace seek
