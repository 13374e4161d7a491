// The pretraining loop (see trainer.h). Data-parallel: every rank reads its own windows of each
// global batch, gradients are summed over ranks with each micro-batch pre-scaled by
// 1/(grad_accum * world) (bucketed all-reduce started by backward's grad-ready calls on the last
// micro-batch), expert loads are summed before the bias update, rank 0 writes. With expert
// parallelism the routed experts' gradients stay on their owners (ExpertShard) and rank 0
// gathers the experts before it writes a checkpoint or the GGUF.
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/numeric.h"
#include "core/progress.h"
#include "dist/comm.h"
#include "train/export_gguf.h"

namespace seek {

namespace {

using Clock = std::chrono::steady_clock;

nlohmann::json param_table(const TrainModel& m) {
  nlohmann::json t = nlohmann::json::array();
  for (const ParamInfo& p : m.param_info())
    t.push_back({{"name", p.name}, {"shape", p.shape}, {"offset", p.offset}, {"numel", p.numel}});
  return t;
}

std::string fixed(double v, int prec) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(prec);
  os << v;
  return os.str();
}

// The checkpoint's settings into c; returns the number of ranks that wrote it ("world", stored
// beside the settings), 0 for a checkpoint older than that key.
int read_saved_config(TrainConfig& c, nlohmann::json j, const std::string& path) {
  int world = 0;
  if (j.is_object() && j.contains("world")) {
    if (!j["world"].is_number_integer() || j["world"].get<int64_t>() < 1)
      throw FormatError(str("checkpoint ", path, ": 'world' must be a positive integer, got ", j["world"].dump()));
    world = j["world"].get<int>();
    j.erase("world");
  }
  train_config_update(c, j, path);
  return world;
}

}  // namespace

TrainConfig resume_base_config(const std::string& file_or_dir) {
  const std::string path = resolve_checkpoint(file_or_dir);
  if (path.empty())
    throw UsageError(str("--resume ", file_or_dir, ": no checkpoint (ckpt-*.seekckpt) in that directory"));
  LoadedCheckpoint ck = load_checkpoint(path, false);
  TrainConfig c;
  const int saved_world = read_saved_config(c, ck.meta.train_config, path);
  c.stop_at = 0;
  // Another number of ranks keeps the global batch: the per-rank batch scales when it divides.
  const int64_t world = Comm::world().size();
  if (saved_world > 0 && saved_world != world && (c.batch * saved_world) % world == 0)
    c.batch = c.batch * saved_world / world;
  c.resume = path;
  return c;
}

