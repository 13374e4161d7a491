# The training step of `seek train` in PyTorch float32 (a benchmark, never a test): the same
# DeepSeek-V3-architecture model (MLA with q-LoRA and decoupled RoPE, sigmoid noaux_tc DeepSeekMoE
# with a shared expert, dense first layer, MTP depth 1), the same loss (CE + lambda * MTP CE +
# alpha * sequence-wise balance), global-norm clip, AdamW (decay on matrices only) and router-bias
# update, on random tokens [B, seq + 1]. The model comes from the HF config that bench_train
# writes (--config), so both sides build the same shapes; params must count the same.
# Batched over sequences (attention as [B, H, T, T] matmuls); the MoE, the gate and the norms are
# tools/ref/deepseek.py's own functions (per-expert loop with index_add, as HF modeling_deepseek).
# Usage: /usr/bin/python3 bench/torch_train_step.py --config cfg.json [--batch 8] [--seq 128]
#        [--steps 5] [--warmup 2] [--threads 2] [--json]
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "ref"))
import deepseek  # noqa: E402
from common import rms_norm, rope_adjacent, rope_cos_sin  # noqa: E402

LAMBDA_MTP, ALPHA, GAMMA = 0.3, 1e-4, 1e-3


def init_weights(cfg, std=0.02, seed=1):
    """HF-named float32 tensors as seek's TrainModel holds them: matrices N(0, std), RMSNorm
    weights 1, router biases 0 (not trained). The MTP block shares embed_tokens and lm_head."""
    g = torch.Generator().manual_seed(seed)
    D, V, H = cfg.hidden_size, cfg.vocab_size, cfg.num_attention_heads
    qk, r, rope = cfg.qk_head_dim, cfg.kv_lora_rank, cfg.qk_rope_head_dim
    shapes = {"model.embed_tokens.weight": (V, D), "model.norm.weight": (D,), "lm_head.weight": (V, D)}

    def ffn(p, F_):
        shapes.update({p + "gate_proj.weight": (F_, D), p + "up_proj.weight": (F_, D), p + "down_proj.weight": (D, F_)})

    L = cfg.num_hidden_layers
    for i in range(L + cfg.num_nextn_predict_layers):
        p = f"model.layers.{i}."
        shapes.update({p + "input_layernorm.weight": (D,), p + "post_attention_layernorm.weight": (D,)})
        a = p + "self_attn."
        if cfg.q_lora_rank:
            shapes.update({a + "q_a_proj.weight": (cfg.q_lora_rank, D), a + "q_a_layernorm.weight": (cfg.q_lora_rank,),
                           a + "q_b_proj.weight": (H * qk, cfg.q_lora_rank)})
        else:
            shapes[a + "q_proj.weight"] = (H * qk, D)
        shapes.update({a + "kv_a_proj_with_mqa.weight": (r + rope, D), a + "kv_a_layernorm.weight": (r,),
                       a + "kv_b_proj.weight": (H * (cfg.qk_nope_head_dim + cfg.v_head_dim), r),
                       a + "o_proj.weight": (D, H * cfg.v_head_dim)})
        if cfg.is_moe_layer(i):
            shapes[p + "mlp.gate.weight"] = (cfg.n_routed_experts, D)
            for e in range(cfg.n_routed_experts):
                ffn(f"{p}mlp.experts.{e}.", cfg.moe_intermediate_size)
            if cfg.n_shared_experts:
                ffn(p + "mlp.shared_experts.", cfg.moe_intermediate_size * cfg.n_shared_experts)
        else:
            ffn(p + "mlp.", cfg.intermediate_size)
        if i >= L:
            shapes.update({p + "enorm.weight": (D,), p + "hnorm.weight": (D,), p + "eh_proj.weight": (D, 2 * D),
                           p + "shared_head.norm.weight": (D,)})
    W = {}
    for n, s in shapes.items():
        t = torch.randn(s, generator=g) * std if len(s) >= 2 else torch.ones(s)
        W[n] = t.float().requires_grad_(True)
    biases = {}
    for i in range(L + cfg.num_nextn_predict_layers):
        if cfg.is_moe_layer(i) and cfg.topk_method == "noaux_tc":
            biases[f"model.layers.{i}.mlp.gate.e_score_correction_bias"] = torch.zeros(cfg.n_routed_experts)
    return W, biases


