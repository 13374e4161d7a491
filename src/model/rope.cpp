// RoPE frequencies and rotation. freq_i = theta^(-2i/d); with YaRN, freq = freq/factor * (1 - m) + freq * m
// where m = 1 - clamp((i - low) / (high - low)), low/high the correction dims of beta_fast/beta_slow;
// with Llama-3 scaling, by wavelength: long ones / factor, short ones kept, a smooth blend between.
#include "model/rope.h"

#include <algorithm>
#include <cmath>

namespace seek {

namespace {

// Dimension at which a wavelength completes `rotations` turns over the original context.
double correction_dim(double rotations, int64_t dim, double base, int64_t orig_ctx) {
  return static_cast<double>(dim) * std::log(static_cast<double>(orig_ctx) / (rotations * 2.0 * M_PI)) /
         (2.0 * std::log(base));
}

}  // namespace

Rope::Rope(const ModelConfig& c) : dim_(c.rope_dim()), style_(c.rope_style) {
  const int64_t half = dim_ / 2;
  freq_.resize(half);
  for (int64_t i = 0; i < half; ++i)
    freq_[i] = std::pow(c.rope_theta, -2.0 * static_cast<double>(i) / static_cast<double>(dim_));
  const RopeScaling& r = c.rope_scaling;
  if (r.llama3) {
    const double orig = static_cast<double>(r.original_max_position_embeddings);
    const double low_wl = orig / r.low_freq_factor, high_wl = orig / r.high_freq_factor;
    for (int64_t i = 0; i < half; ++i) {
      const double wl = 2.0 * M_PI / freq_[i];
      if (wl > low_wl) {
        freq_[i] /= r.factor;
      } else if (wl >= high_wl) {
        const double smooth = (orig / wl - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
        freq_[i] = (1.0 - smooth) * freq_[i] / r.factor + smooth * freq_[i];
      }
    }
    return;
  }
  if (!r.yarn || r.factor <= 1.0) return;
  double low = std::floor(correction_dim(r.beta_fast, dim_, c.rope_theta, r.original_max_position_embeddings));
  double high = std::ceil(correction_dim(r.beta_slow, dim_, c.rope_theta, r.original_max_position_embeddings));
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(dim_ - 1));
  if (low == high) high += 0.001;
  for (int64_t i = 0; i < half; ++i) {
    double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    double extrapolate = 1.0 - ramp;  // 1: keep the original frequency (high-frequency pairs)
    freq_[i] = freq_[i] / r.factor * (1.0 - extrapolate) + freq_[i] * extrapolate;
  }
  // HF's YaRN attention factor on the rotated q and k (1 when mscale == mscale_all_dim, DeepSeek's
  // GGUF convention; 1 + 0.1 ln(factor) for Qwen/Llama YaRN, where mscale_all_dim is 0).
  magnitude_ = static_cast<float>(yarn_get_mscale(r.factor, r.mscale) / yarn_get_mscale(r.factor, r.mscale_all_dim));
}

void Rope::rotate(float* x, int64_t n_heads, int64_t stride, int64_t pos, float sign) const {
  const int64_t half = dim_ / 2;
  float cs[256], sn[256];
  float* c = cs;
  float* s = sn;
  std::vector<float> big;
  if (half > 256) {
    big.resize(2 * half);
    c = big.data();
    s = big.data() + half;
  }
  for (int64_t i = 0; i < half; ++i) {
    double theta = static_cast<double>(pos) * freq_[i];
    c[i] = static_cast<float>(std::cos(theta)) * magnitude_;
    s[i] = sign * static_cast<float>(std::sin(theta)) * magnitude_;
  }
  for (int64_t h = 0; h < n_heads; ++h) {
    float* v = x + h * stride;
    for (int64_t i = 0; i < half; ++i) {
      int64_t a = style_ == RopeStyle::Adjacent ? 2 * i : i;
      int64_t b = style_ == RopeStyle::Adjacent ? 2 * i + 1 : i + half;
      float x0 = v[a], x1 = v[b];
      v[a] = x0 * c[i] - x1 * s[i];
      v[b] = x0 * s[i] + x1 * c[i];
    }
  }
}

void Rope::apply(float* x, int64_t n_heads, int64_t stride, int64_t pos) const {
  rotate(x, n_heads, stride, pos, 1.0f);
}

void Rope::apply_transpose(float* x, int64_t n_heads, int64_t stride, int64_t pos) const {
  rotate(x, n_heads, stride, pos, -1.0f);
}

}  // namespace seek
