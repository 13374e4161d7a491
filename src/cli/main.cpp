// seek: one program, many subcommands. Each subcommand lives in its own cmd_<name>.cpp and
// registers itself in commands.h's table; main only dispatches and turns errors into exit 1.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "dist/comm.h"
#include "kernels/blas_core.h"

namespace {

void print_usage() {
  std::printf("seek: DeepSeek's system in C++ (inference, serving, training, reasoning)\n\n"
              "usage: seek <command> [options]   (seek <command> --help for its options)\n\ncommands:\n");
  for (const seek::cli::Command& c : seek::cli::commands()) std::printf("  %-12s %s\n", c.name, c.summary);
}

// Prints the error; under mpirun also stops every other rank at once, so a rank that fails on
// bad input ends the job with this message instead of leaving the others waiting.
int fail(const char* command, const char* what) {
  std::fprintf(stderr, "seek %s: error: %s\n", command, what);
  if (std::getenv("OMPI_COMM_WORLD_SIZE") && seek::Comm::world().uses_mpi() && seek::Comm::world().size() > 1)
    seek::Comm::world().abort(1, std::string("seek ") + command + ": " + what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  seek::ensure_fast_blas_core(argv);  // may re-exec once with OPENBLAS_CORETYPE set
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_usage();
    return argc < 2 ? 1 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::printf("seek 0.1.0\n");
    return 0;
  }
  for (const seek::cli::Command& c : seek::cli::commands()) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const seek::Error& e) {
      return fail(c.name, e.what());
    } catch (const std::bad_alloc&) {
      return fail(c.name, "out of memory");
    } catch (const std::exception& e) {
      return fail(c.name, e.what());
    }
  }
  std::fprintf(stderr, "seek: unknown command '%s' (see seek --help)\n", argv[1]);
  return 1;
}
