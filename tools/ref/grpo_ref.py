# PyTorch reference for seek's GRPO maths (src/reason/grpo.h, docs/reasoning.md): group-normalised
# advantages (GRPO / Dr. GRPO), DAPO's dynamic-sampling mask, the clipped ratio surrogate with the
# k3 KL to a reference, the loss aggregations, and d loss / d logits by autograd, all in float64
# from float32 inputs. Writes one safetensors fixture (inputs + expected outputs, the config in
# __metadata__) that tests/reason/test_grpo_ref.cpp replays. Written from the papers' equations.
# With --model-fixture DIR (a make_fixture.py checkpoint) it instead runs the whole GRPO loss through
# the reference model (deepseek.py forward, float64) on a fixed batch of prompt + completion
# sequences and dumps every parameter's gradient for tests/reason/test_grpo_model_ref.cpp.
# Usage: /usr/bin/python3 tools/ref/grpo_ref.py --variant grpo|dr_grpo|dapo|dapo_kl --out FILE
#        [--model-fixture DIR]
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deepseek  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

VARIANTS = {
    # DeepSeekMath GRPO: std-normalised advantages, per-sequence token mean then mean over sequences
    "grpo": dict(eps_low=0.2, eps_high=0.2, beta=0.04, scale_by_std=1, aggregation="seq-mean",
                 constant_length=0, drop_equal_groups=0),
    # Dr. GRPO: no std division, constant length normaliser
    "dr_grpo": dict(eps_low=0.2, eps_high=0.2, beta=0.04, scale_by_std=0, aggregation="constant",
                    constant_length=13, drop_equal_groups=0),
    # DAPO: clip-higher, token-level mean, drop groups whose rewards are all equal, no KL
    "dapo": dict(eps_low=0.2, eps_high=0.28, beta=0.0, scale_by_std=1, aggregation="token-mean",
                 constant_length=0, drop_equal_groups=1),
    "dapo_kl": dict(eps_low=0.2, eps_high=0.28, beta=0.1, scale_by_std=1, aggregation="token-mean",
                    constant_length=0, drop_equal_groups=1),
}
STD_EPS = 1e-4


def advantages(rewards, G, scale_by_std):
    r = rewards.view(-1, G)
    mean = r.mean(dim=1, keepdim=True)
    adv = r - mean
    if scale_by_std:
        adv = adv / (r.std(dim=1, keepdim=True) + STD_EPS)  # torch.std: unbiased (N - 1)
    equal = (r == r[:, :1]).all(dim=1, keepdim=True)
    adv = torch.where(equal, torch.zeros_like(adv), adv)
    return adv.reshape(-1), (~equal).expand_as(r).reshape(-1)


def grpo_loss(logits, targets, mask, logp_old, logp_ref, adv, keep, cfg):
    """logits [S, L, V] (requires grad), targets/mask/logp_* [S, L], adv/keep [S] -> loss, stats."""
    logp = torch.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return grpo_loss_from_logp(logp, mask, logp_old, logp_ref, adv, keep, cfg)


def grpo_loss_from_logp(logp, mask, logp_old, logp_ref, adv, keep, cfg):
    """logp (policy, with grad)/mask/logp_old/logp_ref [S, L], adv/keep [S] -> loss, stats."""
    ratio = torch.exp(logp - logp_old)
    a = adv.unsqueeze(1)
    s1 = ratio * a
    s2 = torch.clamp(ratio, 1 - cfg["eps_low"], 1 + cfg["eps_high"]) * a
    pg = -torch.min(s1, s2)
    d = logp_ref - logp
    kl = torch.exp(d) - d - 1
    per_tok = pg + cfg["beta"] * kl
    m = mask * keep.unsqueeze(1).to(mask.dtype)
    lengths = m.sum(dim=1)
    live = lengths > 0
    n_seqs = live.sum()
    if cfg["aggregation"] == "seq-mean":
        per_seq = (per_tok * m).sum(dim=1) / lengths.clamp(min=1)
        loss = per_seq[live].sum() / n_seqs
    elif cfg["aggregation"] == "token-mean":
        loss = (per_tok * m).sum() / m.sum()
    else:
        loss = (per_tok * m).sum() / (n_seqs * cfg["constant_length"])
    scored = m > 0
    stats = {"kl": kl[scored].mean(), "clip_frac": (s2 < s1)[scored].double().mean()}
    return loss, stats


