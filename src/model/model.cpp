// Model loading and the forward recipe: embed -> [attn_norm, attention, +, ffn_norm, FFN/MoE, +]
// per layer -> output_norm -> output head (deepseek.md section 2).
#include "model/model.h"

#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "kernels/matmul.h"
#include "kernels/quant/quant.h"
#include "model/config_io.h"
#include "model/load_weights.h"
#include "model/ops.h"

namespace seek {

std::unique_ptr<Model> Model::load_gguf(const std::string& path) {
  auto file = std::make_unique<GGUFFile>(GGUFFile::open(path));
  ModelConfig config = config_from_gguf(*file);
  auto weights = std::make_unique<ModelWeights>();
  load_weights_gguf(*file, config, *weights);
  auto model = std::make_unique<Model>(std::move(config), std::move(weights));
  model->gguf_ = std::move(file);
  return model;
}

std::unique_ptr<Model> Model::load_hf(const std::string& dir) {
  HFConfig j = HFConfig::load(dir);
  ModelConfig config = config_from_hf(j);
  auto st = std::make_unique<SafetensorsFile>(SafetensorsFile::open(dir));
  // A checkpoint may declare MTP layers without shipping them (HF conversions often drop them).
  if (!hf_has_mtp_layers(*st, config)) config.num_nextn_predict_layers = 0;
  auto weights = std::make_unique<ModelWeights>();
  load_weights_hf(*st, config, *weights);
  auto model = std::make_unique<Model>(std::move(config), std::move(weights));
  model->safetensors_ = std::move(st);
  return model;
}

std::unique_ptr<Model> Model::load(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return load_hf(path);
  if (!std::filesystem::exists(path, ec)) throw Error(str("model file not found: ", path));
  return load_gguf(path);
}

Model::Model(ModelConfig config, std::unique_ptr<ModelWeights> weights)
    : config_(std::move(config)), weights_(std::move(weights)), rope_(config_) {
  config_.validate();
}

void Model::reserve(int64_t max_tokens, int64_t max_seq, int n_threads) {
  ws_.reserve(config_, max_tokens, max_seq, n_threads);
}

void Model::embed(const Batch& batch, float* x) const {
  const TensorView& E = weights_->tok_embd;
  const int64_t D = config_.hidden_size;
  for (int64_t n = 0; n < batch.size(); ++n) {
    const int32_t t = batch.tokens[n];
    if (t < 0 || t >= config_.vocab_size)
      throw UsageError(str("token id ", t, " out of range [0, ", config_.vocab_size, ")"));
    dequantize_row(E.dtype, E.row(t), x + n * D, D);
  }
}

void Model::run_layer(const LayerWeights& L, const ForwardCtx& ctx, int64_t N) {
  const int64_t D = config_.hidden_size;
  const float eps = static_cast<float>(config_.rms_norm_eps);
  Workspace& ws = ctx.ws;
  for (int64_t n = 0; n < N; ++n) rmsnorm(ws.x.data() + n * D, L.attn_norm.as<float>(), ws.h.data() + n * D, D, eps);
  if (config_.is_mla()) mla_forward(ctx, L.mla, ws.h.data(), ws.out.data());
  else gqa_forward(ctx, L.gqa, ws.h.data(), ws.out.data());
  add_inplace(ws.x.data(), ws.out.data(), N * D);
  for (int64_t n = 0; n < N; ++n) rmsnorm(ws.x.data() + n * D, L.ffn_norm.as<float>(), ws.h.data() + n * D, D, eps);
  if (L.is_moe) moe_forward(ctx, L.moe, ws.h.data(), ws.out.data());
  else ffn_forward(ctx, L.ffn, ws.h.data(), ws.out.data(), N);
  add_inplace(ws.x.data(), ws.out.data(), N * D);
}

void Model::output_logits(const float* x, int64_t n_rows, ThreadPool& pool, float* logits) {
  const int64_t D = config_.hidden_size;
  float* h = ws_.h.data();
  for (int64_t i = 0; i < n_rows; ++i)
    rmsnorm(x + i * D, weights_->output_norm.as<float>(), h + i * D, D, static_cast<float>(config_.rms_norm_eps));
  matmul(weights_->output, h, n_rows, logits, pool);
}

void Model::forward(const Batch& batch, KVCache& cache, ThreadPool& pool, float* logits) {
  const int64_t N = batch.size(), D = config_.hidden_size;
  if (N == 0) return;
  SEEK_ASSERT(batch.positions.size() == batch.tokens.size() && batch.slots.size() == batch.tokens.size() &&
              batch.logits.size() == batch.tokens.size());
  for (int64_t n = 0; n < N; ++n) {
    if (batch.slots[n] < 0 || batch.slots[n] >= cache.n_slots())
      throw UsageError(str("cache slot ", batch.slots[n], " out of range [0, ", cache.n_slots(), ")"));
    if (batch.positions[n] < 0 || batch.positions[n] >= cache.max_seq())
      throw UsageError(str("position ", batch.positions[n], " is past the context of ", cache.max_seq(), " tokens"));
  }
  ws_.reserve(config_, N, cache.max_seq(), pool.size());
  embed(batch, ws_.x.data());
  for (int64_t il = 0; il < config_.num_hidden_layers; ++il) {
    ForwardCtx ctx{config_, rope_, batch, cache, il, ws_, pool, mla_mode_};
    run_layer(weights_->layers[il], ctx, N);
  }
  std::memcpy(ws_.final_h.data(), ws_.x.data(), sizeof(float) * N * D);
  // Gather the rows that want logits (in batch order), then norm + head on just those.
  int64_t m = 0;
  for (int64_t n = 0; n < N; ++n) {
    if (!batch.logits[n]) continue;
    if (m != n) std::memcpy(ws_.x.data() + m * D, ws_.x.data() + n * D, sizeof(float) * D);
    ++m;
  }
  if (m > 0) output_logits(ws_.x.data(), m, pool, logits);
}

void Model::mtp_forward(int64_t row, int32_t next_token, int32_t pos, int32_t slot, KVCache& cache, ThreadPool& pool,
                        float* logits) {
  if (config_.num_nextn_predict_layers < 1)
    throw UsageError("this model has no MTP module (num_nextn_predict_layers = 0)");
  const int64_t D = config_.hidden_size;
  const float eps = static_cast<float>(config_.rms_norm_eps);
  const LayerWeights& block = weights_->layers[config_.num_hidden_layers];
  const MtpT<TensorView>& m = block.mtp;
  Batch& b = mtp_batch_;
  b.clear();
  b.add(next_token, pos, slot, true);
  mtp_ws_.reserve(config_, 2, cache.max_seq(), pool.size());  // 2 rows: room for the concat
  // concat(enorm(emb(t_{i+1})), hnorm(h_i)) -- embedding first (deepseek.md 2.3 trap).
  float* cat = mtp_ws_.out.data();  // [2D]
  embed(b, cat);
  rmsnorm(cat, m.enorm.as<float>(), cat, D, eps);
  rmsnorm(ws_.final_h.data() + row * D, m.hnorm.as<float>(), cat + D, D, eps);
  matvec(m.eh_proj, cat, mtp_ws_.x.data(), pool);
  ForwardCtx ctx{config_, rope_, b, cache, config_.num_hidden_layers, mtp_ws_, pool, mla_mode_};
  run_layer(block, ctx, 1);
  if (!logits) return;
  float* h = mtp_ws_.final_h.data();
  rmsnorm(mtp_ws_.x.data(), m.head_norm.as<float>(), h, D, eps);
  matvec(weights_->output, h, logits, pool);
}

size_t Model::total_weight_bytes() const {
  size_t total = 0;
  if (gguf_)
    for (const GGUFTensorInfo& t : gguf_->tensors()) total += t.nbytes;
  return total;
}

size_t Model::bytes_per_token() const {
  const ModelWeights& w = *weights_;
  size_t b = w.output.nbytes();
  auto ffn = [](const FfnWeights& f) { return f.w1.ndim ? f.w1.nbytes() + f.w2.nbytes() + f.w3.nbytes() : 0; };
  for (int64_t il = 0; il < config_.num_hidden_layers; ++il) {
    const LayerWeights& L = w.layers[il];
    const MlaWeights& m = L.mla;
    for (const TensorView* t :
         {&m.wq, &m.wq_a, &m.wq_b, &m.wkv_a, &m.w_uk_t, &m.w_uv, &m.wo, &L.gqa.wq, &L.gqa.wk, &L.gqa.wv, &L.gqa.wo})
      if (t->ndim) b += t->nbytes();
    if (L.is_moe) {
      b += L.moe.gate.nbytes() + ffn(L.moe.shared);
      b += ffn(L.moe.experts[0]) * config_.num_experts_per_tok;
    } else {
      b += ffn(L.ffn);
    }
  }
  return b;
}

}  // namespace seek
