// Single-sequence generation for the CLI (`seek run`, `seek chat`): prefill the prompt in
// batches, then decode one token at a time with a sampler, streaming text as it is made.
// The multi-request engine (continuous batching) builds on the same Model::forward.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace seek {

struct GenerateOptions {
  SamplingParams sampling;
  int64_t max_tokens = 256;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  int64_t n_batch = 512;  // prefill chunk
  int32_t slot = 0;
  int64_t n_past = 0;     // tokens of this slot already in the cache (chat history reuse)
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated ids
  std::string text;
  std::string finish_reason;    // "stop" (EOS or stop string) or "length"
  int64_t n_prompt = 0;         // tokens prefilled in this call
  double prefill_seconds = 0;
  double decode_seconds = 0;
};

// on_text(piece) receives text as soon as it is safe to show (whole UTF-8 characters, not a
// possible stop-string start); returning false stops generation (finish_reason "stop").
GenerateResult generate(Model& model, const Tokenizer& tok, KVCache& cache, const std::vector<int32_t>& prompt,
                        const GenerateOptions& opt, ThreadPool& pool,
                        const std::function<bool(const std::string&)>& on_text);

}  // namespace seek
