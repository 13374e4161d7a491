// Comm: MPI world group or the MPI-free 1-rank group; deadline-bounded collectives (comm.h).
#include "dist/comm.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "dist/mpi_wait.h"

namespace seek {

namespace {

constexpr size_t kChunk = size_t(1) << 30;  // elements per MPI call (counts are int)

bool launched_by_mpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr; }

double env_timeout() {
  const char* s = std::getenv("SEEK_DIST_TIMEOUT_S");
  if (!s) return 300;
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || *end != 0 || !(v > 0))
    throw UsageError(str("SEEK_DIST_TIMEOUT_S: expected a positive number of seconds, got '", s, "'"));
  return v;
}

int to_int(int64_t n, const char* what) {
  if (n < 0 || n > INT_MAX) throw Error(str(what, ": expected a count in [0, ", INT_MAX, "], got ", n));
  return static_cast<int>(n);
}

// A v-collective's per-rank counts as MPI's ints, their displacements, and their sum.
struct VCounts {
  std::vector<int> counts, displs;
  int64_t total = 0;
};
VCounts v_counts(const std::vector<int64_t>& n, const std::string& what) {
  VCounts v;
  for (int64_t x : n) {
    v.counts.push_back(to_int(x, (what + " count").c_str()));
    v.displs.push_back(to_int(v.total, (what + " total").c_str()));
    v.total += x;
  }
  return v;
}

// The checks both gathers share; true when this is the only rank (then `send` is already copied).
bool gather_local(const char* op, int size, int rank, const void* send, size_t send_bytes, void* recv,
                  const std::vector<int64_t>& recv_bytes) {
  if (recv_bytes.size() != size_t(size))
    throw Error(str("Comm::", op, ": expected ", size, " receive counts, got ", recv_bytes.size()));
  if (int64_t(send_bytes) != recv_bytes[rank])
    throw Error(str("Comm::", op, ": rank ", rank, " sends ", send_bytes, " bytes but the counts say ",
                    recv_bytes[rank]));
  if (size != 1) return false;
  if (send_bytes) std::memmove(recv, send, send_bytes);
  return true;
}

template <typename T>
void allreduce_chunks(Comm& c, T* data, size_t n, MPI_Datatype type, const char* tname) {
  if (c.size() == 1 || n == 0) return;
  for (size_t off = 0; off < n; off += kChunk) {
    int cnt = static_cast<int>(std::min(kChunk, n - off));
    MPI_Request req;
    dist::mpi_check(c, MPI_Iallreduce(MPI_IN_PLACE, data + off, cnt, type, MPI_SUM, dist::mpi_comm(c), &req),
                    "MPI_Iallreduce");
    dist::mpi_wait(c, req, str("MPI_Iallreduce (", cnt, " ", tname, ")"));
  }
}

}  // namespace

Comm& Comm::world() {
  static Comm c;
  return c;
}

Comm::Comm() {
  if (!launched_by_mpirun()) return;
  timeout_s_ = env_timeout();
  int inited = 0;
  MPI_Initialized(&inited);
  if (!inited) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
      throw Error("MPI_Init_thread failed (launched by mpirun: OMPI_COMM_WORLD_SIZE is set)");
    if (provided < MPI_THREAD_SERIALIZED)
      throw Error(str("MPI_Init_thread: expected thread level MPI_THREAD_SERIALIZED (", MPI_THREAD_SERIALIZED,
                      "), got ", provided));
  }
  MPI_Comm dup;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (MPI_Comm_dup(MPI_COMM_WORLD, &dup) != MPI_SUCCESS) throw Error("MPI_Comm_dup failed");
  MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
  comm_ = dup;
  if (MPI_Comm_dup(MPI_COMM_WORLD, &dup) != MPI_SUCCESS) throw Error("MPI_Comm_dup failed");
  MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
  exit_comm_ = dup;
  mpi_ = true;
  MPI_Comm_rank(dup, &rank_);
  MPI_Comm_size(dup, &size_);
}

Comm::~Comm() { finish(); }

