# Training oracle: for a fixture (config.json + model.safetensors) and a batch of token ids,
# computes in float64 the loss L = CE + lambda*MTP-CE + alpha*sequence-wise balance loss
# (docs/deepseek.md 2.3-2.4), logits, every parameter's gradient (autograd), expert loads and the
# aux-loss-free bias update, then N AdamW steps with global-norm clipping, and dumps all of it
# (train.bin + train.json; format in docs/reference.md) for a C++ trainer test to replay.
# Usage: /usr/bin/python3 tools/ref/train_ref.py --fixture DIR --out DIR [--lr 1e-3,...] [...]
import argparse
import json
import math
import os
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deepseek  # noqa: E402
import dense  # noqa: E402
from make_fixture import write_arrays  # noqa: E402
from safetensors_io import load_hf_weights  # noqa: E402

DEFAULT_LR = [1e-3, 2e-3, 3e-3, 3e-3, 3e-3, 3e-3, 2.5e-3, 2e-3, 1e-3, 3e-4]


def load_model(fixture):
    c = json.loads(pathlib.Path(os.path.join(fixture, "config.json")).read_text())
    W = load_hf_weights(os.path.join(fixture, "model.safetensors"))
    is_ds = c["model_type"] in ("deepseek_v2", "deepseek_v3")
    cfg = deepseek.DeepSeekConfig.from_hf(c) if is_ds else dense.DenseConfig.from_hf(c)
    if is_ds:
        # the MTP layer's embed_tokens / shared_head.head are the main ones (shared parameters)
        L = cfg.num_hidden_layers
        for n in (f"model.layers.{L}.embed_tokens.weight", f"model.layers.{L}.shared_head.head.weight"):
            W.pop(n, None)
    return c, cfg, W, is_ds


def trainable(W):
    return [n for n in W if not n.endswith("e_score_correction_bias")]


def balance_loss(cfg, idx, scores):
    """One sequence, one MoE layer: sum_i f_i P_i with f_i = E/(K T) * #tokens routed to i and
    P_i = mean_t s_it / sum_j s_jt (scores unbiased; f is a constant, P carries the gradient)."""
    T, E = scores.shape
    K = cfg.num_experts_per_tok
    counts = torch.zeros(E, dtype=scores.dtype).index_add(
        0, idx.reshape(-1), torch.ones(idx.numel(), dtype=scores.dtype))
    f = counts * E / (K * T)
    P = (scores / scores.sum(-1, keepdim=True)).mean(0)
    return (f * P).sum()


def loss_fn(cfg, W, batch, is_ds, lam, alpha):
    """batch [B, T] -> (loss, parts dict, logits [B, T, V], mtp_logits [B, T-2, V] or None,
    loads {layer: [E] tokens routed over the whole batch})."""
    B, T = batch.shape
    ce_sum, mtp_sum, bal = 0.0, 0.0, 0.0
    logits_all, mtp_all, loads = [], [], {}
    for b in range(B):
        toks = batch[b]
        if is_ds:
            out = deepseek.forward(cfg, W, toks)
        else:
            out = dense.forward(cfg, W, toks)
        logits_all.append(out["logits"])
        ce_sum = ce_sum + torch.nn.functional.cross_entropy(out["logits"][:-1], toks[1:], reduction="sum")
        if not is_ds:
            continue
        routes = dict(enumerate(out["routes"]))
        if cfg.num_nextn_predict_layers:
            h = deepseek.mtp_input_hidden(cfg, out)[:T - 2]
            mo = deepseek.mtp_forward(cfg, W, h, toks[1:T - 1], torch.arange(T - 2))
            routes[cfg.num_hidden_layers] = mo["route"]
            mtp_all.append(mo["logits"])
            mtp_sum = mtp_sum + torch.nn.functional.cross_entropy(mo["logits"], toks[2:], reduction="sum")
        # every MoE layer, the MTP layer included, adds to the balance loss and to the loads
        for i, r in routes.items():
            if r is None:
                continue
            idx, _, scores = r
            bal = bal + balance_loss(cfg, idx, scores)
            cnt = torch.bincount(idx.reshape(-1), minlength=cfg.n_routed_experts)
            loads[i] = loads.get(i, 0) + cnt
    ce = ce_sum / (B * (T - 1))
    mtp = mtp_sum / (B * (T - 2)) if mtp_all else torch.zeros((), dtype=torch.float64)
    bal = bal / B if loads else torch.zeros((), dtype=torch.float64)
    loss = ce + lam * mtp + alpha * bal
    parts = {"ce": float(ce), "mtp": float(mtp), "balance": float(bal), "total": float(loss)}
    return loss, parts, torch.stack(logits_all), (torch.stack(mtp_all) if mtp_all else None), loads


def bias_update(cfg, W, loads, gamma):
    """bias_i += gamma * sign(mean_load - load_i), load over the whole step's tokens."""
    for i, load in loads.items():
        name = f"model.layers.{i}.mlp.gate.e_score_correction_bias"
        if name in W:
            load = load.to(torch.float64)
            W[name] = W[name] + gamma * torch.sign(load.mean() - load)


