// Rule-based rewards of R1-Zero (deepseek.md 7): accuracy (the task's checker on the one final
// answer) plus format (<think>...</think> then <answer>...</answer>, each tag exactly once, in
// order, nothing around them), with equal weights by default. Parsing is strict so hedging
// (several answers, an answer inside the reasoning) earns nothing.
#pragma once
#include <string>
#include <string_view>

#include "reason/task.h"

namespace seek::reason {

struct ParsedCompletion {
  bool has_answer = false;   // exactly one <answer> and one </answer>, in that order
  std::string answer;        // between them, ASCII whitespace trimmed
  bool format_ok = false;    // the whole completion is <think>R</think> <answer>A</answer>, A non-empty
  std::string format_error;  // why not format_ok
};

// Never throws. Leading/trailing ASCII whitespace of the completion is ignored.
ParsedCompletion parse_completion(std::string_view completion);

struct RewardConfig {
  double accuracy_weight = 1.0;
  double format_weight = 1.0;
  size_t max_answer_chars = 1024;  // longer answers score 0 accuracy
  // TinyZero's Countdown scoring (1.0 right, 0.1 well-formed but wrong) is weights 0.9 / 0.1.
};

struct Reward {
  double accuracy = 0;  // 0 or 1
  double format = 0;    // 0 or 1
  double total = 0;     // accuracy_weight * accuracy + format_weight * format
};

Reward score_completion(const Task& task, const Problem& p, std::string_view completion, const RewardConfig& c = {});

}  // namespace seek::reason
