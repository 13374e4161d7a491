#!/usr/bin/env bash
# What GRPO adds on top of a small cold start (docs/reasoning.md, "GRPO with large groups of
# prompts"): a 700-step supervised cold start by `seek quickstart` (no RL), then `seek rl` on the
# hard difficulty with 64 prompts x 8 samples per step, rollout temperature 0.6, lr 1e-4 and a
# quarter of each step's prompts at the easy difficulty; held-out greedy accuracy of both
# difficulties before and after, and per operation on the hard one.
#
#   bench/grpo_gain.sh [SEED ...]          (GRPO sampling seeds; default 1)
#
# Environment: SEEK (default build/seek), WORK (default /tmp/grpo-gain), SFT_STEPS (700),
# RL_STEPS (160), PROMPTS (64), G (8), LR (1e-4), TEMP (0.6), THREADS (all cores).
# About 2 min for the cold start and 11-12 min per seed on 2 idle cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEK=${SEEK:-$ROOT/build/seek}
WORK=${WORK:-/tmp/grpo-gain}
SFT_STEPS=${SFT_STEPS:-700}
RL_STEPS=${RL_STEPS:-160}
PROMPTS=${PROMPTS:-64}
G=${G:-8}
LR=${LR:-1e-4}
TEMP=${TEMP:-0.6}
THREADS=${THREADS:-$(nproc)}
[ $# -gt 0 ] || set -- 1
mkdir -p "$WORK"

if [ ! -f "$WORK/sft/model.gguf" ]; then
  "$SEEK" quickstart --out "$WORK/sft" --sft-steps "$SFT_STEPS" --rl-steps 0 --no-serve -q -t "$THREADS"
fi

# greedy held-out accuracy of MODEL at DIFFICULTY: "accuracy n +:right/total -:... *:..."
accuracy() {
  "$SEEK" rl -m "$1" --task arithmetic --difficulty "$2" --eval --eval-n 200 --eval-examples 200 --json \
    -t "$THREADS" 2>/dev/null | /usr/bin/python3 -c '
import json, re, sys
d = json.load(sys.stdin)
ops = {}
for e in d["examples"]:  # each scored by seek (its accuracy reward)
    op = re.search(r"\d+ ([+*-]) \d+", e["question"]).group(1)
    s = ops.setdefault(op, [0, 0])
    s[0] += e["accuracy"] >= 1
    s[1] += 1
acc, n = 100 * d["accuracy"], d["n"]
print(f"{acc:.1f}% of {n}  " + "  ".join(f"{k}:{v[0]}/{v[1]}" for k, v in sorted(ops.items())))'
}

echo "cold start ($SFT_STEPS steps): easy $(accuracy "$WORK/sft/model.gguf" 1)"
echo "cold start ($SFT_STEPS steps): hard $(accuracy "$WORK/sft/model.gguf" 2)"
for seed in "$@"; do
  out="$WORK/rl-seed$seed"
  "$SEEK" rl -m "$WORK/sft/model.gguf" --task arithmetic --difficulty 2 --replay-difficulty 1 --replay-share 0.25 \
    --steps "$RL_STEPS" --prompts "$PROMPTS" -G "$G" --max-new 96 --temp "$TEMP" --lr "$LR" --beta 0.04 \
    --eval-every 40 --eval-n 200 --seed "$seed" --out "$out" -q -t "$THREADS"
  "$SEEK" plot "$out/metrics.jsonl" --out "$out/report.svg" >/dev/null
  echo "GRPO seed $seed ($RL_STEPS steps): easy $(accuracy "$out/model.gguf" 1)"
  echo "GRPO seed $seed ($RL_STEPS steps): hard $(accuracy "$out/model.gguf" 2)"
done
