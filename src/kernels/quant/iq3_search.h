// The search tables the IQ3 quantizers use to find grid points (ggml's iq3xs_init_impl, rebuilt
// here from the decoders' codebooks in iq_grids.h): every point of the lattice of 4 values with
// 3-bit levels (key = l0 | l1 << 3 | l2 << 6 | l3 << 9, 4096 keys) maps either to the grid index
// of that point or to a list of the nearest grid points. Built once per grid on first use
// (thread-safe): IQ3_XXS (256 points) and IQ3_S (512).
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace seek::quant {

struct IQ3Search {
  const uint32_t* grid = nullptr;   // the grid points, 4 magnitudes packed per uint32 (iq_grids.h)
  const uint8_t* levels = nullptr;  // levels[4 g + k]: the 3-bit level (0..7) of element k of point g
  int grid_size = 0;
  const int* map = nullptr;              // map[key]: grid index >= 0, or -(1 + offset) into neighbours
  const uint16_t* neighbours = nullptr;  // at an offset: count n, then n grid indices, nearest first
};

constexpr int kIq3Keys = 4096;  // 8 levels ^ 4 elements

// The lattice key of 4 levels (each 0..7).
inline int iq3_key(const int8_t* l) { return l[0] | l[1] << 3 | l[2] << 6 | l[3] << 9; }

// t: IQ3_XXS or IQ3_S; throws otherwise.
const IQ3Search& iq3_search(DType t);

}  // namespace seek::quant
