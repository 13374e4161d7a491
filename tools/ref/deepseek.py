# Independent PyTorch reference of the DeepSeek-V2/V3 family (GGUF arch "deepseek2"):
# MLA (docs/deepseek.md 2.1, naive and absorbed paths over one latent cache), DeepSeekMoE gate
# (2.2), dense leading layers, MTP module (2.3). Functional: weights are a dict of HF tensor
# names -> torch tensors, so the same code gives float64 golden logits and autograd gradients.
# Written from the DeepSeek-V2/V3 papers and docs/deepseek.md; facts checked against
# deepseek-ai/DeepSeek-V3 inference/model.py and HF modeling_deepseek.py (no code copied).
import dataclasses
from dataclasses import dataclass
from typing import Optional

import torch

from common import (causal_mask, rms_norm, rope_adjacent, rope_cos_sin, base_inv_freq, swiglu,
                    yarn_get_mscale, yarn_inv_freq)


@dataclass
class DeepSeekConfig:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    moe_intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    q_lora_rank: Optional[int]
    kv_lora_rank: int
    qk_nope_head_dim: int
    qk_rope_head_dim: int
    v_head_dim: int
    n_routed_experts: int = 0
    n_shared_experts: int = 0
    num_experts_per_tok: int = 1
    first_k_dense_replace: int = 0
    moe_layer_freq: int = 1
    scoring_func: str = "softmax"        # softmax | sigmoid
    topk_method: str = "greedy"          # greedy | group_limited_greedy | noaux_tc
    n_group: int = 1
    topk_group: int = 1
    norm_topk_prob: bool = False
    routed_scaling_factor: float = 1.0
    rope_theta: float = 10000.0
    rope_scaling: Optional[dict] = None  # HF dict: type/rope_type yarn, factor, ... or None
    rms_norm_eps: float = 1e-6
    num_nextn_predict_layers: int = 0
    # which main-model state feeds the MTP hnorm: "block" = last block output (before the final
    # norm; docs/deepseek.md 2.3 and the V3 paper), "final_norm" = after model.norm
    mtp_hidden: str = "block"

    @classmethod
    def from_hf(cls, d):
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def is_moe_layer(self, i):
        return (self.n_routed_experts > 0 and i >= self.first_k_dense_replace
                and i % self.moe_layer_freq == 0)

    @property
    def qk_head_dim(self):
        return self.qk_nope_head_dim + self.qk_rope_head_dim


# ---- rope and softmax scale ---------------------------------------------------------------------

def _yarn(cfg):
    rs = cfg.rope_scaling
    if not rs:
        return None
    kind = rs.get("type", rs.get("rope_type"))
    if kind != "yarn":
        raise ValueError(f"rope_scaling type: expected yarn or none, got {kind}")
    return rs


def rope_inv_freq_and_scale(cfg):
    """([rope/2] inv_freq, cos/sin multiplier). YaRN multiplies cos/sin by
    mscale(factor, mscale) / mscale(factor, mscale_all_dim) (1 for all released configs)."""
    d, theta = cfg.qk_rope_head_dim, cfg.rope_theta
    rs = _yarn(cfg)
    if rs is None:
        return base_inv_freq(d, theta), 1.0
    f = rs["factor"]
    inv = yarn_inv_freq(d, theta, f, rs["original_max_position_embeddings"],
                        rs.get("beta_fast", 32), rs.get("beta_slow", 1))
    scale = yarn_get_mscale(f, rs.get("mscale", 1)) / yarn_get_mscale(f, rs.get("mscale_all_dim", 0))
    return inv, scale


def softmax_scale(cfg):
    """1/sqrt(qk_nope + qk_rope), times mscale(factor, mscale_all_dim)^2 under YaRN."""
    s = cfg.qk_head_dim ** -0.5
    rs = _yarn(cfg)
    if rs is not None and rs.get("mscale_all_dim", 0):
        m = yarn_get_mscale(rs["factor"], rs["mscale_all_dim"])
        s = s * m * m
    return s


