// Bucketed gradient all-reduce with MPI_Iallreduce (grad_allreduce.h). Without MPI (1 rank) the
// bookkeeping still runs, so the trainer's code path is the same, but nothing is sent.
#include "dist/grad_allreduce.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/error.h"
#include "dist/mpi_wait.h"

namespace seek {

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

MPI_Request& req_of(void* p) { return *static_cast<MPI_Request*>(p); }

}  // namespace

GradAllReduce::GradAllReduce(Comm& comm, float* grads, size_t n, size_t bucket_bytes)
    : GradAllReduce(comm, grads, n, std::vector<GradRange>{{0, n}}, bucket_bytes) {}

GradAllReduce::GradAllReduce(Comm& comm, float* grads, size_t n, std::vector<GradRange> reduce, size_t bucket_bytes)
    : comm_(comm), grads_(grads), n_(n), bucket_(std::max<size_t>(1, bucket_bytes / sizeof(float))) {
  if (bucket_bytes == 0) throw UsageError("GradAllReduce: bucket size must be positive, got 0 bytes");
  if (n > 0 && !grads) throw Error("GradAllReduce: null gradient buffer");
  size_t prev_end = 0;
  for (const GradRange& r : reduce) {
    if (r.offset < prev_end || r.offset > n || r.n > n - r.offset)
      throw UsageError(str("GradAllReduce: reduced range [", r.offset, ", ", r.offset + r.n, ") is outside [0, ", n,
                           ") or not after the previous range (ending at ", prev_end, ")"));
    prev_end = r.offset + r.n;
  }
  // cut the concatenated ranges into buckets of bucket_ floats
  Bucket cur;
  for (const GradRange& r : reduce) {
    for (size_t off = r.offset, end = r.offset + r.n; off < end;) {
      const size_t take = std::min(end - off, bucket_ - cur.len);
      cur.pieces.push_back({off, take});
      cur.len += take;
      off += take;
      if (cur.len == bucket_) buckets_.push_back(std::move(cur)), cur = Bucket{};
    }
  }
  if (cur.len > 0) buckets_.push_back(std::move(cur));
  for (size_t b = 0; b < buckets_.size(); ++b) {
    Bucket& k = buckets_[b];
    reduced_ += k.len;
    if (k.pieces.size() > 1) k.staging.resize(k.len);
    k.request = new MPI_Request(MPI_REQUEST_NULL);
    for (const GradRange& p : k.pieces) pieces_.push_back({p.offset, p.offset + p.n, b});
  }
  next_post_ = int64_t(buckets_.size()) - 1;
}

GradAllReduce::~GradAllReduce() {
  // A step abandoned mid-flight (an exception): its requests stay with MPI, which the exit path
  // aborts; freeing the handles here is still safe.
  for (Bucket& b : buckets_) delete static_cast<MPI_Request*>(b.request);
}

void GradAllReduce::mark_ready(size_t offset, size_t n) {
  if (offset > n_ || n > n_ - offset)
    throw Error(str("GradAllReduce::mark_ready: range [", offset, ", ", offset + n, ") outside the buffer [0, ", n_,
                    ")"));
  if (n == 0) return;
  const double t0 = now_s();
  auto next = marked_.lower_bound(offset);
  const bool hits_next = next != marked_.end() && next->first < offset + n;
  const bool hits_prev = next != marked_.begin() && std::prev(next)->second > offset;
  if (hits_next || hits_prev)
    throw Error(str("GradAllReduce::mark_ready: range [", offset, ", ", offset + n,
                    ") overlaps a range already marked this step"));
  marked_.emplace(offset, offset + n);
  const size_t end = offset + n;
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), offset,
                             [](size_t off, const Piece& p) { return off < p.end; });
  for (; it != pieces_.end() && it->offset < end; ++it)
    buckets_[it->bucket].ready += std::min(end, it->end) - std::max(offset, it->offset);
  post_ready_buckets();
  poll();
  cur_.issue_s += now_s() - t0;
}

void GradAllReduce::post_ready_buckets() {
  while (next_post_ >= 0) {
    Bucket& b = buckets_[size_t(next_post_)];
    if (b.ready < b.len) return;
    if (t_first_post_ < 0) t_first_post_ = now_s();
    if (comm_.size() > 1) {
      float* data = grads_ + b.pieces[0].offset;
      if (!b.staging.empty()) {
        size_t at = 0;
        for (const GradRange& p : b.pieces)
          std::memcpy(&b.staging[at], grads_ + p.offset, sizeof(float) * p.n), at += p.n;
        data = b.staging.data();
      }
      dist::mpi_check(comm_,
                      MPI_Iallreduce(MPI_IN_PLACE, data, int(b.len), MPI_FLOAT, MPI_SUM, dist::mpi_comm(comm_),
                                     &req_of(b.request)),
                      "MPI_Iallreduce (gradient bucket)");
    } else {
      b.done = true;
    }
    cur_.buckets += 1;
    cur_.bytes += int64_t(b.len * sizeof(float));
    --next_post_;
  }
}

void GradAllReduce::finish(Bucket& b) {
  b.done = true;
  size_t at = 0;
  if (!b.staging.empty())
    for (const GradRange& p : b.pieces) std::memcpy(grads_ + p.offset, &b.staging[at], sizeof(float) * p.n), at += p.n;
}

void GradAllReduce::poll() {
  if (comm_.size() == 1) return;
  for (size_t i = buckets_.size(); i-- > size_t(next_post_ + 1);) {
    Bucket& b = buckets_[i];
    if (!b.done && dist::mpi_test(comm_, req_of(b.request), "MPI_Test (gradient bucket)")) finish(b);
  }
}

const GradSyncStats& GradAllReduce::wait_all() {
  const double t0 = now_s();
  for (Bucket& b : buckets_) b.ready = b.len;  // backward did not announce it: all final now
  post_ready_buckets();
  SEEK_ASSERT(next_post_ == -1);
  if (comm_.size() > 1)
    for (size_t i = buckets_.size(); i-- > 0;) {
      Bucket& b = buckets_[i];
      if (b.done) continue;
      dist::mpi_wait(comm_, req_of(b.request),
                     str("MPI_Iallreduce (gradient bucket ", i, " of ", buckets_.size(), ")"));
      finish(b);
    }
  const double t1 = now_s();
  cur_.wait_s = t1 - t0;
  cur_.span_s = t_first_post_ < 0 ? 0 : t1 - t_first_post_;
  last_ = cur_;
  cur_ = GradSyncStats{};
  for (Bucket& b : buckets_) b.ready = 0, b.done = false;
  marked_.clear();
  next_post_ = int64_t(buckets_.size()) - 1;
  t_first_post_ = -1;
  return last_;
}

}  // namespace seek
