// The process group for distributed training: rank, size and the collectives the trainer needs.
// Under mpirun (env OMPI_COMM_WORLD_SIZE set) world() initialises MPI once and finalises it at
// exit; otherwise it is a 1-rank group that makes no MPI call at all (unit tests, sanitizers,
// plain `seek`). Every MPI call returns errors (MPI_ERRORS_RETURN) and every wait has a deadline
// (env SEEK_DIST_TIMEOUT_S, default 300 s), so a dead or stuck peer ends the job, never hangs it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seek {

class Comm {
 public:
  // The world communicator; the first call initialises MPI when launched by mpirun.
  static Comm& world();
  ~Comm();
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool uses_mpi() const { return mpi_; }  // false: the 1-rank group without MPI

  // In-place sums over all ranks; n may exceed INT_MAX (sent in chunks).
  void allreduce_sum(float* data, size_t n);
  void allreduce_sum(int64_t* data, size_t n);
  void allreduce_sum(double* data, size_t n);
  void broadcast(void* data, size_t bytes, int root);
  void barrier();

  // Variable-size gathers and exchanges (counts in elements; the caller sizes the output).
  // allgather_counts: out[r] = n of rank r (every rank learns every count).
  std::vector<int64_t> allgather_counts(int64_t n);
  // recv (sum of counts) <- each rank's send, concatenated in rank order.
  void allgatherv_bytes(const void* send, size_t send_bytes, void* recv, const std::vector<int64_t>& recv_bytes);
  // The same gather to `root` only: recv is written (and may be null) on the root alone.
  void gatherv_bytes(const void* send, size_t send_bytes, void* recv, const std::vector<int64_t>& recv_bytes, int root);
  // Personalised exchange: send_counts[r] elements of `elem_bytes` go to rank r; recv_counts[r]
  // come from rank r; both buffers packed in rank order.
  void alltoallv_bytes(const void* send, const std::vector<int64_t>& send_counts, void* recv,
                       const std::vector<int64_t>& recv_counts, size_t elem_bytes);

  // Ends every process of the job (MPI_Abort) after the message reached stderr; for main's
  // error path under mpirun, so peers blocked in a collective stop at once. 1 rank: std::exit.
  [[noreturn]] void abort(int code, const std::string& why);

  // Seconds a single collective may wait before the job is declared broken.
  double timeout_s() const { return timeout_s_; }
  void set_timeout_s(double s) { timeout_s_ = s; }

  // Opaque handle for dist's own files (an MPI_Comm; see mpi_wait.h). Null without MPI.
  void* native() const { return comm_; }
  // Records that communication failed, so exit aborts the job instead of finalising.
  void mark_failed() { failed_ = true; }

 private:
  Comm();
  void finish();

  int rank_ = 0, size_ = 1;
  bool mpi_ = false, failed_ = false;
  double timeout_s_ = 300;
  void* comm_ = nullptr;       // MPI_Comm, duplicated from MPI_COMM_WORLD, errors returned
  void* exit_comm_ = nullptr;  // a second duplicate: the exit barrier never matches a collective
};

}  // namespace seek
