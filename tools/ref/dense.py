# Independent PyTorch reference of the dense GQA models behind R1-Distill: Qwen2 (q/k/v biases,
# split-half "neox" RoPE) and Llama (no biases; Llama-2 plain RoPE or Llama-3 'llama3' frequency
# scaling). HF tensor names, functional style like deepseek.py. rope_pairs="adjacent" runs
# GGUF-layout q/k weights (llama.cpp permutes HF q/k rows so that its "norm" rope applies).
import dataclasses
from dataclasses import dataclass
from typing import Optional

import torch

from common import (base_inv_freq, causal_mask, llama3_inv_freq, rms_norm, rope_adjacent,
                    rope_cos_sin, rope_split_half, swiglu)


@dataclass
class DenseConfig:
    model_type: str                       # qwen2 | llama
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: Optional[int] = None
    rope_theta: float = 10000.0
    rope_scaling: Optional[dict] = None   # {"rope_type": "llama3", factor, low_freq_factor, ...}
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


def rope_inv_freq(cfg):
    rs = cfg.rope_scaling
    if not rs:
        return base_inv_freq(cfg.hd, cfg.rope_theta)
    kind = rs.get("rope_type", rs.get("type"))
    if kind != "llama3":
        raise ValueError(f"rope_scaling: expected llama3 or none, got {kind}")
    return llama3_inv_freq(cfg.hd, cfg.rope_theta, rs)


def _linear(W, name, x):
    y = x @ W[name + ".weight"].T
    b = W.get(name + ".bias")
    return y + b if b is not None else y


def attention(cfg, W, layer, x, positions, cache, inv_freq):
    """x [T, D] -> [T, D]; head h reads kv head h // (H / H_kv)."""
    p = f"model.layers.{layer}.self_attn."
    T, H, Hkv, d = x.shape[0], cfg.num_attention_heads, cfg.num_key_value_heads, cfg.hd
    q = _linear(W, p + "q_proj", x).view(T, H, d)
    k = _linear(W, p + "k_proj", x).view(T, Hkv, d)
    v = _linear(W, p + "v_proj", x).view(T, Hkv, d)
    cos, sin = rope_cos_sin(inv_freq, positions)
    rope = rope_split_half if cfg.rope_pairs == "split_half" else rope_adjacent
    q, k = rope(q, cos, sin), rope(k, cos, sin)
    k_all, v_all, pos_all = cache.append(layer, k, v, positions)
    rep = H // Hkv
    k_all, v_all = k_all.repeat_interleave(rep, dim=1), v_all.repeat_interleave(rep, dim=1)
    scores = torch.einsum("thd,shd->ths", q, k_all) * d ** -0.5
    mask = causal_mask(positions, pos_all)[:, None, :]
    probs = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    o = torch.einsum("ths,shd->thd", probs, v_all).reshape(T, H * d)
    return _linear(W, p + "o_proj", o)


def forward(cfg, W, tokens, positions=None, cache=None):
    """tokens [T] -> dict(logits [T, V], hidden [T, D] pre-norm, layer_out [layer -> [T, D]],
    cache)."""
    tokens = torch.as_tensor(tokens)
    if positions is None:
        positions = torch.arange(tokens.shape[0])
    cache = cache if cache is not None else KVCache()
    inv_freq = rope_inv_freq(cfg)
    eps = cfg.rms_norm_eps
    x = W["model.embed_tokens.weight"][tokens]
    layer_out = []
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        x = x + attention(cfg, W, i, rms_norm(x, W[p + "input_layernorm.weight"], eps), positions,
                          cache, inv_freq)
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        x = x + swiglu(h, W[p + "mlp.gate_proj.weight"], W[p + "mlp.up_proj.weight"],
                       W[p + "mlp.down_proj.weight"])
        layer_out.append(x)
    head = W["model.embed_tokens.weight"] if cfg.tie_word_embeddings else W["lm_head.weight"]
    normed = rms_norm(x, W["model.norm.weight"], eps)
    return {"logits": normed @ head.T, "hidden": x, "layer_out": layer_out, "cache": cache}


def gguf_to_hf_qk(w, n_head):
    """Undo llama.cpp's HF->GGUF q/k row permutation ([out, in] or bias [out]): within each head
    GGUF rows are pair-interleaved (adjacent rope), HF rows are split halves (neox rope)."""
    shape = w.shape
    d = shape[0] // n_head
    return w.reshape(n_head, d // 2, 2, *shape[1:]).transpose(1, 2).reshape(shape)
