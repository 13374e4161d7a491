// Sequences (prompt + completion) packed into the [B, T] token matrix a TrainModel forward takes,
// with the row -> scored token map: row (b, t) predicts token t + 1 of sequence b and is scored
// when that token belongs to the completion. Shared by GRPO, SFT and distillation.
#pragma once
#include <cstdint>
#include <vector>

namespace seek::reason {

struct SequenceBatch {
  std::vector<std::vector<int32_t>> tokens;  // [S] prompt then completion
  std::vector<int64_t> prompt_len;           // [S] >= 1; tokens past it are scored
  int64_t size() const { return static_cast<int64_t>(tokens.size()); }
  int64_t completion_len(int64_t s) const { return static_cast<int64_t>(tokens[s].size()) - prompt_len[s]; }
  void add(std::vector<int32_t> prompt_then_completion, int64_t prompt_length);  // asserts 1 <= len <= size
};

// Sequences [begin, end) of a batch padded (right) to the longest: tokens [B, T] and per row the
// target id, the sequence index s (or -1 when unscored) and the completion token index k.
struct PackedRows {
  int64_t B = 0, T = 0;
  std::vector<int32_t> tokens;  // [B, T]
  std::vector<int32_t> target;  // [B * T] (0 where unscored)
  std::vector<int64_t> seq;     // [B * T] sequence index or -1
  std::vector<int64_t> k;       // [B * T] index of the predicted token within its completion
};
PackedRows pack_rows(const SequenceBatch& b, int64_t begin, int64_t end, int32_t pad_id);

}  // namespace seek::reason
