// The non-linear "IQ" types IQ4_NL (32-element blocks) and IQ4_XS (256-element super-blocks with
// 6-bit sub-block scales): quantize and dequantize.
//
// Quantizing follows what llama-quantize runs without an importance matrix (ggml's quantize_iq4_nl /
// quantize_iq4_xs, i.e. its 4-bit non-linear search with 7 scale trials each way; note that
// quantize_row_iq4_nl_ref, with no trials, is a different path), and with one (the same search
// under other weights). Per 32-element block, with table values v (kIq4Values) and weights w = x^2,
// or given the columns' importance qw, w = qw * sqrt(sigma2 + x^2) with sigma2 twice the mean
// square over the super-block (32 elements for IQ4_NL, 256 for IQ4_XS):
//   1. max = the signed value of largest magnitude; a block with |max| < 1e-15 gets scale 0.
//   2. d = -max / v[0]; codes q = nearest table entry to x / d; d = sum(w v_q x) / sum(w v_q^2).
//   3. For t = -7..7: 1 / d_t = (t + v[0]) / max, codes likewise; keep the least-squares scale of
//      the trial whose sum(w v x)^2 / sum(w v^2) beats the best so far (strictly).
//   IQ4_NL stores that scale in fp16 and re-codes the block against 1 / scale.
//   IQ4_XS stores D = -s / 32 (s the block scale of largest magnitude, the first one on ties), the
//   6-bit per-block l = clamp(round(scale / D), -32, 31) + 32 and codes against 1 / (D * l).
// Every float operation is ggml's, in ggml's order, so the bytes equal llama-quantize's.
//
// Each value decoded is formed with the float operations of ggml's to_float in the same order
// (scale, then table value), so results are bit-identical to llama.cpp's.
#include <cmath>
#include <cstring>

#include "core/float16.h"
#include "kernels/quant/blocks.h"
#include "kernels/quant/quant_imatrix.h"
#include "kernels/quant/quant_impl.h"
#include "kernels/quant/quant_search.h"

namespace seek::quant {

namespace {

constexpr int kIq4Trials = 7;  // ntry of quantize_iq4_nl / quantize_iq4_xs

// The index of the table value (ascending) nearest to v; a tie between two neighbours goes to the
// upper one, values beyond the ends to the end codes (ggml's best_index_int8).
int nearest_iq4(float v) {
  if (v <= kIq4Values[0]) return 0;
  if (v >= kIq4Values[15]) return 15;
  int lo = 0, hi = 15;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    (v < kIq4Values[mid] ? hi : lo) = mid;
  }
  return v - kIq4Values[hi - 1] < kIq4Values[hi] - v ? hi - 1 : hi;
}

// The weights of one 32-element block: x^2 without an importance matrix; with one, qw (the
// block's columns) * sqrt(sigma2 + x^2), sigma2 = twice the mean square of the super-block (ggml
// computes it per super-block, so per 32-element block for IQ4_NL).
void iq4_weights(const float* x, const float* qw, float sigma2, float* w) {
  if (qw) return importance_weights(x, qw, sigma2, kQK, w);
  for (int j = 0; j < kQK; ++j) w[j] = x[j] * x[j];
}

float iq4_sigma2(const float* x, int n) { return sum_squares(x, n) * (2.f / static_cast<float>(n)); }

// Steps 1..3 above for one 32-element block with weights w: its least-squares scale (0 for an
// all-but-zero block).
float iq4_block_scale(const float* x, const float* w) {
  const float max = signed_absmax(x, kQK);
  if (std::fabs(max) < kGroupMaxEps) return 0.0f;
  // The sums of w * v * x and w * v * v over the block, coded against inverse scale id.
  const auto sums = [&](float id, float& sumqx, float& sumq2) {
    sumqx = sumq2 = 0.0f;
    for (int j = 0; j < kQK; ++j) {
      const float q = kIq4Values[nearest_iq4(id * x[j])];
      sumqx += w[j] * q * x[j];
      sumq2 += w[j] * q * q;
    }
  };
  const float d0 = -max / kIq4Values[0];
  float sumqx, sumq2;
  sums(1 / d0, sumqx, sumq2);
  float d = sumq2 > 0 ? sumqx / sumq2 : 0.0f;
  float best = d * sumqx;
  for (int t = -kIq4Trials; t <= kIq4Trials; ++t) {
    sums(static_cast<float>(t + kIq4Values[0]) / max, sumqx, sumq2);
    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
      d = sumqx / sumq2;
      best = d * sumqx;
    }
  }
  return d;
}

