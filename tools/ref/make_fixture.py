# Generates a tiny random-weight HF checkpoint (config.json + hand-written model.safetensors with
# the real HF tensor names) and the float64 reference outputs for it (expected.bin + .json, format
# in docs/reference.md). Usage:
#   /usr/bin/python3 tools/ref/make_fixture.py --preset v3 --out DIR [--fp8] [--dtype F32|BF16|F16]
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deepseek  # noqa: E402
import dense  # noqa: E402
from presets import is_deepseek, preset  # noqa: E402
from safetensors_io import fp8_dequantize_blocks, fp8_quantize_blocks, write_safetensors  # noqa: E402

N_TOKENS = 64
GREEDY_PROMPT, GREEDY_STEPS = 8, 16
FP8_QUANT_CONFIG = {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                    "weight_block_size": [128, 128]}


def _swiglu_shapes(p, d, f):
    return {p + "gate_proj.weight": ([f, d], "linear"), p + "up_proj.weight": ([f, d], "linear"),
            p + "down_proj.weight": ([d, f], "linear")}


def _deepseek_layer(c, i, moe):
    p, D, H = f"model.layers.{i}.", c["hidden_size"], c["num_attention_heads"]
    qk = c["qk_nope_head_dim"] + c["qk_rope_head_dim"]
    s = {p + "input_layernorm.weight": ([D], "norm")}
    a = p + "self_attn."
    if c["q_lora_rank"] is None:
        s[a + "q_proj.weight"] = ([H * qk, D], "linear")
    else:
        s[a + "q_a_proj.weight"] = ([c["q_lora_rank"], D], "linear")
        s[a + "q_a_layernorm.weight"] = ([c["q_lora_rank"]], "norm")
        s[a + "q_b_proj.weight"] = ([H * qk, c["q_lora_rank"]], "linear")
    r = c["kv_lora_rank"]
    s[a + "kv_a_proj_with_mqa.weight"] = ([r + c["qk_rope_head_dim"], D], "linear")
    s[a + "kv_a_layernorm.weight"] = ([r], "norm")
    s[a + "kv_b_proj.weight"] = ([H * (c["qk_nope_head_dim"] + c["v_head_dim"]), r], "linear")
    s[a + "o_proj.weight"] = ([D, H * c["v_head_dim"]], "linear")
    s[p + "post_attention_layernorm.weight"] = ([D], "norm")
    if not moe:
        s.update(_swiglu_shapes(p + "mlp.", D, c["intermediate_size"]))
        return s
    E, F = c["n_routed_experts"], c["moe_intermediate_size"]
    s[p + "mlp.gate.weight"] = ([E, D], "router")
    if c["topk_method"] == "noaux_tc":
        s[p + "mlp.gate.e_score_correction_bias"] = ([E], "bias")
    for e in range(E):
        s.update(_swiglu_shapes(f"{p}mlp.experts.{e}.", D, F))
    if c["n_shared_experts"]:
        s.update(_swiglu_shapes(p + "mlp.shared_experts.", D, F * c["n_shared_experts"]))
    return s


def deepseek_shapes(c):
    """name -> (shape, kind), in the order the file stores them."""
    V, D, L = c["vocab_size"], c["hidden_size"], c["num_hidden_layers"]
    s = {"model.embed_tokens.weight": ([V, D], "emb")}
    for i in range(L):
        s.update(_deepseek_layer(c, i, i >= c["first_k_dense_replace"]))
    for j in range(c.get("num_nextn_predict_layers", 0)):
        p = f"model.layers.{L + j}."
        s[p + "embed_tokens.weight"] = ([V, D], "copy:model.embed_tokens.weight")
        s[p + "enorm.weight"] = ([D], "norm")
        s[p + "hnorm.weight"] = ([D], "norm")
        s[p + "eh_proj.weight"] = ([D, 2 * D], "linear")
        s.update(_deepseek_layer(c, L + j, True))
        s[p + "shared_head.norm.weight"] = ([D], "norm")
        s[p + "shared_head.head.weight"] = ([V, D], "copy:lm_head.weight")
    s["model.norm.weight"] = ([D], "norm")
    s["lm_head.weight"] = ([V, D], "head")
    return s


