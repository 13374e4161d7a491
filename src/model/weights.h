// The tensors of a model, named as DeepSeek's reference model.py names them (wq_a, q_norm, wkv_a,
// kv_norm, wkv_b, wo, w1/w2/w3, gate), in one structure templated on the handle:
//   ModelT<TensorView>  inference weights (views into the mmapped file, or owned f32 copies), and
//   ModelT<ParamRef>    the trainer's parameters (value + gradient pointers into flat buffers).
// Which tensors an architecture has, their file names and shapes, is the registry's business
// (model/arch/registry.h); this header only says where each one lives. MTP blocks are layers too:
// layers[num_hidden_layers + k] is MTP block k, as in GGUF's blk.N and HF's model.layers.N.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/config.h"

namespace seek {

// One tensor's value and gradient inside the trainer's flat buffers (null when absent).
struct ParamRef {
  float* w = nullptr;
  float* g = nullptr;
};

template <class T>
struct MlaT {
  T wq;       // [H*(nope+rope), D]   when q_lora_rank == 0
  T wq_a;     // [q_lora, D]
  T q_norm;   // [q_lora]
  T wq_b;     // [H*(nope+rope), q_lora]
  T wkv_a;    // [kv_lora + rope, D]
  T kv_norm;  // [kv_lora]
  T wkv_b;    // [H*(nope+v), kv_lora]: per head nope key rows then v value rows
  T wk_b;     // [H, kv_lora, nope] split layout of newer GGUF converters (instead of wkv_b)
  T wv_b;     // [H, v, kv_lora]
  T wo;       // [D, H*v]
  // Derived at load (inference only): wkv_b split per head for the absorbed product.
  T w_uk_t;  // [H, kv_lora, nope] f32: q_lat = w_uk_t[h] q_nope
  T w_uv;    // [H, v, kv_lora] f32: o_h = w_uv[h] o_lat
  // The form the latent takes when it meets a quantized wkv_b in the materialised product
  // (llama.cpp rounds it to Q8_0 blocks for Q4_0/Q8_0 weights, Q8_K for K-quants). Absorbing
  // W_UK/W_UV changes nothing about that rounding when the cache stores the rounded latent, so
  // the absorbed path computes exactly what the file's quantized model defines. F32: none.
  DType latent_round = DType::F32;
};

template <class T>
struct GqaT {
  T wq, wk, wv;      // [H*hd, D], [KV*hd, D], [KV*hd, D]
  T bq, bk, bv;      // biases (qwen2) or empty
  T q_norm, k_norm;  // [hd] per-head RMSNorm of q and k before RoPE (qwen3) or empty
  T wo;              // [D, H*hd]
};

template <class T>
struct FfnT {
  T w1;  // gate [F, D]
  T w3;  // up   [F, D]
  T w2;  // down [D, F]
};

template <class T>
struct MoeT {
  T gate;                        // router [E, D]
  T gate_bias;                   // [E] e_score_correction_bias (V3), not trained by gradient
  std::vector<FfnT<T>> experts;  // [E] (GGUF: slices of 3-D tensors)
  FfnT<T> shared;                // n_shared * moe_inter wide, empty when n_shared_experts == 0
};

// DeepSeek-V3's multi-token prediction module (deepseek.md 2.3): a layer with these in front
// and its own head norm, sharing the model's embedding and output head.
template <class T>
struct MtpT {
  T enorm, hnorm;  // [D]
  T eh_proj;       // [D, 2D]: input is concat(enorm(emb), hnorm(h))
  T head_norm;     // [D] shared_head.norm
};

template <class T>
struct LayerT {
  T attn_norm;  // [D]
  T ffn_norm;   // [D]
  MlaT<T> mla;
  GqaT<T> gqa;
  bool is_moe = false;
  FfnT<T> ffn;  // dense layers
  MoeT<T> moe;  // MoE layers
  MtpT<T> mtp;  // MTP blocks only
};

template <class T>
struct ModelT {
  T tok_embd;                     // [V, D]
  T output_norm;                  // [D]
  T output;                       // [V, D]
  std::vector<LayerT<T>> layers;  // num_hidden_layers + num_nextn_predict_layers
};

using MlaWeights = MlaT<TensorView>;
using GqaWeights = GqaT<TensorView>;
using FfnWeights = FfnT<TensorView>;
using MoeWeights = MoeT<TensorView>;
using LayerWeights = LayerT<TensorView>;

struct ModelWeights : ModelT<TensorView> {
  // Storage for tensors made at load time (f32 norms, split wkv_b, dequantized FP8 scales).
  std::vector<std::unique_ptr<float[]>> owned;
  // A new owned f32 tensor of this shape, zero-filled.
  TensorView new_f32(std::initializer_list<int64_t> shape);
  TensorView new_f32(const std::vector<int64_t>& shape);
};

// Any-type tensor -> an owned f32 copy with the same shape (used for norms and small tensors).
TensorView to_f32(const TensorView& t, ModelWeights& mw);
// Throws FormatError "tensor NAME: expected [a, b], got [c, d]" unless t has exactly `shape`.
void check_shape(const TensorView& t, const std::string& name, const std::vector<int64_t>& shape);

}  // namespace seek
