// Always-on assertion failure: print where and abort (a bug in seek, not bad input).
#include "core/error.h"

#include <cstdio>
#include <cstdlib>

namespace seek {

void assert_failed(const char* expr, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "seek: internal error: %s:%d: assertion `%s` failed%s%s\n", file, line, expr,
               msg.empty() ? "" : ": ", msg.c_str());
  std::abort();
}

}  // namespace seek
