// Greedy speculative decoding with the model's own MTP head (deepseek.md 2.3), depth 1: the
// MTP block drafts the token after next, and the next main forward verifies it in the same
// 2-token batch. Output is token-for-token the plain greedy output; only the speed changes.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/generate.h"

namespace seek {

struct SpeculativeResult : GenerateResult {
  int64_t drafted = 0;    // drafts checked by a main forward
  int64_t accepted = 0;   // drafts equal to the main model's greedy token
  int64_t n_forward = 0;  // main-model decode forwards (plain decoding needs one per token)
  double acceptance_rate() const { return drafted > 0 ? double(accepted) / double(drafted) : 0.0; }
  double tokens_per_second() const { return decode_seconds > 0 ? double(tokens.size()) / decode_seconds : 0.0; }
};

// Same contract as generate() (streaming, stop strings, EOS, max_tokens, context limit), for
// greedy decoding only: throws UsageError when the sampling is not plain greedy (temperature 0,
// no penalties) or the model has no MTP module (num_nextn_predict_layers == 0).
SpeculativeResult generate_speculative_mtp(Model& model, const Tokenizer& tok, KVCache& cache,
                                           const std::vector<int32_t>& prompt, const GenerateOptions& opt,
                                           ThreadPool& pool, const std::function<bool(const std::string&)>& on_text);

}  // namespace seek
