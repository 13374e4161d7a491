# Shared numerics of the reference models: RMSNorm, SwiGLU, RoPE in both pairings, YaRN and
# Llama-3 frequency corrections. Functional PyTorch (weights are plain tensors), so the same code
# serves float64 golden inference and autograd training. Sources: DeepSeek-V2 paper (YaRN on the
# decoupled rope dims), HF modeling_deepseek.py / DeepSeek-V3 inference/model.py (facts only).
import math

import torch


def rms_norm(x, w, eps):
    # x [..., D], w [D]: x / sqrt(mean(x^2) + eps) * w
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def swiglu(x, w_gate, w_up, w_down):
    # x [T, D]; w_gate, w_up [F, D]; w_down [D, F]: w2(silu(w1 x) * w3 x)
    return torch.nn.functional.silu(x @ w_gate.T) * (x @ w_up.T) @ w_down.T


# ---- rotary embeddings ------------------------------------------------------------------------

def base_inv_freq(dim, theta, dtype=torch.float64):
    # [dim/2]: theta^(-2i/dim)
    return 1.0 / theta ** (torch.arange(0, dim, 2, dtype=dtype) / dim)


def yarn_correction_dim(n_rot, dim, theta, original):
    # the rope pair index whose wavelength makes n_rot full turns over the original context
    return dim * math.log(original / (n_rot * 2 * math.pi)) / (2 * math.log(theta))


def yarn_correction_range(beta_fast, beta_slow, dim, theta, original):
    low = math.floor(yarn_correction_dim(beta_fast, dim, theta, original))
    high = math.ceil(yarn_correction_dim(beta_slow, dim, theta, original))
    return max(low, 0), min(high, dim - 1)


def yarn_get_mscale(factor, mscale):
    # 0.1 * mscale * ln(factor) + 1   (1 when factor <= 1)
    if factor <= 1:
        return 1.0
    return 0.1 * mscale * math.log(factor) + 1.0


def yarn_inv_freq(dim, theta, factor, original, beta_fast, beta_slow, dtype=torch.float64):
    """[dim/2] YaRN frequencies: pairs below `low` keep the base frequency (extrapolation), pairs
    above `high` are divided by factor (interpolation), a linear ramp mixes in between."""
    extrap = base_inv_freq(dim, theta, dtype)
    interp = extrap / factor
    low, high = yarn_correction_range(beta_fast, beta_slow, dim, theta, original)
    if low == high:
        high += 0.001
    ramp = ((torch.arange(dim // 2, dtype=dtype) - low) / (high - low)).clamp(0, 1)
    keep = 1.0 - ramp  # 1 = keep the extrapolated (original) frequency
    return interp * (1 - keep) + extrap * keep


def llama3_inv_freq(dim, theta, rs, dtype=torch.float64):
    """[dim/2] Llama-3.1 'llama3' rope_type: long wavelengths divided by factor, short kept,
    smooth interpolation in between (HF _compute_llama3_parameters)."""
    inv = base_inv_freq(dim, theta, dtype)
    factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    orig = rs["original_max_position_embeddings"]
    low_wl, high_wl = orig / lo, orig / hi
    wl = 2 * math.pi / inv
    out = torch.where(wl > low_wl, inv / factor, inv)
    smooth = (orig / wl - lo) / (hi - lo)
    mid = (1 - smooth) * inv / factor + smooth * inv
    is_mid = (wl >= high_wl) & (wl <= low_wl)
    return torch.where(is_mid, mid, out)


def rope_cos_sin(inv_freq, positions, attn_scale=1.0):
    # inv_freq [dim/2], positions [T] -> cos, sin [T, dim/2] (times the YaRN cos/sin scale)
    ang = positions.to(inv_freq.dtype)[:, None] * inv_freq[None, :]
    return torch.cos(ang) * attn_scale, torch.sin(ang) * attn_scale


def rope_adjacent(x, cos, sin):
    """DeepSeek / GGUF 'norm' rope: rotate pairs (x[2i], x[2i+1]); x [T, ..., dim],
    cos/sin [T, dim/2]. Output keeps the original (interleaved) layout."""
    shape = x.shape
    xp = x.reshape(*shape[:-1], shape[-1] // 2, 2)
    extra = xp.dim() - 2 - 1  # head dims between T and pairs
    c = cos.reshape(cos.shape[0], *([1] * extra), cos.shape[1])
    s = sin.reshape(sin.shape[0], *([1] * extra), sin.shape[1])
    x0, x1 = xp[..., 0], xp[..., 1]
    return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1).reshape(shape)


def rope_split_half(x, cos, sin):
    """Qwen2 / Llama-HF 'neox' rope: rotate pairs (x[i], x[i + dim/2]); same shapes as above."""
    shape = x.shape
    h = shape[-1] // 2
    extra = x.dim() - 2
    c = cos.reshape(cos.shape[0], *([1] * extra), cos.shape[1])
    s = sin.reshape(sin.shape[0], *([1] * extra), sin.shape[1])
    x0, x1 = x[..., :h], x[..., h:]
    return torch.cat((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1)


def causal_mask(q_pos, k_pos):
    # [Tq, Tk] bool: key j visible to query i when k_pos[j] <= q_pos[i]
    return k_pos[None, :] <= q_pos[:, None]
