// Bucketed, overlapped data-parallel gradient all-reduce over one flat float buffer (the DDP
// recipe): the buffer is cut into buckets of ~bucket_bytes; as backward finishes a range it calls
// mark_ready, and every bucket whose elements are all ready starts a non-blocking MPI_Iallreduce
// while backward continues. wait_all() completes the step and reports the communication time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "dist/comm.h"

namespace seek {

struct GradSyncStats {
  int64_t buckets = 0, bytes = 0;  // per step, per rank (payload of the all-reduces)
  double issue_s = 0;   // time inside mark_ready / start (posting requests, progress polls)
  double wait_s = 0;    // time blocked in wait_all: communication backward did not hide
  double span_s = 0;    // first bucket posted -> last bucket done (overlapped or not)
  double comm_s() const { return issue_s + wait_s; }  // what communication cost the step
};

class GradAllReduce {
 public:
  // grads: [n] floats summed in place over comm's ranks. bucket_bytes > 0 (rounded to floats).
  GradAllReduce(Comm& comm, float* grads, size_t n, size_t bucket_bytes = size_t(25) << 20);
  ~GradAllReduce();
  GradAllReduce(const GradAllReduce&) = delete;
  GradAllReduce& operator=(const GradAllReduce&) = delete;

  // grads[offset, offset + n) hold this step's final values. Ranges of one step must not overlap
  // (throws Error). Buckets are posted strictly from the last to the first (backward's order),
  // so every rank posts the same collectives in the same order whatever order its marks come
  // in; a ready bucket waits for the buckets after it. Also polls in-flight buckets (Open MPI
  // progresses non-blocking collectives only inside MPI calls).
  void mark_ready(size_t offset, size_t n);
  // Marks whatever is not yet ready, waits for every bucket, resets for the next step.
  const GradSyncStats& wait_all();

  const GradSyncStats& last_step() const { return last_; }
  size_t n_buckets() const { return ready_.size(); }
  size_t bucket_floats() const { return bucket_; }

 private:
  void post_ready_buckets();
  void poll();

  Comm& comm_;
  float* grads_;  // [n_]
  size_t n_, bucket_;
  std::vector<size_t> ready_;     // [n_buckets] elements marked ready this step
  std::map<size_t, size_t> marked_;  // this step's marked ranges, offset -> end (no overlaps)
  std::vector<void*> requests_;   // [n_buckets] MPI_Request per posted bucket (null: none)
  std::vector<uint8_t> done_;     // [n_buckets]
  int64_t next_post_ = -1;        // highest bucket index not yet posted
  double t_first_post_ = -1;
  GradSyncStats cur_, last_;
};

}  // namespace seek
