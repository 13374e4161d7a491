// Chat templates rendered natively from a list of messages (no Jinja engine): each kind
// reproduces one real Jinja template from a model's tokenizer_config.json / GGUF byte for byte
// (tests/oracle/compare_templates.js renders the same chats with @huggingface/jinja). Kinds:
//   deepseek-v3      DeepSeek-V3 (original)          deepseek-r1    R1 and R1-Distill-Qwen/Llama
//   deepseek-r1-0528 R1-0528                          deepseek-v3.1  V3.1 (thinking on/off)
//   deepseek-v2      DeepSeek-V2(-Lite)-Chat, Coder-V2 ("User: ...\n\nAssistant: ...")
//   r1-zero          the R1-Zero prompt (DeepSeek-R1 paper, table 1) around the conversation: the
//                    template of models `seek quickstart` trains (Jinja: tokenizer/r1_zero.jinja)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seek {

enum class TemplateKind { Unknown, DeepSeekV3, DeepSeekR1, DeepSeekR1_0528, DeepSeekV3_1, DeepSeekV2, R1Zero };

struct ToolCall {
  std::string id;
  std::string type = "function";
  std::string name;
  std::string arguments;  // JSON text, as the OpenAI API carries it
};

struct ChatMessage {
  std::string role;                    // system, user, assistant, tool
  std::optional<std::string> content;  // null for an assistant turn that only calls tools
  std::string reasoning_content;       // never rendered (templates drop past reasoning)
  std::vector<ToolCall> tool_calls;
  std::string tool_call_id;
  bool prefix = false;  // V3.1: continue this assistant message (prefix completion)
};

struct ChatOptions {
  bool add_generation_prompt = true;
  // R1 kinds: false appends an empty "<think>\n\n</think>\n\n" to the generation prompt (not in
  // the real template; the usual way to skip thinking). V3.1: the template's `thinking` flag.
  bool thinking_enabled = true;
  std::string bos_token = "<\xEF\xBD\x9C"
                          "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
  std::string eos_token = "<\xEF\xBD\x9C"
                          "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
};

std::string render_chat(TemplateKind kind, const std::vector<ChatMessage>& messages, const ChatOptions& opt);
class Tokenizer;
// Options with the tokenizer's own BOS/EOS spelling (what a Jinja template's bos_token and
// eos_token are), falling back to DeepSeek's when the tokenizer has none.
ChatOptions chat_options_for(const Tokenizer& tok, bool add_generation_prompt, bool thinking_enabled);
// The signature the engine and server use; `tools` (JSON text) is accepted but the DeepSeek
// templates do not render tool definitions (their real Jinja ignores `tools`).
std::string render_chat(TemplateKind kind, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                        bool thinking_enabled, const std::string& tools = "");

// The Jinja source of the r1-zero kind (src/tokenizer/r1_zero.jinja), stored in models it is for.
const std::string& r1_zero_jinja();

// Recognises a real template's Jinja source; Unknown when it matches none of the kinds.
TemplateKind detect_template(const std::string& jinja);
const char* template_kind_name(TemplateKind k);
// "deepseek-v3", "deepseek-r1", "deepseek-r1-distill-qwen", ... ; throws UsageError if unknown.
TemplateKind template_kind_from_name(const std::string& name);
// Whether the kind's generation prompt opens a thinking block (output starts inside it).
bool template_starts_thinking(TemplateKind k, bool thinking_enabled);

}  // namespace seek
