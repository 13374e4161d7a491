// HF names -> GGUF tensors, stacking experts, then GGUFWriter (see export_gguf.h).
#include "train/export_gguf.h"

#include <map>

#include "core/error.h"
#include "formats/gguf.h"
#include "kernels/quant/quant.h"
#include "model/gguf_export.h"

namespace seek {

namespace {

const std::map<std::string, std::string>& layer_names() {
  static const std::map<std::string, std::string> m = {
      {"input_layernorm.weight", "attn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},
      {"self_attn.q_a_proj.weight", "attn_q_a.weight"},
      {"self_attn.q_a_layernorm.weight", "attn_q_a_norm.weight"},
      {"self_attn.q_b_proj.weight", "attn_q_b.weight"},
      {"self_attn.kv_a_proj_with_mqa.weight", "attn_kv_a_mqa.weight"},
      {"self_attn.kv_a_layernorm.weight", "attn_kv_a_norm.weight"},
      {"self_attn.kv_b_proj.weight", "attn_kv_b.weight"},
      {"self_attn.o_proj.weight", "attn_output.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"},
      {"mlp.gate.weight", "ffn_gate_inp.weight"},
      {"mlp.gate.e_score_correction_bias", "exp_probs_b.bias"},
      {"mlp.shared_experts.gate_proj.weight", "ffn_gate_shexp.weight"},
      {"mlp.shared_experts.up_proj.weight", "ffn_up_shexp.weight"},
      {"mlp.shared_experts.down_proj.weight", "ffn_down_shexp.weight"},
      {"enorm.weight", "nextn.enorm.weight"},
      {"hnorm.weight", "nextn.hnorm.weight"},
      {"eh_proj.weight", "nextn.eh_proj.weight"},
      {"shared_head.norm.weight", "nextn.shared_head_norm.weight"},
  };
  return m;
}

bool parse_int(const std::string& s, size_t& at, int64_t& v) {
  size_t end = at;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  if (end == at || end - at > 9) return false;
  v = std::stoll(s.substr(at, end - at));
  at = end;
  return true;
}

int32_t file_type_of(DType t) {
  switch (t) {
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::Q8_0: return 7;
    case DType::BF16: return 32;
    default: throw UsageError(str("export type ", dtype_name(t), " is not supported (F32, F16, BF16, Q8_0)"));
  }
}

struct Slot {
  TensorSpec spec;
  std::vector<float> data;
  int64_t filled = 0;
};

}  // namespace

std::string gguf_name_for(const ModelConfig& c, const std::string& hf, int64_t& expert) {
  expert = -1;
  if (hf == "model.embed_tokens.weight") return "token_embd.weight";
  if (hf == "model.norm.weight") return "output_norm.weight";
  if (hf == "lm_head.weight") return "output.weight";
  const std::string pre = "model.layers.";
  size_t at = pre.size();
  int64_t layer;
  if (hf.rfind(pre, 0) != 0 || !parse_int(hf, at, layer) || at >= hf.size() || hf[at] != '.')
    throw FormatError(str("export: no GGUF name for parameter ", hf));
  std::string rest = hf.substr(at + 1);
  const std::string ex = "mlp.experts.";
  if (rest.rfind(ex, 0) == 0) {
    size_t e_at = ex.size();
    if (!parse_int(rest, e_at, expert) || e_at >= rest.size() || rest[e_at] != '.' || expert >= c.n_routed_experts)
      throw FormatError(str("export: bad expert parameter ", hf));
    const std::string proj = rest.substr(e_at + 1);
    if (proj == "gate_proj.weight") return str("blk.", layer, ".ffn_gate_exps.weight");
    if (proj == "up_proj.weight") return str("blk.", layer, ".ffn_up_exps.weight");
    if (proj == "down_proj.weight") return str("blk.", layer, ".ffn_down_exps.weight");
    throw FormatError(str("export: no GGUF name for parameter ", hf));
  }
  auto it = layer_names().find(rest);
  if (it == layer_names().end()) throw FormatError(str("export: no GGUF name for parameter ", hf));
  return str("blk.", layer, ".", it->second);
}

void export_gguf(const ModelConfig& c, const std::vector<ParamInfo>& info, const float* params,
                 const std::vector<float>& router_bias, const GGUFFile& vocab, const std::string& path,
                 const ExportOptions& opt) {
  ModelConfig out_c = c;
  if (!opt.include_mtp) out_c.num_nextn_predict_layers = 0;
  std::map<std::string, Slot> slots;
  std::vector<std::string> order;
  for (const TensorSpec& s : gguf_tensor_specs(out_c)) {
    int64_t n = 1;
    for (int64_t d : s.shape) n *= d;
    slots[s.name] = Slot{s, std::vector<float>(static_cast<size_t>(n)), 0};
    order.push_back(s.name);
  }
  auto put = [&](const std::string& name, const std::string& from, int64_t slice, const float* src, int64_t n) {
    auto it = slots.find(name);
    if (it == slots.end()) {
      if (!opt.include_mtp && from.rfind(str("model.layers.", c.num_hidden_layers), 0) == 0) return;  // dropped MTP
      throw FormatError(str("export: parameter ", from, " maps to ", name, ", which this config does not have"));
    }
    Slot& s = it->second;
    const int64_t base = slice < 0 ? 0 : slice * n;
    if (base + n > static_cast<int64_t>(s.data.size()) || (slice < 0 && n != static_cast<int64_t>(s.data.size())))
      throw FormatError(str("export: parameter ", from, " has ", n, " values, tensor ", name, " holds ", s.data.size()));
    std::copy(src, src + n, s.data.begin() + base);
    s.filled += n;
  };
  for (const ParamInfo& p : info) {
    int64_t expert;
    const std::string name = gguf_name_for(c, p.name, expert);
    put(name, p.name, expert, params + p.offset, static_cast<int64_t>(p.numel));
  }
  // Router biases: one row per MoE layer in layer order, the MTP block's last.
  const int64_t E = c.n_routed_experts;
  int64_t row = 0;
  for (int64_t l = 0; l < c.num_hidden_layers + c.num_nextn_predict_layers; ++l) {
    if (!c.is_moe_layer(l) || c.scoring_func != "sigmoid") continue;
    if ((row + 1) * E > static_cast<int64_t>(router_bias.size()))
      throw FormatError(str("export: router_bias holds ", router_bias.size(), " values, too few for MoE layer ", l));
    put(str("blk.", l, ".exp_probs_b.bias"), "router_bias", -1, router_bias.data() + row * E, E);
    ++row;
  }
  // A model without its own MTP head norm uses the shared final norm (what seek's loader does).
  const std::string mtp_norm = str("blk.", c.num_hidden_layers, ".nextn.shared_head_norm.weight");
  if (slots.count(mtp_norm) && slots[mtp_norm].filled == 0) put(mtp_norm, "model.norm.weight", -1, slots["output_norm.weight"].data.data(), c.hidden_size);

  GGUFWriter w;
  add_gguf_config_keys(w, out_c, file_type_of(opt.type));
  copy_tokenizer_keys(w, vocab);
  std::vector<std::vector<uint8_t>> storage;
  storage.reserve(order.size());
  for (const std::string& name : order) {
    Slot& s = slots[name];
    if (s.filled != static_cast<int64_t>(s.data.size()))
      throw FormatError(str("export: tensor ", name, " got ", s.filled, " of its ", s.data.size(), " values from the model"));
    const DType st = storage_type(s.spec, opt.type);
    const int64_t cols = s.spec.shape.back(), rows = static_cast<int64_t>(s.data.size()) / cols;
    const size_t rb = row_bytes(st, cols);
    storage.emplace_back(rb * static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) quantize_row(st, s.data.data() + r * cols, storage.back().data() + r * rb, cols);
    w.add_tensor(name, TensorView::contiguous(st, s.spec.shape.data(), static_cast<int>(s.spec.shape.size()), storage.back().data()));
    std::vector<float>().swap(s.data);
  }
  w.write(path);
}

void export_gguf(TrainModel& m, const std::string& vocab_gguf, const std::string& path, const ExportOptions& opt) {
  GGUFFile vocab = GGUFFile::open(vocab_gguf);
  export_gguf(m.config(), m.param_info(), m.params(), m.router_bias(), vocab, path, opt);
}

}  // namespace seek
