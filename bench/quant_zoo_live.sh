#!/usr/bin/env bash
# Every weight type, both engines on the same bytes (issue 22): rebuilds llama.cpp's whole quant zoo
# (the random-weight ds2-zoo of shared/data/gguf-quants: 36 file types plus the two MIX files that
# hold all 28 weight types) with llama.cpp de3ff81's own llama-imatrix and llama-quantize, then runs
# llama-perplexity and `seek perplexity` on each file in exact-attention mode (llama.cpp `-fa off
# -ctk f32 -ctv f32`, seek `--cache-type f32`) and prints both with their ratio; and runs
# `seek quantize` for every file type seek can write, reporting whether its file is byte-identical
# to llama-quantize's. Run by hand, never by tests or CI.
#
#   bench/quant_zoo_live.sh LLAMA_BIN_DIR F32_MASTER.gguf MIX_DIR
#
# LLAMA_BIN_DIR: llama-quantize, llama-imatrix, llama-perplexity built from the node-llama-cpp@3.22.1
# bundle (see bench/quant_zoo.sh for the cmake lines; add those three targets). F32_MASTER: the
# zoo's gen.py output (`--config zoo --seed 31 --name ds2-zoo`), MIX_DIR: the zoo's make/ folder
# (mix-A.txt, mix-B.txt). Environment: SEEK (default build/seek), WORK (default /tmp/quant_zoo_live),
# THREADS (2), QUANTIZE_ONLY (set: only the `seek quantize` comparison, no perplexity runs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEK=${SEEK:-$ROOT/build/seek}
WORK=${WORK:-/tmp/quant_zoo_live}
THREADS=${THREADS:-2}
B=${1:?usage: $0 LLAMA_BIN_DIR F32_MASTER.gguf MIX_DIR}
MASTER=$(realpath "${2:?F32 master}")
MIXDIR=$(realpath "${3:?mix dir}")
PPL_TEXT=$ROOT/tests/data/gguf/ppl.txt
mkdir -p "$WORK/imatrix" "$WORK/files" "$WORK/seek"
cd "$WORK"

[ -f imatrix/ds2-zoo.imatrix.gguf ] || "$B/llama-imatrix" -m "$MASTER" -f "$PPL_TEXT" -c 128 -b 128 -t "$THREADS" -o imatrix/ds2-zoo.imatrix.gguf --no-ppl \
  > imatrix.log 2>&1
IMAT="--imatrix imatrix/ds2-zoo.imatrix.gguf"
# type | llama-quantize arguments before the file names | base type
SPECS=(
  "F16||F16" "BF16||BF16" "Q8_0||Q8_0" "Q6_K||Q6_K" "Q5_K_M||Q5_K_M" "Q5_K_S||Q5_K_S" "Q5_1||Q5_1" "Q5_0||Q5_0"
  "Q4_K_M||Q4_K_M" "Q4_K_S||Q4_K_S" "Q4_1||Q4_1" "Q4_0||Q4_0" "IQ4_NL|$IMAT|IQ4_NL" "IQ4_XS|$IMAT|IQ4_XS"
  "Q3_K_L||Q3_K_L" "Q3_K_M||Q3_K_M" "Q3_K_S||Q3_K_S" "IQ3_M|$IMAT|IQ3_M" "IQ3_S|$IMAT|IQ3_S" "IQ3_XS|$IMAT|IQ3_XS"
  "IQ3_XXS|$IMAT|IQ3_XXS" "Q2_K||Q2_K" "Q2_K_S|$IMAT|Q2_K_S" "IQ2_M|$IMAT|IQ2_M" "IQ2_S|$IMAT|IQ2_S"
  "IQ2_XS|$IMAT|IQ2_XS" "IQ2_XXS|$IMAT|IQ2_XXS" "IQ1_M|$IMAT|IQ1_M" "IQ1_S|$IMAT|IQ1_S" "TQ2_0||TQ2_0"
  "TQ1_0||TQ1_0" "MXFP4_MOE||MXFP4_MOE" "Q2_0||Q2_0" "Q1_0|--tensor-type attn_k_b=q4_0|Q1_0"
  "NVFP4|--tensor-type weight=nvfp4|Q8_0" "MIX-A|$IMAT --tensor-type-file $MIXDIR/mix-A.txt|Q8_0"
  "MIX-B|$IMAT --tensor-type-file $MIXDIR/mix-B.txt|Q8_0"
)
printf '%-10s %18s %18s %10s   %s\n' file "llama.cpp ppl" "seek ppl" "seek/l-1" "seek quantize"
for spec in "${SPECS[@]}"; do
  IFS='|' read -r name args base <<< "$spec"
  f=files/ds2-zoo-$name.gguf
  # shellcheck disable=SC2086
  [ -f "$f" ] || "$B/llama-quantize" $args "$MASTER" "$f" "$base" "$THREADS" > "files/$name.log" 2>&1
  lp=-
  sp=-
  [ -n "${QUANTIZE_ONLY:-}" ] || lp=$("$B/llama-perplexity" -m "$f" -f "$PPL_TEXT" -c 128 -b 128 -t "$THREADS" -fa off -ctk f32 -ctv f32 2>&1 |
    sed -n 's/.*Final estimate: PPL = \([0-9.]*\).*/\1/p')
  [ -n "${QUANTIZE_ONLY:-}" ] || sp=$("$SEEK" perplexity -m "$f" -f "$PPL_TEXT" -c 128 -t "$THREADS" --cache-type f32 --json 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["perplexity"])') || sp=error
  # seek quantize of the same file type, with the same arguments (the imatrix path as given is
  # recorded in the file, so both run from $WORK with the same relative path)
  # shellcheck disable=SC2086
  if "$SEEK" quantize ${args} "$MASTER" "seek/$name.gguf" "$base" -t "$THREADS" > "seek/$name.log" 2>&1; then
    cmp -s "seek/$name.gguf" "$f" && sq="byte-identical" || sq="DIFFERS"
  else
    sq="refused: $(tail -1 "seek/$name.log" | cut -c1-60)"
  fi
  if [ -n "${QUANTIZE_ONLY:-}" ]; then
    printf '%-10s %18s %18s %10s   %s\n' "$name" - - - "$sq"
    continue
  fi
  rel=$(/usr/bin/python3 -c "import sys; l, s = sys.argv[1:]; print(f'{float(s) / float(l) - 1:+.3%}')" "$lp" "$sp" \
    2>/dev/null || echo error)
  printf '%-10s %18s %18s %10s   %s\n' "$name" "$lp" "$sp" "$rel" "$sq"
done
