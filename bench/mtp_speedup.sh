#!/usr/bin/env bash
# MTP speculative decoding against plain greedy decoding on one trained model (docs/training.md,
# "MTP speculative decoding"): for each prompt, REPS alternating runs of `seek run` with and
# without `--speculative mtp`; checks the two texts are identical, prints the drafts accepted,
# tokens per main-model forward and the median decode tokens/s of each, and their ratio.
#
#   bench/mtp_speedup.sh MODEL.gguf ["prompt" ...]
#
# Environment: SEEK (default build/seek), N (tokens, 256), REPS (5), THREADS (1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEK=${SEEK:-$ROOT/build/seek}
N=${N:-256}
REPS=${REPS:-5}
THREADS=${THREADS:-1}
MODEL=${1:?usage: $0 MODEL.gguf [prompt ...]}
shift
[ $# -gt 0 ] || set -- "The Python standard library provides" "Creating a virtual environment" ".. function:: open(file"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
rate() { sed -n 's/.*decode [0-9]* tokens in [0-9.]* s (\([0-9.]*\) tok\/s).*/\1/p' "$1"; }

printf '%-40s %9s %13s %11s %11s %7s\n' prompt accepted "tok/forward" "plain tok/s" "mtp tok/s" ratio
for p in "$@"; do
  : > "$TMP/plain.rates"; : > "$TMP/spec.rates"
  for ((r = 0; r < REPS; r++)); do
    "$SEEK" run -m "$MODEL" -p "$p" -n "$N" --temp 0 --raw -t "$THREADS" > "$TMP/plain.txt" 2> "$TMP/plain.err"
    "$SEEK" run -m "$MODEL" -p "$p" -n "$N" --temp 0 --raw -t "$THREADS" --speculative mtp > "$TMP/spec.txt" 2> "$TMP/spec.err"
    cmp -s "$TMP/plain.txt" "$TMP/spec.txt" || { echo "output differs for prompt: $p" >&2; exit 1; }
    rate "$TMP/plain.err" >> "$TMP/plain.rates"
    rate "$TMP/spec.err" >> "$TMP/spec.rates"
  done
  acc=$(sed -n 's/.*accepted \([0-9]* of [0-9]*\) drafts.*/\1/p' "$TMP/spec.err")
  tpf=$(sed -n 's/.*; \([0-9]*\) decode forwards for \([0-9]*\) tokens.*/\2 \1/p' "$TMP/spec.err" | awk '{printf "%.2f", $1/$2}')
  a=$(median < "$TMP/plain.rates"); b=$(median < "$TMP/spec.rates")
  printf '%-40.40s %9s %13s %11.1f %11.1f %6.2fx\n' "$p" "$acc" "$tpf" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
done
echo "outputs identical to plain greedy decoding; $REPS alternating runs each, median; $N tokens; $THREADS thread(s); load: $(cut -d' ' -f1-3 /proc/loadavg)"
