# Independent PyTorch reference of the dense GQA models behind R1-Distill: Qwen2 (q/k/v biases,
# split-half "neox" RoPE), Qwen3 (no biases; per-head RMSNorm of q and k, over head_dim, before
# RoPE, as HF Qwen3Attention; the architecture of DeepSeek-R1-0528-Qwen3-8B) and Llama (no biases;
# Llama-2 plain RoPE or Llama-3 'llama3' frequency scaling). Optional YaRN rope_scaling (HF
# semantics: YaRN frequencies, cos/sin times attention_factor). HF tensor names, functional style
# like deepseek.py. rope_pairs="adjacent" runs GGUF-layout q/k weights (llama.cpp permutes HF q/k
# rows of llama-arch files so that its "norm" rope applies; qwen2/qwen3 files are not permuted).
import dataclasses
from dataclasses import dataclass
from typing import Optional

import torch

from common import (base_inv_freq, causal_mask, llama3_inv_freq, rms_norm, rope_adjacent,
                    rope_cos_sin, rope_split_half, swiglu, yarn_get_mscale, yarn_inv_freq)


@dataclass
class DenseConfig:
    model_type: str                       # qwen2 | qwen3 | llama
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: Optional[int] = None
    rope_theta: float = 10000.0
    rope_scaling: Optional[dict] = None   # {"rope_type": "llama3"|"yarn", factor, ...}
    rms_norm_eps: float = 1e-6
    tie_word_embeddings: bool = False
    rope_pairs: str = "split_half"        # split_half (HF weights) | adjacent (GGUF weights)

    @classmethod
    def from_hf(cls, d):
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @property
    def hd(self):
        return self.head_dim or self.hidden_size // self.num_attention_heads

    @property
    def qk_norm(self):
        # Qwen3: q_norm / k_norm [head_dim] per layer
        return self.model_type == "qwen3"


class KVCache:
    """Per layer k, v [S, n_kv_heads, head_dim] (k after rope), pos [S]."""

    def __init__(self):
        self.k, self.v, self.pos = {}, {}, {}

    def append(self, layer, k, v, pos):
        if layer in self.k:
            k, v = torch.cat([self.k[layer], k]), torch.cat([self.v[layer], v])
            pos = torch.cat([self.pos[layer], pos])
        self.k[layer], self.v[layer], self.pos[layer] = k, v, pos
        return k, v, pos


def _rope_kind(cfg):
    rs = cfg.rope_scaling
    if not rs:
        return None
    kind = rs.get("rope_type", rs.get("type"))
    if kind not in ("llama3", "yarn"):
        raise ValueError(f"rope_scaling: expected llama3, yarn or none, got {kind}")
    if kind == "yarn" and rs.get("truncate", True) is not True:
        raise ValueError("rope_scaling: yarn with truncate=false is not implemented")
    return kind


def rope_inv_freq(cfg):
    kind, rs = _rope_kind(cfg), cfg.rope_scaling
    if kind is None:
        return base_inv_freq(cfg.hd, cfg.rope_theta)
    if kind == "llama3":
        return llama3_inv_freq(cfg.hd, cfg.rope_theta, rs)
    return yarn_inv_freq(cfg.hd, cfg.rope_theta, rs["factor"], rs["original_max_position_embeddings"],
                         rs.get("beta_fast") or 32, rs.get("beta_slow") or 1)


def rope_attn_scale(cfg):
    """cos/sin multiplier, i.e. the factor on each of rotated q and k (HF attention_factor).
    YaRN: attention_factor if given, else mscale(f, mscale) / mscale(f, mscale_all_dim) when both
    are given, else 1 + 0.1 ln f (what llama.cpp's ggml rope applies with ext_factor 1). Note: the
    key "attn_factor" (e.g. DeepSeek-R1-0528-Qwen3-8B's config, a vLLM key) is NOT read, as in HF."""
    if _rope_kind(cfg) != "yarn":
        return 1.0
    rs = cfg.rope_scaling
    if rs.get("attention_factor") is not None:
        return float(rs["attention_factor"])
    f, m, m_all = rs["factor"], rs.get("mscale"), rs.get("mscale_all_dim")
    if m and m_all:
        return yarn_get_mscale(f, m) / yarn_get_mscale(f, m_all)
    return yarn_get_mscale(f, 1.0)