Trainer::Trainer(const TrainConfig& c) : cfg_(c), rng_(c.seed) {
  validate_train_config(cfg_);
  Comm& comm = Comm::world();
  rank_ = comm.rank();
  world_ = comm.size();
  manifest_ = DataManifest::load(cfg_.data);
  pool_ = std::make_unique<ThreadPool>(cfg_.threads);

  LoadedCheckpoint ck;
  if (!cfg_.resume.empty()) {
    cfg_.resume = resolve_checkpoint(cfg_.resume);
    if (cfg_.resume.empty()) throw UsageError(str("--resume ", c.resume, ": no checkpoint in that directory"));
    ck = load_checkpoint(cfg_.resume);
    TrainConfig saved;
    int saved_world = read_saved_config(saved, ck.meta.train_config, cfg_.resume);
    if (saved_world == 0) saved_world = world_;  // older checkpoint: its ranks are unknown, assume these
    const nlohmann::json now = train_config_to_json(cfg_), then = train_config_to_json(saved);
    for (const auto& [key, value] : then.items())
      if (is_run_shape_key(key) && key != "batch" && now[key] != value)
        throw UsageError(str("--resume: '", key, "' was ", value.dump(), " in ", cfg_.resume, ", cannot change it to ",
                             now[key].dump()));
    // The data cursor counts windows of all ranks, so another number of ranks with the same
    // batch x ranks per micro-batch (grad_accum is fixed above) continues the same windows. A
    // different micro-batch would end epochs at another window (TokenLoader::next).
    const int64_t was = saved.batch * saved_world, is = cfg_.batch * world_;
    if (was != is)
      throw UsageError(str("--resume: the global batch (batch x ranks x grad_accum) was ", saved.batch, " x ",
                           saved_world, " x ", saved.grad_accum, " in ", cfg_.resume, ", cannot change it to ",
                           cfg_.batch, " x ", world_, " x ", cfg_.grad_accum, " (batch x ranks must stay ", was, ")"));
  }
  const ModelConfig mc = build_model_config(cfg_, manifest_.vocab_size, manifest_.bos_id, manifest_.eos_id);
  model_ = std::make_unique<TrainModel>(mc, cfg_.seed, cfg_.init_std);
  if (cfg_.expert_parallel && world_ > 1) {  // one process: every expert is local anyway
    experts_ = std::make_unique<ExpertShard>(comm, *model_);
    model_->set_expert_parallel(&experts_->ep());
  }
  adam_ = std::make_unique<AdamW>(model_->n_params());
  const LoaderOptions train_data{
      .batch = cfg_.batch, .seq = cfg_.seq, .seed = cfg_.seed, .rank = rank_, .world = world_};
  train_ = std::make_unique<TokenLoader>(manifest_, train_data);
  if (!manifest_.val_shards.empty()) {
    LoaderOptions val_data = train_data;
    val_data.validation = true, val_data.shuffle = false;  // the validation split in file order
    try {
      val_ = std::make_unique<TokenLoader>(manifest_, val_data);
    } catch (const UsageError&) {
      val_.reset();  // a validation split shorter than one window: no evaluation
    }
  }
  schedule_ = LrSchedule{cfg_.lr, cfg_.lr_min, cfg_.warmup, cfg_.steps};
  loads_.assign(static_cast<size_t>(model_->n_moe_layers() * mc.n_routed_experts), 0);
  if (!cfg_.resume.empty()) restore(ck);
  // Identical start on every rank, whatever each one's initialisation did.
  if (world_ > 1) {
    comm.broadcast(model_->params(), model_->n_params() * sizeof(float), 0);
    comm.broadcast(model_->router_bias().data(), model_->router_bias().size() * sizeof(float), 0);
    const size_t n = model_->n_params();
    grad_sync_ = std::make_unique<GradAllReduce>(comm, model_->grads(), n,
                                                 experts_ ? experts_->replicated() : std::vector<GradRange>{{0, n}},
                                                 static_cast<size_t>(cfg_.grad_bucket_mb * (1 << 20)));
  }
  gathered_step_ = step_;  // every rank holds the whole model now
}

Trainer::~Trainer() = default;

void Trainer::restore(const LoadedCheckpoint& ck) {
  const ModelConfig saved = config_from_hf_json(ck.meta.model_config);
  const ModelConfig& mc = model_->config();
  if (saved.vocab_size != mc.vocab_size)
    throw UsageError(str("--resume: the checkpoint's vocabulary has ", saved.vocab_size, " tokens, the data's ",
                         mc.vocab_size));
  if (ck.meta.param_table != param_table(*model_))
    throw FormatError(str("checkpoint ", ck.path,
                          ": its parameter table does not match the model built from its config"));
  const size_t n = model_->n_params();
  std::memcpy(model_->params(), ck.blob("params", n).data(), n * sizeof(float));
  adam_->m() = ck.blob("adam_m", n);
  adam_->v() = ck.blob("adam_v", n);
  adam_->t() = ck.meta.adam_t;
  model_->router_bias() = ck.blob("router_bias", model_->router_bias().size());
  std::istringstream rs(ck.meta.rng_state);
  rs >> rng_;
  if (rs.fail()) throw FormatError(str("checkpoint ", ck.path, ": bad rng_state"));
  train_->set_position(ck.meta.data);
  step_ = ck.meta.step;
  tokens_ = step_ * cfg_.batch * cfg_.seq * cfg_.grad_accum * world_;  // the global batch is the saved one
}

