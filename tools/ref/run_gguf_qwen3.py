# Real-data check of dense.py's Qwen3 path against llama.cpp, independent of the C++ engine: loads
# a llama.cpp "qwen3" (or "qwen2") GGUF (F32/F16/Q8_0 tensors) into the float64 reference and
# compares with what llama.cpp de3ff81 recorded in tests/data/gguf-next/expected.json, mode
# kv_f32_noFA (-fa off -ctk f32 -ctv f32, attention in f32):
#   * teacher-forced logits along llama.cpp's greedy ids vs its top-5 (id, logit) of every step,
#   * free-running greedy ids (EOS 32014 masked, as --ignore-eos does),
#   * llama-perplexity -c 128 on ppl.txt (tokenized by run_gguf_ppl.BPE; 780 tokens with BOS).
# Each twice: "exact" (float64 throughout) and "llama" (activations rounded as llama.cpp's CPU
# backend does before each weight product: to f16 for F16 weights, e.g. the output matrix of
# both files, and to q8_0 blocks of 32 for Q8_0 weights).
# GGUF layout: qwen2/qwen3 files are NOT permuted (llama.cpp uses NEOX rope for them), so the
# HF split-half rope applies to attn_q/attn_k as stored. llama.cpp's YaRN (ext_factor 1) scales
# each rotated q and k by 1 + 0.1 ln(factor), i.e. HF's default attention_factor.
# Usage: /usr/bin/python3 tools/ref/run_gguf_qwen3.py [model.gguf ...] [--no-ppl]
#        (default: both qwen3-micro files; exit 1 when the exact F32 check fails)
import json
import math
import os
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dense import DenseConfig, KVCache, forward  # noqa: E402
from gguf_reader import GGML_F16, GGML_Q8_0, GGUFFile  # noqa: E402
from run_gguf_ppl import BPE  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests/data/gguf-next")
MODE = "kv_f32_noFA"
EOS_IGNORED = 32014   # --ignore-eos: logit bias -inf on the EOG token

_MAP = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
        "attn_q_norm": "self_attn.q_norm", "attn_k_norm": "self_attn.k_norm",
        "attn_output": "self_attn.o_proj", "attn_norm": "input_layernorm",
        "ffn_norm": "post_attention_layernorm", "ffn_gate": "mlp.gate_proj",
        "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}
_TOP = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
        "output.weight": "lm_head.weight"}
_ROPE_KEYS = {"type", "factor", "original_context_length", "yarn_beta_fast", "yarn_beta_slow"}