def adamw_step(W, names, grads, state, t, lr, hp):
    """Global-norm clip, then AdamW (decoupled decay on params with dim >= 2):
    m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps)
    + wd * p). Returns the pre-clip global gradient norm."""
    norm = math.sqrt(sum(float((grads[n] ** 2).sum()) for n in names))
    coef = min(1.0, hp["clip"] / (norm + 1e-6))
    b1, b2 = hp["beta1"], hp["beta2"]
    for n in names:
        g = grads[n] * coef
        m, v = state.setdefault(n, (torch.zeros_like(g), torch.zeros_like(g)))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        state[n] = (m, v)
        upd = (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + hp["eps"])
        wd = hp["weight_decay"] if W[n].dim() >= 2 else 0.0
        W[n] = (W[n] - lr * (upd + wd * W[n])).detach()
    return norm


def run(fixture, batch, lrs, hp):
    torch.set_num_threads(1)
    c, cfg, W, is_ds = load_model(fixture)
    names = trainable(W)
    arrays = {"tokens": batch.numpy().astype(np.int32)}
    f32 = lambda t: t.detach().numpy().astype(np.float32)  # noqa: E731
    steps, state = [], {}
    for k in range(len(lrs) + 1):
        for n in names:
            W[n] = W[n].detach().requires_grad_(True)
        loss, parts, logits, mtp_logits, loads = loss_fn(cfg, W, batch, is_ds, hp["lambda_mtp"], hp["alpha"])
        if k == len(lrs):
            steps.append({"step": k, "loss": parts})
            break
        loss.backward()
        # an expert no token chose gets a zero gradient (it is still decayed and moved by Adam)
        grads = {n: (W[n].grad.detach().clone() if W[n].grad is not None else torch.zeros_like(W[n]))
                 for n in names}
        if k == 0:
            arrays["logits"] = f32(logits)
            if mtp_logits is not None:
                arrays["mtp_logits"] = f32(mtp_logits)
            for n in names:
                arrays["grad/" + n] = f32(grads[n])
        for i, load in loads.items():
            arrays[f"step{k}.load.{i}"] = load.numpy().astype(np.int32)
        norm = adamw_step(W, names, grads, state, k + 1, lrs[k], hp)
        bias_update(cfg, W, loads, hp["gamma"])
        for i in loads:
            arrays[f"step{k}.bias.{i}"] = f32(W[f"model.layers.{i}.mlp.gate.e_score_correction_bias"]) \
                if f"model.layers.{i}.mlp.gate.e_score_correction_bias" in W else None
        steps.append({"step": k, "loss": parts, "lr": lrs[k], "grad_norm": norm,
                      "clip_coef": min(1.0, hp["clip"] / (norm + 1e-6))})
    for n in names:
        arrays["final/" + n] = f32(W[n])
    arrays = {n: a for n, a in arrays.items() if a is not None}
    return c, names, steps, arrays


def default_batch(vocab, B=2, T=32, seed=7):
    return torch.randint(0, vocab, (B, T), generator=torch.Generator().manual_seed(seed))


def main(argv=None):
    ap = argparse.ArgumentParser(description="PyTorch training oracle (see docs/reference.md)")
    ap.add_argument("--fixture", required=True, help="dir with config.json + model.safetensors")
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokens", help="json file: [[ids of sequence 0], [ids of sequence 1], ...]")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--seq", type=int, default=32)
    ap.add_argument("--lr", default=",".join(map(str, DEFAULT_LR)), help="comma list, one per step")
    ap.add_argument("--lambda-mtp", type=float, default=0.3)
    ap.add_argument("--alpha", type=float, default=1e-4)
    ap.add_argument("--gamma", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--clip", type=float, default=1.0)
    a = ap.parse_args(argv)
    hp = {"lambda_mtp": a.lambda_mtp, "alpha": a.alpha, "gamma": a.gamma, "beta1": 0.9,
          "beta2": 0.95, "eps": 1e-8, "weight_decay": a.weight_decay, "clip": a.clip}
    vocab = json.loads(pathlib.Path(os.path.join(a.fixture, "config.json")).read_text())["vocab_size"]
    if a.tokens:
        batch = torch.tensor(json.loads(pathlib.Path(a.tokens).read_text()))
    else:
        batch = default_batch(vocab, a.batch, a.seq)
    lrs = [float(x) for x in a.lr.split(",")]
    c, names, steps, arrays = run(a.fixture, batch, lrs, hp)
    os.makedirs(a.out, exist_ok=True)
    index = write_arrays(os.path.join(a.out, "train.bin"), arrays)
    meta = {"format": "seek-train-ref-v1", "fixture": os.path.abspath(a.fixture),
            "model_type": c["model_type"], "batch_shape": list(batch.shape),
            "hyperparameters": hp, "lr": lrs, "params": names,
            "weight_decay_applies_to": "parameters with dim >= 2",
            "steps": steps, "arrays": index}
    with open(os.path.join(a.out, "train.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"losses: {[round(s['loss']['total'], 6) for s in steps]}")


if __name__ == "__main__":
    main()
