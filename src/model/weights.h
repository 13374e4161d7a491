// The weights of one model as views (into the mmapped file where the type allows, else into
// buffers this struct owns). Names follow DeepSeek's reference (wq_a, q_norm, wkv_a, kv_norm,
// wo, w1/w2/w3, gate). Transforms happen here at load time, never in forward: MLA's wkv_b is
// split per head into the absorbed w_uk_t / w_uv, norms are widened to f32.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/config.h"

namespace seek {

struct MlaWeights {
  TensorView wq;       // [H*(nope+rope), D]   when q_lora_rank == 0
  TensorView wq_a;     // [q_lora, D]
  TensorView q_norm;   // [q_lora] f32
  TensorView wq_b;     // [H*(nope+rope), q_lora]
  TensorView wkv_a;    // [kv_lora + rope, D]
  TensorView kv_norm;  // [kv_lora] f32
  TensorView w_uk_t;   // [H, kv_lora, nope] f32: q_lat = w_uk_t[h] q_nope (absorbed key up-projection)
  TensorView w_uv;     // [H, v, kv_lora] f32: o_h = w_uv[h] o_lat (value up-projection)
  TensorView wo;       // [D, H*v]
  // The form the latent takes when it meets a quantized wkv_b in the materialised product
  // (llama.cpp rounds it to Q8_0 blocks for Q4_0/Q8_0 weights, Q8_K for K-quants). Absorbing
  // W_UK/W_UV changes nothing about that rounding when the cache stores the rounded latent, so
  // the absorbed path computes exactly what the file's quantized model defines. F32: none.
  DType latent_round = DType::F32;
};

struct GqaWeights {
  TensorView wq, wk, wv;  // [H*hd, D], [KV*hd, D], [KV*hd, D]
  TensorView bq, bk, bv;  // f32 biases (qwen2) or empty
  TensorView wo;          // [D, H*hd]
};

struct FfnWeights {
  TensorView w1;  // gate [F, D]
  TensorView w3;  // up   [F, D]
  TensorView w2;  // down [D, F]
};

struct MoeWeights {
  TensorView gate;                  // router [E, D] f32
  TensorView gate_bias;             // [E] f32 e_score_correction_bias (V3) or empty
  std::vector<FfnWeights> experts;  // [E] of w1/w3 [F, D], w2 [D, F] (GGUF: slices of 3-D tensors)
  FfnWeights shared;                // n_shared * moe_inter wide, empty when n_shared_experts == 0
};

struct LayerWeights {
  TensorView attn_norm;  // [D] f32
  TensorView ffn_norm;   // [D] f32
  MlaWeights mla;
  GqaWeights gqa;
  bool is_moe = false;
  FfnWeights ffn;  // dense layers
  MoeWeights moe;  // MoE layers
};

// DeepSeek-V3's multi-token prediction module (deepseek.md 2.3): its own block, sharing the
// model's embedding, final norm and output head.
struct MtpWeights {
  TensorView enorm, hnorm;  // [D] f32
  TensorView eh_proj;       // [D, 2D]: input is concat(enorm(emb), hnorm(h))
  TensorView head_norm;     // [D] f32 shared_head.norm (V3 release); empty -> the model's output_norm
  LayerWeights block;
};

struct ModelWeights {
  TensorView tok_embd;     // [V, D]
  TensorView output_norm;  // [D] f32
  TensorView output;       // [V, D]
  std::vector<LayerWeights> layers;
  std::vector<MtpWeights> mtp;  // num_nextn_predict_layers entries

  // Storage for tensors made at load time (f32 norms, split wkv_b, dequantized FP8 scales).
  std::vector<std::unique_ptr<float[]>> owned;
  // A new owned f32 tensor of this shape, zero-filled.
  TensorView new_f32(std::initializer_list<int64_t> shape);
};

// Splits a materialised wkv_b [H*(nope+v), kv_lora] (rows per head: nope key rows then v value
// rows) into w.w_uk_t [H, kv_lora, nope] and w.w_uv [H, v, kv_lora] (f32, owned by `mw`).
void split_wkv_b(const TensorView& wkv_b, const ModelConfig& c, MlaWeights& w, ModelWeights& mw);
// Any-type tensor -> an owned f32 copy with the same shape (used for norms and small tensors).
TensorView to_f32(const TensorView& t, ModelWeights& mw);
// Throws FormatError "tensor NAME: expected [a, b], got [c, d]" unless t has exactly `shape`.
void check_shape(const TensorView& t, const std::string& name, std::initializer_list<int64_t> shape);

}  // namespace seek
