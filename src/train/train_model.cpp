// TrainModel: the forward recipe (tok_embd -> blocks -> output_norm -> output, plus the MTP module),
// the loss of tools/ref/train_ref.py (CE + lambda MTP-CE + alpha balance) and the backward pass
// in reverse order (llm.c style); DeepSeek-V3 paper 2.x, deepseek.md 2.1-2.4.
#include "train/train_model.h"

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

#include "core/error.h"
#include "model/arch/registry.h"
#include "model/model.h"
#include "train/train_impl.h"
#include "train/train_ops.h"
#include "train/train_params.h"

namespace seek {

namespace {

// The stretches backward announces (TrainModel::set_grad_ready): the layout keeps each layer's
// tensors together (the MTP layer's enorm/hnorm/eh_proj/head_norm too), the embedding first and
// the final norm + head last; checked to tile the buffer exactly.
void grad_ranges(const ModelConfig& c, const std::vector<ParamInfo>& info, TrainModel::Impl& s) {
  const size_t n_layers = size_t(c.num_hidden_layers + c.num_nextn_predict_layers);
  std::vector<std::pair<size_t, size_t>> lo_hi(n_layers + 2, {SIZE_MAX, 0});  // + embed, head
  for (const ParamInfo& p : info) {
    size_t slot = n_layers + 1;  // final norm, head
    if (p.def->part == Part::Embed) {
      slot = n_layers;
    } else if (p.layer >= 0) {
      slot = static_cast<size_t>(p.layer);
    }
    SEEK_ASSERT(slot < lo_hi.size());
    lo_hi[slot].first = std::min(lo_hi[slot].first, p.offset);
    lo_hi[slot].second = std::max(lo_hi[slot].second, p.offset + p.numel);
  }
  auto range = [](std::pair<size_t, size_t> r) { return std::make_pair(r.first, r.second - r.first); };
  s.layer_range.clear();
  size_t covered = 0;
  for (size_t i = 0; i < lo_hi.size(); ++i) {
    SEEK_ASSERT_MSG(lo_hi[i].first < lo_hi[i].second, "layout: part ", i, " has no tensors");
    covered += lo_hi[i].second - lo_hi[i].first;
    if (i < n_layers) s.layer_range.push_back(range(lo_hi[i]));
  }
  s.embed_range = range(lo_hi[n_layers]);
  s.head_range = range(lo_hi[n_layers + 1]);
  SEEK_ASSERT_MSG(covered == info.back().offset + info.back().numel, "layout: the parts do not tile the buffer");
}

// A step frees and allocates the same temporaries (a few to tens of MB each) every time. By
// default glibc serves those from fresh mmaps or trims them back to the kernel, so every step
// takes page faults on zeroed pages (15-20 % of a ds-100m step in the kernel's clear_page).
// Keep freed memory in the heap instead: no mmap up to glibc's 32 MB maximum, trim only past
// 1 GB free. Process-wide and once; the trainer's temporaries are recycled from then on.
void keep_freed_memory() {
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)done;
}

}  // namespace

TrainModel::TrainModel(const ModelConfig& config, uint64_t seed, double init_std) : config_(config) {
  keep_freed_memory();
  config_.validate();
  info_ = train_param_layout(config_);
  const ParamInfo& last = info_.back();
  params_.assign(last.offset + last.numel, 0.0f);
  grads_.assign(params_.size(), 0.0f);
  router_bias_.assign(n_moe_layers() * config_.n_routed_experts, 0.0f);
  expert_loads_.assign(router_bias_.size(), 0);
  impl_ = std::make_unique<Impl>();
  impl_->p = bind_params(config_, info_, params_.data(), grads_.data(), router_bias_.data());
  impl_->rope = Rope(config_);
  grad_ranges(config_, info_, *impl_);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, init_std);
  for (const ParamInfo& pi : info_) {
    float* w = params_.data() + pi.offset;
    switch (pi.def->init) {
      case Init::Normal:
        for (size_t i = 0; i < pi.numel; ++i) w[i] = static_cast<float>(normal(rng));
        break;
      case Init::One: std::fill(w, w + pi.numel, 1.0f); break;
      case Init::Zero: std::fill(w, w + pi.numel, 0.0f); break;
    }
  }
}

