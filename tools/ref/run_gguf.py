# Loads a llama.cpp "deepseek2" GGUF (F32/F16/BF16 tensors) into the reference model and
# reproduces llama.cpp's greedy ids recorded in tests/data/gguf/expected.json.
# Usage: /usr/bin/python3 tools/ref/run_gguf.py [model.gguf] [expected.json]   (exit 1 on mismatch)
# Tensor map: GGUF ne {in, out} == torch [out, in]; names per docs/deepseek.md section 3.
import json
import os
import pathlib
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deepseek import DeepSeekConfig, LatentCache, forward  # noqa: E402
from gguf_reader import GGUFFile  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# GGUF blk suffix -> HF name suffix (under model.layers.N.)
_LAYER_MAP = {
    "attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj",
    "attn_q_a": "self_attn.q_a_proj", "attn_q_a_norm": "self_attn.q_a_layernorm",
    "attn_q_b": "self_attn.q_b_proj", "attn_kv_a_mqa": "self_attn.kv_a_proj_with_mqa",
    "attn_kv_a_norm": "self_attn.kv_a_layernorm", "attn_kv_b": "self_attn.kv_b_proj",
    "attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
    "ffn_gate_inp": "mlp.gate", "ffn_gate_shexp": "mlp.shared_experts.gate_proj",
    "ffn_up_shexp": "mlp.shared_experts.up_proj", "ffn_down_shexp": "mlp.shared_experts.down_proj",
}
_EXPS = {"ffn_gate_exps": "gate_proj", "ffn_up_exps": "up_proj", "ffn_down_exps": "down_proj"}


def config_from_gguf(g):
    a = g.arch()
    if a != "deepseek2":
        raise ValueError(f"general.architecture: expected deepseek2, got {a}")
    k = lambda key, d=None: g.get(f"deepseek2.{key}", d)  # noqa: E731
    rope = k("rope.dimension_count")
    key_mla, val_mla = k("attention.key_length_mla"), k("attention.value_length_mla")
    qk_head = key_mla if key_mla else k("attention.key_length")
    gating = {1: "softmax", 2: "sigmoid"}[k("expert_gating_func", 1)]
    n_group = k("expert_group_count", 1)
    has_bias = any(n.endswith("exp_probs_b.bias") for n in g.tensors)
    if has_bias:
        topk_method = "noaux_tc"
    elif n_group > 1:
        topk_method = "group_limited_greedy"
    else:
        topk_method = "greedy"
    rope_scaling = None
    if k("rope.scaling.type") == "yarn":
        # llama.cpp: kq_scale = (1 + yarn_log_multiplier*ln(factor))^2 / sqrt(key_length);
        # the HF equivalent is mscale_all_dim = yarn_log_multiplier / 0.1 (cos/sin scale 1)
        m = k("rope.scaling.yarn_log_multiplier", 0.0) / 0.1
        rope_scaling = {"type": "yarn", "factor": k("rope.scaling.factor"),
                        "original_max_position_embeddings": k("rope.scaling.original_context_length"),
                        "beta_fast": 32, "beta_slow": 1, "mscale": m, "mscale_all_dim": m}
    return DeepSeekConfig(
        vocab_size=g.tensors["token_embd.weight"][0][1],
        hidden_size=k("embedding_length"), intermediate_size=k("feed_forward_length"),
        moe_intermediate_size=k("expert_feed_forward_length", 0),
        num_hidden_layers=k("block_count"), num_attention_heads=k("attention.head_count"),
        q_lora_rank=k("attention.q_lora_rank"), kv_lora_rank=k("attention.kv_lora_rank"),
        qk_nope_head_dim=qk_head - rope, qk_rope_head_dim=rope,
        v_head_dim=val_mla if val_mla else k("attention.value_length"),
        n_routed_experts=k("expert_count", 0), n_shared_experts=k("expert_shared_count", 0),
        num_experts_per_tok=k("expert_used_count", 1),
        first_k_dense_replace=k("leading_dense_block_count", 0),
        scoring_func=gating, topk_method=topk_method, n_group=n_group,
        topk_group=k("expert_group_used_count", 1),
        norm_topk_prob=bool(k("expert_weights_norm", False)),
        routed_scaling_factor=k("expert_weights_scale", 1.0),
        rope_theta=k("rope.freq_base", 10000.0), rope_scaling=rope_scaling,
        rms_norm_eps=k("attention.layer_norm_rms_epsilon"),
        num_nextn_predict_layers=k("nextn_predict_layers", 0))


