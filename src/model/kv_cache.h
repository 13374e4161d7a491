// The attention cache: for MLA only the normalised latent c_kv and the rotated shared key k_pe
// (kv_lora_rank + qk_rope_head_dim floats per token per layer, deepseek.md 2.1); for GQA models
// K then V of every KV head. Slots are independent sequences (continuous batching).
// Memory is reserved up front and committed lazily by the OS as positions are written.
#pragma once
#include <cstddef>
#include <cstdint>

#include "model/config.h"

namespace seek {

class KVCache {
 public:
  // n_layers counts MTP blocks too (they cache like any layer).
  KVCache(const ModelConfig& c, int64_t n_slots, int64_t max_seq);
  ~KVCache();
  KVCache(const KVCache&) = delete;
  KVCache& operator=(const KVCache&) = delete;

  int64_t n_slots() const { return n_slots_; }
  int64_t max_seq() const { return max_seq_; }
  int64_t width() const { return width_; }  // floats per token per layer
  int64_t n_layers() const { return n_layers_; }
  // [max_seq, width] rows of one (layer, slot).
  float* at(int64_t layer, int64_t slot, int64_t pos) const;
  size_t bytes() const { return bytes_; }
  size_t bytes_per_token() const { return static_cast<size_t>(width_ * n_layers_) * sizeof(float); }
  // Copies positions [0, n) of slot `from` into slot `to` (prefix reuse across slots).
  void copy_prefix(int64_t from, int64_t to, int64_t n);

 private:
  int64_t n_layers_, n_slots_, max_seq_, width_;
  size_t bytes_ = 0;
  float* data_ = nullptr;
};

}  // namespace seek
