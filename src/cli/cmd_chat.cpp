// seek chat: an interactive chat in the terminal using the model's chat template. History is
// kept; each turn reuses the KV cache of the longest common token prefix with the previous
// turn (only the new tokens are prefilled). Thinking is shown dimmed (or marked "thinking:"
// when stdout is not a terminal), separate from the answer.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "runtime/generate.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/output_parser.h"

namespace seek::cli {

namespace {

TemplateKind choose_template(const std::string& name, const Tokenizer& tok) {
  if (!name.empty()) {
    TemplateKind k = template_kind_from_name(name);
    if (k == TemplateKind::Unknown) throw UsageError(str("unknown --template '", name, "'"));
    return k;
  }
  TemplateKind k = tok.chat_template().empty() ? TemplateKind::Unknown : detect_template(tok.chat_template());
  return k == TemplateKind::Unknown ? TemplateKind::DeepSeekV3 : k;
}

size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

int cmd_chat(int argc, char** argv) {
  CLI::App app{"Interactive chat with a model (its chat template, history, thinking shown apart)", "seek chat"};
  ModelArgs margs;
  SamplingArgs sargs;
  sargs.p.temperature = 0.6f;  // DeepSeek's recommendation for R1
  sargs.p.top_p = 0.95f;
  std::string system, template_name;
  bool no_think = false;
  int64_t max_tokens = 2048;
  margs.add_to(app, false);  // default: the bundled quickstart model
  sargs.add_to(app);
  app.add_option("--system", system, "system prompt");
  app.add_option("--template", template_name,
                 "chat template (deepseek-v3, deepseek-r1, deepseek-v2, ...); default: from the model");
  app.add_flag("--no-think", no_think, "ask the model not to think (R1-style templates)");
  app.add_option("-n,--max-tokens", max_tokens, "tokens per answer")->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;
  sargs.p.validate();

  if (margs.model_path.empty()) margs.model_path = default_model_path();
  LoadedModel lm = load_model(margs);
  const Tokenizer& tok = *lm.tokenizer;
  const TemplateKind kind = choose_template(template_name, tok);
  ThreadPool pool(margs.threads);
  KVCache cache(lm.model->config(), 1, margs.ctx, margs.cache_dtype());
  const bool tty_in = isatty(STDIN_FILENO), tty_out = isatty(STDOUT_FILENO);
  std::fprintf(stderr, "seek chat: template %s; /reset clears the history, /exit or Ctrl-D quits\n",
               template_kind_name(kind));
  // The R1-Zero prompt has no system turn and no way to skip the thinking: say so, never ignore silently.
  if (kind == TemplateKind::R1Zero && !system.empty())
    std::fprintf(stderr, "seek chat: the r1-zero template has no system message; --system is not used\n");
  if (kind == TemplateKind::R1Zero && no_think)
    std::fprintf(stderr, "seek chat: the r1-zero template always thinks first; --no-think has no effect\n");

  std::vector<ChatMessage> history;
  if (!system.empty()) history.push_back({"system", system});
  std::vector<int32_t> cached;  // tokens whose entries are in the cache, in order
  std::string line;
  for (;;) {
    if (tty_in) std::fputs("\n> ", stdout), std::fflush(stdout);
    if (!std::getline(std::cin, line)) break;
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      history.resize(system.empty() ? 0 : 1);
      cached.clear();
      std::fputs("(history cleared)\n", stdout);
      continue;
    }
    if (line.empty()) continue;
    history.push_back({"user", line});
    const std::string prompt = render_chat(kind, history, chat_options_for(tok, true, !no_think));
    std::vector<int32_t> ids = tok.encode(prompt, false, true);
    size_t reuse = common_prefix(ids, cached);
    if (reuse == ids.size()) --reuse;  // at least one token must run to get logits
    if (static_cast<int64_t>(ids.size()) + max_tokens >= margs.ctx) {
      std::fprintf(
          stderr, "seek chat: the conversation (%zu tokens) no longer fits the context of %lld; /reset to start over\n",
          ids.size(), static_cast<long long>(margs.ctx));
      history.pop_back();
      continue;
    }
    GenerateOptions opt;
    opt.sampling = sargs.p;
    opt.max_tokens = max_tokens;
    opt.n_past = static_cast<int64_t>(reuse);
    std::vector<int32_t> fresh(ids.begin() + static_cast<std::ptrdiff_t>(reuse), ids.end());
    StreamingOutputParser parser({template_starts_thinking(kind, !no_think)});
    bool in_reasoning = false;
    auto show = [&](const OutputDelta& d) {
      if (!d.reasoning.empty()) {
        if (!in_reasoning) std::fputs(tty_out ? "\x1b[2m" : "thinking: ", stdout);
        in_reasoning = true;
        std::fputs(d.reasoning.c_str(), stdout);
      }
      if (!d.content.empty()) {
        if (in_reasoning) std::fputs(tty_out ? "\x1b[0m\n" : "\nanswer: ", stdout);
        in_reasoning = false;
        std::fputs(d.content.c_str(), stdout);
      }
      for (const ParsedToolCall& c : d.tool_calls)
        std::printf("\n[tool call] %s(%s)\n", c.name.c_str(), c.arguments.c_str());
      std::fflush(stdout);
    };
    GenerateResult r = generate(*lm.model, tok, cache, fresh, opt, pool, [&](const std::string& piece) {
      show(parser.feed(piece));
      return true;
    });
    show(parser.finish());
    if (in_reasoning && tty_out) std::fputs("\x1b[0m", stdout);
    std::fputc('\n', stdout);
    ParsedOutput parsed = parse_output(r.text, {template_starts_thinking(kind, !no_think)});
    ChatMessage reply{"assistant", parsed.content};
    reply.reasoning_content = parsed.reasoning_content;
    history.push_back(reply);
    cached.assign(ids.begin(), ids.end());
    cached.insert(cached.end(), r.tokens.begin(), r.tokens.end());
    std::fprintf(stderr, "[%zu tokens reused, %lld prefilled, %zu generated at %.1f tok/s]\n", reuse,
                 static_cast<long long>(r.n_prompt), r.tokens.size(),
                 r.decode_seconds > 0 ? r.tokens.size() / r.decode_seconds : 0.0);
  }
  return 0;
}

}  // namespace seek::cli
