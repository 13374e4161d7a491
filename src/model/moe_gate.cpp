// Gate: scores -> (group mask) -> top-k on biased scores -> weights from unbiased scores.
#include "model/moe_gate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/numeric.h"

namespace seek {

namespace {

// Indices of the k largest values, best first; ties go to the lower index (deterministic).
void top_k(const float* v, int64_t n, int64_t k, int32_t* out) {
  for (int64_t j = 0; j < k; ++j) {
    int32_t best = -1;
    for (int64_t i = 0; i < n; ++i) {
      bool taken = false;
      for (int64_t q = 0; q < j; ++q) taken = taken || out[q] == i;
      if (taken) continue;
      if (best < 0 || v[i] > v[best]) best = static_cast<int32_t>(i);
    }
    out[j] = best;
  }
}

}  // namespace

void moe_route(const float* logits, const float* bias, const ModelConfig& c, int32_t* idx, float* weight,
               float* scratch) {
  const int64_t E = c.n_routed_experts, K = c.num_experts_per_tok;
  float* scores = scratch;   // [E] unbiased
  float* sel = scratch + E;  // [E] used only to choose
  for (int64_t e = 0; e < E; ++e) scores[e] = logits[e];
  if (c.scoring_func == "sigmoid") {
    for (int64_t e = 0; e < E; ++e) scores[e] = 1.0f / (1.0f + std::exp(-scores[e]));
  } else {
    softmax_inplace(scores, E);
  }
  for (int64_t e = 0; e < E; ++e) sel[e] = bias ? scores[e] + bias[e] : scores[e];

  if (c.n_group > 1) {
    const int64_t G = c.n_group, per = E / G;
    float group_score[256];
    int32_t keep[256];
    for (int64_t g = 0; g < G; ++g) {
      const float* s = sel + g * per;
      if (c.topk_method == "noaux_tc") {  // V3: sum of the group's two best
        int32_t two[2] = {0, 0};
        top_k(s, per, std::min<int64_t>(2, per), two);
        group_score[g] = s[two[0]] + (per > 1 ? s[two[1]] : 0.0f);
      } else {  // V2: the group's best
        group_score[g] = *std::max_element(s, s + per);
      }
    }
    top_k(group_score, G, c.topk_group, keep);
    for (int64_t g = 0; g < G; ++g) {
      bool kept = std::find(keep, keep + c.topk_group, static_cast<int32_t>(g)) != keep + c.topk_group;
      if (!kept)
        for (int64_t e = g * per; e < (g + 1) * per; ++e) sel[e] = -std::numeric_limits<float>::infinity();
    }
  }
  top_k(sel, E, K, idx);
  double sum = 0.0;
  for (int64_t j = 0; j < K; ++j) {
    weight[j] = scores[idx[j]];
    sum += weight[j];
  }
  if (c.norm_topk_prob) {
    for (int64_t j = 0; j < K; ++j) weight[j] = static_cast<float>(weight[j] / sum);
  }
  for (int64_t j = 0; j < K; ++j) weight[j] *= static_cast<float>(c.routed_scaling_factor);
}

}  // namespace seek
