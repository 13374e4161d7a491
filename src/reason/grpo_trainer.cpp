// One GRPO step: rollouts -> rewards -> advantages -> reference log-probs -> PPO epochs.
#include "reason/grpo_trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "dist/comm.h"
#include "dist/rollouts.h"
#include "reason/grpo_step.h"
#include "reason/rollout.h"

namespace seek::reason {

void RlConfig::validate() const {
  if (steps < 0) throw UsageError(str("rl steps: expected >= 0, got ", steps));
  if (phrasing == Phrasing::HeldOut) throw UsageError("rl phrasing: held-out wordings are for evaluation only");
  if (prompts_per_step < 1) throw UsageError(str("prompts per step: expected >= 1, got ", prompts_per_step));
  if (max_new_tokens < 1) throw UsageError(str("max new tokens: expected >= 1, got ", max_new_tokens));
  if (!(temperature >= 0)) throw UsageError(str("temperature: expected >= 0, got ", temperature));
  if (inner_epochs < 1) throw UsageError(str("inner epochs: expected >= 1, got ", inner_epochs));
  if (micro_batch < 1) throw UsageError(str("micro batch: expected >= 1, got ", micro_batch));
  if (!(lr >= 0)) throw UsageError(str("learning rate: expected >= 0, got ", lr));
  if (!(replay_share >= 0 && replay_share <= 1))
    throw UsageError(str("replay share: expected 0..1, got ", replay_share));
  if (replay_share > 0 && replay_difficulty == 0) throw UsageError("replay share given without a replay difficulty");
  grpo.validate();
}

nlohmann::json rl_stats_to_json(const RlStepStats& s) {
  return {{"step", s.step},
          {"reward", s.reward},
          {"accuracy", s.accuracy},
          {"format", s.format},
          {"response_length", s.response_length},
          {"kl", s.kl},
          {"clip_frac", s.clip_frac},
          {"loss", s.loss},
          {"grad_norm", s.grad_norm},
          {"lr", s.lr},
          {"n_sequences", s.n_sequences},
          {"n_kept", s.n_kept},
          {"rollout_s", s.rollout_s},
          {"update_s", s.update_s}};
}

std::unique_ptr<TrainModel> clone_weights(TrainModel& m) {
  auto c = std::make_unique<TrainModel>(m.config(), 0);
  std::memcpy(c->params(), m.params(), sizeof(float) * m.n_params());
  c->router_bias() = m.router_bias();
  return c;
}

std::unique_ptr<Tokenizer> load_tokenizer_for(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) {
    const fs::path j = fs::path(path) / "tokenizer.json";
    if (!fs::exists(j)) throw Error(str("model directory ", path, ": no tokenizer.json"));
    return Tokenizer::from_hf_json(j.string());
  }
  return Tokenizer::from_gguf_path(path);
}

std::vector<int32_t> encode_prompt(const Tokenizer& tok, const Problem& p) {
  return tok.encode(r1_zero_prompt(p.question), tok.add_bos_default(), false);
}

GrpoTrainer::GrpoTrainer(TrainModel& policy, const Tokenizer& tok, const RlConfig& c, ThreadPool& pool)
    : policy_(policy), tok_(tok), c_(c), pool_(pool), task_(make_task(c.task)) {
  c_.validate();
  if (c_.difficulty == 0) c_.difficulty = task_->default_difficulty();
  if (const int d = c_.replay_difficulty; d != 0 && (d < task_->min_difficulty() || d > task_->max_difficulty()))
    throw UsageError(str("replay difficulty ", d, ": task ", c_.task, " accepts ", task_->min_difficulty(), "..",
                         task_->max_difficulty()));
  if (tok.n_vocab() > policy.config().vocab_size)
    throw UsageError(str("tokenizer has ", tok.n_vocab(), " tokens but the model's vocabulary is ",
                         policy.config().vocab_size));
  if (c_.grpo.beta > 0) ref_ = clone_weights(policy);
  adam_ = std::make_unique<AdamW>(policy.n_params());
}

GrpoTrainer::~GrpoTrainer() = default;

