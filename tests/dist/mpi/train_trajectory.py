#!/usr/bin/env python3
"""End-to-end data-parallel training check (docs/distributed.md).

trajectory: `mpirun -np N seek train --batch B` must follow the loss trajectory of one process
with --batch N*B (the same global batch) step by step over 20 steps, within 1e-5 relative.
resume: a checkpoint written by N ranks, resumed by a different number of ranks with the same
global batch, must continue exactly as the uninterrupted one-process run.
The reference is the one-process run of the same binary: data parallelism must be invisible.
"""
import argparse, json, os, shutil, subprocess, sys

REL = 1e-5


def run(cmd, what):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{what} failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}\n{p.stdout}")
    return p


def metrics(run_dir):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return {m["step"]: m for m in (json.loads(line) for line in f if line.strip())}


def compare(got, want, steps, label):
    bad = []
    for s in steps:
        if s not in got or s not in want:
            bad.append(f"step {s} missing ({label})")
            continue
        for key in ("loss", "ce", "val_loss"):
            if key not in want[s]:
                continue
            a, b = got[s].get(key), want[s][key]
            if a is None or abs(a - b) > REL * abs(b):
                bad.append(f"step {s} {key}: {a} vs one process {b}")
    if bad:
        sys.exit(f"{label}: the trajectories differ:\n" + "\n".join(bad))
    worst = max(abs(got[s]["loss"] - want[s]["loss"]) / abs(want[s]["loss"]) for s in steps)
    print(f"{label}: {len(steps)} steps agree, worst relative loss difference {worst:.2e}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seek", required=True)
    ap.add_argument("--mpirun", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mode", choices=["trajectory", "resume"], required=True)
    ap.add_argument("--ranks", type=int, default=2)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    w = lambda *p: os.path.join(a.work, *p)
    run([a.seek, "tokenizer", "train", "--vocab-size", "400", "-q", "--out", w("tok", "tokenizer.json"), a.corpus], "tokenizer")
    run([a.seek, "data", "prepare", "--tokenizer", w("tok", "tokenizer.json"), "--out", w("data"), "--val-fraction", "0.1",
         a.corpus], "data prepare")
    base = [a.seek, "train", "--preset", "ds-2m", "--layers", "2", "--hidden", "64", "--data", w("data"), "--seq", "32",
            "--eval-every", "5", "--eval-batches", "1", "--save-every", "10", "--keep", "0", "-t", "1", "-q",
            "--export", "none"]
    n, b = a.ranks, 2
    mpi = lambda ranks: [a.mpirun, "-np", str(ranks), "--oversubscribe"]
    run(base + ["--steps", "20", "--batch", str(n * b), "--out", w("one")], "one-process train")
    one = metrics(w("one"))
    if a.mode == "trajectory":
        run(mpi(n) + base + ["--steps", "20", "--batch", str(b), "--out", w("dp")], f"{n}-rank train")
        compare(metrics(w("dp")), one, range(1, 21), f"{n} ranks x batch {b} vs 1 process x batch {n * b}")
        return
    # N ranks for 10 steps, then 1 process to 20; and 1 process for 10, then N ranks to 20.
    run(mpi(n) + base + ["--steps", "10", "--batch", str(b), "--out", w("dp_then_one")], f"{n}-rank train to 10")
    run([a.seek, "train", "--resume", w("dp_then_one"), "--steps", "20", "--batch", str(n * b), "-q"], "1-process resume")
    compare(metrics(w("dp_then_one")), one, range(1, 21), f"{n} ranks to step 10, then 1 process")
    os.makedirs(w("one_then_dp"))
    shutil.copy(w("one", "ckpt-00000010.seekckpt"), w("one_then_dp"))
    # --out: the checkpoint's saved --out is the one-process run's directory
    run(mpi(n) + [a.seek, "train", "--resume", w("one_then_dp"), "--out", w("one_then_dp"), "--steps", "20", "--batch",
                  str(b), "-t", "1", "-q"],
        f"{n}-rank resume")
    compare(metrics(w("one_then_dp")), one, range(11, 21), f"1 process to step 10, then {n} ranks")


if __name__ == "__main__":
    main()
