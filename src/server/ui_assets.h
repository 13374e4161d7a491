// The web chat UI (src/server/ui/*) embedded in the binary: cmake/EmbedFiles.cmake turns each
// file into bytes of a generated .cpp at build time, so `seek serve` needs no files on disk.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace seek {

// Looks up a UI file by URL path ("/" and "/index.html" -> index.html, "/app.js", ...; a query
// string is ignored). On success sets *body (static storage, valid for the program's life) and
// *content_type ("text/html; charset=utf-8", ...). Unknown paths return false.
bool ui_asset(const std::string& path, std::string_view* body, std::string* content_type);

// One embedded file: name relative to src/server/ui, its bytes.
struct EmbeddedFile {
  const char* name;
  const unsigned char* data;
  size_t size;
};
// The table the build generates (every file under src/server/ui, sorted by name).
const EmbeddedFile* embedded_ui_files(size_t* count);

}  // namespace seek
