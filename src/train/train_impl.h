// TrainModel's private state: parameter handles and the activations of the last forward that the
// backward consumes (one entry per block, llm.c style). Shared by train_model.cpp and
// train_forward.cpp only.
#pragma once
#include <utility>
#include <vector>

#include "model/rope.h"
#include "train/train_layers.h"
#include "train/train_model.h"
#include "train/train_params.h"

namespace seek {

struct TrainModel::Impl {
  ModelParams p;  // layers[num_hidden_layers] is the MTP block
  Rope rope;
  ExpertParallel* ep = nullptr;  // set_expert_parallel (null: every expert here)
  int64_t B = 0, T = 0;
  std::vector<int32_t> tokens;         // [B, T]
  std::vector<BlockActs> layers;       // main blocks
  std::vector<float> x_last;           // [N, D] last block output (MTP's h)
  std::vector<float> normed, rstd;     // [N, D], [N] model.norm
  std::vector<float> logits, dlogits;  // [N, V]
  // MTP depth 1 on rows n2 = b*(T-2) + t
  bool mtp_on = false;
  std::vector<int32_t> mtp_next, mtp_target;              // [N2] t_{i+1}, t_{i+2}
  std::vector<float> e_raw, e, e_rstd, h_in, hh, h_rstd;  // [N2, D] / [N2]
  std::vector<float> cat;                                 // [N2, 2D]
  std::vector<float> mtp_x, mtp_out;                      // [N2, D]
  BlockActs mtp_block;
  std::vector<float> mtp_normed, mtp_rstd;     // [N2, D], [N2]
  std::vector<float> mtp_logits, mtp_dlogits;  // [N2, V] (dlogits: of the mean MTP CE)
  double mtp_ce = 0, balance = 0;
  // Stretches of the flat buffers (offset, n) for TrainModel::set_grad_ready, in layout order:
  std::pair<size_t, size_t> embed_range, head_range;   // tok_embd; output_norm + output
  std::vector<std::pair<size_t, size_t>> layer_range;  // [num_hidden_layers + n_mtp] model.layers.i.*
};

}  // namespace seek
