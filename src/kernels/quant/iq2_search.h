// The search tables the IQ2 and IQ1 quantizers use to find grid points (ggml's iq2xs_init_impl,
// rebuilt here from the decoders' codebooks in iq_grids.h): every point of the lattice of 8
// values with 2-bit levels (key = 16 bits, 43692 keys as ggml sizes the table) maps either to the
// grid index of that point or to a list of the nearest grid points. Built once per grid on first
// use (thread-safe); IQ2_XXS (256 points), IQ2_XS (512), IQ2_S (1024) and IQ1_S / IQ1_M (2048,
// shared).
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace seek::quant {

struct IQ2Search {
  // The grid points in ggml's search coordinates: byte k of grid[j] is 2 l + 1 (1, 3, 5) for the
  // level l = 0..2 of element k of codebook entry j (IQ2 magnitudes 8 / 25 / 43, IQ1 values -1 / 0 / 1
  // in iq_grids.h), so level = (byte - 1) / 2 and key = sum of level_k << 2k.
  const uint64_t* grid = nullptr;
  int grid_size = 0;
  const int* map = nullptr;              // map[key]: grid index >= 0, or -(1 + offset) into neighbours
  const uint16_t* neighbours = nullptr;  // at an offset: count n, then n grid indices, nearest first
                                         // (by squared distance, then ascending grid index)
};

// t: IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S or IQ1_M (the last two share one table); throws otherwise.
const IQ2Search& iq2_search(DType t);

}  // namespace seek::quant
