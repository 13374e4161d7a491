// Chat templates beyond the Jinja oracle (tests/oracle/compare_templates.js checks every kind
// against the real templates): the documented R1 format (deepseek.md section 5), name lookup,
// and the thinking-disabled prompt, which no real template defines.
#include <gtest/gtest.h>

#include "core/error.h"
#include "tokenizer/chat_template.h"

namespace seek {
namespace {

ChatMessage msg(const std::string& role, const std::string& content) {
  ChatMessage m;
  m.role = role;
  m.content = content;
  return m;
}

TEST(ChatTemplate, R1DocumentedFormat) {
  const std::vector<ChatMessage> chat = {msg("user", "Hi"), msg("assistant", "<think>\nhmm\n</think>\n\nHello"),
                                         msg("user", "Bye")};
  EXPECT_EQ(render_chat(TemplateKind::DeepSeekR1, chat, true, true),
            "<｜begin▁of▁sentence｜><｜User｜>Hi<｜Assistant｜>\n\nHello<｜end▁of▁sentence｜><｜User｜>Bye<"
            "｜Assistant｜><think>\n");
  const std::string off = render_chat(TemplateKind::DeepSeekR1, chat, true, false);
  EXPECT_EQ(off.substr(off.size() - 19), "<think>\n\n</think>\n\n");
}

TEST(ChatTemplate, ToolCallFormat) {
  ChatMessage call;
  call.role = "assistant";
  call.tool_calls.push_back({"c1", "function", "f", "{\"a\":1}"});
  const std::vector<ChatMessage> chat = {msg("user", "go"), call, msg("tool", "ok")};
  EXPECT_EQ(
      render_chat(TemplateKind::DeepSeekV3, chat, true, true),
      "<｜begin▁of▁sentence｜><｜User｜>go<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<"
      "｜tool▁sep｜>f\n"
      "```json\n{\"a\":1}\n```<｜tool▁call▁end｜><｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>ok<｜tool▁output▁end｜>"
      "<｜tool▁outputs▁end｜>");
}

TEST(ChatTemplate, NamesAndErrors) {
  for (auto k : {TemplateKind::DeepSeekV3, TemplateKind::DeepSeekR1, TemplateKind::DeepSeekR1_0528,
                 TemplateKind::DeepSeekV3_1, TemplateKind::DeepSeekV2})
    EXPECT_EQ(template_kind_from_name(template_kind_name(k)), k);
  EXPECT_EQ(template_kind_from_name("deepseek-r1-distill-qwen"), TemplateKind::DeepSeekR1);
  EXPECT_EQ(template_kind_from_name("deepseek-r1-distill-llama"), TemplateKind::DeepSeekR1);
  EXPECT_THROW(template_kind_from_name("chatml"), UsageError);
  EXPECT_EQ(detect_template("{{ messages }}"), TemplateKind::Unknown);
  EXPECT_THROW(render_chat(TemplateKind::DeepSeekV3, {msg("robot", "x")}, true, true), UsageError);
  EXPECT_TRUE(template_starts_thinking(TemplateKind::DeepSeekR1, true));
  EXPECT_FALSE(template_starts_thinking(TemplateKind::DeepSeekR1, false));
  EXPECT_FALSE(template_starts_thinking(TemplateKind::DeepSeekV3, true));
}

}  // namespace
}  // namespace seek
