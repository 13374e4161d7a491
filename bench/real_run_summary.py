#!/usr/bin/env python3
"""Summary of a `seek train` run for bench/real_run.sh: the validation curve, final validation loss,
bits per byte over exactly the validation targets the trainer scores, throughput and expert load;
with --compare, two runs side by side at equal steps (equal tokens: same batch, seq and data order).

Bits per byte = val_loss_nats * scored_tokens / (scored_bytes * ln 2). The trainer's validation
scores eval_batches * batch windows read in file order from the validation stream; window w holds
ids [w*seq, w*seq + seq], so the targets are ids 1 .. N*seq of the stream. Their bytes are counted by
decoding them with the byte-level BPE vocabulary; EOS and other special tokens count zero bytes
(their loss is still in the numerator, so the figure is slightly pessimistic)."""
import argparse
import json
import math
import os
import struct


def read_metrics(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def byte_decoder():
    # Inverse of the GPT-2 byte-level map: printable bytes stand for themselves, the other 68 are
    # shifted to code points 256.. in byte order.
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[chr(b)] = b
        else:
            table[chr(256 + extra)] = b
            extra += 1
    return table


def token_bytes(tokenizer_path):
    tok = json.load(open(tokenizer_path, encoding="utf-8"))
    dec = byte_decoder()
    lengths = {}
    for text, i in tok["model"]["vocab"].items():
        lengths[i] = len(bytes(dec[c] for c in text))
    for added in tok["added_tokens"]:
        lengths[added["id"]] = 0
    return lengths


def read_split(data_dir, split):
    manifest = json.load(open(os.path.join(data_dir, "manifest.json")))
    ids = []
    for shard in manifest[split]:
        with open(os.path.join(data_dir, shard["file"]), "rb") as f:
            magic, _version, _dtype, count = struct.unpack("<8sIIQ", f.read(24))
            assert magic == b"SEEKTOKS", f"{shard['file']}: not a token shard"
            ids.extend(struct.unpack(f"<{count}I", f.read(4 * count)))
    return ids


def val_of(rows):
    return [(r["step"], r["val_loss"]) for r in rows if r.get("val_loss", -1) >= 0]


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def summary(args):
    rows = read_metrics(args.metrics)
    cfg = json.load(open(args.config))
    lengths = token_bytes(args.tokenizer)
    val_ids = read_split(args.data, "val")
    n_windows = cfg["eval_batches"] * cfg["batch"]
    n_targets = n_windows * cfg["seq"]
    assert n_targets + 1 <= len(val_ids), "validation split smaller than what the trainer scores"
    scored = val_ids[1:n_targets + 1]
    scored_bytes = sum(lengths[i] for i in scored)
    all_bytes = sum(lengths[i] for i in val_ids)
    vals = val_of(rows)
    last = rows[-1]
    print(f"validation split: {len(val_ids)} tokens, {all_bytes} bytes ({all_bytes / len(val_ids):.3f} bytes/token)")
    print(f"scored each evaluation: {n_targets} targets = {scored_bytes} bytes ({scored_bytes / n_targets:.3f} bytes/token)")
    print("validation curve (step, tokens, val loss nats, bits per byte):")
    tokens_at = {r["step"]: r["tokens"] for r in rows}
    for step, v in vals:
        print(f"  {step:5d} {tokens_at[step]:9d} {v:.4f} {v * n_targets / (scored_bytes * math.log(2)):.4f}")
    if vals:
        step, v = vals[-1]
        print(f"final: step {step}, val loss {v:.4f} nats/token, {v * n_targets / (scored_bytes * math.log(2)):.4f} bits/byte")
    # elapsed_s restarts with a resumed run; tokens do not
    print(f"trained: {last['step']} steps, {last['tokens']} tokens; last segment {last['elapsed_s']:.0f} s wall "
          f"(tokens/s of a run never resumed: {last['tokens'] / last['elapsed_s']:.0f}, incl. evaluation)")
    tail = rows[-20:]
    imb = [mean(r["imbalance"][:-1]) for r in tail]
    print(f"expert-load imbalance max/mean, mean of main MoE layers, last {len(tail)} steps: {mean(imb):.3f}; "
          f"per layer (MTP last): {[round(mean([r['imbalance'][l] for r in tail]), 3) for l in range(len(last['imbalance']))]}")


def compare(args):
    a, b = read_metrics(args.compare[0]), read_metrics(args.compare[1])
    by_step = {r["step"]: r for r in b}
    common = [r for r in a if r["step"] in by_step]
    assert common, "no common steps"
    assert all(r["tokens"] == by_step[r["step"]]["tokens"] for r in common), "runs differ in tokens per step"
    w = args.window
    print(f"A = {args.compare[0]}\nB = {args.compare[1]}")
    print(f"steps     | tokens  | ce A   | ce B   | mtp A  | mtp B  | imb A | imb B | worst A | worst B   (means over the steps)")
    for lo in range(1, common[-1]["step"] + 1, w):
        seg = [r for r in common if lo <= r["step"] < lo + w]
        if not seg:
            continue
        sb = [by_step[r["step"]] for r in seg]
        def m(rs, f):
            return mean([f(r) for r in rs])
        print(f"{lo:4d}-{seg[-1]['step']:<4d} | {seg[-1]['tokens']:7d} | {m(seg, lambda r: r['ce']):.4f} | {m(sb, lambda r: r['ce']):.4f} | "
              f"{m(seg, lambda r: r['mtp']):.4f} | {m(sb, lambda r: r['mtp']):.4f} | "
              f"{m(seg, lambda r: mean(r['imbalance'][:-1])):.3f} | {m(sb, lambda r: mean(r['imbalance'][:-1])):.3f} | "
              f"{m(seg, lambda r: max(r['imbalance'])):.3f}   | {m(sb, lambda r: max(r['imbalance'])):.3f}")
    va, vb = dict(val_of(a)), dict(val_of(b))
    both = sorted(set(va) & set(vb))
    if both:
        print("validation (main next-token loss) at equal steps: " +
              ", ".join(f"step {s}: A {va[s]:.4f} B {vb[s]:.4f}" for s in both))


def curve_svg(path, runs, title):
    """A small SVG (a few kB, for docs/img/): per run, the training next-token loss (thin) and the
    validation loss (dots and line) against tokens, plus the mean expert-load imbalance below."""
    W, H, left, top, ph, gap = 720, 420, 60, 30, 220, 40
    pw = W - left - 20
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    all_rows = [r for _, rows in runs for r in rows]
    tmax = max(r["tokens"] for r in all_rows)
    lo = min(min(r["ce"] for r in all_rows), min((v for _, rows in runs for _, v in val_of(rows)), default=99))
    hi = max(r["ce"] for r in all_rows)
    imb_hi = max(mean(r["imbalance"][:-1]) for r in all_rows)
    def x(t):
        return left + pw * t / tmax
    def y(v):
        return top + ph * (hi - v) / (hi - lo)
    def y2(v):
        return top + ph + gap + 100 * (imb_hi - v) / (imb_hi - 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="16" font-size="13">{title}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>',
           f'<rect x="{left}" y="{top + ph + gap}" width="{pw}" height="100" fill="none" stroke="#888"/>']
    for k in range(int(lo) + 1, int(hi) + 1):
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(k):.1f}" y2="{y(k):.1f}" stroke="#eee"/>'
                   f'<text x="{left - 6}" y="{y(k) + 4:.1f}" text-anchor="end">{k}</text>')
    for v in (1, imb_hi):
        out.append(f'<text x="{left - 6}" y="{y2(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    step = 10 ** max(0, len(str(tmax)) - 1) // 2 or 1
    for t in range(0, tmax + 1, step):
        out.append(f'<text x="{x(t):.1f}" y="{top + ph + gap + 114}" text-anchor="middle">{t // 1000}k</text>')
    out.append(f'<text x="{left + pw / 2}" y="{H - 4}" text-anchor="middle">training tokens</text>')
    out.append(f'<text x="14" y="{top + ph / 2}" transform="rotate(-90 14 {top + ph / 2})" text-anchor="middle">loss (nats/token)</text>')
    out.append(f'<text x="14" y="{top + ph + gap + 50}" transform="rotate(-90 14 {top + ph + gap + 50})" text-anchor="middle">load max/mean</text>')
    for i, (name, rows) in enumerate(runs):
        c = colors[i % len(colors)]
        pts = " ".join(f"{x(r['tokens']):.1f},{y(r['ce']):.1f}" for r in rows)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-opacity="0.35" stroke-width="1"/>')
        tok = {r["step"]: r["tokens"] for r in rows}
        vals = val_of(rows)
        pts = " ".join(f"{x(tok[s]):.1f},{y(v):.1f}" for s, v in vals)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"/>')
        out += [f'<circle cx="{x(tok[s]):.1f}" cy="{y(v):.1f}" r="2.5" fill="{c}"/>' for s, v in vals]
        pts = " ".join(f"{x(r['tokens']):.1f},{y2(mean(r['imbalance'][:-1])):.1f}" for r in rows)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1"/>')
        out.append(f'<text x="{left + pw - 8}" y="{top + 16 + 14 * i}" text-anchor="end" fill="{c}">{name}: train next-token loss (thin), validation (dots)</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--metrics")
    p.add_argument("--data")
    p.add_argument("--tokenizer")
    p.add_argument("--config")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"), help="two metrics.jsonl files")
    p.add_argument("--window", type=int, default=10, help="steps per row of --compare")
    p.add_argument("--svg", nargs="+", metavar="NAME=METRICS", help="write a small curve SVG of these runs to --svg-out")
    p.add_argument("--svg-out", default="curve.svg")
    p.add_argument("--title", default="seek real run")
    args = p.parse_args()
    if args.svg:
        curve_svg(args.svg_out, [(a.split("=", 1)[0], read_metrics(a.split("=", 1)[1])) for a in args.svg], args.title)
        return
    if args.compare:
        compare(args)
    else:
        summary(args)


if __name__ == "__main__":
    main()
