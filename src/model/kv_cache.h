// The attention cache: for MLA only the normalised latent c_kv and the rotated shared key k_pe
// (kv_lora_rank + qk_rope_head_dim values per token per layer, deepseek.md 2.1); for GQA models
// K then V of every KV head. Slots are independent sequences (continuous batching).
// Entries are stored as f32 or, like llama.cpp's --cache-type-k/v, as f16, bf16, q8_0 or q4_0
// (each row quantized in 32-element blocks when written, zero-padded to whole blocks when the
// width is not a multiple of 32, decoded when read).
// Memory is reserved up front and committed lazily by the OS as positions are written.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "model/config.h"

namespace seek {

// The cache types seek offers: f32, f16, bf16, q8_0, q4_0. Throws UsageError naming them otherwise.
DType kv_cache_type_from_name(const std::string& name);

class KVCache {
 public:
  // n_layers counts MTP blocks too (they cache like any layer).
  KVCache(const ModelConfig& c, int64_t n_slots, int64_t max_seq, DType type = DType::F32);
  ~KVCache();
  KVCache(const KVCache&) = delete;
  KVCache& operator=(const KVCache&) = delete;

  int64_t n_slots() const { return n_slots_; }
  int64_t max_seq() const { return max_seq_; }
  int64_t width() const { return width_; }  // values per token per layer
  int64_t n_layers() const { return n_layers_; }
  DType type() const { return type_; }
  // Writes one entry (width values) at (layer, slot, pos), rounded to the cache type.
  void store(int64_t layer, int64_t slot, int64_t pos, const float* row);
  // Entries [0, n) of (layer, slot) as f32 rows of width values: the storage itself for an f32
  // cache, else decoded into buf (grown as needed). Valid until the next store or buf change.
  const float* rows(int64_t layer, int64_t slot, int64_t n, std::vector<float>& buf) const;
  // The f32 storage of one entry (f32 caches only: tests and the reference paths).
  float* at(int64_t layer, int64_t slot, int64_t pos) const;
  size_t bytes() const { return bytes_; }
  size_t bytes_per_token() const { return row_bytes_ * static_cast<size_t>(n_layers_); }
  // Copies positions [0, n) of slot `from` into slot `to` (prefix reuse across slots).
  void copy_prefix(int64_t from, int64_t to, int64_t n);

 private:
  uint8_t* entry(int64_t layer, int64_t slot, int64_t pos) const;

  int64_t n_layers_, n_slots_, max_seq_, width_;
  int64_t stored_width_ = 0;           // width_ rounded up to whole blocks of type_
  mutable std::vector<float> padded_;  // one zero-padded row (store / rows; one caller at a time)
  DType type_;
  size_t row_bytes_ = 0;
  size_t bytes_ = 0;
  uint8_t* data_ = nullptr;
};

}  // namespace seek
