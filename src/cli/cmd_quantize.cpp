// seek quantize IN OUT FTYPE: requantize a GGUF the way llama-quantize does. The per-tensor type
// mix is llama-quantize's for the named file type (model/quant_mix.h: which tensors stay F32, the
// attn_v / ffn_down promotions, token_embd / output handling, the fallback for rows that are not
// whole blocks), so the output has the same tensor-type table as llama-quantize's file of that
// type; each tensor is decoded to f32 (from any type seek reads) and encoded with seek's quantizers,
// which are byte-identical to llama.cpp's (tests/kernels/test_quant_llama_bytes,
// test_quantize_imatrix). With --imatrix (an importance matrix from `seek imatrix` or llama-imatrix,
// GGUF or legacy .dat) each row is quantized with its matrix's per-column importance, as
// llama-quantize does, which the IQ1 / IQ2 / IQ3_XXS types and Q2_K_S require.
// The input may also be a Hugging Face checkpoint directory (config.json + safetensors, FP8
// included): it is read as the GGUF llama.cpp's convert_hf_to_gguf.py would write from it
// (cli/quantize_input.h, model/hf_to_gguf.h), so the output is what convert_hf_to_gguf.py followed
// by llama-quantize writes, without a converted copy on disk.
// The output is written tensor by tensor (never held whole in memory), atomically.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "cli/quantize_input.h"
#include "core/error.h"
#include "core/file.h"
#include "core/progress.h"
#include "core/threadpool.h"
#include "formats/gguf.h"
#include "formats/imatrix_file.h"
#include "kernels/quant/quant.h"
#include "model/quant_mix.h"

