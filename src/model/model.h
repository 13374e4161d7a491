// A loaded model: config, weights (mmapped in place where possible) and the forward pass over
// a Batch. The forward is a flat recipe of named sub-blocks (layers.h); MTP drafting reuses it.
#pragma once
#include <memory>
#include <string>

#include "core/threadpool.h"
#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/kv_cache.h"
#include "model/layers.h"
#include "model/rope.h"
#include "model/weights.h"
#include "model/workspace.h"

namespace seek {

class Model {
 public:
  // Opens a GGUF file of any architecture in the registry (model/arch/list.h). Throws FormatError
  // naming what is wrong.
  static std::unique_ptr<Model> load_gguf(const std::string& path);
  // Opens a Hugging Face checkpoint directory (config.json + safetensors, FP8 included).
  static std::unique_ptr<Model> load_hf(const std::string& dir);
  // GGUF file or HF directory, by what the path is.
  static std::unique_ptr<Model> load(const std::string& path);
  // Builds a model from an already-filled config and weights (HF loader, tests, trainer export).
  Model(ModelConfig config, std::unique_ptr<ModelWeights> weights);

  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return *weights_; }
  // For the trainer's hand-over (TrainModel::from_pretrained), which may add tensors.
  ModelWeights& mutable_weights() { return *weights_; }
  const GGUFFile* gguf() const { return gguf_.get(); }
  // Bytes of weights read per decoded token (all dense tensors + the experts one token uses).
  size_t bytes_per_token() const;
  size_t total_weight_bytes() const;

  // Runs the batch through every layer, writing each token's cache entries. For every token
  // with batch.logits[i] set, in batch order, writes vocab_size logits to `logits`.
  void forward(const Batch& batch, KVCache& cache, ThreadPool& pool, float* logits);

  // MTP draft (deepseek.md 2.3): given the main model's last hidden state for the token at `pos`
  // (from the latest forward(), batch row `row`) and the token that follows it, writes the
  // logits for the token after that (logits == nullptr: only fills the MTP block's cache entry,
  // skipping the output head). Uses cache layer num_hidden_layers + depth.
  void mtp_forward(int64_t row, int32_t next_token, int32_t pos, int32_t slot, KVCache& cache, ThreadPool& pool,
                   float* logits);

  void set_mla_mode(MlaMode m) { mla_mode_ = m; }
  // Debug hook for tests: when non-null, each MoE layer of forward() and mtp_forward() appends
  // its expert choices [N, k] (best first) to *log, in layer order, and, if `margins` is given,
  // each token's selection margin [N] (lowest chosen minus highest unchosen selection score: how
  // close the choice was to flipping) to *margins. Null turns it off.
  void set_route_log(std::vector<int32_t>* log, std::vector<float>* margins = nullptr) {
    ws_.route_log = log;
    mtp_ws_.route_log = log;
    ws_.route_margin_log = margins;
    mtp_ws_.route_margin_log = margins;
  }
  // Threads the workspace is sized for (pool size); call before forward with a bigger pool.
  void reserve(int64_t max_tokens, int64_t max_seq, int n_threads);

 private:
  void run_layer(const LayerWeights& L, const ForwardCtx& ctx, int64_t N);
  void embed(const Batch& batch, float* x) const;
  void output_logits(const float* x, int64_t n_rows, ThreadPool& pool, float* logits);

  ModelConfig config_;
  std::unique_ptr<ModelWeights> weights_;
  std::unique_ptr<GGUFFile> gguf_;
  std::unique_ptr<SafetensorsFile> safetensors_;
  Rope rope_;
  Workspace ws_;
  Workspace mtp_ws_;
  Batch mtp_batch_;  // mtp_forward's one-token batch, kept so decoding allocates nothing
  MlaMode mla_mode_ = MlaMode::Absorbed;
};

}  // namespace seek
