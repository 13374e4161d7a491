// Right-padded packing of prompt + completion sequences for TrainModel::forward. Padding sits
// after each sequence, so causal attention keeps it from touching the scored rows.
#include "reason/sequence_batch.h"

#include <algorithm>

#include "core/error.h"

namespace seek::reason {

void SequenceBatch::add(std::vector<int32_t> seq, int64_t prompt_length) {
  SEEK_ASSERT(prompt_length >= 1 && prompt_length <= static_cast<int64_t>(seq.size()));
  tokens.push_back(std::move(seq));
  prompt_len.push_back(prompt_length);
}

PackedRows pack_rows(const SequenceBatch& b, int64_t begin, int64_t end, int32_t pad_id) {
  SEEK_ASSERT(0 <= begin && begin < end && end <= b.size());
  PackedRows r;
  r.B = end - begin;
  for (int64_t s = begin; s < end; ++s) r.T = std::max<int64_t>(r.T, static_cast<int64_t>(b.tokens[s].size()));
  r.tokens.assign(r.B * r.T, pad_id);
  r.target.assign(r.B * r.T, 0);
  r.seq.assign(r.B * r.T, -1);
  r.k.assign(r.B * r.T, 0);
  for (int64_t i = 0; i < r.B; ++i) {
    const auto& t = b.tokens[begin + i];
    const int64_t len = static_cast<int64_t>(t.size()), P = b.prompt_len[begin + i];
    std::copy(t.begin(), t.end(), r.tokens.begin() + i * r.T);
    for (int64_t pos = P - 1; pos + 1 < len; ++pos) {  // row pos predicts token pos + 1
      const int64_t row = i * r.T + pos;
      r.target[row] = t[pos + 1];
      r.seq[row] = begin + i;
      r.k[row] = pos + 1 - P;
    }
  }
  return r;
}

}  // namespace seek::reason
