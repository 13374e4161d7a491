// A DeepSeek-V3-architecture model being trained (MLA + DeepSeekMoE + MTP, deepseek.md 2.x):
// every trainable parameter in one flat f32 buffer (HF names, PyTorch order), its gradient in a
// second flat buffer of the same layout, router biases beside them (not trained by gradient).
// Forward keeps the activations the hand-written backward needs (llm.c style).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "model/config.h"

namespace seek {

class Model;
class ExpertParallel;

struct TensorDef;

// One trainable tensor inside the flat buffers.
struct ParamInfo {
  std::string name;            // HF name, e.g. "model.layers.1.mlp.experts.3.gate_proj.weight"
  std::vector<int64_t> shape;  // PyTorch order
  size_t offset = 0;           // into params()/grads(), in floats
  size_t numel = 0;
  bool decay = false;              // AdamW weight decay applies (tensors with dim >= 2)
  const TensorDef* def = nullptr;  // its registry entry (model/arch/registry.h)
  int64_t layer = -1;              // block (-1: embedding, final norm, head)
  int64_t expert = -1;             // routed expert, -1 for any other tensor
};

// Loss weights (deepseek.md 2.3, 2.4). Defaults match tools/ref/train_ref.py.
struct LossWeights {
  double lambda_mtp = 0.3;  // MTP cross-entropy weight
  double alpha = 1e-4;      // sequence-wise balance loss weight
};

struct LossParts {
  double ce = 0, mtp = 0, balance = 0, total = 0;
  int64_t n_tokens = 0;  // tokens that contributed to ce
};

class TrainModel {
 public:
  // Random initialisation (normal std `init_std` for matrices, 1 for norms, 0 for biases).
  TrainModel(const ModelConfig& config, uint64_t seed, double init_std = 0.02);
  // Starts from a checkpoint's tensors: an HF directory (config.json + safetensors, the golden
  // test's fixture) or a GGUF file; throws FormatError when a tensor is missing or misshapen.
  static std::unique_ptr<TrainModel> from_pretrained(const std::string& path);
  ~TrainModel();

  const ModelConfig& config() const { return config_; }
  const std::vector<ParamInfo>& param_info() const { return info_; }
  const ParamInfo& info(const std::string& name) const;  // throws UsageError when unknown
  size_t n_params() const { return params_.size(); }
  float* params() { return params_.data(); }
  float* grads() { return grads_.data(); }
  const float* params() const { return params_.data(); }
  const float* grads() const { return grads_.data(); }
  // Router biases e_score_correction_bias of every MoE layer, the MTP layer last: [n_moe, E].
  std::vector<float>& router_bias() { return router_bias_; }
  int64_t n_moe_layers() const;  // MoE layers including the MTP block
  void zero_grad();

  // Language-model step on tokens [B, T]: loss = CE(next token) + lambda*MTP-CE(token after
  // next) + alpha*balance, averaged as train_ref.py does. Adds grad_scale * dloss/dparam to
  // grads() (gradient accumulation: call several times, then step the optimizer).
  LossParts forward_backward(const int32_t* tokens, int64_t B, int64_t T, const LossWeights& w, ThreadPool& pool,
                             float grad_scale = 1.0f);

  // Generic form for RL and distillation: forward(tokens) fills logits() [B, T, V] of the main
  // head and keeps activations; the caller writes dlogits() [B, T, V] (d loss / d logits);
  // backward adds the gradients (plus the MTP and balance terms when w says so) to grads();
  // once per forward (it scales the saved logit gradients in place).
  void forward(const int32_t* tokens, int64_t B, int64_t T, ThreadPool& pool);
  const float* logits() const;
  float* dlogits();
  void backward(const LossWeights& w, ThreadPool& pool, float grad_scale = 1.0f);
  // MTP logits of the last forward: [B, T-2, V] row (b, i) predicts t_{i+2} from h_i and t_{i+1};
  // null without an MTP layer or when T < 3.
  const float* mtp_logits() const;
  // The last forward's MTP cross-entropy (mean over B*(T-2)) and balance loss (ce/total unset).
  LossParts last_aux_losses() const;

  // Tokens routed to each expert by the last forward: [n_moe_layers, E] (the MTP layer last).
  const std::vector<int64_t>& expert_loads() const { return expert_loads_; }
  // Expert choices of the last forward (tests, debugging): every MoE layer's [N, k] ids, best
  // first, concatenated in layer order (the MTP layer last).
  std::vector<int32_t> routes() const;
  // Auxiliary-loss-free balancing: bias_i += gamma * sign(mean(load) - load_i), per layer.
  // `loads` is [n_moe_layers, E] (summed over ranks by the caller in data-parallel training).
  void update_router_bias(const int64_t* loads, double gamma);

  // Expert parallelism: every MoE layer's routed experts run on their owner rank (dist's
  // ExpertParallel over ep's ranks, which must split config().n_routed_experts); this rank reads
  // only its own experts' weights and writes only their gradients. Every rank must then run the
  // same forward/backward sequence (the all-to-alls are collectives). Null: every expert here.
  void set_expert_parallel(ExpertParallel* ep);
  // Called by backward(), on the calling thread, as each stretch of grads() becomes final for
  // this backward: the output head and final norm, each block from the last (MTP first) to the first,
  // the embedding last. Together the calls cover the whole buffer once. The data-parallel
  // trainer starts those gradients' all-reduce while backward goes on. Empty: no calls.
  using GradReadyFn = std::function<void(size_t offset, size_t n)>;
  void set_grad_ready(GradReadyFn f) { grad_ready_ = std::move(f); }

  // An inference Model (f32 weights, copies) for generation, e.g. GRPO rollouts and export.
  std::unique_ptr<Model> to_inference_model() const;

  struct Impl;  // activations and scratch (train_impl.h), opaque to callers

 private:
  ModelConfig config_;
  std::vector<ParamInfo> info_;
  std::vector<float> params_, grads_, router_bias_;
  std::vector<int64_t> expert_loads_;
  GradReadyFn grad_ready_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seek
