// libFuzzer target: any byte string must encode (all flag combinations), decode and stream-decode
// without crashing or hanging, and valid UTF-8 must decode back to itself. Inputs whose first
// byte is '{' also go to the tokenizer.json parser, which may only throw seek::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace {

// tests/data, found from this source file's path (the fuzz build passes no data directory).
std::string data_dir() {
  const std::string f = __FILE__;
  return f.substr(0, f.rfind('/')) + "/../tests/data";
}

const seek::Tokenizer& vocab() {
  static const auto tok = seek::Tokenizer::from_gguf_path(data_dir() + "/vocab/ggml-vocab-deepseek-llm.gguf");
  return *tok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const seek::Tokenizer& tok = vocab();
  if (!text.empty() && text[0] == '{') {
    try {
      auto t = seek::Tokenizer::from_hf_json_text(text);
      t->decode(t->encode(text, true, true));
    } catch (const seek::Error&) {
    }
  }
  for (int flags = 0; flags < 4; ++flags) {
    const auto ids = tok.encode(text, flags & 1, flags & 2);
    // Without special-token parsing the only special token is the BOS we asked for.
    const std::string back = tok.decode(ids, /*skip_special=*/(flags & 2) == 0);
    if ((flags & 2) == 0 && seek::utf8_is_valid(text) && back != text) __builtin_trap();
    seek::StreamDecoder sd(tok);
    std::string streamed;
    for (int32_t id : ids) streamed += sd.push(id);
    streamed += sd.flush();
    if (!seek::utf8_is_valid(streamed)) __builtin_trap();
  }
  return 0;
}