def _linear(W, name, x, act_round=None):
    if act_round is not None:
        x = act_round(name + ".weight", x)
    y = x @ W[name + ".weight"].T
    b = W.get(name + ".bias")
    return y + b if b is not None else y


def attention(cfg, W, layer, x, positions, cache, inv_freq, attn_scale=1.0, act_round=None):
    """x [T, D] -> [T, D]; head h reads kv head h // (H / H_kv)."""
    p = f"model.layers.{layer}.self_attn."
    T, H, Hkv, d = x.shape[0], cfg.num_attention_heads, cfg.num_key_value_heads, cfg.hd
    q = _linear(W, p + "q_proj", x, act_round).view(T, H, d)
    k = _linear(W, p + "k_proj", x, act_round).view(T, Hkv, d)
    v = _linear(W, p + "v_proj", x, act_round).view(T, Hkv, d)
    if cfg.qk_norm:  # Qwen3: RMSNorm of each head vector, then rope
        q = rms_norm(q, W[p + "q_norm.weight"], cfg.rms_norm_eps)
        k = rms_norm(k, W[p + "k_norm.weight"], cfg.rms_norm_eps)
    cos, sin = rope_cos_sin(inv_freq, positions, attn_scale)
    rope = rope_split_half if cfg.rope_pairs == "split_half" else rope_adjacent
    q, k = rope(q, cos, sin), rope(k, cos, sin)
    k_all, v_all, pos_all = cache.append(layer, k, v, positions)
    rep = H // Hkv
    k_all, v_all = k_all.repeat_interleave(rep, dim=1), v_all.repeat_interleave(rep, dim=1)
    scores = torch.einsum("thd,shd->ths", q, k_all) * d ** -0.5
    mask = causal_mask(positions, pos_all)[:, None, :]
    probs = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    o = torch.einsum("ths,shd->thd", probs, v_all).reshape(T, H * d)
    return _linear(W, p + "o_proj", o, act_round)


def _mlp(W, p, h, act_round):
    if act_round is None:
        return swiglu(h, W[p + "gate_proj.weight"], W[p + "up_proj.weight"], W[p + "down_proj.weight"])
    g, u = _linear(W, p + "gate_proj", h, act_round), _linear(W, p + "up_proj", h, act_round)
    return _linear(W, p + "down_proj", torch.nn.functional.silu(g) * u, act_round)


def forward(cfg, W, tokens, positions=None, cache=None, act_round=None):
    """tokens [T] -> dict(logits [T, V], hidden [T, D] pre-norm, layer_out [layer -> [T, D]],
    cache). act_round(weight_name, x) -> x, when given, is applied to the input of every product
    with a weight matrix (lm_head included): it emulates llama.cpp rounding activations to the
    weight's vec_dot type (f16 for F16 weights, q8_0 blocks for Q8_0); see run_gguf_qwen3.py."""
    tokens = torch.as_tensor(tokens)
    if positions is None:
        positions = torch.arange(tokens.shape[0])
    cache = cache if cache is not None else KVCache()
    inv_freq, attn_scale = rope_inv_freq(cfg), rope_attn_scale(cfg)
    eps = cfg.rms_norm_eps
    x = W["model.embed_tokens.weight"][tokens]
    layer_out = []
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        x = x + attention(cfg, W, i, rms_norm(x, W[p + "input_layernorm.weight"], eps), positions,
                          cache, inv_freq, attn_scale, act_round)
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        x = x + _mlp(W, p + "mlp.", h, act_round)
        layer_out.append(x)
    head_name = "model.embed_tokens.weight" if cfg.tie_word_embeddings else "lm_head.weight"
    normed = rms_norm(x, W["model.norm.weight"], eps)
    if act_round is not None:
        normed = act_round(head_name, normed)
    return {"logits": normed @ W[head_name].T, "hidden": x, "layer_out": layer_out, "cache": cache}


def gguf_to_hf_qk(w, n_head):
    """Undo llama.cpp's HF->GGUF q/k row permutation ([out, in] or bias [out]): within each head
    GGUF rows are pair-interleaved (adjacent rope), HF rows are split halves (neox rope)."""
    shape = w.shape
    d = shape[0] // n_head
    return w.reshape(n_head, d // 2, 2, *shape[1:]).transpose(1, 2).reshape(shape)
