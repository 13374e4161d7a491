// Bucketed gradient all-reduce with MPI_Iallreduce (grad_allreduce.h). Without MPI (1 rank) the
// bookkeeping still runs, so the trainer's code path is the same, but nothing is sent.
#include "dist/grad_allreduce.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "dist/mpi_wait.h"

namespace seek {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

MPI_Request& req_of(void* p) { return *static_cast<MPI_Request*>(p); }

}  // namespace

GradAllReduce::GradAllReduce(Comm& comm, float* grads, size_t n, size_t bucket_bytes)
    : comm_(comm), grads_(grads), n_(n), bucket_(std::max<size_t>(1, bucket_bytes / sizeof(float))) {
  if (bucket_bytes == 0) throw UsageError("GradAllReduce: bucket size must be positive, got 0 bytes");
  if (n > 0 && !grads) throw Error("GradAllReduce: null gradient buffer");
  const size_t nb = (n + bucket_ - 1) / bucket_;
  ready_.assign(nb, 0);
  requests_.assign(nb, nullptr);
  for (void*& r : requests_) r = new MPI_Request(MPI_REQUEST_NULL);
  done_.assign(nb, 0);
  next_post_ = int64_t(nb) - 1;
}

GradAllReduce::~GradAllReduce() {
  // A step abandoned mid-flight (an exception): its requests stay with MPI, which the exit path
  // aborts; freeing the handles here is still safe.
  for (void* r : requests_) delete static_cast<MPI_Request*>(r);
}

void GradAllReduce::mark_ready(size_t offset, size_t n) {
  if (offset > n_ || n > n_ - offset)
    throw Error(str("GradAllReduce::mark_ready: range [", offset, ", ", offset + n, ") outside the buffer [0, ", n_, ")"));
  if (n == 0) return;
  const double t0 = now_s();
  auto next = marked_.lower_bound(offset);
  const bool hits_next = next != marked_.end() && next->first < offset + n;
  const bool hits_prev = next != marked_.begin() && std::prev(next)->second > offset;
  if (hits_next || hits_prev)
    throw Error(str("GradAllReduce::mark_ready: range [", offset, ", ", offset + n,
                    ") overlaps a range already marked this step"));
  marked_.emplace(offset, offset + n);
  for (size_t i = offset; i < offset + n;) {
    const size_t b = i / bucket_, end = std::min(offset + n, (b + 1) * bucket_);
    ready_[b] += end - i;
    i = end;
  }
  post_ready_buckets();
  poll();
  cur_.issue_s += now_s() - t0;
}

void GradAllReduce::post_ready_buckets() {
  while (next_post_ >= 0) {
    const size_t b = size_t(next_post_), lo = b * bucket_, len = std::min(n_, lo + bucket_) - lo;
    if (ready_[b] < len) return;
    if (t_first_post_ < 0) t_first_post_ = now_s();
    if (comm_.size() > 1) {
      dist::mpi_check(comm_,
                      MPI_Iallreduce(MPI_IN_PLACE, grads_ + lo, int(len), MPI_FLOAT, MPI_SUM,
                                     dist::mpi_comm(comm_), &req_of(requests_[b])),
                      "MPI_Iallreduce (gradient bucket)");
    } else {
      done_[b] = 1;
    }
    cur_.buckets += 1;
    cur_.bytes += int64_t(len * sizeof(float));
    --next_post_;
  }
}

void GradAllReduce::poll() {
  if (comm_.size() == 1) return;
  for (size_t b = ready_.size(); b-- > size_t(next_post_ + 1);)
    if (!done_[b]) done_[b] = dist::mpi_test(comm_, req_of(requests_[b]), "MPI_Test (gradient bucket)");
}

const GradSyncStats& GradAllReduce::wait_all() {
  const double t0 = now_s();
  for (size_t b = 0; b < ready_.size(); ++b) {
    const size_t lo = b * bucket_, len = std::min(n_, lo + bucket_) - lo;
    if (ready_[b] < len) ready_[b] = len;  // backward did not announce it: all final now
  }
  post_ready_buckets();
  SEEK_ASSERT(next_post_ == -1);
  if (comm_.size() > 1)
    for (size_t b = ready_.size(); b-- > 0;)
      if (!done_[b])
        dist::mpi_wait(comm_, req_of(requests_[b]),
                       str("MPI_Iallreduce (gradient bucket ", b, " of ", ready_.size(), ")"));
  const double t1 = now_s();
  cur_.wait_s = t1 - t0;
  cur_.span_s = t_first_post_ < 0 ? 0 : t1 - t_first_post_;
  last_ = cur_;
  cur_ = GradSyncStats{};
  std::fill(ready_.begin(), ready_.end(), 0);
  marked_.clear();
  std::fill(done_.begin(), done_.end(), 0);
  next_post_ = int64_t(ready_.size()) - 1;
  t_first_post_ = -1;
  return last_;
}

}  // namespace seek