def weights_from_gguf(g, cfg, dtype=torch.float64):
    """HF-named weights. 3-D expert tensors ne {in, out, E} -> E tensors [out, in]. The split
    attn_k_b ([H, r, nope] in torch order) + attn_v_b ([H, v, r]) is rebuilt into kv_b_proj."""
    W, kb, vb = {}, {}, {}
    top = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
           "output.weight": "lm_head.weight"}
    for name in g.tensors:
        t = torch.from_numpy(g.tensor(name)).to(dtype)
        if name in top:
            W[top[name]] = t
            continue
        parts = name.split(".")
        if parts[0] != "blk":
            raise ValueError(f"tensor {name}: unexpected name")
        i, base, kind = int(parts[1]), parts[2], parts[-1]
        p = f"model.layers.{i}."
        if base == "exp_probs_b":
            W[p + "mlp.gate.e_score_correction_bias"] = t
        elif base in _EXPS:
            for e in range(t.shape[0]):
                W[f"{p}mlp.experts.{e}.{_EXPS[base]}.weight"] = t[e]
        elif base == "attn_k_b":
            kb[i] = t
        elif base == "attn_v_b":
            vb[i] = t
        elif base in _LAYER_MAP:
            W[f"{p}{_LAYER_MAP[base]}.{kind}"] = t
        else:
            raise ValueError(f"tensor {name}: no mapping for {base}")
    for i in kb:
        if f"model.layers.{i}.self_attn.kv_b_proj.weight" not in W:
            kv = torch.cat([kb[i].transpose(1, 2), vb[i]], dim=1)   # [H, nope+v, r]
            W[f"model.layers.{i}.self_attn.kv_b_proj.weight"] = kv.reshape(-1, kv.shape[-1])
    return W


def greedy(cfg, W, prompt, n_steps, attn_mode="absorbed"):
    """Prefill the prompt, then n_steps argmax decode steps through the latent cache.
    Returns (ids, per-step logits [n_steps, V])."""
    cache = LatentCache()
    out = forward(cfg, W, prompt, cache=cache, attn_mode=attn_mode)
    logits = out["logits"][-1]
    ids, steps = [], []
    pos = len(prompt)
    for _ in range(n_steps):
        steps.append(logits)
        nxt = int(torch.argmax(logits))
        ids.append(nxt)
        out = forward(cfg, W, [nxt], positions=torch.tensor([pos]), cache=cache, attn_mode=attn_mode)
        logits = out["logits"][-1]
        pos += 1
    return ids, torch.stack(steps)


def main():
    torch.set_num_threads(1)
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/data/gguf/ds2-micro-F32.gguf")
    exp_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "tests/data/gguf/expected.json")
    rec = json.loads(pathlib.Path(exp_path).read_text())["files"]["dev/" + os.path.basename(path)]
    g = GGUFFile(path)
    cfg = config_from_gguf(g)
    W = weights_from_gguf(g, cfg)
    want = rec["greedy"]["peer_kv_f32"]
    ids, steps = greedy(cfg, W, rec["prompt_ids"], rec["greedy"]["n_predict"])
    max_d = 0.0
    for s, top5 in enumerate(want["top5"]):
        for tok, logit in top5:
            max_d = max(max_d, abs(float(steps[s, tok]) - logit))
    ok = ids == want["ids"]
    print(json.dumps({"file": os.path.basename(path), "ids_match": ok, "ids": ids,
                      "max_abs_dlogit_top5": max_d}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
