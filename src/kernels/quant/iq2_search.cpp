// ggml's IQ2 / IQ1 search tables (iq2xs_init_impl), rebuilt from the decoders' codebooks.
//
// The quantizers round each group of 8 scaled values to levels l = 0, 1, 2 and look the point up:
// key = sum of l_k << 2k. Every key holds either the grid index of the point it names or, when the
// point is off the grid, the list of grid points at the nwant smallest squared distances (all of
// them at each distance), nearest first and, at one distance, by ascending grid index: ggml sorts
// (distance, index) pairs. The quantizers then try every point of that list and keep the first one
// of least weighted error, so both the members and their order decide the bytes they write.
//
// ggml measures distances in coordinates 2 l + 1 (1, 3, 5, 7, also what the grid array holds);
// here they are taken in levels, a quarter of those, which orders points the same way. nwant is 2
// for IQ2_XXS / IQ2_XS, 1 for IQ2_S, 3 for IQ1_S / IQ1_M. ggml fills keys 0..43691 (digits 3
// included, though the quantizers never form one), laying lists out in key order; this code fills
// the same keys in the same order, so even the offsets match.
#include "kernels/quant/iq2_search.h"

#include <array>
#include <vector>

#include "core/error.h"
#include "kernels/quant/iq_grids.h"

namespace seek::quant {

namespace {

constexpr int kMapSize = 43692;      // ggml's kmap_size; the largest key of levels 0..2 is 0xAAAA
constexpr int kMaxDist = 8 * 3 * 3;  // in level units: 8 elements, levels 0..3 at most 3 apart

struct SearchTable {
  std::vector<uint64_t> grid;
  std::vector<int> map;
  std::vector<uint16_t> neighbours;
  IQ2Search view;
};

// The level 0..2 of one codebook byte: IQ2 stores the magnitudes 8, 25, 43; IQ1 the int8 -1, 0, 1.
int codebook_level(uint64_t entry, int k, bool iq1) {
  if (iq1) {
    const int v = grid_int8(entry, k);
    SEEK_ASSERT(v >= -1 && v <= 1);
    return v + 1;
  }
  switch (grid_byte(entry, k)) {
    case 0x08: return 0;
    case 0x19: return 1;
    case 0x2b: return 2;
  }
  SEEK_ASSERT(!"IQ2 codebook byte is not 8, 25 or 43");
  return 0;
}

// Squared distances in level units (ggml's coordinates 2 l + 1 give 4 times these, in the same
// order) between two 4-element halves of a key: half_dist[a][b] for 8-bit halves a and b. Two
// lookups then give a key's distance to a grid point, which keeps the 43692 x grid_size distances
// cheap enough for unoptimized builds.
std::vector<uint8_t> half_distances() {
  std::vector<uint8_t> t(256 * 256);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      int d = 0;
      for (int k = 0; k < 4; ++k) {
        const int diff = ((a >> (2 * k)) & 3) - ((b >> (2 * k)) & 3);
        d += diff * diff;
      }
      t[a * 256 + b] = static_cast<uint8_t>(d);
    }
  return t;
}

SearchTable build(const uint64_t* codebook, int grid_size, bool iq1, int nwant) {
  SearchTable t;
  t.grid.resize(grid_size);
  t.map.assign(kMapSize, -1);
  std::vector<uint8_t> lo(grid_size), hi(grid_size);  // each grid point's key, split in halves
  for (int j = 0; j < grid_size; ++j) {
    uint64_t packed = 0;
    int key = 0;
    for (int k = 0; k < 8; ++k) {
      const int l = codebook_level(codebook[j], k, iq1);
      packed |= static_cast<uint64_t>(2 * l + 1) << (8 * k);
      key |= l << (2 * k);
    }
    t.grid[j] = packed;
    t.map[key] = j;
    lo[j] = static_cast<uint8_t>(key & 0xFF), hi[j] = static_cast<uint8_t>(key >> 8);
  }

  const std::vector<uint8_t> half = half_distances();
  std::vector<uint8_t> dist(grid_size);
  for (int key = 0; key < kMapSize; ++key) {
    if (t.map[key] >= 0) continue;
    const uint8_t* dlo = &half[(key & 0xFF) * 256];
    const uint8_t* dhi = &half[(key >> 8) * 256];
    std::array<int, kMaxDist + 1> count{};
    for (int j = 0; j < grid_size; ++j) {
      dist[j] = static_cast<uint8_t>(dlo[lo[j]] + dhi[hi[j]]);
      ++count[dist[j]];
    }
    // The nwant smallest distances present; each gets its slot range in the list, in distance
    // order, and one pass in index order fills the ranges (so ties stay by ascending index).
    std::array<int, kMaxDist + 1> slot;
    slot.fill(-1);
    int n = 0, taken = 0;
    for (int d = 0; d <= kMaxDist && taken < nwant; ++d)
      if (count[d]) slot[d] = n, n += count[d], ++taken;
    t.map[key] = -(static_cast<int>(t.neighbours.size()) + 1);
    const size_t base = t.neighbours.size() + 1;
    t.neighbours.resize(base + n);
    t.neighbours[base - 1] = static_cast<uint16_t>(n);
    for (int j = 0; j < grid_size; ++j)
      if (slot[dist[j]] >= 0) t.neighbours[base + slot[dist[j]]++] = static_cast<uint16_t>(j);
  }
  t.view = IQ2Search{t.grid.data(), grid_size, t.map.data(), t.neighbours.data()};
  return t;
}

}  // namespace

const IQ2Search& iq2_search(DType t) {
  // Function-local statics: each table is built once, on first use, by whichever thread asks.
  switch (t) {
    case DType::IQ2_XXS: {
      static const SearchTable table = build(kIq2xxsGrid, 256, false, 2);
      return table.view;
    }
    case DType::IQ2_XS: {
      static const SearchTable table = build(kIq2xsGrid, 512, false, 2);
      return table.view;
    }
    case DType::IQ2_S: {
      static const SearchTable table = build(kIq2sGrid, 1024, false, 1);
      return table.view;
    }
    case DType::IQ1_S:
    case DType::IQ1_M: {
      static const SearchTable table = build(kIq1sGrid, 2048, true, 3);
      return table.view;
    }
    default: break;
  }
  throw FormatError(str("iq2_search: ", dtype_name(t), " has no IQ2 / IQ1 search table"));
}

}  // namespace seek::quant
