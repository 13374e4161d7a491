// Training-step throughput (a benchmark, never a test): one optimizer step of `seek train`
// (forward + backward of CE + lambda * MTP + alpha * balance, AdamW with clipping, router-bias
// update) on random tokens for a preset, after warm-up steps; tokens/s, model GFLOP/s and the
// fraction of the machine's sgemm GFLOP/s measured in the same process. bench/train_vs_torch.sh
// runs it beside the same step in PyTorch (bench/torch_train_step.py).
// Usage: bench_train --preset ds-20m [--batch 8] [--seq 128] [--steps 5] [--warmup 2] [--threads 2]
//                    [--json] [--config-out FILE] [--no-sgemm] [--profile] [--check DIR]
// --check DIR replays bench/torch_train_step.py --check DIR (its initial weights and tokens): one
// forward + backward, printing the loss and the global gradient norm as JSON, which must equal
// PyTorch's for the two sides to be the same model and step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/threadpool.h"
#include "kernels/matmul.h"
#include "model/presets.h"
#include "train/adamw.h"
#include "train/train_config.h"
#include "train/train_model.h"
#include "train/train_ops.h"

namespace seek {
namespace {

struct Options {
  std::string preset = "ds-2m";
  int64_t batch = 8, seq = 128, steps = 5, warmup = 2;
  int threads = 2;
  bool json = false, sgemm = true, profile = false;
  std::string config_out, check;
};

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Matrix-multiply parameters one row passes through (embedding lookups excluded): attention
// projections, dense FFN or router + shared + top-k routed experts of a block.
int64_t block_matmul_params(const ModelConfig& c, bool moe) {
  const int64_t D = c.hidden_size, H = c.num_attention_heads, qk = c.qk_head_dim();
  int64_t p = (c.q_lora_rank > 0 ? c.q_lora_rank * D + H * qk * c.q_lora_rank : H * qk * D) +
              (c.kv_lora_rank + c.qk_rope_head_dim) * D + H * (c.qk_nope_head_dim + c.v_head_dim) * c.kv_lora_rank +
              D * H * c.v_head_dim;
  if (moe) p += c.n_routed_experts * D + 3 * D * c.moe_intermediate_size * (c.n_shared_experts + c.num_experts_per_tok);
  else p += 3 * D * c.intermediate_size;
  return p;
}

// Causal attention of one layer over one sequence of L rows, forward + backward: QK^T and PV
// each 2 * H * d * L(L+1)/2 FLOPs forward (only s <= t is computed), backward twice that.
double attention_flops(const ModelConfig& c, int64_t L) {
  const double d = double(c.qk_head_dim() + c.v_head_dim);
  return 3.0 * double(c.num_attention_heads) * d * double(L) * double(L + 1);
}

struct FlopCount {
  int64_t main_params = 0, mtp_params = 0;  // matmul params per row of the main model / MTP module
  double total = 0;                         // FLOPs of one step
};

// One step on B windows of T = seq + 1 ids: main rows N = B*T, MTP rows N2 = B*(T-2).
// FLOPs = 6 * (N * P_main + N2 * P_mtp) + attention terms (the optimizer is not counted).
FlopCount count_flops(const ModelConfig& c, int64_t B, int64_t T) {
  FlopCount f;
  const int64_t D = c.hidden_size, V = c.vocab_size;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) f.main_params += block_matmul_params(c, c.is_moe_layer(l));
  f.main_params += V * D;  // lm_head
  double attn = double(c.num_hidden_layers) * B * attention_flops(c, T);
  if (c.num_nextn_predict_layers > 0 && T >= 3) {
    f.mtp_params = 2 * D * D + block_matmul_params(c, c.is_moe_layer(c.num_hidden_layers)) + V * D;
    attn += double(B) * attention_flops(c, T - 2);
  }
  f.total = 6.0 * (double(B * T) * double(f.main_params) + double(B * (T - 2)) * double(f.mtp_params)) + attn;
  return f;
}

// Best sgemm GFLOP/s over square shapes, best of 3 after a warm-up, each shape the better of
// OpenBLAS threading itself and the pool's split (the trainer's way), so the peak is the
// machine's, not the trainer's choice.
double sgemm_peak(std::vector<std::pair<int64_t, double>>& per_shape, ThreadPool& pool) {
  double best_all = 0;
  for (int64_t n : {512, 1024, 2048}) {
    std::vector<float> A(n * n, 0.5f), B(n * n, 0.25f), C(n * n);
    double best = 1e30;
    for (int way = 0; way < 2; ++way) {
      auto run = [&] {
        if (way == 0) sgemm(false, true, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C.data(), n);
        else sgemm(&pool, false, true, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C.data(), n);
      };
      blas_set_threads(way == 0 ? pool.size() : 1);
      run();
      for (int r = 0; r < 3; ++r) {
        const double t0 = now_s();
        run();
        best = std::min(best, now_s() - t0);
      }
    }
    blas_set_threads(1);
    per_shape.push_back({n, 2.0 * n * n * n / best / 1e9});
    best_all = std::max(best_all, per_shape.back().second);
  }
  return best_all;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(str("bench_train: ", a, " needs a value"));
      return argv[++i];
    };
    auto positive = [&](int64_t min) {
      const std::string v = next();
      size_t used = 0;
      int64_t x = -1;
      try {
        x = std::stoll(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != v.size() || x < min)
        throw UsageError(str("bench_train: ", a, ": expected an integer >= ", min, ", got '", v, "'"));
      return x;
    };
    if (a == "--preset") o.preset = next();
    else if (a == "--batch") o.batch = positive(1);
    else if (a == "--seq") o.seq = positive(2);
    else if (a == "--steps") o.steps = positive(1);
    else if (a == "--warmup") o.warmup = positive(0);
    else if (a == "--threads" || a == "-t") o.threads = static_cast<int>(positive(1));
    else if (a == "--json") o.json = true;
    else if (a == "--no-sgemm") o.sgemm = false;
    else if (a == "--profile") o.profile = true;
    else if (a == "--config-out") o.config_out = next();
    else if (a == "--check") o.check = next();
    else throw UsageError(str("bench_train: unknown option '", a, "' (see the usage in bench/bench_train.cpp)"));
  }
  return o;
}