def model_golden(fixture, out, variant, seed):
    """The GRPO loss through the reference model on fixed prompt + completion sequences."""
    import train_ref  # noqa: E402  (the training oracle's loader)
    torch.set_num_threads(1)
    cfg = VARIANTS[variant]
    _, mcfg, W, is_ds = train_ref.load_model(fixture)
    if not is_ds:
        raise ValueError("--model-fixture: expected a deepseek preset")
    names = train_ref.trainable(W)
    for n in names:
        W[n] = W[n].clone().requires_grad_(True)
    g = torch.Generator().manual_seed(seed)
    G, n_groups = 3, 2
    S = G * n_groups
    V = mcfg.vocab_size
    seqs, plen = [], []
    for grp in range(n_groups):  # a group shares its prompt, as rollouts do
        P = int(torch.randint(3, 7, (1,), generator=g))
        prompt = torch.randint(0, V, (P,), generator=g)
        for _ in range(G):
            C = int(torch.randint(1, 9, (1,), generator=g))
            seqs.append(torch.cat([prompt, torch.randint(0, V, (C,), generator=g)]))
            plen.append(P)
    rewards = torch.tensor([1.0, 0.0, 0.1, 2.0, 2.0, 2.0], dtype=torch.float64)  # group 1 all equal
    C = [len(s) - p for s, p in zip(seqs, plen)]
    Cmax, Lmax = max(C), max(len(s) for s in seqs)
    logp = torch.zeros(S, Cmax, dtype=torch.float64)
    rows = []
    for i, (toks, P) in enumerate(zip(seqs, plen)):
        logits = deepseek.forward(mcfg, W, toks)["logits"]  # [L, V]
        lp = torch.log_softmax(logits[P - 1:-1], -1).gather(-1, toks[P:].unsqueeze(-1)).squeeze(-1)
        rows.append(torch.cat([lp, torch.zeros(Cmax - C[i], dtype=torch.float64)]))
    logp = torch.stack(rows)
    mask = (torch.arange(Cmax).unsqueeze(0) < torch.tensor(C).unsqueeze(1)).double()
    # behaviour and reference policies: the policy's log-probs moved far enough to clip some ratios
    old32 = (logp.detach() + 0.3 * torch.randn(S, Cmax, generator=g, dtype=torch.float64)).float()
    ref32 = (logp.detach() + 0.2 * torch.randn(S, Cmax, generator=g, dtype=torch.float64)).float()
    adv, varied = advantages(rewards, G, cfg["scale_by_std"])
    keep = varied if cfg["drop_equal_groups"] else torch.ones(S, dtype=torch.bool)
    loss, stats = grpo_loss_from_logp(logp, mask, old32.double(), ref32.double(), adv, keep, cfg)
    loss.backward()
    tokens = torch.zeros(S, Lmax, dtype=torch.int64)
    for i, s in enumerate(seqs):
        tokens[i, :len(s)] = s
    f32 = lambda t: ("F32", t.detach().numpy().astype(np.float32))  # noqa: E731
    f64 = lambda t: ("F64", t.detach().numpy().astype(np.float64))  # noqa: E731
    i32 = lambda t: ("I32", np.asarray(t, dtype=np.int32))  # noqa: E731
    tensors = {"tokens": i32(tokens.numpy()), "lengths": i32([len(s) for s in seqs]), "prompt_len": i32(plen),
               "rewards": f64(rewards), "logp_old": f32(old32), "logp_ref": f32(ref32),
               "expected.logp": f64(logp), "expected.loss": f64(loss.reshape(1)),
               "expected.clip_frac": f64(stats["clip_frac"].reshape(1))}
    for n in names:
        grad = W[n].grad if W[n].grad is not None else torch.zeros_like(W[n])
        tensors["expected.grad." + n] = f32(grad)
    meta = dict(cfg, group_size=G, std_eps=STD_EPS, variant=variant)
    write_safetensors(out, tensors, {k: str(v) for k, v in meta.items()})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=sorted(VARIANTS), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--model-fixture", help="make_fixture.py checkpoint: the whole-model GRPO gradient")
    args = ap.parse_args()
    if args.model_fixture:
        model_golden(args.model_fixture, args.out, args.variant, args.seed)
        return
    cfg = VARIANTS[args.variant]
    torch.manual_seed(args.seed)
    G, n_groups, L, V = 4, 3, 9, 37
    S = G * n_groups
    # rewards with ties, one group all equal (zero advantage; dropped under DAPO)
    levels = torch.tensor([0.0, 0.1, 1.0, 1.1, 2.0], dtype=torch.float64)
    rewards = levels[torch.randint(0, 5, (S,))]
    rewards[G:2 * G] = 1.1
    rewards[0], rewards[1] = 0.0, 2.0  # group 0 certainly varied
    lengths = torch.randint(1, L + 1, (S,))
    lengths[3] = L
    mask = (torch.arange(L).unsqueeze(0) < lengths.unsqueeze(1)).double()
    logits32 = (torch.randn(S, L, V) * 2).float()
    old32 = (logits32 + 0.4 * torch.randn(S, L, V)).float()  # behaviour policy: ratios spread past the clip
    ref32 = (logits32 + 0.6 * torch.randn(S, L, V)).float()
    targets = torch.randint(0, V, (S, L))

    adv, varied = advantages(rewards, G, cfg["scale_by_std"])
    keep = varied if cfg["drop_equal_groups"] else torch.ones(S, dtype=torch.bool)
    logp_of = lambda x: torch.log_softmax(x.double(), -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)  # noqa: E731
    logp_old, logp_ref = logp_of(old32), logp_of(ref32)
    x = logits32.double().requires_grad_(True)
    loss, stats = grpo_loss(x, targets, mask, logp_old.float().double(), logp_ref.float().double(), adv, keep, cfg)
    loss.backward()

    f32 = lambda t: ("F32", t.detach().numpy().astype(np.float32))  # noqa: E731
    f64 = lambda t: ("F64", t.detach().numpy().astype(np.float64))  # noqa: E731
    i32 = lambda t: ("I32", t.numpy().astype(np.int32))  # noqa: E731
    tensors = {
        "rewards": f64(rewards), "lengths": i32(lengths), "targets": i32(targets),
        "logits": f32(logits32), "logits_old": f32(old32), "logits_ref": f32(ref32),
        "expected.advantages": f64(adv), "expected.keep": i32(keep.int()),
        "expected.logp_old": f64(logp_old), "expected.logp_ref": f64(logp_ref),
        "expected.loss": f64(loss.reshape(1)), "expected.dlogits": f64(x.grad),
        "expected.kl": f64(stats["kl"].reshape(1)), "expected.clip_frac": f64(stats["clip_frac"].reshape(1)),
    }
    meta = dict(cfg, group_size=G, std_eps=STD_EPS, variant=args.variant)
    write_safetensors(args.out, tensors, {k: str(v) for k, v in meta.items()})


if __name__ == "__main__":
    main()
