// Probe for the failure tests (tests/scripts/mpi.cmake): under mpirun -np 2, rank 1 misbehaves
// (argv[1]: "kill" = SIGKILL itself, "hang" = sleep forever, "throw" = leave main with an error)
// while rank 0 waits in an all-reduce. The job must end, non-zero, within seconds.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "core/error.h"
#include "dist/comm.h"

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  try {
    seek::Comm& c = seek::Comm::world();
    std::vector<float> v(1024, 1.0f);
    c.allreduce_sum(v.data(), v.size());  // both ranks alive up to here
    if (c.rank() == 1) {
      if (!std::strcmp(mode, "kill")) std::raise(SIGKILL);
      if (!std::strcmp(mode, "hang"))
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
      if (!std::strcmp(mode, "throw")) throw seek::Error("probe: rank 1 fails on purpose");
    }
    c.allreduce_sum(v.data(), v.size());
    std::printf("rank %d: second all-reduce finished (unexpected in mode '%s')\n", c.rank(), mode);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "probe: %s\n", e.what());
    return 1;
  }
  return 0;
}
