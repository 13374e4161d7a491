// Micro-batched GRPO forward/backward over packed rollouts (reason/sequence_batch.h).
#include "reason/grpo_step.h"

#include <algorithm>

#include "core/error.h"

namespace seek::reason {

TokenLogprobs completion_logprobs(TrainModel& m, const SequenceBatch& b, int64_t micro_batch, ThreadPool& pool,
                                  int32_t pad_id) {
  if (micro_batch < 1) throw UsageError(str("micro batch: expected >= 1, got ", micro_batch));
  TokenLogprobs out(b.size());
  for (int64_t s = 0; s < b.size(); ++s) out[s].assign(b.completion_len(s), 0.0f);
  const int64_t V = m.config().vocab_size;
  for (int64_t begin = 0; begin < b.size(); begin += micro_batch) {
    const int64_t end = std::min(b.size(), begin + micro_batch);
    const PackedRows r = pack_rows(b, begin, end, pad_id);
    m.forward(r.tokens.data(), r.B, r.T, pool);
    std::vector<float> lp(r.B * r.T);
    token_logprobs(m.logits(), r.B * r.T, V, r.target.data(), lp.data(), &pool);
    for (int64_t row = 0; row < r.B * r.T; ++row)
      if (r.seq[row] >= 0) out[r.seq[row]][r.k[row]] = lp[row];
  }
  return out;
}

GrpoStats grpo_accumulate(TrainModel& policy, const GrpoBatch& in, const GrpoConfig& c, int64_t micro_batch,
                          ThreadPool& pool, float grad_scale, int32_t pad_id) {
  c.validate();
  if (micro_batch < 1) throw UsageError(str("micro batch: expected >= 1, got ", micro_batch));
  const SequenceBatch& b = *in.seqs;
  SEEK_ASSERT(static_cast<int64_t>(in.advantage.size()) == b.size() &&
              static_cast<int64_t>(in.weight.size()) == b.size());
  if (c.beta > 0 && !in.logp_ref) throw UsageError("GRPO: beta > 0 needs reference log-probs");
  const int64_t V = policy.config().vocab_size;
  LossWeights lw;
  lw.lambda_mtp = 0;  // RL trains the main head only; MTP and balance terms stay out of the loss
  lw.alpha = 0;
  GrpoStats total;
  double kl_sum = 0, clip_sum = 0, ratio_sum = 0;
  for (int64_t begin = 0; begin < b.size(); begin += micro_batch) {
    const int64_t end = std::min(b.size(), begin + micro_batch);
    bool any = false;
    // a sequence adds to the gradient only with a weight, tokens, and an advantage or a KL term
    for (int64_t s = begin; s < end; ++s)
      any = any || (in.weight[s] != 0 && b.completion_len(s) > 0 && (in.advantage[s] != 0 || c.beta > 0));
    if (!any) continue;
    const PackedRows r = pack_rows(b, begin, end, pad_id);
    const int64_t N = r.B * r.T;
    policy.forward(r.tokens.data(), r.B, r.T, pool);
    std::vector<float> old(N, 0.0f), ref(N, 0.0f);
    std::vector<double> adv(N, 0.0), w(N, 0.0);
    if (!in.logp_old) token_logprobs(policy.logits(), N, V, r.target.data(), old.data(), &pool);
    for (int64_t row = 0; row < N; ++row) {
      const int64_t s = r.seq[row];
      if (s < 0) continue;
      adv[row] = in.advantage[s];
      w[row] = in.weight[s];
      if (in.logp_old) old[row] = (*in.logp_old)[s].at(r.k[row]);
      if (in.logp_ref) ref[row] = (*in.logp_ref)[s].at(r.k[row]);
    }
    GrpoTokenBatch tb{policy.logits(), N,       V, r.target.data(), old.data(), in.logp_ref ? ref.data() : nullptr,
                      adv.data(),      w.data()};
    const GrpoStats st = grpo_loss_backward(tb, c, policy.dlogits(), &pool);
    policy.backward(lw, pool, grad_scale);
    total.loss += st.loss;
    total.pg_loss += st.pg_loss;
    kl_sum += st.kl * st.n_tokens;
    clip_sum += st.clip_frac * st.n_tokens;
    ratio_sum += st.ratio_mean * st.n_tokens;
    total.n_tokens += st.n_tokens;
  }
  if (total.n_tokens) {
    total.kl = kl_sum / total.n_tokens;
    total.clip_frac = clip_sum / total.n_tokens;
    total.ratio_mean = ratio_sum / total.n_tokens;
  }
  return total;
}

}  // namespace seek::reason
