// seek tokenizer (placeholder until the trainer lands).
#include "cli/commands.h"
#include "core/error.h"

namespace seek::cli {
int cmd_tokenizer(int, char**) { throw Error("'tokenizer' is not built yet"); }
}  // namespace seek::cli
