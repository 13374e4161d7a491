// The importance-matrix collector and llama-imatrix's chunked run (imatrix_collector.h).
#include "model/imatrix_collector.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "model/arch/registry.h"
#include "model/kv_cache.h"

namespace seek {

namespace {

// llama.cpp's default micro-batch (n_ubatch): a llama_decode of more tokens runs in pieces of this.
constexpr int64_t kUbatch = 512;

bool collected_name(const std::string& name, bool process_output) {
  return name.rfind("blk.", 0) == 0 || (process_output && name == "output.weight");
}

}  // namespace

ImatrixCollector::ImatrixCollector(Model& model, bool process_output) : process_output_(process_output) {
  const ModelConfig& c = model.config();
  ModelWeights& w = model.mutable_weights();
  // Every weight of the main model by its GGUF name; MTP blocks never run in a plain forward.
  for (const TensorDef& d : arch_def(c.arch).tensors) {
    if (!d.gguf || d.part == Part::MtpIn || d.part == Part::MtpOut) continue;
    const bool global = d.part == Part::Embed || d.part == Part::Head;
    for (int64_t il = global ? -1 : 0; il < (global ? 0 : c.num_hidden_layers); ++il) {
      if (!global && !d.in_layer(c, il)) continue;
      const std::string name = d.gguf_name(il);
      if (d.has(kExperts)) {
        for (int64_t e = 0; e < c.n_routed_experts; ++e) add_weight(name, d.slot.view(w, il, e), e, c.n_routed_experts);
        continue;
      }
      const TensorView& v = d.slot.view(w, il, -1);
      // A tied head is the embedding under another name: llama.cpp calls it token_embd.weight.
      if (d.fallback && v.data == d.fallback.view(w, il, -1).data) continue;
      add_weight(name, v, -1, 0);
    }
  }
}

ImatrixCollector::~ImatrixCollector() { uninstall(); }

void ImatrixCollector::add_weight(const std::string& name, const TensorView& v, int64_t expert, int64_t n_experts) {
  if (v.ndim < 2 || !v.data) return;  // absent optional tensors; norms and biases are never multiplied
  if (expert < 0 && !collected_name(name, process_output_)) return;
  if (expert <= 0) {  // a new entry (an expert tensor's first slice opens it)
    Entry e;
    e.name = name;
    e.cols = v.cols();
    e.expert = expert >= 0;
    // Experts: one matrix each; a 3-D weight used per head (attn_k_b, attn_v_b): one per head.
    e.n_mat = e.expert ? n_experts : v.ndim == 3 ? v.shape[0] : 1;
    e.sums.assign(static_cast<size_t>(e.n_mat * e.cols), 0.0);
    e.counts.assign(static_cast<size_t>(e.n_mat), 0);
    entries_.push_back(std::move(e));
  }
  SEEK_ASSERT(entries_.back().name == name && entries_.back().cols == v.cols());
  const uint8_t* begin = static_cast<const uint8_t*>(v.data);
  Range r;
  r.end = begin + v.nbytes();
  r.entry = entries_.size() - 1;
  r.first = std::max<int64_t>(expert, 0);
  r.matrix_bytes = expert < 0 && v.ndim == 3 ? static_cast<size_t>(v.stride[0]) : 0;
  ranges_[begin] = r;
}

void ImatrixCollector::install() {
  if (installed_) return;
  MatmulObserver* prev = set_matmul_observer(this);
  if (prev) {
    set_matmul_observer(prev);
    throw UsageError("another matmul observer is installed; one imatrix collector at a time");
  }
  installed_ = true;
}

void ImatrixCollector::uninstall() {
  if (!installed_) return;
  set_matmul_observer(nullptr);
  installed_ = false;
}

void ImatrixCollector::on_product(const TensorView& W, const float* X, int64_t N) {
  if (N <= 0 || !W.data) return;
  const uint8_t* p = static_cast<const uint8_t*>(W.data);
  auto it = ranges_.upper_bound(p);
  if (it == ranges_.begin()) return;
  --it;
  const Range& r = it->second;
  if (p >= r.end) return;  // not a weight we collect (activations, the cache, token_embd)
  Entry& e = entries_[r.entry];
  if (!e.expert && skip_dense_.load(std::memory_order_relaxed)) return;
  const int64_t j = r.first +
                    (r.matrix_bytes ? static_cast<int64_t>(static_cast<size_t>(p - it->first) / r.matrix_bytes) : 0);
  SEEK_ASSERT(j < e.n_mat && W.cols() == e.cols);
  const int64_t K = e.cols;
  std::lock_guard<std::mutex> lock(mu_);
  double* acc = e.sums.data() + j * K;
  bool finite = true;
  for (int64_t n = 0; n < N; ++n) {
    const float* x = X + n * K;
    for (int64_t k = 0; k < K; ++k) {
      acc[k] += static_cast<double>(x[k]) * x[k];
      finite &= std::isfinite(x[k]);
    }
  }
  e.counts[j] += N;
  e.touched = true;
  if (!finite && non_finite_.empty()) non_finite_ = e.name;
}

void ImatrixCollector::check_finite() const {
  if (!non_finite_.empty())
    throw Error(str("imatrix: non-finite activations entering ", non_finite_,
                    " (the model overflows on this text; llama-imatrix stops here too)"));
}

Imatrix ImatrixCollector::result(int32_t chunk_size, std::vector<std::string> datasets) const {
  Imatrix m;
  m.datasets = std::move(datasets);
  m.chunk_size = chunk_size;
  int64_t max_count = 0;
  for (const Entry& e : entries_) {
    if (!e.touched) continue;
    ImatrixEntry out;
    out.sums.assign(e.sums.begin(), e.sums.end());
    out.counts = e.counts;
    // A plain weight has one count, its heads included (llama-imatrix counts tokens per product).
    const bool equal = std::all_of(e.counts.begin(), e.counts.end(), [&](int64_t c) { return c == e.counts[0]; });
    if (!e.expert && equal) out.counts.resize(1);
    max_count = std::max(max_count, *std::max_element(e.counts.begin(), e.counts.end()));
    m.entries.emplace(e.name, std::move(out));
  }
  m.chunk_count = chunk_size > 0 ? static_cast<int32_t>(max_count / chunk_size) : 0;
  return m;
}

Imatrix compute_imatrix(Model& model, const std::vector<int32_t>& tokens, int32_t bos, const ImatrixOptions& o,
                        ThreadPool& pool, const std::function<void(int64_t, int64_t)>& on_chunk) {
  if (o.n_ctx < 1) throw UsageError(str("imatrix: the context (-c) must be at least 1 token, got ", o.n_ctx));
  if (o.n_batch < 1) throw UsageError(str("imatrix: the batch (-b) must be at least 1 token, got ", o.n_batch));
  const int64_t n_tokens = static_cast<int64_t>(tokens.size());
  if (n_tokens < 2 * o.n_ctx)
    throw UsageError(str("imatrix: the text has ", n_tokens, " tokens; a context of ", o.n_ctx, " needs at least ",
                         2 * o.n_ctx, " (llama-imatrix's rule)"));
  const int64_t max_chunks = n_tokens / o.n_ctx;
  const int64_t n_chunks = o.max_chunks < 0 ? max_chunks : std::min(o.max_chunks, max_chunks);
  // llama-imatrix decodes n_batch tokens of a chunk at a time (a whole chunk, or several chunks as
  // parallel sequences, when n_batch >= n_ctx); llama_decode runs each in micro-batches of
  // min(n_batch, 512). The pass size matters only for the 16-token rule of plain products.
  const int64_t n_seq = std::max<int64_t>(1, o.n_batch / o.n_ctx);
  const int64_t batch = std::min(o.n_batch, o.n_ctx);
  const int64_t ubatch = std::min({o.n_batch, n_seq * o.n_ctx, kUbatch});

  ImatrixCollector collector(model, o.process_output);
  KVCache cache(model.config(), 1, o.n_ctx, o.cache_type);
  std::vector<float> logits;
  if (o.process_output) logits.resize(static_cast<size_t>(std::min(ubatch, batch) * model.config().vocab_size));
  Batch b;
  if (on_chunk) on_chunk(0, n_chunks);
  collector.install();
  for (int64_t k = 0; k < n_chunks; ++k) {
    const int64_t start = k * o.n_ctx;
    for (int64_t b0 = 0; b0 < o.n_ctx; b0 += batch) {
      const int64_t b1 = std::min(o.n_ctx, b0 + batch);
      for (int64_t u0 = b0; u0 < b1; u0 += ubatch) {
        const int64_t u1 = std::min(b1, u0 + ubatch);
        b.clear();
        for (int64_t j = u0; j < u1; ++j) {
          const int32_t t = j == 0 && bos >= 0 ? bos : tokens[static_cast<size_t>(start + j)];
          // Logits only when the head is collected (llama-imatrix computes them all anyway).
          b.add(t, static_cast<int32_t>(j), 0, o.process_output);
        }
        collector.begin_pass(b.size());
        model.forward(b, cache, pool, o.process_output ? logits.data() : nullptr);
        collector.check_finite();
      }
    }
    if (on_chunk) on_chunk(k + 1, n_chunks);
  }
  collector.uninstall();
  return collector.result(static_cast<int32_t>(o.n_ctx), o.datasets);
}

}  // namespace seek
