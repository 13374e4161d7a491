// Native renderers of the DeepSeek chat templates (see chat_template.h). Each function follows
// its Jinja source statement by statement, including its quirks (V3's `is_first` is never reset,
// so a second tool-calling turn is rendered as a continuation), because prompts must match the
// ones the models were trained on token for token.
#include "tokenizer/chat_template.h"

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace seek {

namespace {

const std::string kUser = "<｜User｜>";
const std::string kAssistant = "<｜Assistant｜>";
const std::string kEos = "<｜end▁of▁sentence｜>";
const std::string kCallsBegin = "<｜tool▁calls▁begin｜>";
const std::string kCallsEnd = "<｜tool▁calls▁end｜>";
const std::string kCallBegin = "<｜tool▁call▁begin｜>";
const std::string kCallEnd = "<｜tool▁call▁end｜>";
const std::string kSep = "<｜tool▁sep｜>";
const std::string kOutputsBegin = "<｜tool▁outputs▁begin｜>";
const std::string kOutputsEnd = "<｜tool▁outputs▁end｜>";
const std::string kOutputBegin = "<｜tool▁output▁begin｜>";
const std::string kOutputEnd = "<｜tool▁output▁end｜>";

const std::string& text(const ChatMessage& m) {
  static const std::string empty;
  return m.content ? *m.content : empty;
}

// "function<｜tool▁sep｜>NAME\n```json\nARGS\n```<｜tool▁call▁end｜>" (V3 / R1 call body).
std::string call_body(const ToolCall& t) {
  return t.type + kSep + t.name + "\n```json\n" + t.arguments + "\n```" + kCallEnd;
}

// Everything after the last "</think>" (Jinja's content.split('</think>')[-1]).
std::string after_think(const std::string& s) {
  const size_t p = s.rfind("</think>");
  return p == std::string::npos ? s : s.substr(p + 8);
}

std::string joined_system(const std::vector<ChatMessage>& msgs) {
  std::string sys;
  bool first = true;
  for (const auto& m : msgs)
    if (m.role == "system") {
      sys += (first ? "" : "\n\n") + text(m);
      first = false;
    }
  return sys;
}

std::string last_system(const std::vector<ChatMessage>& msgs) {
  std::string sys;
  for (const auto& m : msgs)
    if (m.role == "system") sys = text(m);
  return sys;
}

// DeepSeek-V3 and R1 share one structure; R1 keeps only the text after </think> of past
// assistant turns, takes the last system message, and opens the thinking block.
std::string render_v3_family(const std::vector<ChatMessage>& msgs, const ChatOptions& opt, bool r1) {
  bool is_first = false, is_tool = false, is_output_first = true;
  std::string out = opt.bos_token + (r1 ? last_system(msgs) : joined_system(msgs));
  for (const auto& m : msgs) {
    if (m.role == "user") {
      is_tool = false;
      out += kUser + text(m);
    }
    if (m.role == "assistant" && !m.content) {
      is_tool = false;
      for (const auto& t : m.tool_calls) {
        if (!is_first) {
          out += kAssistant + kCallsBegin + kCallBegin + call_body(t);
          is_first = true;
        } else {
          out += "\n" + kCallBegin + call_body(t) + kCallsEnd + kEos;
        }
      }
    }
    if (m.role == "assistant" && m.content) {
      if (is_tool) {
        out += kOutputsEnd + *m.content + kEos;
        is_tool = false;
      } else {
        out += kAssistant + (r1 ? after_think(*m.content) : *m.content) + kEos;
      }
    }
    if (m.role == "tool") {
      is_tool = true;
      out += (is_output_first ? kOutputsBegin : "\n") + kOutputBegin + text(m) + kOutputEnd;
      is_output_first = false;
    }
  }
  if (is_tool) out += kOutputsEnd;
  if (opt.add_generation_prompt && !is_tool) {
    out += kAssistant;
    if (r1) out += opt.thinking_enabled ? "<think>\n" : "<think>\n\n</think>\n\n";
  }
  return out;
}

std::string render_r1_0528(const std::vector<ChatMessage>& msgs, const ChatOptions& opt) {
  bool is_first = false, is_tool = false, is_output_first = true, is_last_user = false;
  std::string out = opt.bos_token + joined_system(msgs);
  for (const auto& m : msgs) {
    std::string content = text(m);
    if (m.role == "user") {
      is_tool = is_first = false;
      is_last_user = true;
      out += kUser + content + kAssistant;
    }
    if (m.role == "assistant") content = after_think(content);
    if (m.role == "assistant" && !m.tool_calls.empty()) {
      is_last_user = false;
      if (is_tool) out += kOutputsEnd;
      is_first = is_tool = false;
      is_output_first = true;
      for (const auto& t : m.tool_calls) {
        if (!is_first) {
          out += (m.content ? content : "") + kCallsBegin + kCallBegin + call_body(t);
          is_first = true;
        } else {
          out += "\n" + kCallBegin + call_body(t);
        }
      }
      out += kCallsEnd + kEos;
    }
    if (m.role == "assistant" && m.tool_calls.empty()) {
      is_last_user = false;
      out += (is_tool ? kOutputsEnd : "") + content + kEos;
      is_tool = false;
    }
    if (m.role == "tool") {
      is_last_user = false;
      is_tool = true;
      out += (is_output_first ? kOutputsBegin : "\n") + kOutputBegin + content + kOutputEnd;
      is_output_first = false;
    }
  }
  if (is_tool) out += kOutputsEnd;
  if (opt.add_generation_prompt && !is_last_user && !is_tool) out += kAssistant;
  if (opt.add_generation_prompt && !is_tool && !opt.thinking_enabled) out += "<think>\n\n</think>\n\n";
  return out;
}

std::string render_v3_1(const std::vector<ChatMessage>& msgs, const ChatOptions& opt) {
  bool is_first = false, is_tool = false, is_last_user = false;
  const bool thinking = opt.thinking_enabled;
  std::string out = opt.bos_token + joined_system(msgs);
  for (const auto& m : msgs) {
    if (m.role == "user") {
      is_tool = is_first = false;
      is_last_user = true;
      out += kUser + text(m);
    }
    if (m.role == "assistant" && !m.tool_calls.empty()) {
      if (is_last_user) out += kAssistant + "</think>";
      is_last_user = is_first = is_tool = false;
      for (const auto& t : m.tool_calls) {
        const std::string body = kCallBegin + t.name + kSep + t.arguments + kCallEnd;
        if (!is_first) {
          out += (m.content ? *m.content : "") + kCallsBegin + body;
          is_first = true;
        } else {
          out += body;
        }
      }
      out += kCallsEnd + kEos;
    }
    if (m.role == "assistant" && m.tool_calls.empty()) {
      if (is_last_user) out += kAssistant + ((m.prefix && thinking) ? "<think>" : "</think>");
      is_last_user = false;
      if (is_tool) {
        out += text(m) + kEos;
        is_tool = false;
      } else {
        std::string c = text(m);
        const size_t p = c.find("</think>");
        if (p != std::string::npos) c = c.substr(p + 8);
        out += c + kEos;
      }
    }
    if (m.role == "tool") {
      is_last_user = false;
      is_tool = true;
      out += kOutputBegin + text(m) + kOutputEnd;
    }
  }
  if (opt.add_generation_prompt && is_last_user && !is_tool) out += kAssistant + (thinking ? "<think>" : "</think>");
  return out;
}

std::string render_v2(const std::vector<ChatMessage>& msgs, const ChatOptions& opt) {
  std::string out = opt.bos_token;
  for (const auto& m : msgs) {
    if (m.role == "user") out += "User: " + text(m) + "\n\n";
    else if (m.role == "assistant") out += "Assistant: " + text(m) + opt.eos_token;
    else if (m.role == "system") out += text(m) + "\n\n";
  }
  if (opt.add_generation_prompt) out += "Assistant:";
  return out;
}

// The R1-Zero prompt; r1_zero.jinja renders the same text (tests/oracle/compare_templates.js).
std::string render_r1_zero(const std::vector<ChatMessage>& msgs, const ChatOptions& opt) {
  std::string out =
      opt.bos_token +
      "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
      "The assistant first thinks about the reasoning process in the mind and then provides the user with "
      "the answer. The reasoning process and answer are enclosed within <think> </think> and "
      "<answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> "
      "<answer> answer here </answer>.";
  for (const auto& m : msgs) {
    if (m.role == "user") out += " User: " + text(m) + ".";
    else if (m.role == "assistant") out += " Assistant: " + text(m) + opt.eos_token;
  }
  if (opt.add_generation_prompt) out += " Assistant:";
  return out;
}

}  // namespace

std::string render_chat(TemplateKind kind, const std::vector<ChatMessage>& messages, const ChatOptions& opt) {
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string& r = messages[i].role;
    if (r != "system" && r != "user" && r != "assistant" && r != "tool")
      throw UsageError(str("messages[", i, "].role: expected system, user, assistant or tool, got '", r, "'"));
  }
  switch (kind) {
    case TemplateKind::DeepSeekV3: return render_v3_family(messages, opt, false);
    case TemplateKind::DeepSeekR1: return render_v3_family(messages, opt, true);
    case TemplateKind::DeepSeekR1_0528: return render_r1_0528(messages, opt);
    case TemplateKind::DeepSeekV3_1: return render_v3_1(messages, opt);
    case TemplateKind::DeepSeekV2: return render_v2(messages, opt);
    case TemplateKind::R1Zero: return render_r1_zero(messages, opt);
    case TemplateKind::Unknown: break;
  }
  throw UsageError("render_chat: unknown chat template kind");
}

