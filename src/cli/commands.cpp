// The subcommand table (one line per command).
#include "cli/commands.h"

namespace seek::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"info", "print a model file's metadata and tensor table (GGUF, safetensors)", cmd_info},
      {"bench", "benchmarks: `seek bench kernels`, `seek bench -m FILE`", cmd_bench},
  };
  return table;
}

}  // namespace seek::cli