StepMetrics Trainer::step() {
  const auto t0 = Clock::now();
  const ModelConfig& mc = model_->config();
  const LossWeights w{cfg_.lambda_mtp, cfg_.alpha};
  const float scale = 1.0f / static_cast<float>(cfg_.grad_accum * world_);
  model_->zero_grad();
  std::fill(loads_.begin(), loads_.end(), 0);
  double parts[4] = {0, 0, 0, 0};  // total, ce, mtp, balance: means over micro-batches and ranks
  const double alltoall0 = experts_ ? experts_->ep().exchange_s() : 0;
  for (int64_t a = 0; a < cfg_.grad_accum; ++a) {
    train_->next(batch_);
    // The last micro-batch's backward finishes the gradients: each stretch's buckets start
    // their all-reduce as backward hands them over (the same points on every rank).
    struct HookGuard {
      TrainModel& m;
      ~HookGuard() { m.set_grad_ready(nullptr); }
    } guard{*model_};
    if (grad_sync_ && cfg_.grad_overlap && a + 1 == cfg_.grad_accum)
      model_->set_grad_ready([this](size_t offset, size_t n) { grad_sync_->mark_ready(offset, n); });
    const LossParts p = model_->forward_backward(batch_.data(), cfg_.batch, cfg_.seq + 1, w, *pool_, scale);
    parts[0] += p.total * scale, parts[1] += p.ce * scale, parts[2] += p.mtp * scale, parts[3] += p.balance * scale;
    const std::vector<int64_t>& l = model_->expert_loads();
    SEEK_ASSERT(l.size() == loads_.size());
    for (size_t i = 0; i < l.size(); ++i) loads_[i] += l[i];
  }
  StepMetrics m;
  if (world_ > 1) {
    Comm& comm = Comm::world();
    const GradSyncStats& sync = grad_sync_->wait_all();
    m.allreduce_s = sync.comm_s();
    m.allreduce_wait_s = sync.wait_s;
    // loss parts and expert loads in one call (counts are exact in a double up to 2^53)
    std::vector<double> sums(parts, parts + 4);
    sums.insert(sums.end(), loads_.begin(), loads_.end());
    comm.allreduce_sum(sums.data(), sums.size());
    std::copy(sums.begin(), sums.begin() + 4, parts);
    for (size_t i = 0; i < loads_.size(); ++i) loads_[i] = static_cast<int64_t>(sums[4 + i]);
  }
  if (experts_) m.alltoall_s = experts_->ep().exchange_s() - alltoall0;
  const double lr = schedule_.at(step_);
  const AdamWConfig ac{cfg_.beta1, cfg_.beta2, cfg_.eps, cfg_.weight_decay, cfg_.clip};
  const double grad_norm = adam_->step(*model_, lr, ac, *pool_, experts_ ? &experts_->adam() : nullptr);
  model_->update_router_bias(loads_.data(), cfg_.gamma);
  ++step_;
  const int64_t step_tokens = cfg_.batch * cfg_.seq * cfg_.grad_accum * world_;
  tokens_ += step_tokens;

  m.step = step_;
  m.loss = parts[0], m.ce = parts[1], m.mtp = parts[2], m.balance = parts[3];
  m.lr = lr;
  m.grad_norm = grad_norm;
  m.tokens = tokens_;
  const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
  m.tokens_per_s = dt > 0 ? static_cast<double>(step_tokens) / dt : 0;
  m.loads = loads_;
  m.n_experts = mc.n_routed_experts;
  return m;
}

double Trainer::evaluate() {
  if (!val_) return -1;
  val_->reset();
  const int64_t T = cfg_.seq + 1, V = model_->config().vocab_size;
  double sums[2] = {0, 0};  // sum of -log p, count
  for (int64_t b = 0; b < cfg_.eval_batches; ++b) {
    val_->next(batch_);
    model_->forward(batch_.data(), cfg_.batch, T, *pool_);
    const float* logits = model_->logits();  // [B, T, V]
    for (int64_t s = 0; s < cfg_.batch; ++s)
      for (int64_t t = 0; t + 1 < T; ++t) {
        const float* row = logits + (s * T + t) * V;
        sums[0] += log_sum_exp_f64(row, V) - row[batch_[s * T + t + 1]];
        sums[1] += 1;
      }
  }
  if (world_ > 1) Comm::world().allreduce_sum(sums, 2);
  return sums[0] / sums[1];
}

void Trainer::gather_experts() {
  if (experts_ && gathered_step_ != step_)
    experts_->gather_to_root(model_->params(), adam_->m().data(), adam_->v().data(), 0);
  gathered_step_ = step_;
}

void Trainer::require_full_model(const char* what) const {
  if (experts_ && (rank_ != 0 || gathered_step_ != step_))
    throw Error(str(what, " under expert parallelism: rank 0 only, after gather_experts() on every rank (rank ", rank_,
                    ", gathered at step ", gathered_step_, ", now step ", step_, ")"));
}

