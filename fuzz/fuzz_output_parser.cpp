// libFuzzer target: the output parser on any bytes, one-shot and streamed in chunks whose sizes
// come from the input itself; the two must agree exactly.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tokenizer/output_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const seek::OutputParserOptions opt{.starts_in_thinking = (data[0] & 1) != 0};
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  seek::StreamingOutputParser one(opt);
  seek::ParsedOutput whole;
  for (const auto& d : {one.feed(text), one.finish()}) {
    whole.reasoning_content += d.reasoning;
    whole.content += d.content;
    whole.tool_calls.insert(whole.tool_calls.end(), d.tool_calls.begin(), d.tool_calls.end());
  }
  seek::StreamingOutputParser p(opt);
  seek::ParsedOutput streamed;
  auto take = [&](const seek::OutputDelta& d) {
    streamed.reasoning_content += d.reasoning;
    streamed.content += d.content;
    streamed.tool_calls.insert(streamed.tool_calls.end(), d.tool_calls.begin(), d.tool_calls.end());
  };
  size_t pos = 0, k = 0;
  while (pos < text.size()) {
    const size_t n = 1 + (static_cast<uint8_t>(text[k++ % text.size()]) % 7);
    take(p.feed(std::string_view(text).substr(pos, n)));
    pos += n;
  }
  take(p.finish());
  if (streamed.reasoning_content != whole.reasoning_content || streamed.content != whole.content ||
      streamed.tool_calls.size() != whole.tool_calls.size())
    __builtin_trap();
  seek::parse_output(text, opt);
  return 0;
}
