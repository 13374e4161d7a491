// Checked MPI calls and waits with a deadline (mpi_wait.h).
#include "dist/mpi_wait.h"

#include <chrono>
#include <thread>

#include "core/error.h"

namespace seek::dist {

void mpi_check(Comm& c, int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS) len = 0;
  c.mark_failed();
  throw Error(str(call, " failed on rank ", c.rank(), " of ", c.size(), ": ",
                  len ? std::string(msg, len) : str("error code ", rc)));
}

bool mpi_test(Comm& c, MPI_Request& req, const char* call) {
  int done = 0;
  mpi_check(c, MPI_Test(&req, &done, MPI_STATUS_IGNORE), call);
  return done != 0;
}

void mpi_wait(Comm& c, MPI_Request& req, const std::string& what) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto deadline = start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(c.timeout_s()));
  const auto spin = std::chrono::microseconds(200);
  for (;;) {
    int done = 0;
    int rc = MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) mpi_check(c, rc, what.c_str());
    if (done) return;
    auto now = clock::now();
    if (now > deadline) {
      c.mark_failed();
      throw Error(str(what, ": no progress on rank ", c.rank(), " of ", c.size(), " for ", c.timeout_s(),
                      " s (SEEK_DIST_TIMEOUT_S); a peer rank died or is stuck"));
    }
    if (now - start > spin) std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

}  // namespace seek::dist
