// TrainConfig <-> JSON, validation, and the model config a run trains.
#include "train/train_config.h"

#include "core/error.h"
#include "core/file.h"
#include "formats/hf_config.h"
#include "model/config_io.h"
#include "model/presets.h"

namespace seek {

namespace {

// Calls f(key, field) for every field, in the order the docs list them.
template <typename C, typename F>
void visit_fields(C& c, F&& f) {
  f("preset", c.preset), f("layers", c.layers), f("hidden", c.hidden), f("experts", c.experts);
  f("init_std", c.init_std), f("data", c.data), f("batch", c.batch), f("seq", c.seq);
  f("grad_accum", c.grad_accum), f("steps", c.steps), f("stop_at", c.stop_at), f("warmup", c.warmup), f("lr", c.lr),
      f("lr_min", c.lr_min);
  f("beta1", c.beta1), f("beta2", c.beta2), f("eps", c.eps), f("weight_decay", c.weight_decay), f("clip", c.clip);
  f("lambda_mtp", c.lambda_mtp), f("alpha", c.alpha), f("gamma", c.gamma), f("seed", c.seed);
  f("expert_parallel", c.expert_parallel), f("grad_bucket_mb", c.grad_bucket_mb), f("grad_overlap", c.grad_overlap);
  f("threads", c.threads), f("eval_every", c.eval_every), f("eval_batches", c.eval_batches);
  f("save_every", c.save_every), f("keep", c.keep), f("out", c.out), f("resume", c.resume);
  f("export", c.export_path), f("vocab", c.vocab), f("quiet", c.quiet);
}

template <typename T>
void set_from(T& field, const nlohmann::json& v, const std::string& key, const std::string& source) {
  auto bad = [&](const char* want) {
    throw UsageError(str(source, ": '", key, "' must be ", want, ", got ", v.dump()));
  };
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) bad("a string");
    field = v.get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) bad("true or false");
    field = v.get<bool>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) bad("a number");
    field = v.get<T>();
  } else {
    if (!v.is_number_integer() && !v.is_number_unsigned()) bad("an integer");
    if (std::is_unsigned_v<T> && v.is_number_integer() && v.get<int64_t>() < 0) bad("a non-negative integer");
    field = v.get<T>();
  }
}

}  // namespace

nlohmann::json train_config_to_json(const TrainConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  visit_fields(c, [&](const char* key, const auto& field) { j[key] = field; });
  return j;
}

void train_config_update(TrainConfig& c, const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw UsageError(str(source, ": expected a JSON object of training settings"));
  for (const auto& item : j.items()) {
    // plain names, not structured bindings: lambdas may not capture those before C++20 (clang 14)
    const std::string& key = item.key();
    const nlohmann::json& value = item.value();
    bool found = false;
    visit_fields(c, [&](const char* k, auto& field) {
      if (key == k) {
        set_from(field, value, key, source);
        found = true;
      }
    });
    if (!found) throw UsageError(str(source, ": unknown setting '", key, "'"));
  }
}

TrainConfig train_config_from_file(const std::string& path, TrainConfig base) {
  const std::string text = read_file(path, "config file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(str(path, ": not JSON (", e.what(), ")"));
  }
  train_config_update(base, j, path);
  return base;
}

void validate_train_config(const TrainConfig& c) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw UsageError(what);
  };
  need(c.batch >= 1, str("--batch must be >= 1, got ", c.batch));
  need(c.seq >= 2, str("--seq must be >= 2 (MTP predicts two ahead), got ", c.seq));
  need(c.grad_accum >= 1, str("--grad-accum must be >= 1, got ", c.grad_accum));
  need(c.steps >= 1, str("--steps must be >= 1, got ", c.steps));
  need(c.stop_at >= 0, str("--stop-at must be >= 0, got ", c.stop_at));
  need(c.warmup >= 0, str("--warmup must be >= 0, got ", c.warmup));
  need(c.lr > 0 && c.lr_min >= 0 && c.lr_min <= c.lr,
       str("need 0 <= --lr-min <= --lr and --lr > 0, got ", c.lr_min, ", ", c.lr));
  need(c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1, "beta1 and beta2 must be in [0, 1)");
  need(c.eps > 0, "eps must be > 0");
  need(c.weight_decay >= 0, str("--weight-decay must be >= 0, got ", c.weight_decay));
  need(c.lambda_mtp >= 0 && c.alpha >= 0 && c.gamma >= 0, "--lambda-mtp, --alpha and --gamma must be >= 0");
  need(c.init_std > 0, "init_std must be > 0");
  need(c.layers >= 0 && c.hidden >= 0 && c.experts >= 0, "--layers, --hidden and --experts must be >= 0");
  need(c.eval_every >= 0 && c.save_every >= 0 && c.keep >= 0 && c.eval_batches >= 1,
       "--eval-every, --save-every, --keep must be >= 0 and eval_batches >= 1");
  need(c.grad_bucket_mb > 0 && c.grad_bucket_mb <= 1024,
       str("--grad-bucket-mb must be in (0, 1024], got ", c.grad_bucket_mb));
  need(c.threads >= 0, str("--threads must be >= 0, got ", c.threads));
  need(!c.data.empty(), "--data DIR is required (written by `seek data prepare`)");
  preset_config(c.preset);  // UsageError naming the known presets
  need(!c.out.empty(), "--out DIR must not be empty");
}

bool is_run_shape_key(const std::string& key) {
  static const char* keys[] = {"preset", "layers", "hidden",     "experts", "init_std",
                               "batch",  "seq",    "grad_accum", "seed"};
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

ModelConfig build_model_config(const TrainConfig& t, int32_t vocab_size, int32_t bos_id, int32_t eos_id) {
  ModelConfig c = preset_config(t.preset);
  if (!c.is_mla() || c.n_routed_experts == 0)
    throw UsageError(str("preset ", t.preset, " is not a DeepSeek MoE model"));
  c.vocab_size = vocab_size;
  c.bos_token_id = bos_id;
  c.eos_token_id = eos_id;
  if (t.layers > 0) {
    if (t.layers <= c.first_k_dense_replace)
      throw UsageError(str("--layers ", t.layers, " leaves no MoE layer after ", c.first_k_dense_replace,
                           " dense one(s)"));
    c.num_hidden_layers = t.layers;
  }
  if (t.hidden > 0) c.hidden_size = t.hidden;
  if (t.experts > 0) {
    c.n_routed_experts = t.experts;
    if (t.experts % c.n_group != 0 || c.topk_group * (t.experts / c.n_group) < c.num_experts_per_tok)
      c.n_group = c.topk_group = 1;
    if (c.num_experts_per_tok > t.experts)
      throw UsageError(str("--experts ", t.experts, " is fewer than the ", c.num_experts_per_tok,
                           " experts each token uses"));
  }
  // A model trained from scratch at its own context length: plain RoPE, no YaRN.
  c.rope_scaling = RopeScaling{};
  c.max_position_embeddings = std::max<int64_t>(c.max_position_embeddings, t.seq + 1);
  try {
    c.validate();
  } catch (const FormatError& e) {
    throw UsageError(e.what());
  }
  return c;
}

}  // namespace seek
