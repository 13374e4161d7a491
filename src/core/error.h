// Error types and always-on assertions (house style rule 6).
// Bad input from outside (a file, a flag, a request) throws seek::Error naming the thing and
// what was expected versus found; a broken internal invariant is SEEK_ASSERT, never compiled out.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace seek {

// Bad input: a file, a flag, a request. Caught only in main, request handlers, thread entry.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A file that does not follow its format (GGUF, safetensors, config.json, tokenizer.json, ...).
struct FormatError : Error {
  using Error::Error;
};
// A command-line or API argument out of range or inconsistent.
struct UsageError : Error {
  using Error::Error;
};

// Concatenates anything streamable: str("tensor ", name, ": expected ", a, ", got ", b).
template <typename... Args>
std::string str(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

[[noreturn]] void assert_failed(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace seek

// Programmer invariants: always on, in every build type.
#define SEEK_ASSERT(cond)                                              \
  do {                                                                 \
    if (!(cond)) ::seek::assert_failed(#cond, __FILE__, __LINE__, ""); \
  } while (0)
#define SEEK_ASSERT_MSG(cond, ...)                                                           \
  do {                                                                                       \
    if (!(cond)) ::seek::assert_failed(#cond, __FILE__, __LINE__, ::seek::str(__VA_ARGS__)); \
  } while (0)
