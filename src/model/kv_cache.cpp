// KVCache storage: one anonymous mapping, [layer][slot][pos][width] f32.
#include "model/kv_cache.h"

#include <sys/mman.h>

#include <cstring>

#include "core/error.h"

namespace seek {

KVCache::KVCache(const ModelConfig& c, int64_t n_slots, int64_t max_seq)
    : n_layers_(c.num_hidden_layers + c.num_nextn_predict_layers),
      n_slots_(n_slots),
      max_seq_(max_seq),
      width_(c.cache_width()) {
  if (n_slots <= 0 || max_seq <= 0)
    throw UsageError(str("cache needs slots and context > 0, got ", n_slots, " x ", max_seq));
  bytes_ = static_cast<size_t>(n_layers_) * n_slots_ * max_seq_ * width_ * sizeof(float);
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw Error(str("cannot reserve ", bytes_ >> 20, " MiB for the KV cache (", n_slots, " slots x ", max_seq,
                    " tokens)"));
  data_ = static_cast<float*>(p);
}

KVCache::~KVCache() {
  if (data_) munmap(data_, bytes_);
}

float* KVCache::at(int64_t layer, int64_t slot, int64_t pos) const {
  SEEK_ASSERT(layer >= 0 && layer < n_layers_ && slot >= 0 && slot < n_slots_ && pos >= 0 && pos < max_seq_);
  return data_ + ((layer * n_slots_ + slot) * max_seq_ + pos) * width_;
}

void KVCache::copy_prefix(int64_t from, int64_t to, int64_t n) {
  SEEK_ASSERT(n >= 0 && n <= max_seq_);
  if (from == to || n == 0) return;
  for (int64_t l = 0; l < n_layers_; ++l) std::memcpy(at(l, to, 0), at(l, from, 0), sizeof(float) * n * width_);
}

}  // namespace seek