# ---- latent cache --------------------------------------------------------------------------------

class LatentCache:
    """Per layer (MTP layer = num_hidden_layers): c_kv [S, kv_lora] after kv_norm, k_pe [S, rope]
    after rope (adjacent-pair layout), pos [S]. This is all MLA needs to decode."""

    def __init__(self):
        self.c_kv, self.k_pe, self.pos = {}, {}, {}

    def append(self, layer, c_kv, k_pe, pos):
        if layer in self.c_kv:
            self.c_kv[layer] = torch.cat([self.c_kv[layer], c_kv])
            self.k_pe[layer] = torch.cat([self.k_pe[layer], k_pe])
            self.pos[layer] = torch.cat([self.pos[layer], pos])
        else:
            self.c_kv[layer], self.k_pe[layer], self.pos[layer] = c_kv, k_pe, pos
        return self.c_kv[layer], self.k_pe[layer], self.pos[layer]


# ---- MLA -----------------------------------------------------------------------------------------

def mla_project(cfg, W, p, x, positions, rope):
    """x [T, D] -> q_nope [T, H, nope], q_pe [T, H, rope] (roped), c_kv [T, r] (kv_norm'ed),
    k_pe [T, rope] (roped, one key shared by all heads)."""
    T, H = x.shape[0], cfg.num_attention_heads
    a = p + "self_attn."
    if cfg.q_lora_rank is None:
        q = x @ W[a + "q_proj.weight"].T
    else:
        q = rms_norm(x @ W[a + "q_a_proj.weight"].T, W[a + "q_a_layernorm.weight"], cfg.rms_norm_eps)
        q = q @ W[a + "q_b_proj.weight"].T
    q = q.view(T, H, cfg.qk_head_dim)
    q_nope, q_pe = q[..., :cfg.qk_nope_head_dim], q[..., cfg.qk_nope_head_dim:]
    kv = x @ W[a + "kv_a_proj_with_mqa.weight"].T              # [T, r + rope]
    c_kv = rms_norm(kv[:, :cfg.kv_lora_rank], W[a + "kv_a_layernorm.weight"], cfg.rms_norm_eps)
    k_pe = kv[:, cfg.kv_lora_rank:]
    inv_freq, cs_scale = rope
    cos, sin = rope_cos_sin(inv_freq, positions, cs_scale)
    return q_nope, rope_adjacent(q_pe, cos, sin), c_kv, rope_adjacent(k_pe, cos, sin)


def _wkv_b(cfg, W, p):
    # kv_b_proj [H*(nope+v), r] -> per head [H, nope+v, r]: nope key rows then v rows
    H = cfg.num_attention_heads
    return W[p + "self_attn.kv_b_proj.weight"].view(H, cfg.qk_nope_head_dim + cfg.v_head_dim, -1)


def mla_attend_naive(cfg, W, p, q_nope, q_pe, c_kv, k_pe, q_pos, k_pos):
    """Materialised K/V: k = [W_UK c_kv | k_pe], v = W_UV c_kv. Returns o [T, H*v]."""
    wkv_b = _wkv_b(cfg, W, p)
    kv = torch.einsum("hdc,sc->shd", wkv_b, c_kv)              # [S, H, nope+v]
    k_nope, v = kv[..., :cfg.qk_nope_head_dim], kv[..., cfg.qk_nope_head_dim:]
    scores = (torch.einsum("thd,shd->ths", q_nope, k_nope)
              + torch.einsum("thr,sr->ths", q_pe, k_pe)) * softmax_scale(cfg)
    mask = causal_mask(q_pos, k_pos)[:, None, :]
    probs = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    o = torch.einsum("ths,shd->thd", probs, v)
    return o.reshape(o.shape[0], -1)


