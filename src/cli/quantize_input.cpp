// QuantInput (quantize_input.h): one reader over a GGUF file or a converted HF checkpoint.
#include "cli/quantize_input.h"

#include <algorithm>

#include "core/error.h"
#include "model/hf_to_gguf.h"

namespace seek::cli {

QuantInput::QuantInput(QuantInput&&) noexcept = default;
QuantInput::~QuantInput() = default;

QuantInput QuantInput::open(const std::string& path, const std::string& hf_outtype) {
  QuantInput in;
  in.path_ = path;
  if (!is_hf_checkpoint_dir(path)) {
    in.gguf_ = std::make_unique<GGUFFile>(GGUFFile::open(path));
    in.tensors_ = in.gguf_->tensors();
    return in;
  }
  in.hf_ = std::make_unique<HfGguf>(HfGguf::open(path, hf_outtype));
  for (const HfGgufTensor& t : in.hf_->tensors()) {
    if (t.shape.size() > static_cast<size_t>(kMaxDims))
      throw FormatError(str(path, ": tensor ", t.name, " has ", t.shape.size(), " dimensions (at most ", kMaxDims,
                            ")"));
    GGUFTensorInfo g;
    g.name = t.name;
    g.dtype = t.dtype;
    g.n_dims = static_cast<int>(t.shape.size());
    for (int d = 0; d < g.n_dims; ++d) g.ne[d] = t.shape[t.shape.size() - 1 - static_cast<size_t>(d)];
    g.view = TensorView::contiguous(t.dtype, t.shape.data(), g.n_dims, nullptr);
    g.nbytes = g.view.nbytes();
    in.tensors_.push_back(std::move(g));
  }
  return in;
}

const std::vector<std::pair<std::string, GGUFValue>>& QuantInput::metadata() const {
  return hf_ ? hf_->metadata() : gguf_->metadata();
}

const GGUFValue* QuantInput::find(const std::string& key) const {
  if (gguf_) return gguf_->find(key);
  for (const auto& [k, v] : hf_->metadata())
    if (k == key) return &v;
  return nullptr;
}

int64_t QuantInput::get_int(const std::string& key) const {
  const GGUFValue* v = find(key);
  if (!v) throw FormatError(str(path_, ": missing key ", key));
  return v->as_int(key);
}

int64_t QuantInput::get_int_or(const std::string& key, int64_t def) const {
  const GGUFValue* v = find(key);
  return v ? v->as_int(key) : def;
}

std::string QuantInput::architecture() const {
  const GGUFValue* v = find("general.architecture");
  return v && v->type == GGUFType::STRING ? v->s : "";
}

const uint8_t* QuantInput::rows(size_t i, int64_t r0, int64_t r1, ThreadPool& pool) const {
  const GGUFTensorInfo& t = tensors_.at(i);
  const size_t rb = row_bytes(t.dtype, t.ne[0]);
  if (gguf_) return static_cast<const uint8_t*>(t.view.data) + static_cast<size_t>(r0) * rb;
  buf_.resize(rb * static_cast<size_t>(r1 - r0));
  hf_->read_rows(i, r0, r1, buf_.data(), pool);
  return buf_.data();
}

}  // namespace seek::cli
