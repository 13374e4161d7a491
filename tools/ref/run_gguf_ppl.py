# Real-data perplexity check of the deepseek2 reference: tokenizes tests/data/gguf/ppl.txt with
# the GGUF's own byte-level BPE (deepseek-coder pre-tokenizer, ASCII text only) and reproduces
# llama-perplexity -c 128 -b 128 (chunks of 128 with BOS first, last 63 positions scored) as
# recorded in expected.json `perplexity.peer_kv_f32`.
# Usage: /usr/bin/python3 tools/ref/run_gguf_ppl.py [model.gguf]   (exit 1 on mismatch)
import json
import math
import os
import pathlib
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deepseek import forward  # noqa: E402
from gguf_reader import GGUFFile  # noqa: E402
from run_gguf import ROOT, config_from_gguf, weights_from_gguf  # noqa: E402

# deepseek-coder pre-tokenizer (llama.cpp), restricted to ASCII: \p{L} = letters, \p{P} = the
# ASCII punctuation class (not the symbols $+<=>^`|~), \p{N} = one digit per piece
_PUNCT = r"""[!"#%&'()*,\-./:;?@\[\\\]_{}]"""
_SPLITS = [r"[\r\n]", r"\s?[A-Za-z]+", r"\s?" + _PUNCT + "+", r"[0-9]"]


def _byte_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def pre_split(text):
    """Each regex splits every current piece into matches and the gaps between them."""
    pieces = [text]
    for rx in _SPLITS:
        out = []
        for p in pieces:
            pos = 0
            for m in re.finditer(rx, p):
                if m.start() > pos:
                    out.append(p[pos:m.start()])
                out.append(m.group())
                pos = m.end()
            if pos < len(p):
                out.append(p[pos:])
        pieces = out
    return pieces


class BPE:
    def __init__(self, g):
        self.vocab = {t: i for i, t in enumerate(g.get("tokenizer.ggml.tokens"))}
        self.ranks = {tuple(m.split(" ", 1)): r for r, m in enumerate(g.get("tokenizer.ggml.merges"))}
        self.b2u = _byte_to_unicode()
        self.bos = g.get("tokenizer.ggml.bos_token_id")

    def word(self, w):
        parts = [self.b2u[b] for b in w.encode("utf-8")]
        while len(parts) > 1:
            best = min(range(len(parts) - 1),
                       key=lambda i: self.ranks.get((parts[i], parts[i + 1]), math.inf))
            if (parts[best], parts[best + 1]) not in self.ranks:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        return [self.vocab[p] for p in parts]

    def encode(self, text, add_bos=True):
        if not text.isascii():
            raise ValueError("run_gguf_ppl tokenizer: ASCII text only")
        ids = [self.bos] if add_bos else []
        for p in pre_split(text):
            ids += self.word(p)
        return ids


def perplexity(cfg, W, ids, n_ctx, bos):
    """llama-perplexity: chunk k = ids[k*n_ctx:(k+1)*n_ctx] with BOS first; score positions
    n_ctx/2 .. n_ctx-2 (predicting the next token). Returns the running estimates."""
    nll, count, running = 0.0, 0, []
    for k in range(len(ids) // n_ctx):
        toks = list(ids[k * n_ctx:(k + 1) * n_ctx])
        toks[0] = bos
        logp = torch.log_softmax(forward(cfg, W, toks)["logits"], dim=-1)
        for j in range(n_ctx // 2, n_ctx - 1):
            nll -= float(logp[j, toks[j + 1]])
            count += 1
        running.append(math.exp(nll / count))
    return running


def main():
    torch.set_num_threads(1)
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/data/gguf/ds2-micro-F32.gguf")
    exp = json.loads(pathlib.Path(os.path.join(ROOT, "tests/data/gguf/expected.json")).read_text())
    rec = exp["files"]["dev/" + os.path.basename(path)]["perplexity"]
    g = GGUFFile(path)
    cfg = config_from_gguf(g)
    W = weights_from_gguf(g, cfg)
    bpe = BPE(g)
    ids = bpe.encode(pathlib.Path(os.path.join(ROOT, "tests/data/gguf/ppl.txt")).read_text())
    ok = len(ids) == exp["ppl_text"]["n_tokens_with_bos"]
    run = perplexity(cfg, W, ids, rec["n_ctx"], bpe.bos) if ok else []
    want = rec["peer_kv_f32"]["cumulative"]
    rel = max((abs(a - b) / b for a, b in zip(run, want)), default=math.inf)
    ok = ok and rel < 1e-5
    print(json.dumps({"n_tokens": len(ids), "ppl": run[-1] if run else None,
                      "peer_kv_f32": want[-1], "max_rel_err": rel, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