namespace {
double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

namespace {

// Under mpirun each rank generates the groups of its share of the prompts (sequence i keeps the
// seed sampling.seed + i it has in one process) and gather_rollouts hands every rank all of them in
// prompt order; every rank then takes the same update, so the policies stay identical.
std::vector<Completion> spread_rollout(Model& m, const Tokenizer& tok, const std::vector<std::vector<int32_t>>& prompts,
                                       RolloutOptions ro, ThreadPool& pool) {
  Comm& comm = Comm::world();
  if (comm.size() == 1) return rollout(m, tok, prompts, ro, pool);
  const Share mine = share_of(static_cast<int64_t>(prompts.size()), comm);
  const std::vector<std::vector<int32_t>> my_prompts(prompts.begin() + mine.begin, prompts.begin() + mine.end);
  ro.sampling.seed += static_cast<uint64_t>(mine.begin * ro.group_size);
  std::vector<Completion> local;
  if (!my_prompts.empty()) local = rollout(m, tok, my_prompts, ro, pool);
  std::vector<Rollout> sent(local.size());
  for (size_t i = 0; i < local.size(); ++i) {
    sent[i].prompt = mine.begin + static_cast<int64_t>(i) / ro.group_size;
    sent[i].tokens = std::move(local[i].tokens);  // the completion only (prompt_len 0)
  }
  std::vector<Completion> all;
  for (Rollout& r : gather_rollouts(comm, sent)) {
    Completion c;
    c.prompt_index = r.prompt;
    c.tokens = std::move(r.tokens);
    c.stopped = !c.tokens.empty() && tok.is_eog(c.tokens.back());  // as rollout() sets it
    std::vector<int32_t> ids = c.tokens;
    if (c.stopped) ids.pop_back();
    c.text = tok.decode(ids, false);
    all.push_back(std::move(c));
  }
  if (all.size() != prompts.size() * static_cast<size_t>(ro.group_size))
    throw Error(str("GRPO rollouts: gathered ", all.size(), " completions, expected ", prompts.size() * ro.group_size));
  return all;
}

}  // namespace

RlStepStats GrpoTrainer::step() {
  const auto t0 = std::chrono::steady_clock::now();
  RlStepStats st;
  st.step = ++step_;
  const int64_t P = c_.prompts_per_step, G = c_.grpo.group_size;
  std::vector<Problem> problems;
  std::vector<std::vector<int32_t>> prompts;
  // the first round(P * replay_share) prompts of a step come from the replay difficulty
  const int64_t n_replay = static_cast<int64_t>(std::llround(static_cast<double>(P) * c_.replay_share));
  for (int64_t j = 0; j < P; ++j) {
    const uint64_t index = static_cast<uint64_t>((step_ - 1) * P + j);
    const int difficulty = j < n_replay ? c_.replay_difficulty : c_.difficulty;
    problems.push_back(rephrase(*task_,
                                sample_problem(*task_, Split::Train, c_.split, mix_seed(c_.seed, index), difficulty),
                                c_.phrasing, mix_seed(c_.seed ^ 0x9A5Eull, index)));
    prompts.push_back(encode_prompt(tok_, problems.back()));
  }
  RolloutOptions ro;
  ro.group_size = G;
  ro.max_new_tokens = c_.max_new_tokens;
  ro.sampling.temperature = static_cast<float>(c_.temperature);
  ro.sampling.seed = mix_seed(c_.seed ^ 0x5EEDull, static_cast<uint64_t>(step_));
  std::vector<Completion> comps;
  {
    std::unique_ptr<Model> infer = policy_.to_inference_model();
    comps = spread_rollout(*infer, tok_, prompts, ro, pool_);
  }
  st.rollout_s = since(t0);

  const int64_t S = P * G;
  std::vector<double> rewards(S);
  std::vector<int64_t> lengths(S);
  SequenceBatch batch;
  for (int64_t s = 0; s < S; ++s) {
    const Reward r = score_completion(*task_, problems[s / G], comps[s].text, c_.reward);
    rewards[s] = r.total;
    st.reward += r.total / S;
    st.accuracy += r.accuracy / S;
    st.format += r.format / S;
    lengths[s] = static_cast<int64_t>(comps[s].tokens.size());
    st.response_length += static_cast<double>(lengths[s]) / S;
    std::vector<int32_t> seq = prompts[s / G];
    seq.insert(seq.end(), comps[s].tokens.begin(), comps[s].tokens.end());
    batch.add(std::move(seq), static_cast<int64_t>(prompts[s / G].size()));
  }
  GrpoBatch gb;
  gb.seqs = &batch;
  gb.advantage = group_advantages(rewards, c_.grpo);
  std::vector<uint8_t> keep(S, 1);
  if (c_.grpo.drop_equal_groups) keep = informative_sequences(rewards, G);
  gb.weight = sequence_token_weights(lengths, keep, c_.grpo);
  st.n_sequences = S;
  for (int64_t s = 0; s < S; ++s) st.n_kept += gb.weight[s] != 0;
  st.lr = c_.lr;

  const auto t1 = std::chrono::steady_clock::now();
  if (st.n_kept > 0) {
    TokenLogprobs ref, old;
    if (ref_) {
      ref = completion_logprobs(*ref_, batch, c_.micro_batch, pool_);
      gb.logp_ref = &ref;
    }
    // Epoch 1 uses the policy's own log-probs as the old ones (ratio 1); later epochs need them fixed.
    if (c_.inner_epochs > 1) {
      old = completion_logprobs(policy_, batch, c_.micro_batch, pool_);
      gb.logp_old = &old;
    }
    for (int64_t e = 0; e < c_.inner_epochs; ++e) {
      policy_.zero_grad();
      const GrpoStats gs = grpo_accumulate(policy_, gb, c_.grpo, c_.micro_batch, pool_);
      st.grad_norm = adam_->step(policy_, c_.lr, c_.adam, pool_);
      if (e == 0) {  // report the first epoch: the rollout policy's loss and KL
        st.loss = gs.loss;
        st.kl = gs.kl;
      }
      st.clip_frac = gs.clip_frac;  // last epoch: how much of the update the clip held back
    }
  }
  st.update_s = since(t1);
  return st;
}

}  // namespace seek::reason
