// Trained parameters -> GGUF, tensor by tensor in the registry's GGUF order (see export_gguf.h).
#include "train/export_gguf.h"

#include <cstring>
#include <map>
#include <tuple>

#include "core/error.h"
#include "core/threadpool.h"
#include "formats/gguf.h"
#include "model/arch/registry.h"
#include "model/gguf_export.h"

namespace seek {

void export_gguf(const ModelConfig& c, const std::vector<ParamInfo>& info, const float* params,
                 const std::vector<float>& router_bias, const GGUFFile& vocab, const std::string& path,
                 const ExportOptions& opt) {
  ModelConfig out_c = c;
  if (!opt.include_mtp) out_c.num_nextn_predict_layers = 0;
  std::map<std::tuple<const TensorDef*, int64_t, int64_t>, const ParamInfo*> by_slot;
  for (const ParamInfo& p : info) by_slot[{p.def, p.layer, p.expert}] = &p;
  const int64_t E = c.n_routed_experts;
  // Check that everything the file needs is there before writing anything.
  for (const TensorInstance& t : gguf_tensors(out_c)) {
    if (t.def->has(kNotTrained)) {
      if ((c.moe_layer_index(t.layer) + 1) * E > static_cast<int64_t>(router_bias.size()))
        throw FormatError(str("export: router_bias holds ", router_bias.size(), " values, too few for MoE layer ",
                              t.layer));
      continue;
    }
    for (int64_t e = 0; e < (t.def->has(kExperts) ? E : 1); ++e)
      if (!by_slot.count({t.def, t.layer, t.def->has(kExperts) ? e : -1}))
        throw FormatError(str("export: no parameter for tensor ", t.name,
                              t.def->has(kExperts) ? str(" expert ", e) : ""));
  }
  auto p_rows = [](const TensorInstance& t) {  // rows of the tensor flattened to [rows, cols]
    int64_t rows = 1;
    for (size_t d = 0; d + 1 < t.shape.size(); ++d) rows *= t.shape[d];
    return rows;
  };
  auto fill = [&](const TensorInstance& t, size_t, int64_t row, float* out) {
    const int64_t cols = t.shape.back();
    if (t.def->has(kNotTrained)) {  // the router bias row of this MoE layer
      std::memcpy(out, router_bias.data() + c.moe_layer_index(t.layer) * E, sizeof(float) * cols);
      return;
    }
    int64_t expert = -1, r = row;
    if (t.def->has(kExperts)) {
      const int64_t rows_per_expert = p_rows(t) / E;
      expert = row / rows_per_expert;
      r = row % rows_per_expert;
    }
    const ParamInfo& p = *by_slot.at({t.def, t.layer, expert});
    std::memcpy(out, params + p.offset + r * cols, sizeof(float) * cols);
  };
  ThreadPool pool(1);
  write_gguf_model(path, out_c, vocab, opt.type, fill, pool);
}

void export_gguf(TrainModel& m, const std::string& vocab_gguf, const std::string& path, const ExportOptions& opt) {
  GGUFFile vocab = GGUFFile::open(vocab_gguf);
  export_gguf(m.config(), m.param_info(), m.params(), m.router_bias(), vocab, path, opt);
}

}  // namespace seek
