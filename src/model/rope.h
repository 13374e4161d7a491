// Rotary position embedding with YaRN (deepseek.md 2.1): per-pair frequencies computed once at
// load (YaRN's ramp between beta_fast and beta_slow correction dims), applied per token with the
// configured pairing (adjacent for DeepSeek, split halves for HF Llama/Qwen2).
#pragma once
#include <cstdint>
#include <vector>

#include "model/config.h"

namespace seek {

class Rope {
 public:
  Rope() = default;
  explicit Rope(const ModelConfig& c);

  int64_t dim() const { return dim_; }
  // Rotates n_heads vectors of dim() values at x (stride `stride` floats apart) for position pos.
  void apply(float* x, int64_t n_heads, int64_t stride, int64_t pos) const;
  // The transposed rotation (the backward pass of apply).
  void apply_transpose(float* x, int64_t n_heads, int64_t stride, int64_t pos) const;
  const std::vector<double>& freqs() const { return freq_; }  // [dim/2] radians per position
  float magnitude() const { return magnitude_; }

 private:
  void rotate(float* x, int64_t n_heads, int64_t stride, int64_t pos, float sign) const;
  int64_t dim_ = 0;
  RopeStyle style_ = RopeStyle::Adjacent;
  std::vector<double> freq_;
  float magnitude_ = 1.0f;  // YaRN: mscale(factor, mscale) / mscale(factor, mscale_all_dim)
};

}  // namespace seek