struct StepTimes {
  double forward = 0, loss = 0, backward = 0, optim = 0;
  double total() const { return forward + loss + backward + optim; }
};

// One forward + backward on the checkpoint and tokens PyTorch wrote (see the usage above).
int check(const Options& o) {
  std::unique_ptr<TrainModel> model = TrainModel::from_pretrained(o.check);
  const int64_t B = o.batch, T = o.seq + 1;
  std::vector<int32_t> tokens(B * T);
  const std::string path = o.check + "/tokens.bin";
  std::ifstream f(path, std::ios::binary);
  if (!f) throw UsageError(str("bench_train --check: cannot open ", path));
  f.read(reinterpret_cast<char*>(tokens.data()), static_cast<std::streamsize>(sizeof(int32_t) * tokens.size()));
  if (f.gcount() != static_cast<std::streamsize>(sizeof(int32_t) * tokens.size()) || f.peek() != EOF)
    throw UsageError(str("bench_train --check: ", path, ": expected ", B, " x ", T, " int32 ids (--batch, --seq + 1)"));
  ThreadPool pool(o.threads);
  model->zero_grad();
  const LossParts lp = model->forward_backward(tokens.data(), B, T, LossWeights{0.3, 1e-4}, pool);
  double sq = 0;
  for (size_t i = 0; i < model->n_params(); ++i) sq += double(model->grads()[i]) * model->grads()[i];
  std::printf("{\"loss\": %.7f, \"grad_norm\": %.7f, \"params\": %zu}\n", lp.total, std::sqrt(sq), model->n_params());
  return 0;
}

