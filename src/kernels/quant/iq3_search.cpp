// Builds the IQ3 search tables (iq3_search.h) from the decoders' codebooks, with ggml's rules so
// that the quantizers pick the same grid points as llama-quantize:
//   - a key whose 4 levels are a grid point maps to that point's index;
//   - any other key lists every grid point at the nwant smallest distinct squared distances from
//     it (nwant = 2 for the 256-point grid, 3 for the 512-point one), ordered by distance, then
//     by grid index. The quantizer keeps the first of equal weighted errors, so this order decides
//     ties and the bytes depend on it.
// ggml measures distances between the odd values 2 l + 1; those are twice the level differences,
// so level differences give the same order.
#include "kernels/quant/iq3_search.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/error.h"
#include "kernels/quant/iq_grids.h"

namespace seek::quant {

namespace {

// One grid's tables; search points into the vectors, so an IQ3Tables is never copied or moved.
struct IQ3Tables {
  IQ3Tables(const uint32_t* grid, int grid_size, int nwant);
  IQ3Tables(const IQ3Tables&) = delete;
  IQ3Tables& operator=(const IQ3Tables&) = delete;

  IQ3Search search;
  std::vector<uint8_t> levels;
  std::vector<int> map;
  std::vector<uint16_t> neighbours;
};

// The level of a codebook magnitude is its rank among the 8 distinct magnitudes the codebook uses:
// IQ3_S stores the odd values 2 l + 1 themselves, IQ3_XXS 8 l + 4 for l < 7 and 62 for l = 7
// (ggml's tuned top value), so rank is what both share with the quantizer's lattice.
IQ3Tables::IQ3Tables(const uint32_t* grid, int grid_size, int nwant) : levels(4 * grid_size), map(kIq3Keys, -1) {
  bool used[256] = {};
  for (int g = 0; g < grid_size; ++g)
    for (int k = 0; k < 4; ++k) used[grid_byte(grid[g], k)] = true;
  int rank[256], n_levels = 0;
  for (int m = 0; m < 256; ++m) rank[m] = used[m] ? n_levels++ : -1;
  SEEK_ASSERT_MSG(n_levels == 8, "IQ3 codebook uses ", n_levels, " magnitudes, expected 8");

  for (int g = 0; g < grid_size; ++g) {
    int8_t l[4];
    for (int k = 0; k < 4; ++k) {
      l[k] = static_cast<int8_t>(rank[grid_byte(grid[g], k)]);
      levels[4 * g + k] = static_cast<uint8_t>(l[k]);
    }
    SEEK_ASSERT_MSG(map[iq3_key(l)] < 0, "IQ3 grid point ", g, " repeats a key");
    map[iq3_key(l)] = g;
  }

  std::vector<std::pair<int, int>> dist(grid_size);  // (squared distance, grid index)
  for (int key = 0; key < kIq3Keys; ++key) {
    if (map[key] >= 0) continue;
    for (int g = 0; g < grid_size; ++g) {
      int d2 = 0;
      for (int k = 0; k < 4; ++k) {
        const int d = levels[4 * g + k] - ((key >> (3 * k)) & 7);
        d2 += d * d;
      }
      dist[g] = {d2, g};
    }
    std::sort(dist.begin(), dist.end());  // by distance, then by index
    const size_t start = neighbours.size();
    map[key] = -(static_cast<int>(start) + 1);
    neighbours.push_back(0);  // the count, filled below
    int distinct = 1;         // distinct distances taken so far
    for (int j = 0; j < grid_size; ++j) {
      if (j > 0 && dist[j].first > dist[j - 1].first && ++distinct > nwant) break;
      neighbours.push_back(static_cast<uint16_t>(dist[j].second));
    }
    neighbours[start] = static_cast<uint16_t>(neighbours.size() - start - 1);
  }
  search = {grid, levels.data(), grid_size, map.data(), neighbours.data()};
}

}  // namespace

const IQ3Search& iq3_search(DType t) {
  // Function-local statics: each built once, on first use, under the compiler's init guard.
  if (t == DType::IQ3_XXS) {
    static const IQ3Tables xxs(kIq3xxsGrid, 256, 2);
    return xxs.search;
  }
  if (t == DType::IQ3_S) {
    static const IQ3Tables s(kIq3sGrid, 512, 3);
    return s.search;
  }
  throw Error(str("iq3_search: no IQ3 search table for type ", dtype_name(t)));
}

}  // namespace seek::quant