// The 32 codes of x against inverse scale id, packed as Q4_0's nibbles into qs[16].
void iq4_pack(const float* x, float id, uint8_t* qs) {
  for (int j = 0; j < kQK / 2; ++j)
    qs[j] = static_cast<uint8_t>(nearest_iq4(id * x[j]) | (nearest_iq4(id * x[j + kQK / 2]) << 4));
}

// qw: the importance of each column, kQK per block, or nullptr.
void iq4_nl_blocks(const float* x, BlockIQ4_NL* y, int64_t nb, const float* qw) {
  float w[kQK];
  for (int64_t i = 0; i < nb; ++i, x += kQK) {
    iq4_weights(x, qw ? qw + kQK * i : nullptr, qw ? iq4_sigma2(x, kQK) : 0.0f, w);
    const float d = iq4_block_scale(x, w);
    y[i].d = fp32_to_fp16(d);
    iq4_pack(x, d ? 1 / d : 0.0f, y[i].qs);
  }
}

// qw: the importance of each column, kQKK per super-block, or nullptr.
void iq4_xs_blocks(const float* x, BlockIQ4_XS* y, int64_t nb, const float* qw) {
  float w[kQK];
  for (int64_t i = 0; i < nb; ++i, x += kQKK) {
    const float* qwi = qw ? qw + kQKK * i : nullptr;
    const float sigma2 = qw ? iq4_sigma2(x, kQKK) : 0.0f;
    float scales[8];
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 8; ++j) {
      iq4_weights(x + 32 * j, qwi ? qwi + 32 * j : nullptr, sigma2, w);
      scales[j] = iq4_block_scale(x + 32 * j, w);
      if (std::fabs(scales[j]) > amax) amax = std::fabs(scales[j]), max = scales[j];
    }
    const float d = -max / 32;
    const float id = d ? 1 / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    y[i].scales_h = 0;
    std::memset(y[i].scales_l, 0, sizeof y[i].scales_l);
    for (int j = 0; j < 8; ++j) {
      int l = nearest_int(id * scales[j]);
      l = l < -32 ? -32 : l > 31 ? 31 : l;
      const float dl = d * static_cast<float>(l);
      iq4_pack(x + 32 * j, dl ? 1 / dl : 0.0f, y[i].qs + 16 * j);
      l += 32;
      y[i].scales_l[j / 2] |= static_cast<uint8_t>((l & 0xF) << (4 * (j % 2)));
      y[i].scales_h |= static_cast<uint16_t>((l >> 4) << (2 * j));
    }
  }
}

}  // namespace

void quantize_iq4_nl(const float* x, BlockIQ4_NL* y, int64_t nb) { iq4_nl_blocks(x, y, nb, nullptr); }

void quantize_iq4_xs(const float* x, BlockIQ4_XS* y, int64_t nb) { iq4_xs_blocks(x, y, nb, nullptr); }

void quantize_iq4_nl_imatrix(const float* x, BlockIQ4_NL* y, int64_t n_per_row, const float* qw) {
  iq4_nl_blocks(x, y, n_per_row / kQK, qw);
}

void quantize_iq4_xs_imatrix(const float* x, BlockIQ4_XS* y, int64_t n_per_row, const float* qw) {
  iq4_xs_blocks(x, y, n_per_row / kQKK, qw);
}

void dequantize_iq4_nl(const BlockIQ4_NL* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = d * static_cast<float>(kIq4Values[x[i].qs[j] & 0xF]);
      y[j + kQK / 2] = d * static_cast<float>(kIq4Values[x[i].qs[j] >> 4]);
    }
  }
}

void dequantize_iq4_xs(const BlockIQ4_XS* x, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < 8; ++j, y += 32) {
      const float dl = d * static_cast<float>(iq4_xs_scale(x[i], j));
      const uint8_t* qs = x[i].qs + 16 * j;
      for (int l = 0; l < 16; ++l) {
        y[l] = dl * static_cast<float>(kIq4Values[qs[l] & 0xF]);
        y[l + 16] = dl * static_cast<float>(kIq4Values[qs[l] >> 4]);
      }
    }
  }
}

}  // namespace seek::quant
