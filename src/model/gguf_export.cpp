// Registry-driven GGUF writing (gguf_export.h).
#include "model/gguf_export.h"

#include "core/error.h"
#include "core/threadpool.h"
#include "kernels/quant/quant.h"
#include "model/config_io.h"

namespace seek {

void copy_tokenizer_keys(GGUFWriter& w, const GGUFFile& vocab) {
  bool any = false;
  for (const auto& [key, value] : vocab.metadata()) {
    if (key.rfind("tokenizer.", 0) != 0) continue;
    w.set(key, value);
    any = true;
  }
  if (!any) throw FormatError("the vocabulary file has no tokenizer.* keys");
}

DType storage_type(const TensorInstance& t, DType type) {
  if (t.def->has(kSmall) || t.shape.size() < 2) return DType::F32;
  const int64_t cols = t.shape.back();
  if (cols % dtype_info(type).block_size == 0) return type;
  // llama-quantize's fallbacks for rows that are not whole blocks (llama-quant.cpp
  // tensor_type_fallback), then F16 where the fallback's 32-blocks do not fit either.
  DType fallback = DType::F16;
  switch (type) {
    case DType::Q2_K:
    case DType::Q3_K: fallback = DType::Q4_0; break;
    case DType::Q4_K: fallback = DType::Q5_0; break;
    case DType::Q5_K: fallback = DType::Q5_1; break;
    case DType::Q6_K: fallback = DType::Q8_0; break;
    default: break;
  }
  return cols % dtype_info(fallback).block_size == 0 ? fallback : DType::F16;
}

int32_t gguf_file_type(DType t) {
  switch (t) {  // llama.cpp's LLAMA_FTYPE_MOSTLY_*; a K type names its _S mix but Q4_K, which names Q4_K_M
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::Q4_0: return 2;
    case DType::Q4_1: return 3;
    case DType::Q8_0: return 7;
    case DType::Q5_0: return 8;
    case DType::Q5_1: return 9;
    case DType::Q2_K: return 10;
    case DType::Q3_K: return 11;
    case DType::Q4_K: return 15;
    case DType::Q5_K: return 16;
    case DType::Q6_K: return 18;
    case DType::BF16: return 32;
    default:
      throw UsageError(str("GGUF type ", dtype_name(t),
                           " cannot be written (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, "
                           "Q6_K)"));
  }
}

void write_gguf_model(const std::string& path, const ModelConfig& c, const GGUFFile& vocab, DType type,
                      const RowFill& fill, ThreadPool& pool, const std::function<void(int64_t)>& progress) {
  const GGUFValue* tokens = vocab.find("tokenizer.ggml.tokens");
  if (tokens && static_cast<int64_t>(tokens->arr.size()) != c.vocab_size)
    throw UsageError(str("the vocabulary has ", tokens->arr.size(), " tokens but the model's embedding has ",
                         c.vocab_size, " rows (llama.cpp and seek require them to be equal)"));
  GGUFWriter w;
  add_gguf_config_keys(w, c, gguf_file_type(type));
  copy_tokenizer_keys(w, vocab);
  const std::vector<TensorInstance> tensors = gguf_tensors(c);
  std::vector<std::vector<uint8_t>> storage;
  storage.reserve(tensors.size());
  int64_t done = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInstance& t = tensors[i];
    const DType st = storage_type(t, type);
    const int64_t cols = t.shape.back();
    int64_t rows = 1;
    for (size_t d = 0; d + 1 < t.shape.size(); ++d) rows *= t.shape[d];
    const size_t rb = row_bytes(st, cols);
    storage.emplace_back(rb * static_cast<size_t>(rows));
    uint8_t* dst = storage.back().data();
    pool.parallel_for(rows, 16, [&](int64_t b, int64_t e) {
      std::vector<float> row(static_cast<size_t>(cols));
      for (int64_t r = b; r < e; ++r) {
        fill(t, i, r, row.data());
        quantize_row(st, row.data(), dst + r * rb, cols);
      }
    });
    w.add_tensor(t.name, TensorView::contiguous(st, t.shape.data(), static_cast<int>(t.shape.size()), dst));
    done += rows * cols;
    if (progress) progress(done);
  }
  w.write(path);
}

}  // namespace seek
