// atomic_write: mkstemp beside the target, write, fsync, rename, fsync the directory.
#include "formats/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace seek {

namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The rename replaces whatever `path` names, so only a regular file (or nothing) may be there: a
// device, FIFO, socket or directory given as an output is refused, never replaced (as root, renaming
// onto /dev/null would destroy the device node).
void require_replaceable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // nothing there (or a dangling link): created anew
  if (!S_ISREG(st.st_mode))
    throw Error(str("output ", path, " is ",
                    S_ISDIR(st.st_mode)    ? "a directory"
                    : S_ISCHR(st.st_mode)  ? "a character device"
                    : S_ISBLK(st.st_mode)  ? "a block device"
                    : S_ISFIFO(st.st_mode) ? "a FIFO"
                    : S_ISSOCK(st.st_mode) ? "a socket"
                                           : "not a regular file",
                    ": refusing to replace it; give the path of a file"));
}

}  // namespace

void atomic_write(const std::string& path, const std::function<void(const ByteSink&)>& fill) {
  require_replaceable(path);
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) throw Error(str("cannot create a temporary file for ", path, ": ", std::strerror(errno)));
  std::string tmp(name.data());
  try {
    ByteSink sink = [&](const void* data, size_t n) {
      const char* p = static_cast<const char*>(data);
      while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw Error(str("cannot write ", tmp, ": ", std::strerror(errno)));
        p += w;
        n -= static_cast<size_t>(w);
      }
    };
    fill(sink);
    if (::fchmod(fd, 0644) != 0) throw Error(str("cannot chmod ", tmp, ": ", std::strerror(errno)));
    if (::fsync(fd) != 0) throw Error(str("cannot fsync ", tmp, ": ", std::strerror(errno)));
    if (::close(fd) != 0) {
      fd = -1;
      throw Error(str("cannot close ", tmp, ": ", std::strerror(errno)));
    }
    fd = -1;
    require_replaceable(path);  // again: the fill may have taken minutes
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw Error(str("cannot rename ", tmp, " to ", path, ": ", std::strerror(errno)));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // best effort: makes the rename itself durable
    ::close(dfd);
  }
}

}  // namespace seek