def mla(cfg, W, p, x, B, T, cos, sin, mask):
    """x [B*T, D] -> [B*T, D]: naive MLA path (per-head K/V from the latent), batched attention."""
    H, nope, vh = cfg.num_attention_heads, cfg.qk_nope_head_dim, cfg.v_head_dim
    a = p + "self_attn."
    if cfg.q_lora_rank:
        q = rms_norm(x @ W[a + "q_a_proj.weight"].T, W[a + "q_a_layernorm.weight"], cfg.rms_norm_eps)
        q = q @ W[a + "q_b_proj.weight"].T
    else:
        q = x @ W[a + "q_proj.weight"].T
    q = q.view(B * T, H, cfg.qk_head_dim)
    q = torch.cat([q[..., :nope], rope_adjacent(q[..., nope:], cos, sin)], dim=-1)
    kv = x @ W[a + "kv_a_proj_with_mqa.weight"].T
    c_kv = rms_norm(kv[:, :cfg.kv_lora_rank], W[a + "kv_a_layernorm.weight"], cfg.rms_norm_eps)
    k_pe = rope_adjacent(kv[:, cfg.kv_lora_rank:], cos, sin)           # [B*T, rope]
    kvb = (c_kv @ W[a + "kv_b_proj.weight"].T).view(B * T, H, nope + vh)
    k = torch.cat([kvb[..., :nope], k_pe[:, None, :].expand(-1, H, -1)], dim=-1)
    v = kvb[..., nope:]
    qh = q.view(B, T, H, -1).transpose(1, 2)                              # [B, H, T, qk]
    kh = k.view(B, T, H, -1).transpose(1, 2)
    vh_ = v.view(B, T, H, -1).transpose(1, 2)
    scores = (qh @ kh.transpose(-1, -2)) * deepseek.softmax_scale(cfg)
    probs = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    o = (probs @ vh_).transpose(1, 2).reshape(B * T, H * vh)
    return o @ W[a + "o_proj.weight"].T


def block(cfg, W, biases, layer, x, B, T, cos, sin, mask):
    """Pre-norm block on x [B*T, D]; returns (x, routing (idx, scores) or None)."""
    p = f"model.layers.{layer}."
    eps = cfg.rms_norm_eps
    x = x + mla(cfg, W, p, rms_norm(x, W[p + "input_layernorm.weight"], eps), B, T, cos, sin, mask)
    h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
    if cfg.is_moe_layer(layer):
        Wb = dict(W)
        Wb.update(biases)  # deepseek.gate reads the bias from the weight dict
        y, (idx, _, scores) = deepseek.moe(cfg, Wb, p, h)
        return x + y, (idx, scores)
    return x + deepseek.expert(W, p + "mlp.", h), None


def balance(cfg, idx, scores, B):
    """Sum over the B sequences of sum_i f_i P_i (f constant), as train_ref.balance_loss."""
    E, K = cfg.n_routed_experts, cfg.num_experts_per_tok
    idx, scores = idx.view(B, -1, K), scores.view(B, -1, E)
    T = scores.shape[1]
    counts = torch.zeros(B, E).scatter_add_(1, idx.reshape(B, -1), torch.ones(B, T * K))
    f = counts * E / (K * T)
    P = (scores / scores.sum(-1, keepdim=True)).mean(1)
    return (f * P).sum()


def loss_fn(cfg, W, biases, tokens):
    """tokens [B, T] -> (loss, expert loads {layer: [E]})."""
    B, T = tokens.shape
    D, L = cfg.hidden_size, cfg.num_hidden_layers
    inv, scale = deepseek.rope_inv_freq_and_scale(cfg)
    cos, sin = rope_cos_sin(inv.float(), torch.arange(T).repeat(B), scale)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    x = W["model.embed_tokens.weight"][tokens.reshape(-1)]
    routes = {}
    for i in range(L):
        x, r = block(cfg, W, biases, i, x, B, T, cos, sin, mask)
        if r is not None:
            routes[i] = r
    logits = rms_norm(x, W["model.norm.weight"], cfg.rms_norm_eps) @ W["lm_head.weight"].T
    ce = F.cross_entropy(logits.view(B, T, -1)[:, :-1].reshape(-1, cfg.vocab_size), tokens[:, 1:].reshape(-1))
    loss = ce
    if cfg.num_nextn_predict_layers and T >= 3:  # MTP on rows i < T-2: h_i and t_{i+1} -> t_{i+2}
        T2, p = T - 2, f"model.layers.{L}."
        h = x.view(B, T, D)[:, :T2].reshape(-1, D)
        e = rms_norm(W["model.embed_tokens.weight"][tokens[:, 1:T - 1].reshape(-1)], W[p + "enorm.weight"],
                     cfg.rms_norm_eps)
        hh = rms_norm(h, W[p + "hnorm.weight"], cfg.rms_norm_eps)
        xm = torch.cat([e, hh], dim=-1) @ W[p + "eh_proj.weight"].T
        cos2, sin2 = rope_cos_sin(inv.float(), torch.arange(T2).repeat(B), scale)
        xm, r = block(cfg, W, biases, L, xm, B, T2, cos2, sin2, mask[:T2, :T2])
        if r is not None:
            routes[L] = r
        mlog = rms_norm(xm, W[p + "shared_head.norm.weight"], cfg.rms_norm_eps) @ W["lm_head.weight"].T
        loss = loss + LAMBDA_MTP * F.cross_entropy(mlog, tokens[:, 2:].reshape(-1))
    bal = sum(balance(cfg, idx, s, B) for idx, s in routes.values()) / B
    loads = {i: torch.bincount(idx.reshape(-1), minlength=cfg.n_routed_experts) for i, (idx, _) in routes.items()}
    return loss + ALPHA * bal, loads


