// Expert-parallel dispatch / combine with MPI_Alltoallv (expert_parallel.h). Rows leave each rank
// sorted by (destination rank, expert, token, slot) and are regrouped by expert on arrival in
// (expert, source rank, arrival) order, so the layout is deterministic and the same on any run.
#include "dist/expert_parallel.h"

#include <chrono>
#include <cstring>

#include "core/error.h"

namespace seek {

ExpertParallel::ExpertParallel(Comm& comm, int64_t n_experts) : comm_(comm), E_(n_experts) {
  if (n_experts <= 0 || n_experts % comm.size() != 0)
    throw UsageError(str("expert parallelism: n_routed_experts ", n_experts, " must be a positive multiple of the ",
                         comm.size(), " ranks"));
}

void ExpertParallel::dispatch(const float* x, const int32_t* idx, int64_t N, int64_t K, int64_t D, EpRoute& r,
                              std::vector<float>& x_grouped) {
  const int R = comm_.size();
  if (N < 0 || K <= 0 || D <= 0) throw Error(str("EP dispatch: bad shape N=", N, " K=", K, " D=", D));
  r.N = N, r.K = K, r.D = D;
  // order the N*K rows by (owner rank, expert): a counting sort over experts does both
  std::vector<int64_t> per_expert(E_ + 1, 0);
  for (int64_t i = 0; i < N * K; ++i) {
    if (idx[i] < 0 || idx[i] >= E_)
      throw Error(str("EP dispatch: token ", i / K, " slot ", i % K, ": expert id ", idx[i], " outside [0, ", E_, ")"));
    ++per_expert[idx[i] + 1];
  }
  for (int64_t e = 0; e < E_; ++e) per_expert[e + 1] += per_expert[e];
  r.send_counts.assign(R, 0);
  for (int q = 0; q < R; ++q) r.send_counts[q] = per_expert[(q + 1) * n_local()] - per_expert[q * n_local()];
  r.send_pos.resize(N * K);
  std::vector<int32_t> send_expert(N * K);
  for (int64_t i = 0; i < N * K; ++i) {
    const int64_t pos = per_expert[idx[i]]++;
    r.send_pos[i] = pos;
    send_expert[pos] = idx[i];
  }
  // counts, then expert ids, then the rows
  r.recv_counts.assign(R, 0);
  comm_.alltoallv_bytes(r.send_counts.data(), std::vector<int64_t>(R, 1), r.recv_counts.data(),
                        std::vector<int64_t>(R, 1), sizeof(int64_t));
  int64_t M = 0;
  for (int q = 0; q < R; ++q) M += r.recv_counts[q];
  std::vector<int32_t> recv_expert(M);
  comm_.alltoallv_bytes(send_expert.data(), r.send_counts, recv_expert.data(), r.recv_counts, sizeof(int32_t));
  const int64_t first = first_local();
  r.expert_start.assign(n_local() + 1, 0);
  for (int64_t i = 0; i < M; ++i) {
    const int64_t e = recv_expert[i] - first;
    if (e < 0 || e >= n_local())
      throw Error(str("EP dispatch: rank ", comm_.rank(), " received a row for expert ", recv_expert[i],
                      ", which it does not own"));
    ++r.expert_start[e + 1];
  }
  for (int64_t e = 0; e < n_local(); ++e) r.expert_start[e + 1] += r.expert_start[e];
  std::vector<int64_t> fill(r.expert_start.begin(), r.expert_start.end() - 1);
  r.group_pos.resize(M);
  r.group_expert.resize(M);
  for (int64_t i = 0; i < M; ++i) {
    const int64_t g = fill[recv_expert[i] - first]++;
    r.group_pos[i] = g;
    r.group_expert[g] = recv_expert[i];
  }
  r.send_buf.resize(N * K * D);
  for (int64_t i = 0; i < N * K; ++i) std::memcpy(&r.send_buf[r.send_pos[i] * D], x + (i / K) * D, sizeof(float) * D);
  exchange(r, false);
  x_grouped.resize(M * D);
  for (int64_t i = 0; i < M; ++i) std::memcpy(&x_grouped[r.group_pos[i] * D], &r.recv_buf[i * D], sizeof(float) * D);
}

void ExpertParallel::combine(EpRoute& r, const float* y_grouped, float* out) {
  const int64_t M = r.rows(), D = r.D;
  for (int64_t i = 0; i < M; ++i) std::memcpy(&r.recv_buf[i * D], y_grouped + r.group_pos[i] * D, sizeof(float) * D);
  exchange(r, true);
  for (int64_t i = 0; i < r.N * r.K; ++i) std::memcpy(out + i * D, &r.send_buf[r.send_pos[i] * D], sizeof(float) * D);
}

void ExpertParallel::combine_backward(EpRoute& r, const float* d_out, float* d_y_grouped) {
  const int64_t M = r.rows(), D = r.D;
  for (int64_t i = 0; i < r.N * r.K; ++i) std::memcpy(&r.send_buf[r.send_pos[i] * D], d_out + i * D, sizeof(float) * D);
  exchange(r, false);
  for (int64_t i = 0; i < M; ++i) std::memcpy(d_y_grouped + r.group_pos[i] * D, &r.recv_buf[i * D], sizeof(float) * D);
}

void ExpertParallel::dispatch_backward(EpRoute& r, const float* d_x_grouped, float* d_x) {
  const int64_t M = r.rows(), D = r.D;
  for (int64_t i = 0; i < M; ++i) std::memcpy(&r.recv_buf[i * D], d_x_grouped + r.group_pos[i] * D, sizeof(float) * D);
  exchange(r, true);
  for (int64_t i = 0; i < r.N * r.K; ++i) {
    const float* s = &r.send_buf[r.send_pos[i] * D];
    float* d = d_x + (i / r.K) * D;
    for (int64_t k = 0; k < D; ++k) d[k] += s[k];
  }
}

void ExpertParallel::exchange(EpRoute& r, bool reverse) {
  const auto t0 = std::chrono::steady_clock::now();
  r.send_buf.resize(r.N * r.K * r.D);
  r.recv_buf.resize(r.rows() * r.D);
  const size_t row = sizeof(float) * r.D;
  if (!reverse) {
    comm_.alltoallv_bytes(r.send_buf.data(), r.send_counts, r.recv_buf.data(), r.recv_counts, row);
    last_bytes_ = (r.N * r.K - r.send_counts[comm_.rank()]) * int64_t(row);
  } else {
    comm_.alltoallv_bytes(r.recv_buf.data(), r.recv_counts, r.send_buf.data(), r.send_counts, row);
    last_bytes_ = (r.rows() - r.recv_counts[comm_.rank()]) * int64_t(row);
  }
  exchange_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace seek
