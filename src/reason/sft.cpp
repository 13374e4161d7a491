// Masked-CE SFT over packed prompt + completion sequences, and its training loop.
#include "reason/sft.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "reason/grpo_trainer.h"
#include "reason/token_losses.h"

namespace seek::reason {

void add_sft_sequence(SequenceBatch& b, const Tokenizer& tok, const std::vector<int32_t>& prompt,
                      const std::string& completion) {
  std::vector<int32_t> seq = prompt;
  const std::vector<int32_t> c = tok.encode(completion, false, false);
  seq.insert(seq.end(), c.begin(), c.end());
  if (tok.eos() >= 0) seq.push_back(tok.eos());
  b.add(std::move(seq), static_cast<int64_t>(prompt.size()));
}

SftLoss accumulate_completion_loss(TrainModel& m, const SequenceBatch& b, int64_t micro_batch, ThreadPool& pool,
                                   int32_t pad_id, const CompletionStep& step) {
  if (micro_batch < 1) throw UsageError(str("micro batch: expected >= 1, got ", micro_batch));
  SftLoss out;
  for (int64_t s = 0; s < b.size(); ++s) out.n_tokens += b.completion_len(s);
  if (out.n_tokens == 0) return out;
  const double w_tok = 1.0 / static_cast<double>(out.n_tokens);
  LossWeights lw;
  lw.lambda_mtp = 0;
  lw.alpha = 0;
  for (int64_t begin = 0; begin < b.size(); begin += micro_batch) {
    const PackedRows r = pack_rows(b, begin, std::min(b.size(), begin + micro_batch), pad_id);
    std::vector<double> w(r.B * r.T, 0.0);
    for (size_t row = 0; row < w.size(); ++row) w[row] = r.seq[row] >= 0 ? w_tok : 0.0;
    out.loss += step(r, w.data());
    m.backward(lw, pool);
  }
  return out;
}

SftLoss sft_accumulate(TrainModel& m, const SequenceBatch& b, int64_t micro_batch, ThreadPool& pool, int32_t pad_id) {
  const int64_t V = m.config().vocab_size;
  return accumulate_completion_loss(m, b, micro_batch, pool, pad_id, [&](const PackedRows& r, const double* w) {
    m.forward(r.tokens.data(), r.B, r.T, pool);
    return masked_ce_backward(m.logits(), r.B * r.T, V, r.target.data(), w, m.dlogits(), &pool).loss;
  });
}

void SftConfig::validate() const {
  if (steps < 0) throw UsageError(str("sft steps: expected >= 0, got ", steps));
  if (batch < 1) throw UsageError(str("sft batch: expected >= 1, got ", batch));
  if (micro_batch < 1) throw UsageError(str("micro batch: expected >= 1, got ", micro_batch));
  if (!(lr >= 0)) throw UsageError(str("learning rate: expected >= 0, got ", lr));
}

nlohmann::json sft_stats_to_json(const SftStepStats& s) {
  return {{"step", s.step}, {"loss", s.loss},     {"grad_norm", s.grad_norm},
          {"lr", s.lr},     {"tokens", s.tokens}, {"seconds", s.seconds}};
}

SftTrainer::SftTrainer(TrainModel& m, const Tokenizer& tok, const SftConfig& c, ThreadPool& pool, SequenceBatch data)
    : m_(m), tok_(tok), c_(c), pool_(pool), data_(std::move(data)), task_(make_task(c.task)) {
  c_.validate();
  if (c_.difficulty == 0) c_.difficulty = task_->default_difficulty();
  adam_ = std::make_unique<AdamW>(m.n_params());
}

SftTrainer::~SftTrainer() = default;

SftStepStats SftTrainer::step() {
  const auto t0 = std::chrono::steady_clock::now();
  SftStepStats st;
  st.step = ++step_;
  SequenceBatch b;
  for (int64_t j = 0; j < c_.batch; ++j) {
    const uint64_t index = static_cast<uint64_t>((step_ - 1) * c_.batch + j);
    if (data_.size() > 0) {  // cycle through the given sequences
      const int64_t s = static_cast<int64_t>(index % static_cast<uint64_t>(data_.size()));
      b.add(data_.tokens[s], data_.prompt_len[s]);
    } else {
      const Problem p = sample_problem(*task_, Split::Train, c_.split, mix_seed(c_.seed, index), c_.difficulty);
      add_sft_sequence(b, tok_, encode_prompt(tok_, p), task_->worked_solution(p));
    }
  }
  m_.zero_grad();
  const SftLoss l = sft_accumulate(m_, b, c_.micro_batch, pool_);
  st.grad_norm = adam_->step(m_, c_.lr, c_.adam, pool_);
  st.loss = l.loss;
  st.tokens = l.n_tokens;
  st.lr = c_.lr;
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

}  // namespace seek::reason