def config_from_gguf(g):
    a = g.arch()
    if a not in ("qwen2", "qwen3"):
        raise ValueError(f"general.architecture: expected qwen2 or qwen3, got {a}")
    k = lambda key, d=None: g.get(f"{a}.{key}", d)  # noqa: E731
    D, H = k("embedding_length"), k("attention.head_count")
    hd = k("attention.key_length", D // H)
    if k("attention.value_length", hd) != hd:
        raise ValueError(f"{a}: value_length {k('attention.value_length')} != key_length {hd}")
    rope_scaling = None
    extra = {key[len(a) + 14:] for key in g.kv if key.startswith(f"{a}.rope.scaling.")} - _ROPE_KEYS
    if extra:
        raise ValueError(f"{a}.rope.scaling: keys {sorted(extra)} not implemented here")
    st = k("rope.scaling.type", "none")
    if st == "yarn":
        rope_scaling = {"rope_type": "yarn", "factor": k("rope.scaling.factor"),
                        "original_max_position_embeddings": k("rope.scaling.original_context_length"),
                        "beta_fast": k("rope.scaling.yarn_beta_fast", 32.0),
                        "beta_slow": k("rope.scaling.yarn_beta_slow", 1.0)}
    elif st != "none":
        raise ValueError(f"{a}.rope.scaling.type: expected none or yarn, got {st}")
    return DenseConfig(model_type=a, vocab_size=g.tensors["token_embd.weight"][0][1], hidden_size=D,
                       intermediate_size=k("feed_forward_length"), num_hidden_layers=k("block_count"),
                       num_attention_heads=H, num_key_value_heads=k("attention.head_count_kv", H),
                       head_dim=hd, rope_theta=k("rope.freq_base", 10000.0), rope_scaling=rope_scaling,
                       rms_norm_eps=k("attention.layer_norm_rms_epsilon"),
                       tie_word_embeddings="output.weight" not in g.tensors)


def weights_from_gguf(g):
    """HF-named float64 weights (Q8_0 dequantized) and HF name -> ggml type of each matrix."""
    W, types = {}, {}
    for name, (ne, gtype, _) in g.tensors.items():
        t = torch.from_numpy(g.tensor(name)).double()
        if name in _TOP:
            hf = _TOP[name]
        else:
            blk, i, base, kind = name.split(".")
            if blk != "blk" or base not in _MAP:
                raise ValueError(f"tensor {name}: no mapping")
            hf = f"model.layers.{i}.{_MAP[base]}.{kind}"
        W[hf], types[hf] = t, gtype
    return W, types


def _q8_0_round(x):
    """llama.cpp quantize_row_q8_0 (x86 SIMD) of each row, as the value d * q the dot sees:
    per 32 values amax, q = round_half_even(x * (127 / amax)) in f32, d = f16(amax / 127)."""
    shape = x.shape
    b = x.float().reshape(-1, shape[-1] // 32, 32)
    amax = b.abs().amax(-1, keepdim=True)
    inv = torch.where(amax > 0, 127.0 / amax, torch.zeros_like(amax))
    q = torch.round(b * inv)
    d = (amax / 127.0).half().double()
    return (d * q.double()).reshape(shape)


def llama_act_round(types):
    def act_round(weight_name, x):
        t = types.get(weight_name)
        if t == GGML_F16:
            return x.float().half().double()
        if t == GGML_Q8_0:
            return _q8_0_round(x)
        return x
    return act_round


def teacher_forced(cfg, W, prompt, ids, act_round):
    """Logits [len(ids), V] of prefill(prompt) then one decode step per forced id."""
    cache = KVCache()
    rows = [forward(cfg, W, prompt, cache=cache, act_round=act_round)["logits"][-1]]
    for s, t in enumerate(ids[:-1]):
        rows.append(forward(cfg, W, [t], positions=torch.tensor([len(prompt) + s]), cache=cache,
                            act_round=act_round)["logits"][-1])
    return torch.stack(rows)


def greedy(cfg, W, prompt, n, act_round):
    cache, ids = KVCache(), []
    logits = forward(cfg, W, prompt, cache=cache, act_round=act_round)["logits"][-1]
    for s in range(n):
        logits = logits.clone()
        logits[EOS_IGNORED] = -math.inf
        ids.append(int(torch.argmax(logits)))
        logits = forward(cfg, W, [ids[-1]], positions=torch.tensor([len(prompt) + s]), cache=cache,
                         act_round=act_round)["logits"][-1]
    return ids


def perplexity(cfg, W, ids, n_ctx, bos, act_round):
    """llama-perplexity: chunks of n_ctx with BOS first; positions n_ctx/2 .. n_ctx-2 scored."""
    nll, count, running = 0.0, 0, []
    for c in range(len(ids) // n_ctx):
        toks = list(ids[c * n_ctx:(c + 1) * n_ctx])
        toks[0] = bos
        logp = torch.log_softmax(forward(cfg, W, toks, act_round=act_round)["logits"], dim=-1)
        for j in range(n_ctx // 2, n_ctx - 1):
            nll -= float(logp[j, toks[j + 1]])
            count += 1
        running.append(math.exp(nll / count))
    return running, count


def check_file(path, rec, with_ppl=True):
    g = GGUFFile(path)
    cfg = config_from_gguf(g)
    W, types = weights_from_gguf(g)
    want = rec["greedy"][MODE]
    prompt, ref_ids = rec["prompt_ids"], want["ids"]
    res = {"file": os.path.basename(path), "mode": MODE}
    bpe = BPE(g) if with_ppl else None
    ppl_ids = bpe.encode(pathlib.Path(os.path.join(DATA, "ppl.txt")).read_text()) if with_ppl else None
    for name, ar in (("exact", None), ("llama", llama_act_round(types))):
        steps = teacher_forced(cfg, W, prompt, ref_ids, ar)
        per_step = [max(abs(float(steps[s, t]) - v) for t, v in top5) for s, top5 in enumerate(want["top5"])]
        top1 = [int(torch.argmax(steps[s])) for s in range(len(ref_ids))]
        ids = greedy(cfg, W, prompt, len(ref_ids), ar)
        same = next((i for i, (a, b) in enumerate(zip(ids, ref_ids)) if a != b), len(ref_ids))
        r = {"max_abs_dlogit_top5": max(per_step),
             "max_abs_dlogit_top5_first8": max(per_step[:8]),
             "forced_top1_agree": sum(a == b for a, b in zip(top1, ref_ids)),
             "greedy_ids_identical_prefix": same}
        if with_ppl:
            c = rec["perplexity"]["c128"]
            run, n = perplexity(cfg, W, ppl_ids, c["n_ctx"], bpe.bos, ar)
            ref = c[MODE]
            r.update(ppl=run[-1], ppl_llama=ref["final"], ppl_rel=run[-1] / ref["final"] - 1,
                     ppl_cum_max_rel=max(abs(a / b - 1) for a, b in zip(run, ref["cumulative_printed"])),
                     scored=n)
        res[name] = r
    if with_ppl:
        res["ppl_tokens"] = len(ppl_ids)
        res["ppl_tokens_expected"] = rec["ppl_text_n_tokens_with_bos"]
    return res


def main(argv):
    torch.set_num_threads(1)
    with_ppl = "--no-ppl" not in argv
    paths = [a for a in argv if not a.startswith("--")] or [
        os.path.join(DATA, f"qwen3-micro-{t}.gguf") for t in ("F32", "Q8_0")]
    exp = json.loads(pathlib.Path(os.path.join(DATA, "expected.json")).read_text())["files"]
    ok = True
    for p in paths:
        res = check_file(p, exp[os.path.basename(p)], with_ppl)
        print(json.dumps(res, indent=1))
        if res["file"].endswith("-F32.gguf"):
            e = res["exact"]
            ok = ok and e["greedy_ids_identical_prefix"] == 32 and e["max_abs_dlogit_top5"] < 2e-2
            if with_ppl:
                ok = ok and abs(e["ppl_rel"]) < 1e-3 and res["ppl_tokens"] == res["ppl_tokens_expected"]
    return 0 if ok else 1


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv[1:]))