ChatOptions chat_options_for(const Tokenizer& tok, bool add_generation_prompt, bool thinking_enabled) {
  ChatOptions opt;
  opt.add_generation_prompt = add_generation_prompt;
  opt.thinking_enabled = thinking_enabled;
  if (tok.bos() >= 0) opt.bos_token = tok.token_text(tok.bos());
  if (tok.eos() >= 0) opt.eos_token = tok.token_text(tok.eos());
  return opt;
}

std::string render_chat(TemplateKind kind, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                        bool thinking_enabled, const std::string& /*tools*/) {
  ChatOptions opt;
  opt.add_generation_prompt = add_generation_prompt;
  opt.thinking_enabled = thinking_enabled;
  return render_chat(kind, messages, opt);
}

TemplateKind detect_template(const std::string& j) {
  auto has = [&](const char* s) { return j.find(s) != std::string::npos; };
  if (has("<｜User｜>")) {
    if (has("thinking") && has("is_last_user")) return TemplateKind::DeepSeekV3_1;
    if (has("is_last_user")) return TemplateKind::DeepSeekR1_0528;
    if (has("</think>")) return TemplateKind::DeepSeekR1;
    return TemplateKind::DeepSeekV3;
  }
  if (has("A conversation between User and Assistant.")) return TemplateKind::R1Zero;
  if (has("'User: '") && has("'Assistant:'")) return TemplateKind::DeepSeekV2;
  return TemplateKind::Unknown;
}

