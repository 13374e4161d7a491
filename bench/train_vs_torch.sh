#!/usr/bin/env bash
# Training throughput of seek beside the same model and step in PyTorch float32, one table.
# For each preset: bench_train writes the model's HF config; PyTorch (bench/torch_train_step.py)
# builds the same model from it; a replay of PyTorch's initial weights and tokens in seek
# (--check) must give the same loss and gradient norm (same model, same step); then both time
# forward + backward (CE + 0.3 MTP CE + 1e-4 balance) + clip + AdamW + router-bias update on
# random tokens after warm-up steps, with the same threads, batch and sequence length.
# Each side runs --repeat times, alternating; the best step of all runs is quoted, with the
# `uptime` load seen before the run it came from (the machine may be shared).
#
# Model FLOPs per step (optimizer not counted), rows N = B*(seq+1), MTP rows N2 = B*(seq-1):
#   6 * (N * P_main + N2 * P_mtp) + attention,  P = matmul parameters a row passes through
#   (q/kv/o projections, dense FFN or router + shared + top-k experts, lm_head; MTP adds
#   eh_proj), attention = 3 * H * (qk_head_dim + v_head_dim) * L*(L+1) per layer and sequence
#   (QK^T and PV over the causal half, backward twice the forward). % of peak is against the
#   best sgemm GFLOP/s measured in the same runs (cblas_sgemm with OpenBLAS's threads and split
#   over seek's pool, torch.mm).
#
# Usage: bench/train_vs_torch.sh [--build DIR] [--threads N] [--steps N] [--warmup N] [--repeat N]
#                                [--presets "ds-2m:8:128 ds-20m:8:128 ds-100m:4:128 ds-100m:8:128 ds-100m:16:128"]
#                                (name:batch:seq; a preset may come with several shapes)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$here/../build" threads=2 steps=3 warmup=1 repeat=1
presets="ds-2m:8:128 ds-20m:8:128 ds-100m:4:128 ds-100m:8:128 ds-100m:16:128"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --presets) presets="$2"; shift 2 ;;
    *) echo "train_vs_torch.sh: unknown option '$1' (see the usage at the top of the script)" >&2; exit 2 ;;
  esac
done
bench="$build/bench/bench_train"
[[ -x "$bench" ]] || { echo "train_vs_torch.sh: $bench not built (ninja -C $build bench_train)" >&2; exit 2; }
py=/usr/bin/python3
# Both sides on the fast OpenBLAS kernel (the VM's CPU reports itself generically) and the same
# thread count; PyTorch's intra-op threads are set by --threads (torch.set_num_threads). PyTorch's
# OpenMP workers otherwise spin after each region and fight OpenBLAS's own threads for the cores:
# OMP_WAIT_POLICY=PASSIVE made its step up to 8x faster on a shared 2-core VM (docs/training.md).
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-SkylakeX}" OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
load() { uptime | sed 's/.*load average: //'; }

for spec in $presets; do
  IFS=: read -r name batch seq <<<"$spec"
  key="$name-$batch-$seq"
  echo "== $name: batch $batch x seq $seq, $threads threads (load $(load))" >&2
  if [[ ! -f "$tmp/$name.check-seek.json" ]]; then  # once per preset
    "$bench" --preset "$name" --config-out "$tmp/$name.json" --steps 1 --warmup 0 --batch 1 --seq 4 --no-sgemm >/dev/null
    # same model, same step: PyTorch's initial weights and tokens replayed in seek
    "$py" "$here/torch_train_step.py" --config "$tmp/$name.json" --batch 2 --seq 32 --threads "$threads" \
      --check "$tmp/$name-check" >"$tmp/$name.check-torch.json"
    "$bench" --check "$tmp/$name-check" --batch 2 --seq 32 --threads "$threads" >"$tmp/$name.check-seek.json"
    rm -rf "$tmp/$name-check"
  fi
  for ((r = 0; r < repeat; ++r)); do
    l="$(load)"
    "$bench" --preset "$name" --batch "$batch" --seq "$seq" --steps "$steps" --warmup "$warmup" \
      --threads "$threads" --json | sed "s/}\$/, \"load\": \"$l\"}/" >>"$tmp/$key.seek.jsonl"
    l="$(load)"
    "$py" "$here/torch_train_step.py" --config "$tmp/$name.json" --batch "$batch" --seq "$seq" --steps "$steps" \
      --warmup "$warmup" --threads "$threads" --json | sed "s/}\$/, \"load\": \"$l\"}/" >>"$tmp/$key.torch.jsonl"
  done
