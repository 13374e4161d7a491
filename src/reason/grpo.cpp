// GRPO advantages, token weights, the clipped surrogate with the k3 KL, and its logits gradient.
#include "reason/grpo.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/numeric.h"
#include "reason/for_rows.h"

namespace seek::reason {

GrpoConfig GrpoConfig::grpo() { return GrpoConfig{}; }

GrpoConfig GrpoConfig::dr_grpo(int64_t budget) {
  GrpoConfig c;
  c.scale_by_std = false;
  c.aggregation = LossAggregation::ConstantLength;
  c.constant_length = budget;
  return c;
}

GrpoConfig GrpoConfig::dapo() {
  GrpoConfig c;
  c.eps_high = 0.28;
  c.beta = 0.0;
  c.aggregation = LossAggregation::TokenMean;
  c.drop_equal_groups = true;
  return c;
}

void GrpoConfig::validate() const {
  if (group_size < 1) throw UsageError(str("GRPO group size: expected >= 1, got ", group_size));
  if (!(eps_low >= 0 && eps_low < 1)) throw UsageError(str("GRPO eps_low: expected in [0, 1), got ", eps_low));
  if (!(eps_high >= 0)) throw UsageError(str("GRPO eps_high: expected >= 0, got ", eps_high));
  if (!(beta >= 0)) throw UsageError(str("GRPO beta: expected >= 0, got ", beta));
  if (!(std_eps >= 0)) throw UsageError(str("GRPO std_eps: expected >= 0, got ", std_eps));
  if (aggregation == LossAggregation::ConstantLength && constant_length < 1)
    throw UsageError(str("GRPO constant length (Dr. GRPO normaliser): expected >= 1, got ", constant_length));
}

std::vector<double> group_advantages(const std::vector<double>& rewards, const GrpoConfig& c) {
  const int64_t S = static_cast<int64_t>(rewards.size()), G = c.group_size;
  if (G < 1 || S % G != 0)
    throw UsageError(str("GRPO rewards: expected a multiple of the group size ", G, ", got ", S));
  std::vector<double> adv(S, 0.0);
  for (int64_t g = 0; g < S; g += G) {
    double mean = 0;
    for (int64_t i = g; i < g + G; ++i) mean += rewards[i];
    mean /= static_cast<double>(G);
    double ss = 0;
    bool all_equal = true;
    for (int64_t i = g; i < g + G; ++i) {
      ss += (rewards[i] - mean) * (rewards[i] - mean);
      all_equal = all_equal && rewards[i] == rewards[g];
    }
    if (all_equal) continue;  // exactly 0, not rounding noise over eps
    const double sd = G > 1 ? std::sqrt(ss / static_cast<double>(G - 1)) : 0.0;
    const double scale = c.scale_by_std ? 1.0 / (sd + c.std_eps) : 1.0;
    for (int64_t i = g; i < g + G; ++i) adv[i] = (rewards[i] - mean) * scale;
  }
  return adv;
}

std::vector<uint8_t> informative_sequences(const std::vector<double>& rewards, int64_t G) {
  const int64_t S = static_cast<int64_t>(rewards.size());
  if (G < 1 || S % G != 0)
    throw UsageError(str("GRPO rewards: expected a multiple of the group size ", G, ", got ", S));
  std::vector<uint8_t> keep(S, 0);
  for (int64_t g = 0; g < S; g += G) {
    bool varied = false;
    for (int64_t i = g + 1; i < g + G; ++i) varied = varied || rewards[i] != rewards[g];
    std::fill(keep.begin() + g, keep.begin() + g + G, varied ? 1 : 0);
  }
  return keep;
}

std::vector<double> sequence_token_weights(const std::vector<int64_t>& lengths, const std::vector<uint8_t>& keep,
                                           const GrpoConfig& c) {
  SEEK_ASSERT(lengths.size() == keep.size());
  int64_t n_seqs = 0, n_tokens = 0;
  for (size_t i = 0; i < lengths.size(); ++i)
    if (keep[i] && lengths[i] > 0) {
      ++n_seqs;
      n_tokens += lengths[i];
    }
  std::vector<double> w(lengths.size(), 0.0);
  if (n_seqs == 0) return w;
  for (size_t i = 0; i < lengths.size(); ++i) {
    if (!keep[i] || lengths[i] <= 0) continue;
    switch (c.aggregation) {
      case LossAggregation::SequenceMean: w[i] = 1.0 / (static_cast<double>(n_seqs) * lengths[i]); break;
      case LossAggregation::TokenMean: w[i] = 1.0 / static_cast<double>(n_tokens); break;
      case LossAggregation::ConstantLength:
        w[i] = 1.0 / (static_cast<double>(n_seqs) * static_cast<double>(c.constant_length));
        break;
    }
  }
  return w;
}

double k3_kl(double logp, double logp_ref) {
  const double d = logp_ref - logp;
  return std::exp(d) - d - 1.0;
}

TokenTerms grpo_token(double logp, double logp_old, double logp_ref, double A, const GrpoConfig& c) {
  TokenTerms t;
  const double rho = std::exp(logp - logp_old);
  const double clipped = std::clamp(rho, 1.0 - c.eps_low, 1.0 + c.eps_high);
  const double s1 = rho * A, s2 = clipped * A;
  // min picks the clipped term only when it is strictly smaller: then rho is outside the
  // range on the side the advantage pushes towards, and the surrogate is flat in logp.
  t.clipped = s2 < s1;
  t.pg = -(t.clipped ? s2 : s1);
  const double dpg = t.clipped ? 0.0 : -A * rho;  // d(-rho A)/dlogp = -A rho
  t.kl = k3_kl(logp, logp_ref);                   // logged even when beta == 0
  t.dlogp = dpg + (c.beta > 0 ? c.beta * (1.0 - std::exp(logp_ref - logp)) : 0.0);
  return t;
}

namespace {

void check_targets(const int32_t* target, int64_t N, int64_t V, const double* weight) {
  for (int64_t i = 0; i < N; ++i)
    if ((!weight || weight[i] != 0) && (target[i] < 0 || target[i] >= V))
      throw UsageError(str("GRPO token row ", i, ": target id ", target[i], " outside the vocabulary [0, ", V, ")"));
}

}  // namespace

void token_logprobs(const float* logits, int64_t N, int64_t V, const int32_t* target, float* logp, ThreadPool* pool) {
  check_targets(target, N, V, nullptr);
  for_rows(N, pool, [&](int64_t i) {
    const double lse = log_sum_exp_f64(logits + i * V, V);
    logp[i] = static_cast<float>(static_cast<double>(logits[i * V + target[i]]) - lse);
  });
}

GrpoStats grpo_loss_backward(const GrpoTokenBatch& b, const GrpoConfig& c, float* dlogits, ThreadPool* pool) {
  c.validate();
  SEEK_ASSERT(b.logits && b.target && b.logp_old && b.advantage && b.weight && b.V > 0);
  if (c.beta > 0 && !b.logp_ref) throw UsageError("GRPO: beta > 0 needs reference log-probs");
  check_targets(b.target, b.N, b.V, b.weight);
  const int64_t N = b.N, V = b.V;
  std::vector<TokenTerms> terms(N);
  std::vector<double> ratio(N, 0.0);
  for_rows(N, pool, [&](int64_t i) {
    float* d = dlogits ? dlogits + i * V : nullptr;
    if (b.weight[i] == 0) {
      if (d) std::fill(d, d + V, 0.0f);
      return;
    }
    const float* x = b.logits + i * V;
    const double lse = log_sum_exp_f64(x, V);
    const double logp = static_cast<double>(x[b.target[i]]) - lse;
    terms[i] = grpo_token(logp, b.logp_old[i], b.logp_ref ? b.logp_ref[i] : logp, b.advantage[i], c);
    ratio[i] = std::exp(logp - b.logp_old[i]);
    if (!d) return;
    // d logp / d x_v = 1[v == target] - softmax(x)_v
    const double g = b.weight[i] * terms[i].dlogp;
    for (int64_t v = 0; v < V; ++v) d[v] = static_cast<float>(-g * std::exp(static_cast<double>(x[v]) - lse));
    d[b.target[i]] = static_cast<float>(g * (1.0 - std::exp(logp)));
  });
  GrpoStats s;
  for (int64_t i = 0; i < N; ++i) {
    if (b.weight[i] == 0) continue;
    s.pg_loss += b.weight[i] * terms[i].pg;
    s.loss += b.weight[i] * (terms[i].pg + c.beta * terms[i].kl);
    s.kl += terms[i].kl;
    s.clip_frac += terms[i].clipped ? 1.0 : 0.0;
    s.ratio_mean += ratio[i];
    ++s.n_tokens;
  }
  if (s.n_tokens) {
    s.kl /= static_cast<double>(s.n_tokens);
    s.clip_frac /= static_cast<double>(s.n_tokens);
    s.ratio_mean /= static_cast<double>(s.n_tokens);
  }
  return s;
}

std::string aggregation_name(LossAggregation a) {
  switch (a) {
    case LossAggregation::SequenceMean: return "seq-mean";
    case LossAggregation::TokenMean: return "token-mean";
    case LossAggregation::ConstantLength: return "constant";
  }
  return "?";
}

LossAggregation parse_aggregation(const std::string& s) {
  if (s == "seq-mean") return LossAggregation::SequenceMean;
  if (s == "token-mean") return LossAggregation::TokenMean;
  if (s == "constant") return LossAggregation::ConstantLength;
  throw UsageError(str("loss aggregation '", s, "': expected seq-mean, token-mean or constant"));
}

}  // namespace seek::reason