def mla_attend_absorbed(cfg, W, p, q_nope, q_pe, c_kv, k_pe, q_pos, k_pos):
    """Latent attention: q_lat = W_UK^T q_nope scores against c_kv directly, attends over c_kv,
    then W_UV lifts the result per head. Same o [T, H*v] as the naive path."""
    wkv_b = _wkv_b(cfg, W, p)
    w_uk, w_uv = wkv_b[:, :cfg.qk_nope_head_dim], wkv_b[:, cfg.qk_nope_head_dim:]
    q_lat = torch.einsum("thd,hdc->thc", q_nope, w_uk)          # [T, H, r]
    scores = (torch.einsum("thc,sc->ths", q_lat, c_kv)
              + torch.einsum("thr,sr->ths", q_pe, k_pe)) * softmax_scale(cfg)
    mask = causal_mask(q_pos, k_pos)[:, None, :]
    probs = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    o_lat = torch.einsum("ths,sc->thc", probs, c_kv)            # [T, H, r]
    o = torch.einsum("thc,hdc->thd", o_lat, w_uv)
    return o.reshape(o.shape[0], -1)


def mla(cfg, W, layer, x, positions, cache, rope, attn_mode):
    p = f"model.layers.{layer}."
    q_nope, q_pe, c_kv, k_pe = mla_project(cfg, W, p, x, positions, rope)
    c_all, k_all, pos_all = cache.append(layer, c_kv, k_pe, positions)
    attend = mla_attend_naive if attn_mode == "naive" else mla_attend_absorbed
    o = attend(cfg, W, p, q_nope, q_pe, c_all, k_all, positions, pos_all)
    return o @ W[p + "self_attn.o_proj.weight"].T


# ---- DeepSeekMoE -----------------------------------------------------------------------------------

