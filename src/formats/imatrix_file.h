// The importance matrix file of llama.cpp's llama-imatrix / llama-quantize --imatrix (de3ff81):
// for every weight matrix, the sum over the calibration tokens of each input column's x^2, and
// how many tokens were summed. Two layouts exist:
//   GGUF (what llama-imatrix writes): general.type = "imatrix", imatrix.datasets (array of
//     string), imatrix.chunk_count and imatrix.chunk_size (u32); per weight, in name order,
//     "<name>.in_sum2" f32 [ne0, n_mat] then "<name>.counts" f32 [1, n_mat] (raw sums and
//     token counts; n_mat is the expert count for stacked experts, else 1).
//   legacy .dat (older llama-imatrix, --output-format dat): i32 n_entries, then per entry i32
//     name length, the name, i32 ncall, i32 nval, f32 values[nval] (already mean x^2 times
//     ncall); then optionally i32 chunk count, i32 dataset length, the dataset name.
// llama-quantize reads both; so does read_imatrix. write_imatrix writes the GGUF layout byte for
// byte as llama-imatrix does (same keys, key order, tensor order, shapes and alignment).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace seek {

// One weight's statistics. sums holds n_mat() blocks of row_size() values, block j for matrix
// j (expert j; for a weight applied per head, as attn_k_b, the heads' blocks share one count).
struct ImatrixEntry {
  std::vector<float> sums;
  // Tokens summed per block (GGUF); one value for all blocks when a single count covers the
  // weight. Legacy files: the entry's ncall (the sums are already means times ncall).
  std::vector<int64_t> counts;

  int64_t n_counts() const { return static_cast<int64_t>(counts.size()); }
  int64_t row_size() const { return counts.empty() ? 0 : static_cast<int64_t>(sums.size()) / n_counts(); }
};

struct Imatrix {
  std::map<std::string, ImatrixEntry> entries;  // by weight name, e.g. "blk.0.attn_q_a.weight"
  std::vector<std::string> datasets;            // the calibration text files, as given
  int32_t chunk_count = 0;                      // chunks of chunk_size tokens processed
  int32_t chunk_size = 0;                       // tokens per chunk (legacy files: 0, unknown)
  bool legacy = false;                          // read from the .dat layout

  // llama-quantize's per-column importance for weight `name` (its load_imatrix): per block
  // sums / count, or all 1 where a block's count is 0 (an expert no token reached); legacy:
  // values / ncall (values as stored when ncall is 0). Empty when the file has no such entry.
  std::vector<float> importance(const std::string& name) const;
};

// Reads either layout (GGUF by its magic, else legacy). Throws FormatError naming the file and
// the entry for: a GGUF whose general.type is not "imatrix" or that lacks imatrix.datasets /
// chunk_count / chunk_size (llama-quantize refuses those too), an in_sum2 without its counts or
// the reverse, a non-f32 tensor, sums not a whole number of count blocks, a negative or
// non-finite count, a non-finite sum, no entries at all; a truncated legacy file. Counts are
// rounded to whole numbers, as llama.cpp's loader does.
Imatrix read_imatrix(const std::string& path);
// The same from memory (`name` names the source in errors).
Imatrix parse_imatrix(const uint8_t* data, size_t size, const std::string& name);

// The GGUF layout as llama-imatrix writes it, atomically. Entries with no counts are skipped, as
// llama-imatrix skips them; every entry's sums must be a whole number of count blocks.
void write_imatrix(const Imatrix& m, const std::string& path);
std::vector<uint8_t> imatrix_to_bytes(const Imatrix& m);

}  // namespace seek
