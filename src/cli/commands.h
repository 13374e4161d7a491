// The subcommand table. A subcommand is a function taking (argc, argv) with argv[0] = its name,
// returning the exit status; it throws seek::Error for bad input (main prints it, exits 1).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace seek::cli {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

// Every subcommand, in the order `seek --help` lists them.
const std::vector<Command>& commands();

// Declared here, defined in cmd_<name>.cpp.
int cmd_info(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_template(int argc, char** argv);
int cmd_tokenizer(int argc, char** argv);
int cmd_init(int argc, char** argv);
int cmd_quantize(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_chat(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_imatrix(int argc, char** argv);
int cmd_rl(int argc, char** argv);
int cmd_distill(int argc, char** argv);
int cmd_data(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_plot(int argc, char** argv);
int cmd_serve(int argc, char** argv);
int cmd_quickstart(int argc, char** argv);

}  // namespace seek::cli