def dense_shapes(c):
    V, D = c["vocab_size"], c["hidden_size"]
    H, Hkv = c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or D // H
    s = {"model.embed_tokens.weight": ([V, D], "emb")}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s[p + "input_layernorm.weight"] = ([D], "norm")
        for n, rows in (("q_proj", H * hd), ("k_proj", Hkv * hd), ("v_proj", Hkv * hd)):
            s[f"{p}self_attn.{n}.weight"] = ([rows, D], "linear")
            if c["model_type"] == "qwen2":
                s[f"{p}self_attn.{n}.bias"] = ([rows], "lbias")
        if c["model_type"] == "qwen3":  # per-head RMSNorm weights of q and k
            s[p + "self_attn.q_norm.weight"] = ([hd], "norm")
            s[p + "self_attn.k_norm.weight"] = ([hd], "norm")
        s[p + "self_attn.o_proj.weight"] = ([D, H * hd], "linear")
        s[p + "post_attention_layernorm.weight"] = ([D], "norm")
        s.update(_swiglu_shapes(p + "mlp.", D, c["intermediate_size"]))
    s["model.norm.weight"] = ([D], "norm")
    s["lm_head.weight"] = ([V, D], "head")
    return s


def init_weights(shapes, seed):
    """float32 tensors. Gains make logits sharp and routing decisive (an engine that skips a norm
    or mis-routes fails visibly): emb std 1, linear std 1/sqrt(in), router and head 2/sqrt(in),
    norms 1 +- 0.2, gate bias std 0.1, q/k/v biases std 0.5."""
    g = torch.Generator().manual_seed(seed)
    W = {}
    for name, (shape, kind) in shapes.items():
        if kind.startswith("copy:"):
            continue
        n = torch.randn(shape, generator=g, dtype=torch.float64)
        if kind == "emb":
            t = n
        elif kind == "norm":
            t = 1.0 + 0.2 * (2 * torch.rand(shape, generator=g, dtype=torch.float64) - 1)
        elif kind in ("linear", "router", "head"):
            t = n * ((2.0 if kind != "linear" else 1.0) / shape[1] ** 0.5)
        elif kind == "bias":
            t = 0.1 * n
        elif kind == "lbias":
            t = 0.5 * n
        else:
            raise ValueError(f"weight kind {kind} of {name}: unknown")
        W[name] = t.float()
    for name, (shape, kind) in shapes.items():
        if kind.startswith("copy:"):
            W[name] = W[kind[5:]].clone()
    return W


def store(shapes, W, dtype, fp8):
    """-> (file tensors name -> (dtype, storage array), effective float64 weights). FP8 covers the
    2-D projections ("linear"); embeddings, router, head, norms stay in dtype, the bias in F32."""
    files, eff = {}, {}
    tdt = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}[dtype]
    for name, (shape, kind) in shapes.items():
        t = W[name]
        if fp8 and kind == "linear":
            codes, scale = fp8_quantize_blocks(t.numpy())
            files[name] = ("F8_E4M3", codes)
            files[name + "_scale_inv"] = ("F32", scale)
            eff[name] = torch.from_numpy(fp8_dequantize_blocks(codes, scale)).double()
        elif kind == "bias" or dtype == "F32":
            files[name] = ("F32", t.numpy())
            eff[name] = t.double()
        else:
            r = t.to(tdt)
            bits = r.view(torch.int16).numpy().view(np.uint16) if dtype == "BF16" else r.numpy()
            files[name] = (dtype, bits)
            eff[name] = r.double()
    return files, eff


def token_ids(vocab, seed, n=N_TOKENS):
    g = torch.Generator().manual_seed(seed + 1)
    return torch.randint(0, vocab, (n,), generator=g)


