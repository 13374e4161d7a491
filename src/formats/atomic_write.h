// Atomic file replacement shared by the writers: the bytes go to a temporary file in the same
// directory, are fsync'ed, then renamed over `path` (and the directory fsync'ed), so a reader
// sees either the old file or the complete new one, never a half-written model.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace seek {

// `fill` is called with a sink that appends bytes to the temporary file.
using ByteSink = std::function<void(const void* data, size_t n)>;
void atomic_write(const std::string& path, const std::function<void(const ByteSink&)>& fill);

}  // namespace seek