def make_optimizer(W, lr=1e-3):
    decay = [t for t in W.values() if t.dim() >= 2]
    no_decay = [t for t in W.values() if t.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.95), eps=1e-8, foreach=True)


def train_step(cfg, W, biases, opt, tokens):
    opt.zero_grad(set_to_none=False)
    loss, loads = loss_fn(cfg, W, biases, tokens)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(W.values()), 1.0)
    opt.step()
    with torch.no_grad():  # auxiliary-loss-free balancing: bias_i += gamma * sign(mean - load_i)
        for i, load in loads.items():
            name = f"model.layers.{i}.mlp.gate.e_score_correction_bias"
            if name in biases:
                load = load.float()
                biases[name] += GAMMA * torch.sign(load.mean() - load)
    return float(loss)


def write_check(cfg, hf, W, biases, tokens, out):
    """One forward + backward on `tokens` with the initial weights, written as an HF checkpoint
    (config.json, model.safetensors, tokens.bin int32 [B, T]) for bench_train --check to replay:
    equal loss and gradient norm show the two sides build the same model."""
    import numpy as np
    from safetensors_io import write_safetensors
    loss, _ = loss_fn(cfg, W, biases, tokens)
    loss.backward()
    norm = torch.sqrt(sum((t.grad.double() ** 2).sum() for t in W.values() if t.grad is not None))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(hf, f, indent=1)
    L = cfg.num_hidden_layers
    ts = {n: ("F32", t.detach().numpy()) for n, t in list(W.items()) + list(biases.items())}
    for j in range(cfg.num_nextn_predict_layers):  # the inference loader wants the MTP copies
        ts[f"model.layers.{L + j}.embed_tokens.weight"] = ts["model.embed_tokens.weight"]
        ts[f"model.layers.{L + j}.shared_head.head.weight"] = ts["lm_head.weight"]
    write_safetensors(os.path.join(out, "model.safetensors"), ts)
    tokens.numpy().astype(np.int32).tofile(os.path.join(out, "tokens.bin"))
    for t in W.values():
        t.grad = None
    return {"loss": float(loss), "grad_norm": float(norm)}


def torch_sgemm_peak():
    out = {}
    for n in (512, 1024, 2048):
        a, b = torch.full((n, n), 0.5), torch.full((n, n), 0.25)
        torch.mm(a, b.T)
        best = 1e30
        for _ in range(3):
            t0 = time.perf_counter()
            torch.mm(a, b.T)
            best = min(best, time.perf_counter() - t0)
        out[str(n)] = 2 * n ** 3 / best / 1e9
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="seek's training step in PyTorch float32 (benchmark)")
    ap.add_argument("--config", required=True, help="HF config.json of the model (bench_train --config-out)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", help="write the initial weights, tokens and the first loss here (see write_check)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    with open(a.config) as f:
        hf = json.load(f)
    cfg = deepseek.DeepSeekConfig.from_hf(hf)
    W, biases = init_weights(cfg)
    gen = torch.Generator().manual_seed(1234)
    if a.check:
        tokens = torch.randint(0, cfg.vocab_size, (a.batch, a.seq + 1), generator=gen)
        res = write_check(cfg, hf, W, biases, tokens, a.check)
        res["params"] = sum(t.numel() for t in W.values())
        print(json.dumps(res))
        return
    opt = make_optimizer(W)
    n_params = sum(t.numel() for t in W.values())
    times, loss = [], 0.0
    for s in range(a.warmup + a.steps):
        tokens = torch.randint(0, cfg.vocab_size, (a.batch, a.seq + 1), generator=gen)
        t0 = time.perf_counter()
        loss = train_step(cfg, W, biases, opt, tokens)
        if s >= a.warmup:
            times.append(time.perf_counter() - t0)
    best, median = min(times), sorted(times)[len(times) // 2]
    sg = torch_sgemm_peak()
    cfgshow = torch.__config__.show()
    build = [ln.strip("- ").strip() for ln in cfgshow.splitlines() if "MKL-DNN" in ln or "OpenMP" in ln]
    build += [kv.strip() for kv in cfgshow.split(",") if kv.strip().startswith(("BLAS_INFO", "USE_MKLDNN", "USE_OPENMP"))]
    res = {"torch": torch.__version__, "threads": torch.get_num_threads(), "params": n_params,
           "batch": a.batch, "seq": a.seq, "step_s": times, "best_step_s": best, "median_step_s": median,
           "tokens_per_s": a.batch * a.seq / best, "loss": loss, "sgemm_gflops": sg,
           "blas": "BLAS_INFO=generic (Debian libblas.so.3 -> OpenBLAS pthread)" if "BLAS_INFO=generic" in cfgshow
           else "see torch.__config__.show()", "build": build,
           "parallel": torch.__config__.parallel_info().splitlines()[:6]}
    if a.json:
        print(json.dumps(res))
    else:
        print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