def reference_outputs(c, W, tokens):
    """-> (arrays name -> numpy f32/i32, json extras). See docs/reference.md for the names."""
    arrays = {"tokens": tokens.numpy().astype(np.int32)}
    extras = {}
    f32 = lambda t: t.detach().numpy().astype(np.float32)  # noqa: E731
    if is_deepseek(c):
        cfg = deepseek.DeepSeekConfig.from_hf(c)
        out = deepseek.forward(cfg, W, tokens)
        for i, route in enumerate(out["routes"]):
            if route is not None:
                idx, w, scores = route
                arrays[f"route.{i}.idx"] = idx.numpy().astype(np.int32)
                arrays[f"route.{i}.w"] = f32(w)
                arrays[f"route.{i}.scores"] = f32(scores)
            arrays[f"cache.{i}.c_kv"] = f32(out["cache"].c_kv[i])
            arrays[f"cache.{i}.k_pe"] = f32(out["cache"].k_pe[i])
        if cfg.num_nextn_predict_layers:
            L = cfg.num_hidden_layers
            m = deepseek.mtp_forward(cfg, W, deepseek.mtp_input_hidden(cfg, out)[:-1], tokens[1:],
                                     torch.arange(len(tokens) - 1))
            arrays["mtp.logits"] = f32(m["logits"])
            arrays["mtp.route.idx"] = m["route"][0].numpy().astype(np.int32)
            arrays["mtp.route.w"] = f32(m["route"][1])
            arrays["mtp.cache.c_kv"] = f32(m["cache"].c_kv[L])
            arrays["mtp.cache.k_pe"] = f32(m["cache"].k_pe[L])
        inv, cs = deepseek.rope_inv_freq_and_scale(cfg)
        extras.update(softmax_scale=deepseek.softmax_scale(cfg), rope_inv_freq=inv.tolist(),
                      rope_cos_sin_scale=cs, mtp_hidden=cfg.mtp_hidden)
        greedy_ids = _greedy(lambda t, pos, cache: deepseek.forward(
            cfg, W, t, positions=pos, cache=cache, attn_mode="absorbed"), deepseek.LatentCache,
            tokens[:GREEDY_PROMPT])
    else:
        cfg = dense.DenseConfig.from_hf(c)
        out = dense.forward(cfg, W, tokens)
        extras.update(rope_inv_freq=dense.rope_inv_freq(cfg).tolist(), rope_pairs=cfg.rope_pairs)
        if dense._rope_kind(cfg) == "yarn":
            extras["rope_cos_sin_scale"] = dense.rope_attn_scale(cfg)
        greedy_ids = _greedy(lambda t, pos, cache: dense.forward(cfg, W, t, positions=pos, cache=cache),
                             dense.KVCache, tokens[:GREEDY_PROMPT])
    arrays["logits"] = f32(out["logits"])
    for i, h in enumerate(out["layer_out"]):
        arrays[f"hidden.{i}"] = f32(h)
    arrays["final_hidden"] = f32(out["hidden"])
    extras["greedy"] = {"prompt": tokens[:GREEDY_PROMPT].tolist(), "ids": greedy_ids}
    return arrays, extras


def _greedy(step, cache_cls, prompt):
    cache = cache_cls()
    logits = step(prompt, torch.arange(len(prompt)), cache)["logits"][-1]
    ids, pos = [], len(prompt)
    for _ in range(GREEDY_STEPS):
        ids.append(int(torch.argmax(logits)))
        logits = step(torch.tensor([ids[-1]]), torch.tensor([pos]), cache)["logits"][-1]
        pos += 1
    return ids


def write_arrays(path_bin, arrays):
    """Raw little-endian concatenation, each array 64-byte aligned; returns the json index."""
    index, off = {}, 0
    with open(path_bin, "wb") as f:
        for name, a in arrays.items():
            pad = (-off) % 64
            f.write(b"\0" * pad)
            off += pad
            raw = np.ascontiguousarray(a).astype("<f4" if a.dtype == np.float32 else "<i4").tobytes()
            index[name] = {"dtype": "f32" if a.dtype == np.float32 else "i32",
                           "shape": list(a.shape), "offset": off, "nbytes": len(raw)}
            f.write(raw)
            off += len(raw)
    return index


def make_fixture(name, out, fp8=False, dtype="F32", seed=1):
    torch.set_num_threads(1)
    c = preset(name)
    if fp8:
        if not is_deepseek(c):
            raise ValueError(f"--fp8: only for deepseek presets, got {name}")
        c["quantization_config"] = dict(FP8_QUANT_CONFIG)
    c["torch_dtype"] = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}[dtype]
    shapes = deepseek_shapes(c) if is_deepseek(c) else dense_shapes(c)
    files, W = store(shapes, init_weights(shapes, seed), dtype, fp8)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    write_safetensors(os.path.join(out, "model.safetensors"), files, {"format": "pt"})
    tokens = token_ids(c["vocab_size"], seed)
    with torch.no_grad():
        arrays, extras = reference_outputs(c, W, tokens)
    index = write_arrays(os.path.join(out, "expected.bin"), arrays)
    meta = {"format": "seek-ref-v1", "preset": name, "model_type": c["model_type"],
            "weights_dtype": dtype, "fp8": fp8, "seed": seed, "n_tokens": len(tokens),
            "token_ids": tokens.tolist(), "compute": "float64 reference, stored as float32",
            **extras, "arrays": index}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--preset", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fp8", action="store_true", help="2-D projections as F8_E4M3 + 128x128 scales")
    ap.add_argument("--dtype", default="F32", choices=["F32", "BF16", "F16"])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    meta = make_fixture(a.preset, a.out, a.fp8, a.dtype, a.seed)
    size = os.path.getsize(os.path.join(a.out, "model.safetensors"))
    print(f"{a.preset}: wrote {a.out} (model.safetensors {size} bytes, {len(meta['arrays'])} arrays)")


if __name__ == "__main__":
    main()
