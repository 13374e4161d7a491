// seek info (placeholder until its issue lands).
#include "cli/commands.h"
#include "core/error.h"

namespace seek::cli {
int cmd_info(int, char**) { throw Error("'info' is not built yet"); }
}  // namespace seek::cli
