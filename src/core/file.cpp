// Whole-file reads (file.h).
#include "core/file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace seek {

uint64_t regular_file_size(const std::string& path, const std::string& what) {
  struct stat st {};
  const char* why = ::stat(path.c_str(), &st) != 0 ? std::strerror(errno)
                    : !S_ISREG(st.st_mode)         ? "not a regular file"
                                                   : nullptr;
  if (why) throw Error(str("cannot open ", what.empty() ? "" : what + " ", path, ": ", why));
  return static_cast<uint64_t>(st.st_size);
}

std::string read_file(const std::string& path, const std::string& what) {
  regular_file_size(path, what);
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(str("cannot open ", what.empty() ? "" : what + " ", path, ": ", std::strerror(errno)));
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const std::string& path, const std::string& what) {
  std::istringstream in(read_file(path, what));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  return lines;
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace seek