int run(const Options& o) {
  if (!o.check.empty()) return check(o);
  const ModelConfig c = preset_config(o.preset);
  if (!o.config_out.empty()) {
    std::ofstream f(o.config_out);
    f << config_to_hf_json(c).dump(1) << "\n";
    if (!f) throw UsageError(str("bench_train: cannot write ", o.config_out));
  }
  ThreadPool pool(o.threads);
  TrainModel model(c, 1, 0.02);
  AdamW adam(model.n_params());
  const LossWeights w{0.3, 1e-4};
  const AdamWConfig ac{0.9, 0.95, 1e-8, 0.1, 1.0};
  const int64_t B = o.batch, T = o.seq + 1, N = B * T, V = c.vocab_size;
  std::mt19937 rng(1234);
  std::vector<int32_t> tokens(N), targets(N);
  std::vector<StepTimes> times;
  double loss = 0;
  for (int64_t s = 0; s < o.warmup + o.steps; ++s) {
    for (int32_t& t : tokens) t = static_cast<int32_t>(rng() % static_cast<uint32_t>(V));
    StepTimes st;
    double t0 = now_s();
    model.zero_grad();
    if (o.profile) {  // forward_backward's three parts, timed apart (same work)
      model.forward(tokens.data(), B, T, pool);
      double t1 = now_s();
      st.forward = t1 - t0;
      for (int64_t n = 0; n < N; ++n) targets[n] = n % T == T - 1 ? -1 : tokens[n + 1];
      const LossParts aux = model.last_aux_losses();
      loss = cross_entropy_forward_backward(model.logits(), targets.data(), model.dlogits(), N, V,
                                            1.0f / static_cast<float>(B * (T - 1)), pool) /
                 double(B * (T - 1)) +
             w.lambda_mtp * aux.mtp + w.alpha * aux.balance;
      double t2 = now_s();
      st.loss = t2 - t1;
      model.backward(w, pool);
      t0 = now_s();
      st.backward = t0 - t2;
    } else {
      loss = model.forward_backward(tokens.data(), B, T, w, pool).total;
      const double t1 = now_s();
      st.backward = t1 - t0;  // forward + loss + backward together
      t0 = t1;
    }
    adam.step(model, 1e-3, ac, pool);
    model.update_router_bias(model.expert_loads().data(), 1e-3);
    st.optim = now_s() - t0;
    if (s >= o.warmup) times.push_back(st);
  }
  std::vector<double> tot;
  for (const StepTimes& st : times) tot.push_back(st.total());
  std::sort(tot.begin(), tot.end());
  const double best = tot.front(), median = tot[tot.size() / 2];
  const FlopCount f = count_flops(c, B, T);
  const double tokens_per_step = double(B * o.seq);
  std::vector<std::pair<int64_t, double>> shapes;
  const double peak = o.sgemm ? sgemm_peak(shapes, pool) : 0;
  StepTimes mean;
  for (const StepTimes& st : times)
    mean.forward += st.forward / times.size(), mean.loss += st.loss / times.size(),
        mean.backward += st.backward / times.size(), mean.optim += st.optim / times.size();

  if (o.json) {
    std::printf("{\"preset\": \"%s\", \"threads\": %d, \"batch\": %lld, \"seq\": %lld, \"params\": %zu, "
                "\"active_params\": %lld, \"main_matmul_params\": %lld, \"mtp_matmul_params\": %lld, "
                "\"flops_per_step\": %.6e, \"tokens_per_step\": %.0f, \"step_s\": [",
                o.preset.c_str(), o.threads, static_cast<long long>(B), static_cast<long long>(o.seq), model.n_params(),
                static_cast<long long>(count_active_params(c)), static_cast<long long>(f.main_params),
                static_cast<long long>(f.mtp_params), f.total, tokens_per_step);
    for (size_t i = 0; i < times.size(); ++i) std::printf("%s%.5f", i ? ", " : "", times[i].total());
    std::printf("], \"best_step_s\": %.5f, \"median_step_s\": %.5f, \"tokens_per_s\": %.1f, \"gflops\": %.2f, "
                "\"loss\": %.5f, \"sgemm_peak_gflops\": %.2f, \"sgemm\": {",
                best, median, tokens_per_step / best, f.total / best / 1e9, loss, peak);
    for (size_t i = 0; i < shapes.size(); ++i)
      std::printf("%s\"%lld\": %.2f", i ? ", " : "", static_cast<long long>(shapes[i].first), shapes[i].second);
    std::printf("}, \"mean_phase_s\": {\"forward\": %.5f, \"loss\": %.5f, \"backward\": %.5f, \"optimizer\": %.5f}}\n",
                mean.forward, mean.loss, mean.backward, mean.optim);
    return 0;
  }
  std::printf("%s: %zu params (%lld active per token), batch %lld x seq %lld, %d threads\n", o.preset.c_str(),
              model.n_params(), static_cast<long long>(count_active_params(c)), static_cast<long long>(B),
              static_cast<long long>(o.seq), o.threads);
  std::printf("step: best %.4f s, median %.4f s over %zu steps (after %lld warm-up); loss %.4f\n", best, median,
              times.size(), static_cast<long long>(o.warmup), loss);
  std::printf("tokens/s %.1f; model FLOPs/step %.3e -> %.2f GFLOP/s\n", tokens_per_step / best, f.total,
              f.total / best / 1e9);
  if (o.profile)
    std::printf("mean per step: forward %.4f s, loss %.4f s, backward %.4f s, optimizer %.4f s\n", mean.forward,
                mean.loss, mean.backward, mean.optim);
  if (o.sgemm) {
    for (auto& [n, g] : shapes)
      std::printf("sgemm %lldx%lldx%lld: %.1f GFLOP/s\n", static_cast<long long>(n), static_cast<long long>(n),
                  static_cast<long long>(n), g);
    std::printf("achieved %.1f%% of sgemm peak %.1f GFLOP/s\n", 100.0 * f.total / best / 1e9 / peak, peak);
  }
  return 0;
}

}  // namespace
}  // namespace seek

int main(int argc, char** argv) {
  try {
    return seek::run(seek::parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
}
