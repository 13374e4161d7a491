// Training metrics: one JSON object per line (metrics.jsonl) per optimizer step, written by rank
// 0 and read back by `seek plot`. Keys: step, loss, ce, mtp, balance, lr, grad_norm, tokens,
// tokens_per_s, elapsed_s, imbalance [n_moe] (max/mean expert load per MoE layer, MTP last),
// load [n_moe][E] (tokens routed per expert), val_loss on evaluation steps, and under mpirun
// allreduce_s, allreduce_wait_s (and alltoall_s with expert parallelism).
#pragma once
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seek {

struct StepMetrics {
  int64_t step = 0;  // optimizer steps done after this one (1-based)
  double loss = 0, ce = 0, mtp = 0, balance = 0, lr = 0, grad_norm = 0;
  int64_t tokens = 0;  // tokens consumed so far (all ranks)
  double tokens_per_s = 0, elapsed_s = 0;
  std::vector<int64_t> loads;  // [n_moe, E]
  int64_t n_experts = 0;
  double val_loss = -1;  // < 0: not evaluated this step
  // communication of this step on rank 0 (< 0: none, e.g. one process): gradient all-reduce
  // cost (posting, polling and blocked), the blocked part alone, and expert-parallel all-to-alls
  double allreduce_s = -1, allreduce_wait_s = -1, alltoall_s = -1;
};

// max(load)/mean(load) of each layer of loads [n_layers, E]; 1 is perfect balance.
std::vector<double> load_imbalance(const std::vector<int64_t>& loads, int64_t n_experts);

nlohmann::json metrics_to_json(const StepMetrics& m);

class MetricsWriter {
 public:
  // Opens path for appending; when keep_through_step >= 0, first drops lines with a larger step
  // (a resumed run rewrites the steps after its checkpoint).
  MetricsWriter(const std::string& path, int64_t keep_through_step = -1);
  ~MetricsWriter();
  void write(const StepMetrics& m);

 private:
  std::FILE* f_ = nullptr;
  std::string path_;
};

// Every line of a metrics file; FormatError naming the line when one is not a JSON object.
std::vector<nlohmann::json> read_metrics(const std::string& path);

}  // namespace seek
