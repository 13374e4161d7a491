// seek imatrix against llama-imatrix de3ff81 on the same files and text (commands in
// tests/data/PROVENANCE.md), each on ppl.txt with -c 128 and -b 128 (one pass a chunk) or, to
// check llama-imatrix's rule for passes under 16 tokens, -b 40:
//
// ds2-micro-F32.gguf (f32 weights, legacy attn_kv_b, 8 experts, softmax routing) against a run
// with exact attention (-fa off -ctk f32 -ctv f32; seek with an f32 cache): everything that is
// not float rounding is equal: the entries, every token count (so every routing decision),
// chunk count, size and dataset, and a file header byte-identical to llama.cpp's. The sums of
// x^2 agree to 1e-5 relative: measured worst 2.1e-6, which is llama-imatrix summing 768 squares
// in f32 (about sqrt(768) * 2^-24 = 1.7e-6 typical rounding) where seek sums in double; the
// activations themselves agree to a few ulps.
//
// ds2-zoo-Q4_K_M.gguf (Q4_K/Q6_K/Q5_0 weights, split attn_k_b / attn_v_b used per head, 16
// experts, sigmoid routing) against llama-imatrix's defaults (f16 cache and flash attention;
// seek with its default f16 cache). Quantized weights take their inputs rounded to Q8 blocks, so
// an ulp of difference in an input can move it across a rounding boundary (a whole Q8 step), and
// llama.cpp's flash attention rounds the query to f16; the measured differences grow with depth
// (1e-4 in blk.0, 5e-3 in blk.1's attention) until, in the routed layers, a few tokens whose
// top-4 choice is a near tie (seek sees 23 tokens within 1e-3 of flipping over the two MoE
// layers) pick another expert: measured 5 and 12 reassignments out of 3072 (token, slot) pairs,
// after which blk.2 differs by up to 5% per column. So here: the same entries, the same counts
// for every weight that is not a routed expert, the same routed total per expert tensor with at
// most kMaxMoved counts moved between experts, every sum within 3% before the first routed
// output (blk.0, blk.1 up to its experts; measured worst 1.1%), and every entry within 10% in
// relative L2 norm (measured worst 3.7%, blk.2.ffn_down_exps, whose low-count experts change
// most when a token moves).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

#include "core/file.h"
#include "formats/imatrix_file.h"
#include "model/imatrix_collector.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

using namespace seek;

namespace {

const std::string kData = SEEK_TEST_DATA;

// The collection as `seek imatrix -c 128 -b 128` runs it on a file under tests/data; `dataset`
// is the text's path as llama-imatrix recorded it (run from the source root).
Imatrix run_seek(const std::string& model_file, const std::string& dataset, DType cache, int threads,
                 int64_t n_batch = 128) {
  auto model = Model::load_gguf(kData + "/" + model_file);
  auto tok = Tokenizer::from_gguf(*model->gguf());
  std::string text = read_file(kData + "/" + dataset.substr(std::strlen("tests/data/")));
  if (!text.empty() && text.back() == '\n') text.pop_back();  // llama.cpp's -f drops it
  const std::vector<int32_t> ids = tok->encode(text, true, false);
  ImatrixOptions o;
  o.n_ctx = 128;
  o.n_batch = n_batch;
  o.cache_type = cache;
  o.datasets = {dataset};
  ThreadPool pool(threads);
  return compute_imatrix(*model, ids, tok->bos(), o, pool);
}

std::vector<std::string> names(const Imatrix& m) {
  std::vector<std::string> n;
  for (const auto& [name, e] : m.entries) n.push_back(name);
  return n;
}

double rel_diff(float got, float ref) {
  return std::fabs(static_cast<double>(got) - ref) / std::max(1e-30, std::fabs(static_cast<double>(ref)));
}

// Worst per-value relative difference of two entries' sums (reported, and checked by callers).
double worst_rel(const ImatrixEntry& g, const ImatrixEntry& r) {
  double w = 0;
  for (size_t i = 0; i < r.sums.size(); ++i) w = std::max(w, rel_diff(g.sums[i], r.sums[i]));
  return w;
}

double rel_l2(const ImatrixEntry& g, const ImatrixEntry& r) {
  double num = 0, den = 0;
  for (size_t i = 0; i < r.sums.size(); ++i) {
    const double d = static_cast<double>(g.sums[i]) - r.sums[i];
    num += d * d;
    den += static_cast<double>(r.sums[i]) * r.sums[i];
  }
  return std::sqrt(num / den);
}

// What must match whatever the arithmetic: metadata, names, shapes, and the file's header.
void expect_same_structure(const Imatrix& got, const Imatrix& ref, const std::string& ref_path) {
  EXPECT_EQ(got.datasets, ref.datasets);
  EXPECT_EQ(got.chunk_count, ref.chunk_count);
  EXPECT_EQ(got.chunk_size, ref.chunk_size);
  ASSERT_EQ(names(got), names(ref));
  for (const auto& [name, r] : ref.entries) {
    ASSERT_EQ(got.entries.at(name).sums.size(), r.sums.size()) << name;
    ASSERT_EQ(got.entries.at(name).counts.size(), r.counts.size()) << name;
  }
  // seek's file equals llama.cpp's up to the tensor data (keys, names, shapes, offsets) and in size.
  const std::string raw = read_file(ref_path);
  const std::vector<uint8_t> mine = imatrix_to_bytes(got);
  ASSERT_EQ(mine.size(), raw.size());
  size_t data_bytes = 0;  // every tensor's f32 values, each padded to 32 bytes
  for (const auto& [name, e] : ref.entries)
    data_bytes += (e.sums.size() * 4 + 31) / 32 * 32 + (e.counts.size() * 4 + 31) / 32 * 32;
  EXPECT_EQ(0, std::memcmp(mine.data(), raw.data(), raw.size() - data_bytes)) << "the header differs from llama.cpp's";
}

// Everything but float rounding equal (see the top of the file); returns the reference.
Imatrix expect_micro_matches(const std::string& ref_file, int64_t n_batch) {
  const std::string ref_path = kData + "/gguf/" + ref_file;
  const Imatrix ref = read_imatrix(ref_path);
  const Imatrix got = run_seek("gguf/ds2-micro-F32.gguf", "tests/data/gguf/ppl.txt", DType::F32, 2, n_batch);
  expect_same_structure(got, ref, ref_path);
  const double kTol = 1e-5;
  double worst = 0;
  for (const auto& [name, r] : ref.entries) {
    const ImatrixEntry& g = got.entries.at(name);
    EXPECT_EQ(g.counts, r.counts) << name;
    const double w = worst_rel(g, r);
    EXPECT_LE(w, kTol) << name;
    worst = std::max(worst, w);
  }
  std::printf("%s: worst relative difference of a sum %.3g (tolerance %.0e)\n", ref_file.c_str(), worst, kTol);
  return ref;
}

}  // namespace

