// KVCache storage: one anonymous mapping, [layer][slot][pos] rows of row_bytes(type, width).
#include "model/kv_cache.h"

#include <sys/mman.h>

#include <cctype>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "kernels/quant/quant.h"

namespace seek {

DType kv_cache_type_from_name(const std::string& name) {
  std::string lower = name;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0})
    if (lower == dtype_name(t)) return t;
  throw UsageError(str("unknown cache type '", name, "' (expected f32, f16, bf16, q8_0 or q4_0)"));
}

KVCache::KVCache(const ModelConfig& c, int64_t n_slots, int64_t max_seq, DType type)
    : n_layers_(c.num_hidden_layers + c.num_nextn_predict_layers),
      n_slots_(n_slots),
      max_seq_(max_seq),
      width_(c.cache_width()),
      type_(type) {
  if (n_slots <= 0 || max_seq <= 0)
    throw UsageError(str("cache needs slots and context > 0, got ", n_slots, " x ", max_seq));
  if (type != DType::F32 && type != DType::F16 && type != DType::BF16 && type != DType::Q8_0 && type != DType::Q4_0)
    throw UsageError(str("cache type ", dtype_name(type), " is not offered (expected f32, f16, bf16, q8_0 or q4_0)"));
  const int64_t block = dtype_info(type).block_size;
  stored_width_ = (width_ + block - 1) / block * block;  // zero-padded to whole blocks
  row_bytes_ = row_bytes(type, stored_width_);
  bytes_ = static_cast<size_t>(n_layers_) * n_slots_ * max_seq_ * row_bytes_;
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw Error(str("cannot reserve ", bytes_ >> 20, " MiB for the KV cache (", n_slots, " slots x ", max_seq,
                    " tokens)"));
  data_ = static_cast<uint8_t*>(p);
}

KVCache::~KVCache() {
  if (data_) munmap(data_, bytes_);
}

uint8_t* KVCache::entry(int64_t layer, int64_t slot, int64_t pos) const {
  SEEK_ASSERT(layer >= 0 && layer < n_layers_ && slot >= 0 && slot < n_slots_ && pos >= 0 && pos < max_seq_);
  return data_ + static_cast<size_t>((layer * n_slots_ + slot) * max_seq_ + pos) * row_bytes_;
}

float* KVCache::at(int64_t layer, int64_t slot, int64_t pos) const {
  SEEK_ASSERT(type_ == DType::F32);
  return reinterpret_cast<float*>(entry(layer, slot, pos));
}

void KVCache::store(int64_t layer, int64_t slot, int64_t pos, const float* row) {
  uint8_t* dst = entry(layer, slot, pos);
  if (type_ == DType::F32) {
    std::memcpy(dst, row, row_bytes_);
  } else if (stored_width_ == width_) {
    quantize_row(type_, row, dst, width_);
  } else {  // the padding is zeros, which change no block's scale
    padded_.assign(static_cast<size_t>(stored_width_), 0.0f);
    std::memcpy(padded_.data(), row, sizeof(float) * static_cast<size_t>(width_));
    quantize_row(type_, padded_.data(), dst, stored_width_);
  }
}

const float* KVCache::rows(int64_t layer, int64_t slot, int64_t n, std::vector<float>& buf) const {
  SEEK_ASSERT(n >= 0 && n <= max_seq_);
  if (type_ == DType::F32) return reinterpret_cast<const float*>(entry(layer, slot, 0));
  if (buf.size() < static_cast<size_t>(n * width_)) buf.resize(static_cast<size_t>(n * width_));
  const uint8_t* src = n > 0 ? entry(layer, slot, 0) : nullptr;
  if (stored_width_ == width_) {
    for (int64_t t = 0; t < n; ++t) dequantize_row(type_, src + t * row_bytes_, buf.data() + t * width_, width_);
  } else {
    padded_.resize(static_cast<size_t>(stored_width_));
    for (int64_t t = 0; t < n; ++t) {
      dequantize_row(type_, src + t * row_bytes_, padded_.data(), stored_width_);
      std::memcpy(buf.data() + t * width_, padded_.data(), sizeof(float) * static_cast<size_t>(width_));
    }
  }
  return buf.data();
}

void KVCache::copy_prefix(int64_t from, int64_t to, int64_t n) {
  SEEK_ASSERT(n >= 0 && n <= max_seq_);
  if (from == to || n == 0) return;
  for (int64_t l = 0; l < n_layers_; ++l)
    std::memcpy(entry(l, to, 0), entry(l, from, 0), row_bytes_ * static_cast<size_t>(n));
}

}  // namespace seek