void Trainer::save_checkpoint_to(const std::string& path) const {
  require_full_model("save_checkpoint_to");
  CheckpointMeta meta;
  meta.step = step_;
  meta.model_config = config_to_hf_json(model_->config());
  TrainConfig saved = cfg_;
  saved.resume.clear();
  saved.stop_at = 0;  // where this call stops is not a property of the run
  meta.train_config = train_config_to_json(saved);
  meta.train_config["world"] = world_;  // resuming checks the global batch against it
  meta.param_table = param_table(*model_);
  std::ostringstream rs;
  rs << rng_;
  meta.rng_state = rs.str();
  meta.data = train_->position();
  meta.adam_t = adam_->t();
  const size_t n = model_->n_params();
  const std::vector<float>& bias = model_->router_bias();
  save_checkpoint(path, meta,
                  {{"params", model_->params(), n},
                   {"adam_m", adam_->m().data(), n},
                   {"adam_v", adam_->v().data(), n},
                   {"router_bias", bias.data(), bias.size()}});
}

void Trainer::export_to(const std::string& path) const {
  require_full_model("export_to");
  std::string vocab = cfg_.vocab;
  if (vocab.empty()) {
    if (manifest_.tokenizer_gguf.empty())
      throw UsageError(str("export: ", cfg_.data,
                           " has no tokenizer.gguf (its tokenizer is not GGUF-expressible); pass --vocab GGUF"));
    vocab = manifest_.dir + "/" + manifest_.tokenizer_gguf;
  }
  export_gguf(*model_, vocab, path);
}

std::string Trainer::progress_text(const StepMetrics& m) const {
  double worst = 1;
  for (double x : load_imbalance(m.loads, m.n_experts)) worst = std::max(worst, x);
  std::ostringstream os;
  os.precision(3);
  os << "loss " << fixed(m.loss, 3) << " lr " << m.lr << " imb " << fixed(worst, 2) << " "
     << human_count(m.tokens_per_s) << " tok/s";
  return os.str();
}

TrainResult Trainer::run() {
  const bool lead = rank_ == 0;
  std::filesystem::create_directories(cfg_.out);
  std::unique_ptr<MetricsWriter> metrics;
  if (lead) metrics = std::make_unique<MetricsWriter>(cfg_.out + "/metrics.jsonl", cfg_.resume.empty() ? -1 : step_);
  ProgressBar::set_enabled(!cfg_.quiet && lead);
  const int64_t end = cfg_.stop_at > 0 ? std::min(cfg_.stop_at, cfg_.steps) : cfg_.steps;
  ProgressBar bar("train", end, "steps");
  const auto start = Clock::now();
  TrainResult r;
  int64_t last_saved = -1, n_steps = 0;
  double comm[3] = {0, 0, 0};  // sums of allreduce_s, allreduce_wait_s, alltoall_s
  while (step_ < end) {
    StepMetrics m = step();
    if (cfg_.eval_every > 0 && (step_ % cfg_.eval_every == 0 || step_ == end)) m.val_loss = r.val_loss = evaluate();
    m.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    r.loss = m.loss;
    r.tokens_per_s = m.tokens_per_s;
    ++n_steps, comm[0] += m.allreduce_s, comm[1] += m.allreduce_wait_s, comm[2] += m.alltoall_s;
    // every rank takes the same decision: saving under expert parallelism starts with a gather
    const bool save = (cfg_.save_every > 0 && step_ % cfg_.save_every == 0) || step_ == end;
    if (save) {
      gather_experts();
      last_saved = step_;
    }
    if (lead) {
      metrics->write(m);
      bar.update(step_, progress_text(m));
      if (save) {
        r.checkpoint = checkpoint_path(cfg_.out, step_);
        save_checkpoint_to(r.checkpoint);
        prune_checkpoints(cfg_.out, cfg_.keep);
      }
    }
  }
  bar.finish();
  r.steps = step_;
  r.steps_run = n_steps;
  r.end = end;
  if (n_steps > 0) {  // a kind of communication absent from this run stays -1 (the mean of -1s)
    r.allreduce_s = comm[0] / double(n_steps), r.allreduce_wait_s = comm[1] / double(n_steps);
    r.alltoall_s = comm[2] / double(n_steps);
  }
  const bool final_save = last_saved != step_ && step_ > 0;  // resumed at or past --steps: still leave one
  if (final_save || cfg_.export_path != "none") gather_experts();
  if (lead && final_save) {
    r.checkpoint = checkpoint_path(cfg_.out, step_);
    if (!std::filesystem::exists(r.checkpoint)) save_checkpoint_to(r.checkpoint);
  }
  if (lead && cfg_.export_path != "none") {
    r.exported = cfg_.export_path.empty() ? cfg_.out + "/model.gguf" : cfg_.export_path;
    export_to(r.exported);
  }
  if (world_ > 1) Comm::world().barrier();
  return r;
}

}  // namespace seek