TEST(Imatrix, MatchesLlamaImatrixOnF32Micro) {
  const Imatrix ref = expect_micro_matches("ds2-micro-F32.imatrix.gguf", 128);
  EXPECT_EQ(ref.entries.size(), 44u);  // 4 layers' blk.* weights, attn_kv_b included
  EXPECT_EQ(ref.entries.at("blk.0.attn_kv_b.weight").counts, std::vector<int64_t>{768});
}

// -b 40 cuts each 128-token chunk into passes of 40, 40, 40 and 8 tokens: llama-imatrix skips the
// plain products of the 8-token pass (its MUL_MAT filter) but not the experts', so dense weights
// count 6 * 120 = 720 tokens and the chunk count is 720 / 128 = 5.
TEST(Imatrix, MatchesLlamaImatrixWithShortPasses) {
  const Imatrix ref = expect_micro_matches("ds2-micro-F32.b40.imatrix.gguf", 40);
  EXPECT_EQ(ref.chunk_count, 5);
  EXPECT_EQ(ref.entries.at("blk.0.attn_q_a.weight").counts, std::vector<int64_t>{720});
  const std::vector<int64_t>& ex = ref.entries.at("blk.1.ffn_up_exps.weight").counts;
  EXPECT_EQ(std::accumulate(ex.begin(), ex.end(), int64_t{0}), 768 * 2);  // every token, top-2
}

TEST(Imatrix, MatchesLlamaImatrixOnQuantizedZoo) {
  const std::string ref_path = kData + "/gguf-quants/ds2-zoo-Q4_K_M.imatrix.gguf";
  const Imatrix ref = read_imatrix(ref_path);
  const Imatrix got = run_seek("gguf-quants/ds2-zoo-Q4_K_M.gguf", "tests/data/gguf-quants/ppl.txt", DType::F16, 2);
  expect_same_structure(got, ref, ref_path);
  const int64_t kMaxMoved = 64;  // counts moved between experts per tensor (2 per reassigned pair)
  const double kTolBeforeRouting = 3e-2, kTolL2 = 0.1;
  for (const auto& [name, r] : ref.entries) {
    const ImatrixEntry& g = got.entries.at(name);
    const bool expert = r.counts.size() > 1;
    const bool before_routing = name.rfind("blk.0.", 0) == 0 || (name.rfind("blk.1.", 0) == 0 && !expert);
    if (expert) {
      EXPECT_EQ(std::accumulate(g.counts.begin(), g.counts.end(), int64_t{0}),
                std::accumulate(r.counts.begin(), r.counts.end(), int64_t{0}))
          << name;
      int64_t moved = 0;
      for (size_t j = 0; j < r.counts.size(); ++j) moved += std::llabs(g.counts[j] - r.counts[j]);
      EXPECT_LE(moved, kMaxMoved) << name;
      std::printf("  %-28s %2lld counts moved, rel L2 %.3g\n", name.c_str(), static_cast<long long>(moved),
                  rel_l2(g, r));
    } else {
      EXPECT_EQ(g.counts, r.counts) << name;
      std::printf("  %-28s worst %.3g, rel L2 %.3g\n", name.c_str(), worst_rel(g, r), rel_l2(g, r));
    }
    if (before_routing) {
      EXPECT_LE(worst_rel(g, r), kTolBeforeRouting) << name;
    }
    EXPECT_LE(rel_l2(g, r), kTolL2) << name;
  }
}

TEST(Imatrix, SameResultOnAnyThreadCount) {
  const Imatrix a = run_seek("gguf/ds2-micro-F32.gguf", "tests/data/gguf/ppl.txt", DType::F32, 1);
  const Imatrix b = run_seek("gguf/ds2-micro-F32.gguf", "tests/data/gguf/ppl.txt", DType::F32, 3);
  EXPECT_EQ(imatrix_to_bytes(a), imatrix_to_bytes(b));
}
