#!/usr/bin/env python3
"""Distributed training throughput (a benchmark, never a test; docs/distributed.md quotes it).

Runs `seek train` per layout on the same data and prints a Markdown table: the median tokens/s
and communication per step of the steps after the first (metrics.jsonl: allreduce_s,
allreduce_wait_s, alltoall_s; rank 0's view), with the machine's load average before the run.
With --repeat R the layouts run round-robin R times and the fastest round of each is shown
(on a shared machine other users only ever slow a run down); every round's tok/s is listed.

  python3 bench/dist_train.py --seek build/seek --data DATA_DIR [--preset ds-2m] [--batch 8]
      [--steps 30] [--layouts 1,1t2,dp2,dp2-nooverlap,ep2] [--repeat 3] [--train-args "--seq 128"]

Layouts: 1 (one process, 1 thread), 1t2 (one process, 2 threads, batch x 2: the same global batch
as two ranks), dpN (N ranks, data parallel), epN (N ranks, --expert-parallel), and the suffixes
-nooverlap (--grad-overlap false) and -bMB (--grad-bucket-mb MB).
"""
import argparse, json, os, statistics, subprocess, sys, tempfile


def layout_cmd(a, name, out):
    parts = name.split("-")
    kind, extra = parts[0], []
    for p in parts[1:]:
        if p == "nooverlap":
            extra += ["--grad-overlap", "false"]
        elif p.startswith("b"):
            extra += ["--grad-bucket-mb", p[1:]]
        else:
            sys.exit(f"unknown layout suffix '{p}' in {name}")
    base = [a.seek, "train", "--preset", a.preset, "--data", a.data, "--steps", str(a.steps), "--eval-every", "0",
            "--save-every", "0", "--export", "none", "-q", "--out", out] + a.train_args.split()
    if kind == "1":
        return base + ["-t", "1", "--batch", str(a.batch)] + extra, 1
    if kind == "1t2":
        return base + ["-t", "2", "--batch", str(2 * a.batch)] + extra, 1
    ranks = int(kind[2:])
    mpi = [a.mpirun, "-np", str(ranks), "--oversubscribe"]
    ep = ["--expert-parallel"] if kind.startswith("ep") else []
    if not kind.startswith(("dp", "ep")):
        sys.exit(f"unknown layout {name}")
    return mpi + base + ["-t", "1", "--batch", str(a.batch)] + ep + extra, ranks


def median(rows, key, scale=1.0):
    vals = [r[key] for r in rows if key in r]
    return f"{statistics.median(vals) * scale:.2f}" if vals else "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seek", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--preset", default="ds-2m")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--layouts", default="1,1t2,dp2,dp2-nooverlap,ep2")
    ap.add_argument("--train-args", default="--seq 128")
    ap.add_argument("--repeat", type=int, default=1, help="rounds over the layouts; the best round is shown")
    a = ap.parse_args()
    layouts = a.layouts.split(",")
    best = {}  # layout -> (tok/s, row text); other users of the machine only ever slow a run down
    spread = {name: [] for name in layouts}
    for _ in range(a.repeat):
        for name in layouts:
            with tempfile.TemporaryDirectory() as out:
                cmd, ranks = layout_cmd(a, name, out)
                load = os.getloadavg()[0]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit(f"{name} failed: {' '.join(cmd)}\n{p.stderr}")
                with open(os.path.join(out, "metrics.jsonl")) as f:
                    rows = [json.loads(l) for l in f if l.strip()][1:]
            tok = statistics.median(r["tokens_per_s"] for r in rows)
            step_tokens = rows[0]["tokens"] / rows[0]["step"]  # a fresh run: every step the same
            batch = 2 * a.batch if name.startswith("1t2") else a.batch
            text = (f"| {name} | {ranks} x {batch} | {load:.1f} | {tok:,.0f} | {step_tokens / tok * 1e3:.0f} | "
                    f"{median(rows, 'allreduce_s', 1e3)} ({median(rows, 'allreduce_wait_s', 1e3)}) | "
                    f"{median(rows, 'alltoall_s', 1e3)} |")
            spread[name].append(tok)
            if name not in best or tok > best[name][0]:
                best[name] = (tok, text)
    print("| layout | ranks x batch | load (1 min) | tok/s (median) | step ms | all-reduce ms (blocked) | all-to-all ms |")
    print("|---|---|---|---|---|---|---|")
    for name in layouts:
        print(best[name][1])
    if a.repeat > 1:
        print("\nmedian tok/s of each round: " +
              "; ".join(f"{n} " + ", ".join(f"{t:,.0f}" for t in spread[n]) for n in layouts))

if __name__ == "__main__":
    main()
