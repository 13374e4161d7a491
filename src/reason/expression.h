// An exact evaluator for the arithmetic expressions a model writes as a Countdown answer:
// integers, + - * /, parentheses, ASCII whitespace. A recursive-descent parser of our own (no
// eval), evaluated in exact rationals; it records every literal so the caller can check which
// given numbers were used. Anything else (unary minus, ^, decimals, non-ASCII digits) is an error.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reason/rational.h"

namespace seek::reason {

struct ExprLimits {
  size_t max_chars = 512;  // longer answers are rejected before parsing
  int max_depth = 32;      // parenthesis nesting
  int max_digits = 18;     // per literal, so every literal fits int64
};

struct ExprResult {
  bool ok = false;
  Rational value;
  std::vector<int64_t> literals;  // in the order written
  std::string error;              // why not ok: "division by zero at 7", "unexpected '^' at 3"
};

// Never throws on any input; failures come back as ok = false with a reason.
ExprResult evaluate_expression(std::string_view text, const ExprLimits& limits = {});

}  // namespace seek::reason