const char* template_kind_name(TemplateKind k) {
  switch (k) {
    case TemplateKind::DeepSeekV3: return "deepseek-v3";
    case TemplateKind::DeepSeekR1: return "deepseek-r1";
    case TemplateKind::DeepSeekR1_0528: return "deepseek-r1-0528";
    case TemplateKind::DeepSeekV3_1: return "deepseek-v3.1";
    case TemplateKind::DeepSeekV2: return "deepseek-v2";
    case TemplateKind::R1Zero: return "r1-zero";
    case TemplateKind::Unknown: break;
  }
  return "unknown";
}

TemplateKind template_kind_from_name(const std::string& n) {
  if (n == "deepseek-v3" || n == "deepseek3") return TemplateKind::DeepSeekV3;
  if (n == "deepseek-r1" || n == "deepseek-r1-distill-qwen" || n == "deepseek-r1-distill-llama" || n == "r1")
    return TemplateKind::DeepSeekR1;
  if (n == "deepseek-r1-0528") return TemplateKind::DeepSeekR1_0528;
  if (n == "deepseek-v3.1") return TemplateKind::DeepSeekV3_1;
  if (n == "deepseek-v2" || n == "deepseek-v2-lite" || n == "deepseek-coder-v2") return TemplateKind::DeepSeekV2;
  if (n == "r1-zero") return TemplateKind::R1Zero;
  throw UsageError(str("unknown chat template '", n,
                       "' (known: deepseek-v3, deepseek-r1, deepseek-r1-distill-qwen, deepseek-r1-distill-llama, "
                       "deepseek-r1-0528, deepseek-v3.1, deepseek-v2, r1-zero)"));
}

bool template_starts_thinking(TemplateKind k, bool thinking_enabled) {
  return thinking_enabled && (k == TemplateKind::DeepSeekR1 || k == TemplateKind::DeepSeekV3_1);
}

}  // namespace seek
