// seek template: messages JSON in, prompt text out, rendered with a DeepSeek chat template
// chosen by --template NAME or detected from the model's / tokenizer_config.json's Jinja.
// Input: a JSON array of messages, or {"messages": [...], "add_generation_prompt": b,
// "thinking": b}; --batch FILE.jsonl renders one such object per line ({"prompt": ...} each).
#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/file.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_cli.h"

namespace seek::cli {

namespace {

using nlohmann::json;

std::string as_text(const json& v, const std::string& what) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {  // OpenAI content parts: concatenate the text parts
    std::string s;
    for (const auto& p : v)
      if (p.is_object() && p.value("type", "") == "text") s += p.value("text", "");
    return s;
  }
  throw UsageError(str(what, ": expected a string, got ", v.type_name()));
}

std::vector<ChatMessage> parse_messages(const json& arr) {
  if (!arr.is_array()) throw UsageError(str("messages: expected an array, got ", arr.type_name()));
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& m = arr[i];
    const std::string where = str("messages[", i, "]");
    if (!m.is_object() || !m.contains("role")) throw UsageError(str(where, ": expected an object with a role"));
    ChatMessage c;
    c.role = m["role"].get<std::string>();
    if (m.contains("content") && !m["content"].is_null()) c.content = as_text(m["content"], where + ".content");
    if (m.contains("reasoning_content") && m["reasoning_content"].is_string())
      c.reasoning_content = m["reasoning_content"];
    if (m.contains("tool_call_id") && m["tool_call_id"].is_string()) c.tool_call_id = m["tool_call_id"];
    c.prefix = m.value("prefix", false);
    if (m.contains("tool_calls") && m["tool_calls"].is_array()) {
      for (const auto& t : m["tool_calls"]) {
        ToolCall tc;
        tc.id = t.value("id", "");
        tc.type = t.value("type", "function");
        const json& f = t.at("function");
        tc.name = f.value("name", "");
        const json& a = f.contains("arguments") ? f["arguments"] : json("{}");
        tc.arguments = a.is_string() ? a.get<std::string>() : a.dump();
        c.tool_calls.push_back(tc);
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string render_request(TemplateKind kind, const json& req, ChatOptions opt) {
  const json& msgs = req.is_array() ? req : req.at("messages");
  if (req.is_object()) {
    opt.add_generation_prompt = req.value("add_generation_prompt", opt.add_generation_prompt);
    opt.thinking_enabled = req.value("thinking", opt.thinking_enabled);
  }
  return render_chat(kind, parse_messages(msgs), opt);
}

json parse_json(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw UsageError(str(where, ": ", e.what()));
  }
}

}  // namespace

int cmd_template(int argc, char** argv) {
  CLI::App app{"Render chat messages (JSON) into the prompt text", "seek template"};
  TokenizerSource src;
  add_tokenizer_options(app, src);
  std::string name, input, batch, jinja;
  bool no_gen = false, no_think = false, as_json = false;
  app.add_option("--template", name,
                 "deepseek-v3, deepseek-r1 (also -distill-qwen/-llama), deepseek-r1-0528, deepseek-v3.1, deepseek-v2");
  app.add_option("--jinja", jinja, "a chat template's Jinja source file: render with the kind it is detected as");
  app.add_option("messages", input, "messages JSON file ('-' or absent: stdin)");
  app.add_flag("--no-generation-prompt", no_gen, "do not open an assistant turn at the end");
  app.add_flag("--no-thinking", no_think, "thinking disabled (V3.1 flag; R1: empty think block)");
  app.add_flag("--json", as_json, "print {\"prompt\": ..., \"template\": ...} instead of the raw text");
  app.add_option("--batch", batch, "JSONL of requests; prints {\"prompt\": ...} per line");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;  // CLI11's own codes (105, 106) never leak
  ChatOptions opt;
  opt.add_generation_prompt = !no_gen;
  opt.thinking_enabled = !no_think;
  TemplateKind kind = TemplateKind::Unknown;
  if (!src.model.empty() || !src.tokenizer.empty()) {
    const auto tok = load_tokenizer(src);
    if (tok->bos() >= 0) opt.bos_token = tok->token_text(tok->bos());
    if (tok->eos() >= 0) opt.eos_token = tok->token_text(tok->eos());
    if (name.empty()) {
      if (tok->chat_template().empty()) throw UsageError("the tokenizer has no chat template: give --template NAME");
      kind = detect_template(tok->chat_template());
      if (kind == TemplateKind::Unknown)
        throw UsageError("the tokenizer's chat template is not one seek knows: give --template NAME");
    }
  }
  if (!jinja.empty()) {
    kind = detect_template(read_file(jinja, "template"));
    if (kind == TemplateKind::Unknown) throw UsageError(str(jinja, ": not a chat template seek knows"));
  }
  if (!name.empty()) kind = template_kind_from_name(name);
  if (kind == TemplateKind::Unknown) throw UsageError("no template: give --template NAME, --model or --tokenizer");

  if (!batch.empty()) {
    const std::vector<std::string> lines = read_lines(batch, "--batch file");
    for (size_t n = 1; n <= lines.size(); ++n) {
      const std::string& line = lines[n - 1];
      if (line.empty()) continue;
      std::cout << json{{"prompt", render_request(kind, parse_json(line, str(batch, ":", n)), opt)}}.dump() << '\n';
    }
    return 0;
  }
  std::string text;
  if (input.empty() || input == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    text = read_file(input);
  }
  const std::string prompt = render_request(kind, parse_json(text, input.empty() ? "stdin" : input), opt);
  if (as_json) std::cout << json{{"prompt", prompt}, {"template", template_kind_name(kind)}}.dump() << '\n';
  else std::cout << prompt;
  return 0;
}

}  // namespace seek::cli
