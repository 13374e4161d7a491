// Expert parallelism for DeepSeekMoE (deepseek.md 2.2; DeepSeek-V3 report section 3.2, EP): the
// routed experts are split in contiguous blocks over the ranks; dispatch sends each (token, slot)
// row to the rank owning its expert with MPI_Alltoallv, combine sends the expert outputs back in
// token order. Gating weights never travel: combine returns unweighted outputs [N, K, D] and the
// caller forms y = sum_j w_nj out_nj at home, where d w_nj = <dy_n, out_nj> is also computed.
// Backward reuses the same route: combine_backward moves d_out like dispatch, dispatch_backward
// moves d_x back like combine and sums the K slots of each token.
#pragma once
#include <cstdint>
#include <vector>

#include "dist/comm.h"

namespace seek {

// The bookkeeping of one dispatch, reused by combine and by both backwards of that micro-batch.
struct EpRoute {
  int64_t N = 0, K = 0, D = 0;
  std::vector<int64_t> send_counts, recv_counts;              // [R] rows to / from each rank
  std::vector<int64_t> send_pos;                              // [N * K] row of (n, j) in the send buffer
  std::vector<int64_t> group_pos;                             // [M] received row -> row in expert-grouped order
  std::vector<int32_t> group_expert;                          // [M] global expert id of each grouped row
  std::vector<int64_t> expert_start;                          // [n_local + 1] grouped rows of local expert e
  std::vector<float> send_buf, recv_buf;                      // [N * K, D], [M, D] scratch
  int64_t rows() const { return int64_t(group_pos.size()); }  // M: rows this rank computes
};

class ExpertParallel {
 public:
  // Splits n_experts over comm's ranks; throws UsageError unless the count divides evenly.
  ExpertParallel(Comm& comm, int64_t n_experts);

  int64_t n_experts() const { return E_; }
  int64_t n_local() const { return E_ / comm_.size(); }
  int64_t first_local() const { return comm_.rank() * n_local(); }  // experts [first, first + n_local)
  int owner(int64_t expert) const { return int(expert / n_local()); }

  // x [N, D], idx [N, K] (expert ids in [0, E)) -> x_grouped [M, D]: rows for this rank's experts,
  // grouped by expert (local expert e owns rows [r.expert_start[e], r.expert_start[e + 1])).
  void dispatch(const float* x, const int32_t* idx, int64_t N, int64_t K, int64_t D, EpRoute& r,
                std::vector<float>& x_grouped);
  // y_grouped [M, D] (expert outputs, grouped as dispatch left them) -> out [N, K, D] in token order.
  void combine(EpRoute& r, const float* y_grouped, float* out);
  // d_out [N, K, D] -> d_y_grouped [M, D] (overwritten).
  void combine_backward(EpRoute& r, const float* d_out, float* d_y_grouped);
  // d_x_grouped [M, D] -> d_x [N, D] (accumulated: d_x += sum over the K slots).
  void dispatch_backward(EpRoute& r, const float* d_x_grouped, float* d_x);

  // Bytes this rank sent in its last exchange, and seconds spent in dispatch / combine and their
  // backwards since construction (packing, the all-to-alls, and waiting there for slower peers).
  int64_t last_bytes_sent() const { return last_bytes_; }
  double exchange_s() const { return exchange_s_; }

 private:
  // send [sum send_counts, D] -> recv [sum recv_counts, D] (forward direction when !reverse)
  void exchange(EpRoute& r, bool reverse);

  Comm& comm_;
  int64_t E_;
  int64_t last_bytes_ = 0;
  double exchange_s_ = 0;
};

}  // namespace seek
