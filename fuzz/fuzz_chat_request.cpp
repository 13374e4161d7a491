// libFuzzer target: chat / completion request bodies (any bytes) through the API parser, the
// chat template and the streaming output state. Bad input must end as ApiError(400) or
// seek::Error, never a crash; a parsed chat must render; ChatOutput fed the same bytes in two
// pieces must agree with the one-shot parser (where that one cannot look ahead).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "server/api_error.h"
#include "server/api_output.h"
#include "server/api_request.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/output_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seek;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  ApiLimits lim;
  lim.ctx = 4096;
  lim.vocab = 32256;
  try {
    ChatRequest r = parse_chat_request(body, lim);
    SEEK_ASSERT(!r.messages.empty());
    for (TemplateKind k : {TemplateKind::DeepSeekV3, TemplateKind::DeepSeekR1, TemplateKind::DeepSeekV3_1})
      (void)render_chat(k, r.messages, true, r.thinking, r.tools);
  } catch (const ApiError& e) {
    SEEK_ASSERT(e.status == 400);
  } catch (const Error&) {
  }
  try {
    CompletionRequest r = parse_completion_request(body, lim);
    for (int32_t id : r.prompt_ids) SEEK_ASSERT(id >= 0 && id < lim.vocab);
  } catch (const ApiError& e) {
    SEEK_ASSERT(e.status == 400);
  } catch (const Error&) {
  }
  const bool thinking = size > 0 && (data[0] & 1);
  ChatOutput out(thinking);
  const size_t cut = size / 2;
  out.feed(std::string(body.substr(0, cut)), true);
  out.feed(std::string(body.substr(cut)), true);
  out.finish();
  // The one-shot parser also infers thinking from a "</think>" it can see ahead; a stream cannot.
  if (!thinking && body.find("</think>") != std::string_view::npos) return 0;
  const ParsedOutput ref = parse_output(body, {thinking});
  SEEK_ASSERT(out.reasoning() == ref.reasoning_content);
  SEEK_ASSERT(out.content() == ref.content);
  SEEK_ASSERT(out.tool_calls().size() == ref.tool_calls.size());
  return 0;
}
