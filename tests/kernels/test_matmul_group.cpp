// matmul_group: several products in one parallel region must give, bit for bit, what one
// matmul() per job gives (same kernels, same activation rounding), whatever the mix of weight
// types, shapes, shared or separate inputs, token counts (0 included) and thread counts, and for
// slices of a stacked 3D tensor (how the MoE path passes its experts).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/threadpool.h"
#include "kernels/matmul.h"
#include "kernels/quant/quant.h"

namespace seek {
namespace {

struct Weight {
  std::vector<uint8_t> bytes;
  TensorView view;
};

Weight make_weight(DType t, int64_t E, int64_t M, int64_t K, std::mt19937& rng) {
  std::normal_distribution<float> g(0.0f, 1.0f);
  Weight w;
  const size_t rb = row_bytes(t, K);
  w.bytes.resize(rb * M * E);
  std::vector<float> row(K);
  for (int64_t r = 0; r < M * E; ++r) {
    for (float& v : row) v = g(rng);
    quantize_row(t, row.data(), w.bytes.data() + r * rb, K);
  }
  w.view = E > 1 ? TensorView::contiguous(t, {E, M, K}, w.bytes.data())
                 : TensorView::contiguous(t, {M, K}, w.bytes.data());
  return w;
}

std::vector<float> activations(int64_t N, int64_t K, std::mt19937& rng) {
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(N * K));
  for (float& v : x) v = g(rng);
  return x;
}

TEST(MatmulGroup, EqualsOneMatmulPerJob) {
  std::mt19937 rng(7);
  // An MoE-like layer: experts of one stacked tensor (q4_K), a shared expert (q6_K), a dense
  // projection in another format (q8_0), an f32 router and a fallback type (q5_0).
  const int64_t K = 256;
  Weight experts = make_weight(DType::Q4_K, 4, 96, K, rng);
  Weight shared = make_weight(DType::Q6_K, 1, 200, K, rng);
  Weight dense = make_weight(DType::Q8_0, 1, 48, K, rng);
  Weight router = make_weight(DType::F32, 1, 16, K, rng);
  Weight fallback = make_weight(DType::Q5_0, 1, 64, K, rng);
  const std::vector<float> h = activations(3, K, rng), xe = activations(5, K, rng);
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    const TensorView e0 = experts.view.slice0(0), e2 = experts.view.slice0(2), e3 = experts.view.slice0(3);
    struct Case {
      const TensorView* W;
      const float* X;
      int64_t N;
    };
    const std::vector<Case> cases = {
        {&e0, xe.data(), 2},         {&e2, xe.data() + 2 * K, 3}, {&e3, xe.data(), 0},
        {&shared.view, h.data(), 3}, {&shared.view, h.data(), 3},  // same input twice: packed once
        {&dense.view, h.data(), 3},  {&router.view, h.data(), 1}, {&fallback.view, h.data(), 3}};
    std::vector<std::vector<float>> want(cases.size()), got(cases.size());
    std::vector<MatmulJob> jobs;
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      want[i].assign(static_cast<size_t>(c.N * c.W->rows()) + 1, -7.0f);
      got[i] = want[i];
      matmul(*c.W, c.X, c.N, want[i].data(), pool);
      jobs.push_back({c.W, c.X, c.N, got[i].data()});
    }
    matmul_group(jobs.data(), static_cast<int>(jobs.size()), pool);
    for (size_t i = 0; i < cases.size(); ++i) {
      ASSERT_EQ(std::memcmp(want[i].data(), got[i].data(), want[i].size() * 4), 0)
          << "job " << i << " (" << dtype_name(cases[i].W->dtype) << "), " << threads << " threads";
      EXPECT_EQ(got[i].back(), -7.0f) << "wrote past its output";
    }
  }
}

TEST(MatmulGroup, EmptyAndBadJobs) {
  ThreadPool pool(2);
  matmul_group(nullptr, 0, pool);  // nothing to do
  std::vector<float> y(4);
  TensorView none;
  const MatmulJob bad = {&none, y.data(), 1, y.data()};
  EXPECT_THROW(matmul_group(&bad, 1, pool), std::exception);
}

}  // namespace
}  // namespace seek
