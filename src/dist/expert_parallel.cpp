// Expert-parallel dispatch / combine with MPI_Alltoallv (expert_parallel.h). Rows leave each rank
// sorted by (destination rank, expert, token, slot) and are regrouped by expert on arrival in
// (expert, source rank, arrival) order, so the layout is deterministic and the same on any run;
// a dispatch is two exchanges: every rank's per-expert row counts, then the rows.
#include "dist/expert_parallel.h"

#include <chrono>
#include <cstring>

#include "core/error.h"

namespace seek {

namespace {

// Adds the lifetime of the scope to `total` (seconds).
struct ScopeTimer {
  double& total;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  ~ScopeTimer() { total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
};

}  // namespace

ExpertParallel::ExpertParallel(Comm& comm, int64_t n_experts) : comm_(comm), E_(n_experts) {
  if (n_experts <= 0 || n_experts % comm.size() != 0)
    throw UsageError(str("expert parallelism: n_routed_experts ", n_experts, " must be a positive multiple of the ",
                         comm.size(), " ranks"));
}

void ExpertParallel::dispatch(const float* x, const int32_t* idx, int64_t N, int64_t K, int64_t D, EpRoute& r,
                              std::vector<float>& x_grouped) {
  ScopeTimer timer{exchange_s_};
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
  std::vector<int64_t> counts(E_);  // [E] rows per expert, sent as each destination's block
  for (int64_t e = 0; e < E_; ++e) counts[e] = per_expert[e + 1] - per_expert[e];
  for (int64_t i = 0; i < N * K; ++i) r.send_pos[i] = per_expert[idx[i]]++;
  // per-expert counts (n_local from and to every rank), then the rows: the rows from rank q
  // arrive sorted by expert, so the counts alone tell which expert each row is for
  const int64_t L = n_local(), first = first_local();
  std::vector<int64_t> from(R * L);  // [R, n_local] rows for my expert e from rank q
  comm_.alltoallv_bytes(counts.data(), std::vector<int64_t>(R, L), from.data(), std::vector<int64_t>(R, L),
                        sizeof(int64_t));
  r.recv_counts.assign(R, 0);
  r.expert_start.assign(L + 1, 0);
  for (int q = 0; q < R; ++q)
    for (int64_t e = 0; e < L; ++e) {
      if (from[q * L + e] < 0) throw Error(str("EP dispatch: rank ", q, " announced ", from[q * L + e], " rows"));
      r.recv_counts[q] += from[q * L + e];
      r.expert_start[e + 1] += from[q * L + e];
    }
  for (int64_t e = 0; e < L; ++e) r.expert_start[e + 1] += r.expert_start[e];
  const int64_t M = r.expert_start[L];
  // grouped order: (expert, source rank, arrival); received order: (source rank, expert, arrival)
  std::vector<int64_t> fill(r.expert_start.begin(), r.expert_start.end() - 1);
  r.group_pos.resize(M);
  r.group_expert.resize(M);
  for (int64_t q = 0, i = 0; q < R; ++q)
    for (int64_t e = 0; e < L; ++e)
      for (int64_t k = 0; k < from[q * L + e]; ++k, ++i) {
        const int64_t g = fill[e]++;
        r.group_pos[i] = g;
        r.group_expert[g] = int32_t(first + e);
      }
  r.send_buf.resize(N * K * D);
  for (int64_t i = 0; i < N * K; ++i) std::memcpy(&r.send_buf[r.send_pos[i] * D], x + (i / K) * D, sizeof(float) * D);
  exchange(r, false);
  x_grouped.resize(M * D);
  for (int64_t i = 0; i < M; ++i) std::memcpy(&x_grouped[r.group_pos[i] * D], &r.recv_buf[i * D], sizeof(float) * D);
}

void ExpertParallel::combine(EpRoute& r, const float* y_grouped, float* out) {
  ScopeTimer timer{exchange_s_};
  const int64_t M = r.rows(), D = r.D;
  for (int64_t i = 0; i < M; ++i) std::memcpy(&r.recv_buf[i * D], y_grouped + r.group_pos[i] * D, sizeof(float) * D);
  exchange(r, true);
  for (int64_t i = 0; i < r.N * r.K; ++i) std::memcpy(out + i * D, &r.send_buf[r.send_pos[i] * D], sizeof(float) * D);
}

void ExpertParallel::combine_backward(EpRoute& r, const float* d_out, float* d_y_grouped) {
  ScopeTimer timer{exchange_s_};
  const int64_t M = r.rows(), D = r.D;
  for (int64_t i = 0; i < r.N * r.K; ++i) std::memcpy(&r.send_buf[r.send_pos[i] * D], d_out + i * D, sizeof(float) * D);
  exchange(r, false);
  for (int64_t i = 0; i < M; ++i) std::memcpy(d_y_grouped + r.group_pos[i] * D, &r.recv_buf[i * D], sizeof(float) * D);
}

void ExpertParallel::dispatch_backward(EpRoute& r, const float* d_x_grouped, float* d_x) {
  ScopeTimer timer{exchange_s_};
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
}

}  // namespace seek
