// Reasoning / content / tool-call parsing (see output_parser.h). One state machine serves both
// the streaming and the one-shot parser, so the two cannot disagree.
#include "tokenizer/output_parser.h"

#include <algorithm>

namespace seek {

namespace {

const std::string kThink = "<think>";
const std::string kEndThink = "</think>";
const std::string kCallsBegin = "<｜tool▁calls▁begin｜>";
const std::string kCallsEnd = "<｜tool▁calls▁end｜>";
const std::string kCallBegin = "<｜tool▁call▁begin｜>";
const std::string kCallEnd = "<｜tool▁call▁end｜>";
const std::string kSep = "<｜tool▁sep｜>";

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

// Length of the longest suffix of s that is a proper prefix of tag (text to hold back).
size_t partial_tag(std::string_view s, const std::string& tag) {
  for (size_t n = std::min(s.size(), tag.size() - 1); n > 0; --n)
    if (s.substr(s.size() - n) == std::string_view(tag).substr(0, n)) return n;
  return 0;
}

}  // namespace

ParsedToolCall parse_tool_call(std::string_view body) {
  ParsedToolCall c;
  const size_t sep = body.find(kSep);
  if (sep == std::string_view::npos) {
    c.name = std::string(trim(body));
    return c;
  }
  const std::string_view left = trim(body.substr(0, sep));
  std::string_view right = body.substr(sep + kSep.size());
  const size_t fence = right.find("```");
  const size_t nl = right.find('\n');
  if (fence != std::string_view::npos && nl != std::string_view::npos && nl < fence) {
    // V3/R1: TYPE<sep>NAME\n```json\nARGS\n```
    c.type = std::string(left);
    c.name = std::string(trim(right.substr(0, nl)));
    std::string_view args = right.substr(fence + 3);
    if (args.substr(0, 4) == "json") args.remove_prefix(4);
    const size_t close = args.rfind("```");
    if (close != std::string_view::npos) args = args.substr(0, close);
    c.arguments = std::string(trim(args));
  } else {  // V3.1: NAME<sep>ARGS
    c.name = std::string(left);
    c.arguments = std::string(trim(right));
  }
  return c;
}

StreamingOutputParser::StreamingOutputParser(OutputParserOptions opt)
    : mode_(opt.starts_in_thinking ? Mode::Reasoning : Mode::Start) {}

void StreamingOutputParser::step(OutputDelta& d, bool final) {
  for (;;) {
    if (mode_ == Mode::Start) {
      const size_t i = std::find_if(buf_.begin(), buf_.end(), [](char c) { return !is_ws(c); }) - buf_.begin();
      const std::string_view rest = std::string_view(buf_).substr(i);
      if (rest.substr(0, kThink.size()) == kThink) {
        buf_.erase(0, i + kThink.size());
        mode_ = Mode::Reasoning;
        reasoning_started_ = false;
        continue;
      }
      if (!final && (rest.empty() || kThink.compare(0, rest.size(), rest) == 0)) return;  // undecided
      mode_ = Mode::Content;
      continue;
    }
    if (mode_ == Mode::Reasoning) {
      if (!reasoning_started_) {  // drop leading whitespace and a repeated "<think>"
        const size_t i = std::find_if(buf_.begin(), buf_.end(), [](char c) { return !is_ws(c); }) - buf_.begin();
        const std::string_view rest = std::string_view(buf_).substr(i);
        if (rest.empty() && !final) {
          buf_.clear();
          return;
        }
        if (!final && rest.size() < kThink.size() && kThink.compare(0, rest.size(), rest) == 0) return;
        buf_.erase(0, i);
        if (buf_.compare(0, kThink.size(), kThink) == 0) {
          buf_.erase(0, kThink.size());
          continue;
        }
        reasoning_started_ = true;
      }
      const size_t end = buf_.find(kEndThink);
      if (end != std::string::npos) {
        std::string_view r(buf_.data(), end);
        while (!r.empty() && is_ws(r.back())) r.remove_suffix(1);
        d.reasoning += r;
        buf_.erase(0, end + kEndThink.size());
        mode_ = Mode::Content;
        skip_ws_ = true;
        continue;
      }
      // Emit all but a possible partial "</think>" and trailing whitespace (trimmed at the end).
      const size_t keep = final ? 0 : partial_tag(buf_, kEndThink);
      size_t n = buf_.size() - keep;
      while (n > 0 && is_ws(buf_[n - 1])) --n;
      d.reasoning += buf_.substr(0, n);
      buf_.erase(0, n);
      if (final) buf_.clear();
      return;
    }
    if (mode_ == Mode::Content) {
      if (skip_ws_) {
        const size_t i = std::find_if(buf_.begin(), buf_.end(), [](char c) { return !is_ws(c); }) - buf_.begin();
        buf_.erase(0, i);
        if (buf_.empty()) return;
        skip_ws_ = false;
      }
      const size_t b = buf_.find(kCallsBegin);
      if (b != std::string::npos) {
        d.content += buf_.substr(0, b);
        buf_.erase(0, b + kCallsBegin.size());
        mode_ = Mode::Tools;
        continue;
      }
      const size_t keep = final ? 0 : partial_tag(buf_, kCallsBegin);
      d.content += buf_.substr(0, buf_.size() - keep);
      buf_.erase(0, buf_.size() - keep);
      return;
    }
    // Tools: emit each complete call; after <｜tool▁calls▁end｜> the rest is content again.
    const size_t cb = buf_.find(kCallBegin), ce = buf_.find(kCallsEnd);
    if (cb != std::string::npos && (ce == std::string::npos || cb < ce)) {
      const size_t e = buf_.find(kCallEnd, cb);
      if (e == std::string::npos) {
        if (final) {  // cut off inside a call: keep the raw text as content
          d.content += buf_;
          buf_.clear();
        }
        return;
      }
      const size_t body = cb + kCallBegin.size();
      d.tool_calls.push_back(parse_tool_call(std::string_view(buf_).substr(body, e - body)));
      buf_.erase(0, e + kCallEnd.size());
      continue;
    }
    if (ce != std::string::npos) {
      buf_.erase(0, ce + kCallsEnd.size());
      mode_ = Mode::Content;
      skip_ws_ = true;
      continue;
    }
    if (final) buf_.clear();  // only whitespace between calls or a partial end tag
    return;
  }
}

OutputDelta StreamingOutputParser::feed(std::string_view delta) {
  OutputDelta d;
  if (finished_) return d;
  buf_.append(delta);
  step(d, false);
  return d;
}

OutputDelta StreamingOutputParser::finish() {
  OutputDelta d;
  if (finished_) return d;
  step(d, true);
  finished_ = true;
  return d;
}

ParsedOutput parse_output(std::string_view text, const OutputParserOptions& opt) {
  OutputParserOptions o = opt;
  if (!o.starts_in_thinking && text.find(kEndThink) != std::string_view::npos) {
    const std::string_view t = trim(text);
    if (t.substr(0, kThink.size()) != kThink) o.starts_in_thinking = true;  // opening tag missing
  }
  StreamingOutputParser p(o);
  ParsedOutput out;
  for (OutputDelta d : {p.feed(text), p.finish()}) {
    out.reasoning_content += d.reasoning;
    out.content += d.content;
    for (auto& c : d.tool_calls) out.tool_calls.push_back(std::move(c));
  }
  return out;
}

}  // namespace seek