namespace seek::cli {

namespace {

// The mix inputs llama-quantize reads from the file's metadata.
QuantModel quant_model_of(const QuantInput& f) {
  QuantModel m;
  m.arch = f.architecture();
  if (m.arch.empty()) throw FormatError(str(f.path(), ": no general.architecture"));
  m.n_layer = static_cast<int>(f.get_int(m.arch + ".block_count"));
  m.n_expert = static_cast<int>(f.get_int_or(m.arch + ".expert_count", 0));
  // head_count may be per layer (an array) in some architectures: the mix uses layer 0's.
  auto head_count = [&](const std::string& key, int64_t def) -> int64_t {
    const GGUFValue* v = f.find(key);
    if (!v) return def;
    if (v->type == GGUFType::ARRAY) return v->arr.empty() ? def : v->arr[0].as_int(key);
    return v->as_int(key);
  };
  m.n_head = static_cast<int>(head_count(m.arch + ".attention.head_count", 0));
  m.n_head_kv = static_cast<int>(head_count(m.arch + ".attention.head_count_kv", m.n_head));
  m.type_70b = llama_is_70b(m.arch, m.n_layer, m.n_head, m.n_head_kv);
  return m;
}

std::string writable_types() {
  std::string s;
  for (int32_t id = 0; id < 64; ++id)
    if (dtype_known(id) && can_quantize(static_cast<DType>(id)) && static_cast<DType>(id) != DType::Q8_K)
      s += (s.empty() ? "" : ", ") + dtype_name(static_cast<DType>(id));
  return s;
}

// The matrix as llama-quantize uses it: --include-weights keeps only the entries whose name
// contains one of the strings, --exclude-weights drops those (read_imatrix has refused
// non-finite values already).
Imatrix load_imatrix_for(const std::string& path, const std::vector<std::string>& include,
                         const std::vector<std::string>& exclude) {
  Imatrix m = read_imatrix(path);
  auto contains_any = [](const std::string& name, const std::vector<std::string>& parts) {
    for (const std::string& p : parts)
      if (name.find(p) != std::string::npos) return true;
    return false;
  };
  for (auto it = m.entries.begin(); it != m.entries.end();) {
    const bool drop = (!exclude.empty() && contains_any(it->first, exclude)) ||
                      (!include.empty() && !contains_any(it->first, include));
    it = drop ? m.entries.erase(it) : std::next(it);
  }
  return m;
}

// One tensor's per-column importance, a block of ne0 values per matrix (ne0 * ne2 in all), or
// empty when the matrix has no entry for it. A size that does not fit is an error, except on
// token_embd (llama-quantize only warns there: old files sized it differently).
std::vector<float> importance_for(const Imatrix& m, const QuantTensor& t) {
  std::vector<float> imp = m.importance(t.name);
  if (imp.empty()) return imp;
  const int64_t want = t.ne[0] * (t.ne.size() >= 3 ? t.ne[2] : 1);
  if (static_cast<int64_t>(imp.size()) == want) return imp;
  if (quant_category(t.name) == QuantCategory::TokenEmbd) return {};
  throw FormatError(str("importance matrix entry ", t.name, " has ", imp.size(), " values, but the tensor needs ", want,
                        " (", t.ne[0], " columns x ", want / t.ne[0], " matrices): was it made for another model?"));
}

}  // namespace

int cmd_quantize(int argc, char** argv) {
  CLI::App app{"Requantize a GGUF with llama-quantize's per-tensor type mix for a file type", "seek quantize"};
  std::string in, out, ftype_name, imatrix_path, tensor_type_file, output_type, embd_type, hf_type = "auto";
  std::vector<std::string> tensor_types, include_weights, exclude_weights;
  bool pure = false, leave_output = false;
  int threads = 0;
  app.add_option("input", in, "input GGUF (any weight types seek reads), or a Hugging Face checkpoint directory")
      ->required();
  app.add_option("output", out, "output GGUF")->required();
  app.add_option("type", ftype_name, "file type as llama-quantize names it: Q4_K_M, Q5_K_S, Q8_0, Q2_K, ...")
      ->required();
  app.add_flag("--pure", pure, "every quantized tensor in the file type's base type (no mix; fallbacks still apply)");
  app.add_flag("--leave-output-tensor", leave_output, "keep output.weight as it is in the input");
  app.add_option("--output-tensor-type", output_type, "type of output.weight");
  app.add_option("--token-embedding-type", embd_type, "type of token_embd.weight");
  app.add_option("--tensor-type", tensor_types,
                 "PATTERN=TYPE: tensors whose name matches PATTERN get TYPE (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)  // one PATTERN=TYPE per --tensor-type, never the positional arguments
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--tensor-type-file", tensor_type_file, "a file of PATTERN=TYPE lines");
  app.add_option("--imatrix", imatrix_path, "importance matrix file (seek imatrix / llama-imatrix; GGUF or .dat)");
  app.add_option("--include-weights", include_weights,
                 "use the importance matrix only for tensors whose name contains this (repeatable)")
      ->expected(1)
      ->allow_extra_args(false);
  app.add_option("--exclude-weights", exclude_weights,
                 "do not use the importance matrix for tensors whose name contains this (repeatable)")
      ->expected(1)
      ->allow_extra_args(false);
  app.add_option("--hf-type", hf_type,
                 "for a checkpoint directory: the type convert_hf_to_gguf.py's --outtype would store its weights "
                 "in first (auto: BF16 or F16 as the checkpoint; f32, f16, bf16)");
  add_threads_option(app, threads);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (!include_weights.empty() && !exclude_weights.empty())
    throw UsageError("--include-weights and --exclude-weights cannot be used together");
  if ((!include_weights.empty() || !exclude_weights.empty()) && imatrix_path.empty())
    throw UsageError("--include-weights / --exclude-weights need --imatrix");
  Imatrix imatrix;
  if (!imatrix_path.empty()) imatrix = load_imatrix_for(imatrix_path, include_weights, exclude_weights);
  const bool has_imatrix = !imatrix.entries.empty();
  const QuantFtypeChoice choice = parse_quant_ftype(ftype_name);
  QuantOptions o;
  o.ftype = choice.ftype;
  o.only_copy = choice.only_copy;
  o.pure = pure;
  o.has_imatrix = has_imatrix;
  o.quantize_output = !leave_output;
  if (!output_type.empty()) o.output_type = dtype_from_name(output_type);
  if (!embd_type.empty()) o.token_embd_type = dtype_from_name(embd_type);
  for (const std::string& t : tensor_types) o.overrides.push_back(parse_quant_type_override(t));
  if (!tensor_type_file.empty())
    for (const std::string& line : read_lines(tensor_type_file))
      if (!line.empty() && line[0] != '#') o.overrides.push_back(parse_quant_type_override(line));

  const QuantInput f = QuantInput::open(in, hf_type);
  const QuantModel model = quant_model_of(f);
  std::vector<QuantTensor> tensors;
  for (const GGUFTensorInfo& t : f.tensors())
    tensors.push_back({t.name, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.dtype});
  int n_fallback = 0;
  const std::vector<QuantChoice> types = quant_mix(model, o, tensors, &n_fallback);

  // Refuse before writing anything: a type seek cannot encode (unless the tensor is copied as is),
  // an importance matrix whose entry does not fit its tensor, a type that needs one without it.
  int64_t total = 0;
  std::vector<std::vector<float>> importance(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const DType to = types[i].type, from = tensors[i].type;
    const std::string& name = tensors[i].name;
    if (to != from && !can_quantize(to))
      throw UsageError(str("tensor ", name, " would be ", dtype_name(to), " in ", choice.name,
                           ", and seek cannot write ", dtype_name(to), " (it writes ", writable_types(), ")"));
    if (to != from && has_imatrix) importance[i] = importance_for(imatrix, tensors[i]);
    if (to != from && importance[i].empty() &&
        (quant_requires_imatrix(name, to, choice.ftype) || quantize_needs_imatrix(to)))
      throw UsageError(str("tensor ", name, " would be ", dtype_name(to), " in ", choice.name,
                           ", which needs an importance matrix", has_imatrix ? " entry for it" : "",
                           ": make one with `seek imatrix -m MODEL -f TEXT` and pass --imatrix FILE"));
    if (!dtype_computable(from))
      throw FormatError(str(in, ": tensor ", tensors[i].name, " has type ", dtype_name(from),
                            ", which seek cannot read"));
    int64_t n = 1;
    for (int64_t d : tensors[i].ne) n *= d;
    total += n;
  }

  // The file as llama-quantize lays it out: the input's keys, less the split keys, with the
  // quantization version and file type moved to the end; tensors in its order (by layer, then name).
  GGUFWriter w;
  for (const auto& [key, v] : f.metadata())
    if (key != "general.quantization_version" && key != "general.file_type" && key.rfind("split.", 0) != 0)
      w.set(key, v);
  w.set("general.quantization_version", GGUFValue::of_u32(2));
  w.set("general.file_type", GGUFValue::of_u32(static_cast<uint32_t>(choice.ftype)));
  if (has_imatrix) {  // llama-quantize's record of the matrix (strings cut to 127 bytes, as it does)
    w.set("quantize.imatrix.file", GGUFValue::of_string(imatrix_path.substr(0, 127)));
    if (!imatrix.datasets.empty())
      w.set("quantize.imatrix.dataset", GGUFValue::of_string(imatrix.datasets[0].substr(0, 127)));
    w.set("quantize.imatrix.entries_count", GGUFValue::of_u32(static_cast<uint32_t>(imatrix.entries.size())));
    if (imatrix.chunk_count > 0)
      w.set("quantize.imatrix.chunks_count", GGUFValue::of_u32(static_cast<uint32_t>(imatrix.chunk_count)));
  }
  std::vector<size_t> order(tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return quant_order_less(tensors[a].name, tensors[b].name); });
  ThreadPool pool(threads);
  ProgressBar bar("quantize", total, "weights");
  int64_t done = 0;
  for (size_t i : order) {
    const GGUFTensorInfo& t = f.tensors()[i];
    const DType from = t.dtype, to = types[i].type;
    const int64_t cols = t.ne[0], rows = t.view.numel() / cols;
    std::vector<int64_t> shape(t.ne, t.ne + t.n_dims);
    std::reverse(shape.begin(), shape.end());  // ggml ne order -> PyTorch order
    const float* imp = importance[i].empty() ? nullptr : importance[i].data();
    const int64_t rows_per_matrix = t.n_dims >= 2 ? t.ne[1] : rows;  // each matrix (expert, head) has its own
    w.add_tensor(t.name, to, shape,
                 [&, i, from, to, cols, rows, imp, rows_per_matrix](const GGUFWriter::ByteSinkFn& sink) {
                   const size_t in_rb = row_bytes(from, cols), out_rb = row_bytes(to, cols);
                   // Chunks of about 32 MB of output: a tensor that keeps its type is copied as is, as
                   // llama-quantize does; the others are encoded in parallel.
                   const int64_t chunk = std::max<int64_t>(1, static_cast<int64_t>((32u << 20) / out_rb));
                   std::vector<uint8_t> buf(from == to ? 0 : out_rb * static_cast<size_t>(std::min(chunk, rows)));
                   for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
                     const int64_t r1 = std::min(rows, r0 + chunk);
                     const uint8_t* src = f.rows(i, r0, r1, pool);  // input rows r0 .. r1
                     if (from == to) {
                       sink(src, in_rb * static_cast<size_t>(r1 - r0));
                       continue;
                     }
                     pool.parallel_for(r1 - r0, 8, [&](int64_t b, int64_t e) {
                       std::vector<float> row(static_cast<size_t>(cols));
                       for (int64_t r = b; r < e; ++r) {
                         dequantize_row(from, src + static_cast<size_t>(r) * in_rb, row.data(), cols);
                         const float* qw = imp ? imp + ((r0 + r) / rows_per_matrix) * cols : nullptr;
                         quantize_row_imatrix(to, row.data(), buf.data() + static_cast<size_t>(r) * out_rb, cols, qw);
                       }
                     });
                     sink(buf.data(), out_rb * static_cast<size_t>(r1 - r0));
                   }
                   done += rows * cols;
                   bar.update(done);
                 });
  }
  w.write(out);
  bar.finish();
  std::fprintf(stderr,
               "quantize: wrote %s as %s (%d tensors whose rows are not whole blocks of the chosen type fell back)\n",
               out.c_str(), choice.name.c_str(), n_fallback);
  return 0;
}

}  // namespace seek::cli
