// Single-sequence generation for the CLI (`seek run`, `seek chat`): prefill the prompt in
// batches, then decode one token at a time with a sampler, streaming text as it is made.
// The multi-request engine (continuous batching) builds on the same Model::forward.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/threadpool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "runtime/sampler.h"
#include "runtime/stop_strings.h"
#include "tokenizer/tokenizer.h"

namespace seek {

struct GenerateOptions {
  SamplingParams sampling;
  int64_t max_tokens = 256;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  int64_t n_batch = 512;  // prefill chunk
  int32_t slot = 0;
  int64_t n_past = 0;  // tokens of this slot already in the cache (chat history reuse)
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated ids
  std::string text;
  std::string finish_reason;  // "stop" (EOS or stop string) or "length"
  int64_t n_prompt = 0;       // tokens prefilled in this call
  double prefill_seconds = 0;
  double decode_seconds = 0;
};

// Throws UsageError unless the prompt is non-empty, fits the context with opt.n_past, and the
// options are in range (shared by every generation loop).
void check_generate_request(const std::vector<int32_t>& prompt, const GenerateOptions& opt, const KVCache& cache);

// The output side of a generation loop: each generated id goes through EOS, the streaming
// UTF-8 decoder and the stop strings into res.tokens/res.text and on_text. The text continues
// the prompt's: a SentencePiece word piece right after prompt text keeps its space ("Once" +
// " upon"), as llama.cpp prints it; only text generated from BOS alone starts without one.
class TokenOutput {
 public:
  TokenOutput(const Tokenizer& tok, const GenerateOptions& opt, GenerateResult& res,
              const std::function<bool(const std::string&)>& on_text, const std::vector<int32_t>& prompt);
  // Emits one token; false when generation ends here (EOS, a stop string, or on_text said stop).
  bool push(int32_t id);
  // Flushes text held back by the decoder and the stop matcher (call once at the end).
  void finish();

 private:
  bool emit(const std::string& piece);
  const Tokenizer& tok_;
  const GenerateOptions& opt_;
  GenerateResult& res_;
  const std::function<bool(const std::string&)>& on_text_;
  StopMatcher stops_;
  StreamDecoder decoder_;
};

double seconds_since(std::chrono::steady_clock::time_point t);

// on_text(piece) receives text as soon as it is safe to show (whole UTF-8 characters, not a
// possible stop-string start); returning false stops generation (finish_reason "stop").
GenerateResult generate(Model& model, const Tokenizer& tok, KVCache& cache, const std::vector<int32_t>& prompt,
                        const GenerateOptions& opt, ThreadPool& pool,
                        const std::function<bool(const std::string&)>& on_text);

}  // namespace seek