def select_experts(cfg, scores, bias=None):
    """scores [T, E] (unbiased affinities) -> idx [T, k] (ascending), w [T, k]. The bias and the
    group mask only choose experts; weights come from the unbiased scores (docs/deepseek.md 2.2)."""
    sel = scores.detach()
    if cfg.topk_method == "noaux_tc" and bias is not None:
        sel = sel + bias.detach()
    T, E = sel.shape
    if cfg.topk_method in ("group_limited_greedy", "noaux_tc") and cfg.n_group > 1:
        g = sel.view(T, cfg.n_group, E // cfg.n_group)
        if cfg.topk_method == "noaux_tc":
            gscore = g.topk(2, dim=-1).values.sum(-1)          # V3: sum of the top-2 per group
        else:
            gscore = g.max(dim=-1).values                      # V2: best expert per group
        keep = gscore.topk(cfg.topk_group, dim=-1).indices
        gmask = torch.zeros(T, cfg.n_group, dtype=torch.bool).scatter(1, keep, True)
        # -inf, not 0: a biased score can be negative and must still beat a dropped group
        sel = sel.masked_fill(~gmask.repeat_interleave(E // cfg.n_group, dim=1), float("-inf"))
    idx = sel.topk(cfg.num_experts_per_tok, dim=-1).indices.sort(dim=-1).values
    w = scores.gather(1, idx)
    if cfg.norm_topk_prob and cfg.num_experts_per_tok > 1:
        w = w / w.sum(-1, keepdim=True)
    return idx, w * cfg.routed_scaling_factor


def gate(cfg, W, p, u):
    """u [T, D] -> idx [T, k] (ascending), w [T, k], scores [T, E]."""
    logits = u @ W[p + "mlp.gate.weight"].T
    if cfg.scoring_func == "softmax":
        scores = torch.softmax(logits, dim=-1)
    elif cfg.scoring_func == "sigmoid":
        scores = torch.sigmoid(logits)
    else:
        raise ValueError(f"scoring_func: expected softmax or sigmoid, got {cfg.scoring_func}")
    idx, w = select_experts(cfg, scores, W.get(p + "mlp.gate.e_score_correction_bias"))
    return idx, w, scores


def expert(W, name, u):
    return swiglu(u, W[name + "gate_proj.weight"], W[name + "up_proj.weight"],
                  W[name + "down_proj.weight"])


def moe(cfg, W, p, u):
    """u [T, D] -> y [T, D], (idx, w, scores). No token dropping."""
    idx, w, scores = gate(cfg, W, p, u)
    y = torch.zeros_like(u)
    for e in range(cfg.n_routed_experts):
        tok, slot = (idx == e).nonzero(as_tuple=True)
        if tok.numel():
            out = expert(W, f"{p}mlp.experts.{e}.", u[tok])
            y = y.index_add(0, tok, w[tok, slot, None] * out)
    if cfg.n_shared_experts:
        y = y + expert(W, p + "mlp.shared_experts.", u)
    return y, (idx, w, scores)


# ---- blocks and model ------------------------------------------------------------------------------

def block(cfg, W, layer, x, positions, cache, rope, attn_mode):
    """Pre-norm block; returns (x [T, D], routing or None)."""
    p = f"model.layers.{layer}."
    eps = cfg.rms_norm_eps
    x = x + mla(cfg, W, layer, rms_norm(x, W[p + "input_layernorm.weight"], eps), positions,
                cache, rope, attn_mode)
    h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
    if cfg.is_moe_layer(layer):  # also true for the MTP layer (index num_hidden_layers)
        y, route = moe(cfg, W, p, h)
    else:
        y, route = expert(W, p + "mlp.", h), None
    return x + y, route


def forward(cfg, W, tokens, positions=None, cache=None, attn_mode="naive"):
    """tokens [T] -> dict(logits [T, V], hidden [T, D] (last block output, pre-norm),
    normed [T, D], routes [layer -> (idx, w, scores) or None], layer_out [layer -> [T, D]],
    cache)."""
    tokens = torch.as_tensor(tokens)
    if positions is None:
        positions = torch.arange(tokens.shape[0])
    cache = cache if cache is not None else LatentCache()
    rope = rope_inv_freq_and_scale(cfg)
    x = W["model.embed_tokens.weight"][tokens]
    routes, layer_out = [], []
    for i in range(cfg.num_hidden_layers):
        x, route = block(cfg, W, i, x, positions, cache, rope, attn_mode)
        routes.append(route)
        layer_out.append(x)
    normed = rms_norm(x, W["model.norm.weight"], cfg.rms_norm_eps)
    return {"logits": normed @ W["lm_head.weight"].T, "hidden": x, "normed": normed,
            "routes": routes, "layer_out": layer_out, "cache": cache}


def mtp_forward(cfg, W, h, next_tokens, positions, cache=None, attn_mode="naive"):
    """MTP module: h [T, D] (main state at position i), next_tokens [T] (= t_{i+1}) ->
    logits [T, V] predicting t_{i+2}. Embedding first: eh_proj([enorm(emb); hnorm(h)])."""
    L = cfg.num_hidden_layers
    p = f"model.layers.{L}."
    eps = cfg.rms_norm_eps
    emb = W.get(p + "embed_tokens.weight", W["model.embed_tokens.weight"])
    head = W.get(p + "shared_head.head.weight", W["lm_head.weight"])
    e = rms_norm(emb[torch.as_tensor(next_tokens)], W[p + "enorm.weight"], eps)
    hh = rms_norm(h, W[p + "hnorm.weight"], eps)
    x = torch.cat([e, hh], dim=-1) @ W[p + "eh_proj.weight"].T
    cache = cache if cache is not None else LatentCache()
    x, route = block(cfg, W, L, x, positions, cache, rope_inv_freq_and_scale(cfg), attn_mode)
    logits = rms_norm(x, W[p + "shared_head.norm.weight"], eps) @ head.T
    return {"logits": logits, "hidden": x, "route": route, "cache": cache}


def mtp_input_hidden(cfg, out):
    return out["hidden"] if cfg.mtp_hidden == "block" else out["normed"]
