// Whole-file reads for every text and JSON input (configs, prompts, tokenizers, data, metrics).
// The path must name a regular file: a FIFO or a device such as /dev/zero is refused with an error
// naming it, never read until memory runs out or waited on forever. Errors read
// "cannot open [what ]PATH: reason".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seek {

std::string read_file(const std::string& path, const std::string& what = "");
// The size of a regular file, with read_file's errors (for readers that stream it in blocks).
uint64_t regular_file_size(const std::string& path, const std::string& what = "");
// The file's lines without their '\n' (line n is element n - 1).
std::vector<std::string> read_lines(const std::string& path, const std::string& what = "");

bool is_dir(const std::string& path);
bool is_regular_file(const std::string& path);
bool ends_with(std::string_view s, std::string_view suffix);

}  // namespace seek