// Normal exit: a barrier (with the deadline) proves every rank got here, then finalize. A rank
// that failed, or a barrier that times out (a peer died or is stuck, or left main early with an
// error while the others still wait in a collective), aborts the whole job so no rank waits
// forever in MPI_Finalize. The barrier runs on its own communicator: on comm_ it could match a
// peer's pending all-reduce.
void Comm::finish() {
  if (!mpi_) return;
  mpi_ = false;
  MPI_Comm c = static_cast<MPI_Comm>(comm_), e = static_cast<MPI_Comm>(exit_comm_);
  if (!failed_) {
    MPI_Request req;
    bool ok = MPI_Ibarrier(e, &req) == MPI_SUCCESS;
    if (ok) {
      mpi_ = true;  // mpi_wait needs the group alive
      try {
        dist::mpi_wait(*this, req, "MPI_Ibarrier at exit");
      } catch (const Error&) {
        ok = false;
      }
      mpi_ = false;
    }
    if (ok) {
      MPI_Comm_free(&c);
      MPI_Comm_free(&e);
      MPI_Finalize();
      return;
    }
  }
  std::fprintf(stderr, "seek: rank %d: communication failed; aborting the MPI job\n", rank_);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

void Comm::allreduce_sum(float* data, size_t n) { allreduce_chunks(*this, data, n, MPI_FLOAT, "floats"); }
void Comm::allreduce_sum(int64_t* data, size_t n) { allreduce_chunks(*this, data, n, MPI_INT64_T, "int64s"); }
void Comm::allreduce_sum(double* data, size_t n) { allreduce_chunks(*this, data, n, MPI_DOUBLE, "doubles"); }

void Comm::broadcast(void* data, size_t bytes, int root) {
  if (root < 0 || root >= size_) throw Error(str("Comm::broadcast: root ", root, " out of range [0, ", size_, ")"));
  if (size_ == 1 || bytes == 0) return;
  auto* p = static_cast<char*>(data);
  for (size_t off = 0; off < bytes; off += kChunk) {
    int cnt = static_cast<int>(std::min(kChunk, bytes - off));
    MPI_Request req;
    dist::mpi_check(*this, MPI_Ibcast(p + off, cnt, MPI_BYTE, root, dist::mpi_comm(*this), &req), "MPI_Ibcast");
    dist::mpi_wait(*this, req, str("MPI_Ibcast (", cnt, " bytes from rank ", root, ")"));
  }
}

void Comm::barrier() {
  if (size_ == 1) return;
  MPI_Request req;
  dist::mpi_check(*this, MPI_Ibarrier(dist::mpi_comm(*this), &req), "MPI_Ibarrier");
  dist::mpi_wait(*this, req, "MPI_Ibarrier");
}

std::vector<int64_t> Comm::allgather_counts(int64_t n) {
  std::vector<int64_t> out(size_, n);
  if (size_ == 1) return out;
  MPI_Request req;
  dist::mpi_check(*this, MPI_Iallgather(&n, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, dist::mpi_comm(*this), &req),
                  "MPI_Iallgather");
  dist::mpi_wait(*this, req, "MPI_Iallgather (counts)");
  return out;
}

void Comm::allgatherv_bytes(const void* send, size_t send_bytes, void* recv, const std::vector<int64_t>& recv_bytes) {
  if (gather_local("allgatherv_bytes", size_, rank_, send, send_bytes, recv, recv_bytes)) return;
  const VCounts v = v_counts(recv_bytes, "Comm::allgatherv_bytes");
  MPI_Request req;
  dist::mpi_check(*this,
                  MPI_Iallgatherv(send, v.counts[rank_], MPI_BYTE, recv, v.counts.data(), v.displs.data(), MPI_BYTE,
                                  dist::mpi_comm(*this), &req),
                  "MPI_Iallgatherv");
  dist::mpi_wait(*this, req, str("MPI_Iallgatherv (", v.total, " bytes)"));
}

void Comm::gatherv_bytes(const void* send, size_t send_bytes, void* recv, const std::vector<int64_t>& recv_bytes,
                         int root) {
  if (root < 0 || root >= size_) throw Error(str("Comm::gatherv_bytes: root ", root, " out of range [0, ", size_, ")"));
  if (gather_local("gatherv_bytes", size_, rank_, send, send_bytes, recv, recv_bytes)) return;
  const VCounts v = v_counts(recv_bytes, "Comm::gatherv_bytes");
  MPI_Request req;
  dist::mpi_check(*this,
                  MPI_Igatherv(send, v.counts[rank_], MPI_BYTE, recv, v.counts.data(), v.displs.data(), MPI_BYTE, root,
                               dist::mpi_comm(*this), &req),
                  "MPI_Igatherv");
  dist::mpi_wait(*this, req, str("MPI_Igatherv (", v.total, " bytes to rank ", root, ")"));
}

void Comm::alltoallv_bytes(const void* send, const std::vector<int64_t>& send_counts, void* recv,
                           const std::vector<int64_t>& recv_counts, size_t elem_bytes) {
  if (send_counts.size() != size_t(size_) || recv_counts.size() != size_t(size_))
    throw Error(str("Comm::alltoallv_bytes: expected ", size_, " send and receive counts, got ", send_counts.size(),
                    " and ", recv_counts.size()));
  if (elem_bytes == 0 || elem_bytes > INT_MAX)
    throw Error(str("Comm::alltoallv_bytes: element size ", elem_bytes, " out of range"));
  if (size_ == 1) {
    if (send_counts[0] != recv_counts[0])
      throw Error(str("Comm::alltoallv_bytes: 1 rank sends ", send_counts[0], " but receives ", recv_counts[0]));
    if (send_counts[0]) std::memmove(recv, send, size_t(send_counts[0]) * elem_bytes);
    return;
  }
  const VCounts sv = v_counts(send_counts, "Comm::alltoallv_bytes send");
  const VCounts rv = v_counts(recv_counts, "Comm::alltoallv_bytes receive");
  MPI_Datatype elem;
  dist::mpi_check(*this, MPI_Type_contiguous(int(elem_bytes), MPI_BYTE, &elem), "MPI_Type_contiguous");
  MPI_Type_commit(&elem);
  MPI_Request req;
  int rc_call = MPI_Ialltoallv(send, sv.counts.data(), sv.displs.data(), elem, recv, rv.counts.data(), rv.displs.data(),
                               elem, dist::mpi_comm(*this), &req);
  if (rc_call != MPI_SUCCESS) MPI_Type_free(&elem);
  dist::mpi_check(*this, rc_call, "MPI_Ialltoallv");
  try {
    dist::mpi_wait(*this, req, str("MPI_Ialltoallv (", sv.total, " x ", elem_bytes, " bytes out)"));
  } catch (...) {
    MPI_Type_free(&elem);
    throw;
  }
  MPI_Type_free(&elem);
}

void Comm::abort(int code, const std::string& why) {
  std::fprintf(stderr, "seek: rank %d of %d: %s\n", rank_, size_, why.c_str());
  std::fflush(stderr);
  if (mpi_) {
    mpi_ = false;
    MPI_Abort(MPI_COMM_WORLD, code);
  }
  std::exit(code);
}

}  // namespace seek
