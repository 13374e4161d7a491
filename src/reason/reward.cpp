// Tag parsing and the accuracy + format reward.
#include "reason/reward.h"

#include <array>

#include "core/error.h"

namespace seek::reason {
namespace {

size_t count(std::string_view s, std::string_view tag) {
  size_t n = 0;
  for (size_t p = s.find(tag); p != std::string_view::npos; p = s.find(tag, p + tag.size())) ++n;
  return n;
}

}  // namespace

ParsedCompletion parse_completion(std::string_view completion) {
  ParsedCompletion out;
  const std::string_view s = trim_ascii(completion);
  constexpr std::array<std::string_view, 4> tags = {"<think>", "</think>", "<answer>", "</answer>"};
  std::array<size_t, 4> n{}, pos{};
  for (size_t i = 0; i < 4; ++i) {
    n[i] = count(s, tags[i]);
    pos[i] = s.find(tags[i]);
  }
  if (n[2] == 1 && n[3] == 1 && pos[2] < pos[3]) {
    const size_t begin = pos[2] + tags[2].size();
    out.has_answer = true;
    out.answer = std::string(trim_ascii(s.substr(begin, pos[3] - begin)));
  }
  for (size_t i = 0; i < 4; ++i)
    if (n[i] != 1) {
      out.format_error = str("expected one ", tags[i], ", found ", n[i]);
      return out;
    }
  if (pos[0] != 0) {
    out.format_error = "text before <think>";
  } else if (!(pos[1] < pos[2] && pos[2] < pos[3])) {
    out.format_error = "tags out of order";
  } else if (!trim_ascii(s.substr(pos[1] + tags[1].size(), pos[2] - pos[1] - tags[1].size())).empty()) {
    out.format_error = "text between </think> and <answer>";
  } else if (pos[3] + tags[3].size() != s.size()) {
    out.format_error = "text after </answer>";
  } else if (out.answer.empty()) {
    out.format_error = "empty answer";
  } else {
    out.format_ok = true;
  }
  return out;
}

Reward score_completion(const Task& task, const Problem& p, std::string_view completion, const RewardConfig& c) {
  const ParsedCompletion parsed = parse_completion(completion);
  Reward r;
  r.format = parsed.format_ok ? 1.0 : 0.0;
  if (parsed.has_answer && !parsed.answer.empty() && parsed.answer.size() <= c.max_answer_chars)
    r.accuracy = task.check(p, parsed.answer);
  r.total = c.accuracy_weight * r.accuracy + c.format_weight * r.format;
  return r;
}

}  // namespace seek::reason