done

"$py" - "$tmp" $presets <<'EOF'
import json, sys
tmp, specs = sys.argv[1], sys.argv[2:]
def runs(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
rows, notes = [], []
for spec in specs:
    name = spec.split(":")[0]
    key = spec.replace(":", "-")
    s_runs, t_runs = runs(f"{tmp}/{key}.seek.jsonl"), runs(f"{tmp}/{key}.torch.jsonl")
    s = min(s_runs, key=lambda r: r["best_step_s"])
    t = min(t_runs, key=lambda r: r["best_step_s"])
    cs, ct = (json.load(open(f"{tmp}/{name}.check-{w}.json")) for w in ("seek", "torch"))
    assert s["params"] == t["params"] == cs["params"] == ct["params"], f"{name}: parameter counts differ"
    dl = abs(cs["loss"] - ct["loss"]) / abs(ct["loss"])
    dg = abs(cs["grad_norm"] - ct["grad_norm"]) / abs(ct["grad_norm"])
    peak = max([s["sgemm_peak_gflops"]] + [max(r["sgemm_gflops"].values()) for r in t_runs])
    flops = s["flops_per_step"]
    tok = s["tokens_per_step"]
    rows.append((name, f'{s["params"]/1e6:.1f}M/{s["active_params"]/1e6:.1f}M', f'{s["batch"]}x{s["seq"]}',
                 f'{tok/s["best_step_s"]:.0f}', f'{tok/t["best_step_s"]:.0f}', f'{t["best_step_s"]/s["best_step_s"]:.2f}x',
                 f'{flops/s["best_step_s"]/1e9:.1f}', f'{100*flops/s["best_step_s"]/1e9/peak:.0f}%',
                 f'{flops/t["best_step_s"]/1e9:.1f}', f'{100*flops/t["best_step_s"]/1e9/peak:.0f}%', f'{peak:.0f}',
                 f'{dl:.1e}/{dg:.1e}', f'{s["load"]} | {t["load"]}'))
    ph = {k: round(v, 3) for k, v in s["mean_phase_s"].items()}
    notes.append(f'{name} {s["batch"]}x{s["seq"]}: seek steps {[round(x, 3) for r in s_runs for x in r["step_s"]]}, '
                 f'torch steps {[round(x, 3) for r in t_runs for x in r["step_s"]]}; seek sgemm {s["sgemm"]}, '
                 f'torch.mm {t["sgemm_gflops"]}; loss seek {s["loss"]:.4f} torch {t["loss"]:.4f}')
head = ("preset", "params tot/act", "BxS", "seek tok/s", "torch tok/s", "ratio", "seek GF/s", "seek %pk",
        "torch GF/s", "torch %pk", "sgemm pk", "check dloss/dgrad", "load (seek | torch)")
w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
print(" | ".join(h.ljust(w[i]) for i, h in enumerate(head)))
print("-|-".join("-" * x for x in w))
for r in rows:
    print(" | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
t0 = runs(f"{tmp}/{specs[0].replace(':', '-')}.torch.jsonl")[0]
print(f"\ntorch {t0['torch']}, {t0['threads']} threads; {t0['blas']}; {', '.join(t0['build'])}")
print("ratio = seek tokens/s / PyTorch tokens/s (best step of all runs); check = relative difference of the")
print("first loss / gradient norm of seek replaying PyTorch's initial weights and tokens (batch 2 x 32)")
for n in notes:
    print(n)
print()
EOF
