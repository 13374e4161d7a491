// seek bench (placeholder until its issue lands).
#include "cli/commands.h"
#include "core/error.h"

namespace seek::cli {
int cmd_bench(int, char**) { throw Error("'bench' is not built yet"); }
}  // namespace seek::cli
