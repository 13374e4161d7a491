# Real-data check of dense.py (Llama path): loads tests/data/gguf/stories260K-F32.gguf (a real
# pretrained Llama-2-architecture model) and reproduces llama2.c's golden greedy text
# (tests/data/llama2c/stories260K_expected_t0_n200.txt) twice: with the GGUF q/k layout and
# adjacent-pair rope, and with q/k rows un-permuted to HF layout and split-half rope.
# Usage: /usr/bin/python3 tools/ref/run_stories.py   (exit 1 on mismatch)
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dense import DenseConfig, KVCache, forward, gguf_to_hf_qk  # noqa: E402
from gguf_reader import GGUFFile  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_MAP = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
        "attn_output": "self_attn.o_proj", "attn_norm": "input_layernorm",
        "ffn_norm": "post_attention_layernorm", "ffn_gate": "mlp.gate_proj",
        "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}


def load_llama_gguf(path, hf_layout):
    g = GGUFFile(path)
    k = lambda key: g.get("llama." + key)  # noqa: E731
    cfg = DenseConfig(model_type="llama", vocab_size=g.tensors["token_embd.weight"][0][1],
                      hidden_size=k("embedding_length"), intermediate_size=k("feed_forward_length"),
                      num_hidden_layers=k("block_count"), num_attention_heads=k("attention.head_count"),
                      num_key_value_heads=k("attention.head_count_kv"),
                      rope_theta=g.get("llama.rope.freq_base", 10000.0),
                      rms_norm_eps=k("attention.layer_norm_rms_epsilon"),
                      tie_word_embeddings="output.weight" not in g.tensors,
                      rope_pairs="split_half" if hf_layout else "adjacent")
    W = {}
    top = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
           "output.weight": "lm_head.weight"}
    for name in g.tensors:
        t = torch.from_numpy(g.tensor(name)).double()
        if name in top:
            W[top[name]] = t
            continue
        _, i, base, kind = name.split(".")
        if hf_layout and base in ("attn_q", "attn_k"):
            heads = cfg.num_attention_heads if base == "attn_q" else cfg.num_key_value_heads
            t = gguf_to_hf_qk(t, heads)
        W[f"model.layers.{i}.{_MAP[base]}.{kind}"] = t
    return cfg, W, g.get("tokenizer.ggml.tokens")


def decode_piece(tokens, prev, tok):
    # llama2.c decode: byte tokens <0xHH>; a leading space is dropped right after BOS
    piece = tokens[tok]
    if piece.startswith("<0x") and piece.endswith(">") and len(piece) == 6:
        return bytes([int(piece[3:5], 16)])
    piece = piece.replace("\u2581", " ")
    if prev == 1 and piece.startswith(" "):
        piece = piece[1:]
    return piece.encode()


def generate(cfg, W, vocab, steps):
    cache, prev, pos, out = KVCache(), 1, 0, b""
    while pos < steps:
        logits = forward(cfg, W, [prev], positions=torch.tensor([pos]), cache=cache)["logits"][-1]
        nxt = int(torch.argmax(logits))
        if nxt == 1:
            break
        out += decode_piece(vocab, prev, nxt)
        prev, pos = nxt, pos + 1
    return out.decode("utf-8", errors="replace")


def main():
    torch.set_num_threads(1)
    path = os.path.join(ROOT, "tests/data/gguf/stories260K-F32.gguf")
    with open(os.path.join(ROOT, "tests/data/llama2c/stories260K_expected_t0_n200.txt")) as f:
        want = f.read()
    res = {}
    for hf in (False, True):
        cfg, W, vocab = load_llama_gguf(path, hf)
        text = generate(cfg, W, vocab, 200)
        res["hf_split_half" if hf else "gguf_adjacent"] = text.strip() == want.strip()
        if text.strip() != want.strip():
            print("got:", repr(text[:300]))
    print(json.dumps(res))
    return 0 if all(res.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
