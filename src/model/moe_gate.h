// DeepSeekMoE routing, exactly deepseek.md 2.2 (= DeepSeek-V3 inference/model.py's Gate):
// scores by softmax or sigmoid; the correction bias only chooses; group-limited top-k with
// dropped groups at -inf; weights are the unbiased scores, optionally renormalised, then scaled.
#pragma once
#include <cstdint>

#include "model/config.h"

namespace seek {

// logits [E] (router output, f32); bias [E] or null. Writes k = num_experts_per_tok expert ids
// (in selection order: best first) to idx and their weights to weight. scratch: >= 2*E floats.
void moe_route(const float* logits, const float* bias, const ModelConfig& c, int32_t* idx, float* weight,
               float* scratch);

}  // namespace seek
