// Bucketed, overlapped data-parallel gradient all-reduce over one flat float buffer (the DDP
// recipe): the reduced part of the buffer is cut into buckets of ~bucket_bytes; as backward
// finishes a range it calls mark_ready, and every bucket whose elements are all ready starts a
// non-blocking MPI_Iallreduce while backward continues. wait_all() completes the step and reports
// the communication time. Parts of the buffer can be left out of the reduction (expert
// parallelism: a rank's own experts' gradients are complete locally and never sent).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "dist/comm.h"

namespace seek {

struct GradSyncStats {
  int64_t buckets = 0, bytes = 0;  // per step, per rank (payload of the all-reduces)
  double issue_s = 0;              // time inside mark_ready / start (posting requests, progress polls)
  double wait_s = 0;               // time blocked in wait_all: communication backward did not hide
  double span_s = 0;               // first bucket posted -> last bucket done (overlapped or not)
  double comm_s() const { return issue_s + wait_s; }  // what communication cost the step
};

// [offset, offset + n) of the flat buffer, in floats.
struct GradRange {
  size_t offset = 0, n = 0;
};

class GradAllReduce {
 public:
  // grads: [n] floats summed in place over comm's ranks. bucket_bytes > 0 (rounded to floats).
  GradAllReduce(Comm& comm, float* grads, size_t n, size_t bucket_bytes = size_t(25) << 20);
  // Only the elements inside `reduce` (ranges within [0, n), ascending, not overlapping; throws
  // UsageError otherwise) are summed; the rest is never sent nor changed. A bucket that spans
  // several ranges is packed into a staging buffer, reduced, and unpacked when it completes.
  GradAllReduce(Comm& comm, float* grads, size_t n, std::vector<GradRange> reduce, size_t bucket_bytes);
  ~GradAllReduce();
  GradAllReduce(const GradAllReduce&) = delete;
  GradAllReduce& operator=(const GradAllReduce&) = delete;

  // grads[offset, offset + n) hold this step's final values (parts outside the reduced ranges
  // are ignored). Ranges of one step must not overlap (throws Error). Buckets are posted strictly
  // from the last to the first (backward's order), so every rank posts the same collectives in
  // the same order whatever order its marks come in; a ready bucket waits for the buckets after
  // it. (Other collectives issued between marks, e.g. expert-parallel all-to-alls, must then see
  // the marks at the same points on every rank, which a deterministic backward gives.) Also polls
  // in-flight buckets (Open MPI progresses non-blocking collectives only inside MPI calls).
  void mark_ready(size_t offset, size_t n);
  // Marks whatever is not yet ready, waits for every bucket, resets for the next step.
  const GradSyncStats& wait_all();

  const GradSyncStats& last_step() const { return last_; }
  size_t n_buckets() const { return buckets_.size(); }
  size_t bucket_floats() const { return bucket_; }
  size_t reduced_floats() const { return reduced_; }  // sum of the reduced ranges

 private:
  struct Bucket {
    std::vector<GradRange> pieces;  // ascending ranges of the flat buffer
    size_t len = 0;                 // floats: sum of the pieces
    size_t ready = 0;               // floats marked this step
    std::vector<float> staging;     // [len] when several pieces (packed before, unpacked after)
    void* request = nullptr;        // MPI_Request
    bool done = false;
  };
  struct Piece {  // one range of one bucket, for locating marks
    size_t offset, end, bucket;
  };
  void post_ready_buckets();
  void poll();
  void finish(Bucket& b);  // completed: unpack a staged bucket

  Comm& comm_;
  float* grads_;  // [n_]
  size_t n_, bucket_, reduced_ = 0;
  std::vector<Bucket> buckets_;      // ascending in the buffer
  std::vector<Piece> pieces_;        // every bucket's pieces, ascending by offset
  std::map<size_t, size_t> marked_;  // this step's marked ranges, offset -> end (no overlaps)
  int64_t next_post_ = -1;           // highest bucket index not yet posted
  double t_first_post_ = -1;
  GradSyncStats cur_, last_;
};

}  // namespace seek