std::unique_ptr<TrainModel> TrainModel::from_pretrained(const std::string& path) {
  std::unique_ptr<Model> model = Model::load(path);
  const ModelConfig& c = model->config();
  auto tm = std::make_unique<TrainModel>(c, 0);
  ModelWeights& w = model->mutable_weights();
  const ArchDef& arch = arch_def(c.arch);
  if (arch.complete_for_training) arch.complete_for_training(c, w);
  ModelWeights scratch;
  for (const ParamInfo& pi : tm->info_) {
    const TensorView& v = pi.def->slot.view(w, pi.layer, pi.expert);
    if (!v.data) throw FormatError(str("tensor ", pi.name, ": missing in ", path));
    const TensorView f = to_f32(v, scratch);
    if (f.numel() != static_cast<int64_t>(pi.numel))
      throw FormatError(str("tensor ", pi.name, ": expected ", pi.numel, " values, got ", v.shape_str()));
    std::memcpy(tm->params_.data() + pi.offset, f.data, sizeof(float) * pi.numel);
    scratch.owned.clear();
  }
  const int64_t E = c.n_routed_experts;
  for (int64_t il = 0; il < static_cast<int64_t>(w.layers.size()); ++il) {
    const TensorView& bias = w.layers[il].moe.gate_bias;
    if (w.layers[il].is_moe && bias.data)
      std::memcpy(tm->router_bias_.data() + c.moe_layer_index(il) * E, to_f32(bias, scratch).data, sizeof(float) * E);
  }
  return tm;
}

TrainModel::~TrainModel() = default;

const ParamInfo& TrainModel::info(const std::string& name) const {
  for (const ParamInfo& p : info_)
    if (p.name == name) return p;
  throw UsageError(str("parameter ", name, ": not in this model"));
}

int64_t TrainModel::n_moe_layers() const {
  int64_t n = 0;
  for (int64_t il = 0; il < config_.num_hidden_layers + config_.num_nextn_predict_layers; ++il)
    n += config_.is_moe_layer(il) ? 1 : 0;
  return n;
}

void TrainModel::set_expert_parallel(ExpertParallel* ep) {
  if (ep && ep->n_experts() != config_.n_routed_experts)
    throw UsageError(str("expert parallelism: split ", ep->n_experts(), " experts, the model has ",
                         config_.n_routed_experts));
  impl_->ep = ep;
}

void TrainModel::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.0f); }

const float* TrainModel::logits() const { return impl_->logits.data(); }
float* TrainModel::dlogits() { return impl_->dlogits.data(); }
const float* TrainModel::mtp_logits() const { return impl_->mtp_on ? impl_->mtp_logits.data() : nullptr; }

std::vector<int32_t> TrainModel::routes() const {
  std::vector<int32_t> r;
  for (size_t il = 0; il < impl_->layers.size(); ++il)
    if (impl_->p.layers[il].is_moe)
      r.insert(r.end(), impl_->layers[il].moe.idx.begin(), impl_->layers[il].moe.idx.end());
  if (impl_->mtp_on && impl_->p.layers[config_.num_hidden_layers].is_moe)
    r.insert(r.end(), impl_->mtp_block.moe.idx.begin(), impl_->mtp_block.moe.idx.end());
  return r;
}

void TrainModel::update_router_bias(const int64_t* loads, double gamma) {
  const int64_t E = config_.n_routed_experts;
  for (int64_t l = 0; l < n_moe_layers(); ++l) {
    double mean = 0;
    for (int64_t e = 0; e < E; ++e) mean += double(loads[l * E + e]) / double(E);
    for (int64_t e = 0; e < E; ++e) {
      const double d = mean - double(loads[l * E + e]);
      router_bias_[l * E + e] += static_cast<float>(gamma * ((d > 0) - (d < 0)));
    }
  }
}

LossParts TrainModel::forward_backward(const int32_t* tokens, int64_t B, int64_t T, const LossWeights& w,
                                       ThreadPool& pool, float grad_scale) {
  if (T < 2) throw UsageError(str("forward_backward: sequence length: expected >= 2, got ", T));
  forward(tokens, B, T, pool);
  Impl& s = *impl_;
  const int64_t N = B * T, V = config_.vocab_size;
  std::vector<int32_t> targets(N);
  for (int64_t n = 0; n < N; ++n) targets[n] = n % T == T - 1 ? -1 : tokens[n + 1];
  const int64_t n_tok = B * (T - 1);
  const double ce_sum = cross_entropy_forward_backward(s.logits.data(), targets.data(), s.dlogits.data(), N, V,
                                                       1.0f / static_cast<float>(n_tok), pool);
  LossParts parts;
  parts.ce = ce_sum / double(n_tok);
  parts.mtp = s.mtp_ce;
  parts.balance = s.balance;
  parts.total = parts.ce + w.lambda_mtp * parts.mtp + w.alpha * parts.balance;
  parts.n_tokens = n_tok;
  backward(w, pool, grad_scale);
  return parts;
}

LossParts TrainModel::last_aux_losses() const {
  LossParts p;
  p.mtp = impl_->mtp_ce;
  p.balance = impl_->balance;
  return p;
}

}  // namespace seek
