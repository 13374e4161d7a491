// llama-imatrix (de3ff81) computed by seek's own forward pass: for every weight product of the
// model, the sum over tokens of each input column's x^2 and the number of tokens, per matrix
// (per routed expert, over the tokens routed to it; per head for the per-head attn_k_b /
// attn_v_b), written as llama.cpp's GGUF imatrix (formats/imatrix_file.h) for llama-quantize
// --imatrix and `seek quantize --imatrix`.
//
// The collector watches the products through the matmul observer (kernels/matmul.h): it maps a
// product's weight pointer back to the GGUF tensor name and matrix index through the model's
// tensor table (model/arch/registry.h), so the model code carries no imatrix logic. It collects
// what llama-imatrix collects: every blk.* weight and, with process_output, output.weight (never
// token_embd, which is looked up, not multiplied); plain products only in forward passes of 16
// tokens or more (llama-imatrix's MUL_MAT filter), routed experts always (its MUL_MAT_ID).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "formats/imatrix_file.h"
#include "kernels/matmul.h"
#include "model/model.h"

namespace seek {

class ImatrixCollector : public MatmulObserver {
 public:
  // Indexes the model's weights; collects nothing until installed.
  explicit ImatrixCollector(Model& model, bool process_output = false);
  ~ImatrixCollector() override;  // uninstalls itself
  ImatrixCollector(const ImatrixCollector&) = delete;
  ImatrixCollector& operator=(const ImatrixCollector&) = delete;

  // Becomes (stops being) the process-wide matmul observer. One collector at a time.
  void install();
  void uninstall();
  // Call before each forward pass with its token count: under 16, plain products are skipped.
  void begin_pass(int64_t n_tokens) { skip_dense_ = n_tokens < kMinDenseTokens; }
  // After a pass: throws Error naming the first weight whose input held a NaN or infinity.
  void check_finite() const;

  void on_product(const TensorView& W, const float* X, int64_t N) override;

  // The statistics so far: chunk_count = the largest token count / chunk_size, as llama-imatrix
  // counts chunks; a weight with one count per matrix keeps them only when they differ (experts).
  Imatrix result(int32_t chunk_size, std::vector<std::string> datasets) const;

  static constexpr int64_t kMinDenseTokens = 16;

 private:
  struct Entry {
    std::string name;
    int64_t cols = 0;
    int64_t n_mat = 1;
    bool expert = false;
    bool touched = false;
    std::vector<double> sums;  // [n_mat, cols]: double, so the order in which threads add is immaterial
    std::vector<int64_t> counts;
  };
  // A weight's bytes: matrix j of entry starts at begin + (j - first) * matrix_bytes.
  struct Range {
    const uint8_t* end = nullptr;
    size_t entry = 0;
    int64_t first = 0;
    size_t matrix_bytes = 0;  // 0: one matrix
  };
  void add_weight(const std::string& name, const TensorView& v, int64_t expert, int64_t n_experts);

  std::vector<Entry> entries_;
  std::map<const uint8_t*, Range> ranges_;  // by first byte
  std::atomic<bool> skip_dense_{false};
  std::mutex mu_;
  std::string non_finite_;  // first weight with a non-finite input (under mu_)
  bool installed_ = false;
  bool process_output_ = false;
};

struct ImatrixOptions {
  int64_t n_ctx = 512;      // -c: tokens per chunk (each starts with BOS when the model adds one)
  int64_t n_batch = 2048;   // -b: tokens per llama_decode; passes are cut at min(n_batch, 512)
  int64_t max_chunks = -1;  // --chunks: at most this many chunks (-1: all)
  bool process_output = false;
  DType cache_type = DType::F16;      // llama-imatrix's default KV cache
  std::vector<std::string> datasets;  // recorded in the file (the text files' names)
};

// llama-imatrix's run over `tokens` (the whole text, tokenized as it does: with BOS when the
// model adds one): needs at least 2 * n_ctx tokens; chunk k is tokens [k*n_ctx, (k+1)*n_ctx)
// with its first token replaced by `bos` (when >= 0), run from an empty cache in passes as
// llama-imatrix's batches and micro-batches cut it. on_chunk(done, total): once with 0 before
// the first chunk (the text has passed the checks), then after each chunk.
Imatrix compute_imatrix(Model& model, const std::vector<int32_t>& tokens, int32_t bos, const ImatrixOptions& o,
                        ThreadPool& pool, const std::function<void(int64_t, int64_t)>& on_chunk = {});

}  // namespace seek
