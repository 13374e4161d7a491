#!/usr/bin/env python3
"""End-to-end data-parallel training check (docs/distributed.md).

trajectory: `mpirun -np N seek train --batch B` must follow the loss trajectory of one process
with --batch N*B (the same global batch) step by step over 20 steps, within 1e-5 relative.
resume: a checkpoint written by N ranks, resumed by a different number of ranks with the same
global batch, must continue exactly as the uninterrupted one-process run.
ep: the same as trajectory with --expert-parallel (routed experts split over the ranks, tokens
sent by all-to-all); also the expert loads of every step and the final weights (every expert:
rank 0 gathers them before it writes the checkpoint) must match the one-process run.
ep_resume: an expert-parallel checkpoint at step 10, resumed by N expert-parallel ranks and by
one process, continues as the uninterrupted one-process run.
ep_refuse: N ranks that do not divide the experts: the job stops with a clear message.
fault: rank 1 of a long N-rank run (--expert-parallel with --ep) is SIGKILLed (--signal kill) or
stopped (--signal stop, a hung peer: SEEK_DIST_TIMEOUT_S=3) once checkpoints exist; the job must end
by itself within 30 s, non-zero, saying why, and resuming the output directory on N ranks must
continue as the uninterrupted one-process run (constant learning rate, so --steps may change).
The reference is the one-process run of the same binary: data parallelism must be invisible.
"""
import argparse, glob, json, os, shutil, signal, subprocess, sys, time

import numpy as np

REL = 1e-5
WEIGHTS_REL = 1e-4  # final weights after 20 AdamW steps: max |a - b| / max |b| over each tensor


def run(cmd, what):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{what} failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}\n{p.stdout}")
    return p


def metrics(run_dir):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return {m["step"]: m for m in (json.loads(line) for line in f if line.strip())}


def read_checkpoint(path):
    """The blobs of a .seekckpt (layout in src/train/checkpoint.h) and its parameter table."""
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:8] == b"SEEKCKPT", path
    meta_len = int.from_bytes(raw[16:24], "little")
    meta = json.loads(raw[32:32 + meta_len])
    start = (32 + meta_len + 63) // 64 * 64
    blobs = {b["name"]: np.frombuffer(raw, np.float32, b["count"], start + b["offset"]) for b in meta["blobs"]}
    return meta["param_table"], blobs


def compare_weights(got_path, want_path, label):
    table, got = read_checkpoint(got_path)
    _, want = read_checkpoint(want_path)
    worst, where = 0.0, ""
    for blob in ("params", "adam_m", "adam_v", "router_bias"):
        if blob == "router_bias":
            parts = [(blob, 0, len(want[blob]))]
        else:
            parts = [(f"{blob} {t['name']}", t["offset"], t["numel"]) for t in table]
        for name, off, n in parts:
            a, b = got[blob][off:off + n].astype(np.float64), want[blob][off:off + n].astype(np.float64)
            scale = np.abs(b).max()
            rel = np.abs(a - b).max() / scale if scale > 0 else np.abs(a).max()
            if rel > worst:
                worst, where = rel, name
    if worst > WEIGHTS_REL:
        sys.exit(f"{label}: final weights differ: {where} max relative difference {worst:.2e} > {WEIGHTS_REL}")
    print(f"{label}: final weights, AdamW moments and router biases agree, worst {worst:.2e} ({where})")


def compare_loads(got, want, steps, label):
    differ = [s for s in steps if got[s]["load"] != want[s]["load"]]
    total = sum(sum(sum(layer) for layer in want[s]["load"]) for s in steps)
    moved = sum(abs(x - y) for s in differ for gl, wl in zip(got[s]["load"], want[s]["load"]) for x, y in zip(gl, wl))
    # float-order differences may flip a near-tie between two experts now and then; more is a bug
    if moved > 1e-3 * total:
        sys.exit(f"{label}: expert loads differ at steps {differ}: {moved} of {total} routings moved")
    print(f"{label}: expert loads identical at {len(steps) - len(differ)} of {len(steps)} steps "
          f"({moved} of {total} routings differ)")


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


