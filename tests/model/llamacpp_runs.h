// Runs shared by the tests that compare seek with llama.cpp's recorded outputs on its own files
// (test_llamacpp_files.cpp, test_qwen3_llamacpp.cpp).
#pragma once
#include <cstdint>
#include <vector>

#include "model/model.h"
#include "runtime/sampler.h"

namespace seek::test {

// Teacher-forced run over prompt + llama.cpp's greedy ids; returns the logits of each step [n][V].
inline std::vector<std::vector<float>> step_logits(Model& m, const std::vector<int32_t>& prompt,
                                                   const std::vector<int32_t>& ref_ids, ThreadPool& pool) {
  const int64_t V = m.config().vocab_size;
  KVCache cache(m.config(), 1, 256);
  std::vector<std::vector<float>> out;
  Batch b;
  for (size_t i = 0; i < prompt.size(); ++i) b.add(prompt[i], static_cast<int32_t>(i), 0, i + 1 == prompt.size());
  std::vector<float> logits(V);
  m.forward(b, cache, pool, logits.data());
  out.push_back(logits);
  int32_t pos = static_cast<int32_t>(prompt.size());
  for (size_t s = 0; s + 1 < ref_ids.size(); ++s) {
    b.clear();
    b.add(ref_ids[s], pos++, 0, true);
    m.forward(b, cache, pool, logits.data());
    out.push_back(logits);
  }
  return out;
}

// Free-running greedy decoding: n ids after the prompt.
inline std::vector<int32_t> greedy_ids(Model& m, const std::vector<int32_t>& prompt, size_t n, ThreadPool& pool) {
  const int64_t V = m.config().vocab_size;
  KVCache cache(m.config(), 1, 128);
  Batch b;
  for (size_t i = 0; i < prompt.size(); ++i) b.add(prompt[i], static_cast<int32_t>(i), 0, i + 1 == prompt.size());
  std::vector<float> logits(V);
  std::vector<int32_t> got;
  int32_t pos = static_cast<int32_t>(prompt.size());
  for (size_t s = 0; s < n; ++s) {
    m.forward(b, cache, pool, logits.data());
    got.push_back(argmax(logits.data(), V));
    b.clear();
    b.add(got.back(), pos++, 0, true);
  }
  return got;
}

}  // namespace seek::test
