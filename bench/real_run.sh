#!/usr/bin/env bash
# A real pretraining run (docs/training.md, "A real run"): the reStructuredText sources of the
# Python 3.11 documentation (Debian package python3.11-doc, PSF License), an 8k byte-level BPE
# tokenizer, token shards with a 2% validation split, and a 12.6M-parameter DeepSeek-V3-shaped
# model (MLA + MoE + MTP, configs/realrun-10m.json) trained on one thread, then the plot and the
# validation bits per byte.
#
#   bench/real_run.sh [main|no-bias|no-mtp] [extra `seek train` flags...]
#
# main     the run itself (MAX_MINUTES defaults to 150: a guard against a starved machine)
# no-bias  ablation: router-bias update speed 0 (--gamma 0), same seed, data order, schedule
# no-mtp   ablation: MTP loss weight 0 (--lambda-mtp 0), same seed, data order, schedule
# Ablations stop after step STOP_AT (default 400; `seek train --stop-at`, the learning-rate schedule
# still spans the main run's steps), so they match main step for step; compare at equal steps.
#
# Environment: SEEK (binary, default build/seek), WORK (default /tmp/realrun), THREADS (1),
# NICE (10), MAX_MINUTES, STOP_AT (ablations, 400), VOCAB (8192), VAL_FRACTION (0.02), RESUME (1: continue from OUT's newest checkpoint).
set -euo pipefail

MODE=${1:-main}
shift || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEK=${SEEK:-$ROOT/build/seek}
WORK=${WORK:-/tmp/realrun}
THREADS=${THREADS:-1}
NICE=${NICE:-10}
VOCAB=${VOCAB:-8192}
VAL_FRACTION=${VAL_FRACTION:-0.02}
CONFIG=$ROOT/configs/realrun-10m.json
SOURCES=/usr/share/doc/python3.11/html/_sources

case "$MODE" in
  main) EXTRA=(); MAX_MINUTES=${MAX_MINUTES:-150} ;;
  no-bias) EXTRA=(--gamma 0 --stop-at "${STOP_AT:-400}"); MAX_MINUTES=${MAX_MINUTES:-60} ;;
  no-mtp) EXTRA=(--lambda-mtp 0 --stop-at "${STOP_AT:-400}"); MAX_MINUTES=${MAX_MINUTES:-60} ;;
  *) echo "usage: $0 [main|no-bias|no-mtp] [seek train flags...]" >&2; exit 2 ;;
esac
[ -x "$SEEK" ] || { echo "no seek binary at $SEEK (build it: ninja -C build seek, or set SEEK)" >&2; exit 1; }

# 1. The text: install the package if missing (root or sudo).
if [ ! -d "$SOURCES" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y python3.11-doc
fi
mkdir -p "$WORK"
find "$SOURCES" -name '*.rst.txt' | LC_ALL=C sort > "$WORK/files.txt"
echo "text: python3.11-doc $(dpkg-query -W -f='${Version}' python3.11-doc) (PSF License," \
  "/usr/share/doc/python3.11-doc/copyright): $(wc -l < "$WORK/files.txt") files," \
  "$(xargs -a "$WORK/files.txt" cat | wc -c) bytes"

# 2. Tokenizer and shards (fast; redone only when missing).
if [ ! -f "$WORK/tok/tokenizer.json" ]; then
  xargs -a "$WORK/files.txt" nice -n "$NICE" "$SEEK" tokenizer train --vocab-size "$VOCAB" --out "$WORK/tok/tokenizer.json"
fi
if [ ! -f "$WORK/data/manifest.json" ]; then
  xargs -a "$WORK/files.txt" nice -n "$NICE" "$SEEK" data prepare --tokenizer "$WORK/tok/tokenizer.json" \
    --out "$WORK/data" --val-fraction "$VAL_FRACTION" -t "$THREADS"
fi

# 3. Train: stopped by its step count, or by MAX_MINUTES (the metrics keep what was logged).
# RESUME=1 continues OUT from its newest checkpoint (bit-identical to an uninterrupted run).
OUT=$WORK/$MODE
RES=()
if [ -n "${RESUME:-}" ]; then RES=(--resume "$OUT"); else rm -rf "$OUT"; fi
start=$(date +%s)
set +e
timeout --signal=TERM "${MAX_MINUTES}m" nice -n "$NICE" "$SEEK" train --config "$CONFIG" --data "$WORK/data" \
  --out "$OUT" -t "$THREADS" -q "${RES[@]}" "${EXTRA[@]}" "$@"
rc=$?
set -e
echo "train: exit $rc after $(( $(date +%s) - start )) s wall (124 = stopped at MAX_MINUTES)"

# 4. Plot and summary: final validation loss and bits per byte over the scored validation targets.
"$SEEK" plot "$OUT/metrics.jsonl" --out "$OUT/report.svg" --title "seek real run ($MODE)"
python3 "$ROOT/bench/real_run_summary.py" --metrics "$OUT/metrics.jsonl" --data "$WORK/data" \
  --tokenizer "$WORK/tok/tokenizer.json" --config "$CONFIG" | tee "$OUT/summary.txt"
python3 "$ROOT/bench/real_run_summary.py" --svg "$MODE=$OUT/metrics.jsonl" --svg-out "$OUT/curve.svg" --title "seek real run ($MODE)"
echo "wrote $OUT/report.svg, $OUT/curve.svg, $OUT/summary.txt"