def rank_pid(rank, marker):
    """The pid of the seek process of MPI rank `rank` whose command line contains `marker`."""
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(f"{d}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"{d}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if marker.encode() in cmd and f"OMPI_COMM_WORLD_RANK={rank}".encode() in env and b"train" in cmd:
            return int(os.path.basename(d))
    return None


def fault(a, base, w, mpi, n, b):
    """Rank 1 dies (or hangs) mid-run: the job stops with a message; the run resumes."""
    # constant learning rate: the schedule does not depend on --steps, which the resume changes
    const_lr = ["--warmup", "0", "--lr", "1e-3", "--lr-min", "1e-3", "--save-every", "5", "--keep", "2"]
    for flag in ("--save-every", "--keep"):  # replaced by the ones above
        i = base.index(flag)
        base = base[:i] + base[i + 2:]
    ep = ["--expert-parallel"] if a.ep else []
    run_dir = w("faulted")
    env = dict(os.environ, SEEK_DIST_TIMEOUT_S="3")
    job = subprocess.Popen(mpi(n) + base + ep + const_lr + ["--steps", "100000", "--batch", str(b), "--out", run_dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.time() + 120
    while not glob.glob(os.path.join(run_dir, "ckpt-*.seekckpt")):
        if job.poll() is not None or time.time() > deadline:
            job.kill()
            sys.exit(f"no checkpoint appeared (job rc {job.poll()}):\n{job.communicate()[0]}")
        time.sleep(0.02)
    pid = rank_pid(1, run_dir)
    if pid is None:
        job.kill()
        sys.exit("could not find rank 1's process")
    sig = signal.SIGKILL if a.signal == "kill" else signal.SIGSTOP
    t0 = time.time()
    os.kill(pid, sig)
    try:
        out, _ = job.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)
        job.kill()
        sys.exit(f"the job did not stop within 60 s of rank 1 being sent {sig.name}")
    dt = time.time() - t0
    want = ("signal 9", "Killed", "killed") if a.signal == "kill" else ("no progress on rank 0",)
    why = next((l for l in out.splitlines() if any(x in l for x in want)), None)
    if job.returncode == 0 or dt > 30 or why is None:
        sys.exit(f"rank 1 sent {sig.name}: expected a non-zero exit within 30 s saying one of {want}; "
                 f"got rc {job.returncode} after {dt:.1f} s:\n{out}")
    print(f"rank 1 sent {sig.name}: the job stopped in {dt:.1f} s, rc {job.returncode}: {why.strip()}")
    ckpts = sorted(glob.glob(os.path.join(run_dir, "ckpt-*.seekckpt")))
    last = int(os.path.basename(ckpts[-1])[5:13])
    end = last + 5
    run(mpi(n) + [a.seek, "train", "--resume", run_dir, "--out", run_dir, "--steps", str(end), "-t", "1", "-q"] + ep,
        f"{n}-rank resume from step {last}")
    run(base + const_lr + ["--steps", str(end), "--batch", str(n * b), "--out", w("one")], "one-process train")
    label = f"{n} ranks{' expert-parallel' if ep else ''}, rank 1 {'killed' if a.signal == 'kill' else 'stopped'} after step {last}, resumed"
    compare(metrics(run_dir), metrics(w("one")), range(last + 1, end + 1), label)
    compare_weights(os.path.join(run_dir, f"ckpt-{end:08d}.seekckpt"), os.path.join(w("one"), f"ckpt-{end:08d}.seekckpt"),
                    label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seek", required=True)
    ap.add_argument("--mpirun", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mode", choices=["trajectory", "resume", "ep", "ep_resume", "ep_refuse", "fault"],
                    required=True)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--signal", choices=["kill", "stop"], default="kill", help="fault: what rank 1 gets")
    ap.add_argument("--ep", action="store_true", help="fault: train with --expert-parallel")
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
    if a.mode == "fault":
        fault(a, base, w, mpi, n, b)
        return
    if a.mode == "ep_refuse":
        p = subprocess.run(mpi(n) + base + ["--steps", "2", "--batch", str(b), "--expert-parallel", "--out", w("ep")],
                           capture_output=True, text=True, timeout=120)
        want = f"do not split over {n} ranks"
        if p.returncode == 0 or want not in p.stderr:
            sys.exit(f"expected a failure saying '{want}', got rc {p.returncode}:\n{p.stderr}")
        print(f"{n} ranks refused: " + next(l for l in p.stderr.splitlines() if want in l))
        return
    run(base + ["--steps", "20", "--batch", str(n * b), "--out", w("one")], "one-process train")
    one = metrics(w("one"))
    final = lambda d: os.path.join(d, "ckpt-00000020.seekckpt")
    if a.mode in ("trajectory", "ep"):
        ep = ["--expert-parallel"] if a.mode == "ep" else []
        label = f"{n} ranks x batch {b}{' expert-parallel' if ep else ''} vs 1 process x batch {n * b}"
        run(mpi(n) + base + ep + ["--steps", "20", "--batch", str(b), "--out", w("dp")], f"{n}-rank train")
        compare(metrics(w("dp")), one, range(1, 21), label)
        if ep and any("alltoall_s" not in m for m in metrics(w("dp")).values()):
            sys.exit(f"{label}: metrics.jsonl has no alltoall_s: the experts were not split")
        compare_loads(metrics(w("dp")), one, range(1, 21), label)
        compare_weights(final(w("dp")), final(w("one")), label)
        return
    if a.mode == "ep_resume":
        ep = ["--expert-parallel"]
        run(mpi(n) + base + ep + ["--steps", "10", "--batch", str(b), "--out", w("ep10")], f"{n}-rank EP train to 10")
        os.makedirs(w("ep_then_ep"))
        shutil.copy(w("ep10", "ckpt-00000010.seekckpt"), w("ep_then_ep"))
        run(mpi(n) + [a.seek, "train", "--resume", w("ep_then_ep"), "--out", w("ep_then_ep"), "--steps", "20", "-t", "1",
                      "-q"] + ep, f"{n}-rank EP resume")
        compare(metrics(w("ep_then_ep")), one, range(11, 21), f"{n} EP ranks to step 10, then {n} EP ranks")
        compare_weights(final(w("ep_then_ep")), final(w("one")), f"{n} EP ranks, resumed")
        os.makedirs(w("ep_then_one"))
        shutil.copy(w("ep10", "ckpt-00000010.seekckpt"), w("ep_then_one"))
        run([a.seek, "train", "--resume", w("ep_then_one"), "--out", w("ep_then_one"), "--steps", "20", "--batch",
             str(n * b), "-q"], "1-process resume of an EP checkpoint")
        compare(metrics(w("ep_then_one")), one, range(11, 21), f"{n} EP ranks to step 10, then 1 process")
        compare_weights(final(w("ep_then_one")), final(w("one")), f"{n} EP ranks to step 10, then 1 process")
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
