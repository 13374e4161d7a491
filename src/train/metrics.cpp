// metrics.jsonl writer and reader.
#include "train/metrics.h"

#include <algorithm>

#include "core/error.h"
#include "core/file.h"
#include "formats/atomic_write.h"

namespace seek {

std::vector<double> load_imbalance(const std::vector<int64_t>& loads, int64_t n_experts) {
  std::vector<double> out;
  if (n_experts <= 0) return out;
  for (size_t l = 0; l + static_cast<size_t>(n_experts) <= loads.size(); l += static_cast<size_t>(n_experts)) {
    int64_t sum = 0, mx = 0;
    for (int64_t e = 0; e < n_experts; ++e) {
      sum += loads[l + e];
      mx = std::max(mx, loads[l + e]);
    }
    out.push_back(sum > 0 ? static_cast<double>(mx) * static_cast<double>(n_experts) / static_cast<double>(sum) : 1.0);
  }
  return out;
}

nlohmann::json metrics_to_json(const StepMetrics& m) {
  nlohmann::json j = {{"step", m.step},
                      {"loss", m.loss},
                      {"ce", m.ce},
                      {"mtp", m.mtp},
                      {"balance", m.balance},
                      {"lr", m.lr},
                      {"grad_norm", m.grad_norm},
                      {"tokens", m.tokens},
                      {"tokens_per_s", m.tokens_per_s},
                      {"elapsed_s", m.elapsed_s}};
  j["imbalance"] = load_imbalance(m.loads, m.n_experts);
  nlohmann::json load = nlohmann::json::array();
  for (size_t l = 0; m.n_experts > 0 && l + static_cast<size_t>(m.n_experts) <= m.loads.size();
       l += static_cast<size_t>(m.n_experts))
    load.push_back(std::vector<int64_t>(m.loads.begin() + static_cast<ptrdiff_t>(l),
                                        m.loads.begin() + static_cast<ptrdiff_t>(l + m.n_experts)));
  j["load"] = load;
  if (m.val_loss >= 0) j["val_loss"] = m.val_loss;
  if (m.allreduce_s >= 0) {
    j["allreduce_s"] = m.allreduce_s;
    j["allreduce_wait_s"] = m.allreduce_wait_s;
  }
  if (m.alltoall_s >= 0) j["alltoall_s"] = m.alltoall_s;
  return j;
}

std::vector<nlohmann::json> read_metrics(const std::string& path) {
  const std::vector<std::string> lines = read_lines(path, "metrics file");
  std::vector<nlohmann::json> out;
  for (size_t ln = 1; ln <= lines.size(); ++ln) {
    const std::string& line = lines[ln - 1];
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw FormatError(str(path, ":", ln, ": not a JSON object"));
    if (!j.contains("step") || !j["step"].is_number_integer())
      throw FormatError(str(path, ":", ln, ": missing integer \"step\""));
    out.push_back(std::move(j));
  }
  return out;
}

MetricsWriter::MetricsWriter(const std::string& path, int64_t keep_through_step) : path_(path) {
  if (keep_through_step >= 0) {
    if (is_regular_file(path)) {
      std::string kept;
      for (const std::string& line : read_lines(path, "metrics file")) {
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("step") && j["step"].is_number_integer() &&
            j["step"].get<int64_t>() <= keep_through_step)
          kept += line + "\n";
      }
      atomic_write(path, [&](const ByteSink& sink) { sink(kept.data(), kept.size()); });
    }
  } else {
    std::FILE* t = std::fopen(path.c_str(), "w");  // a fresh run starts a fresh file
    if (t) std::fclose(t);
  }
  f_ = std::fopen(path.c_str(), "a");
  if (!f_) throw Error(str("cannot open ", path, " for writing"));
}

MetricsWriter::~MetricsWriter() {
  if (f_) std::fclose(f_);
}

void MetricsWriter::write(const StepMetrics& m) {
  const std::string line = metrics_to_json(m).dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), f_) != line.size()) throw Error(str("cannot write ", path_));
  std::fflush(f_);
}

}  // namespace seek
