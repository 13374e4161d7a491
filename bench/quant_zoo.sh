#!/usr/bin/env bash
# seek on llama.cpp's quant zoo (issue 22; docs/kernels.md "The quant zoo"): quantizes the
# ds2-zoo F32 master with llama.cpp's own llama-quantize into each FTYPE, checks each file is
# byte-identical to the one llama.cpp's reference data describes (sha256 in expected.json), and
# prints seek's perplexity next to llama.cpp's exact-attention perplexity (`-fa off -ctk f32 -ctv
# f32`) and the float64 numpy run on the dequantized weights. Run by hand, never by tests or CI.
#
#   bench/quant_zoo.sh LLAMA_QUANTIZE F32_MASTER.gguf EXPECTED.json [FTYPE ...]
#
# LLAMA_QUANTIZE: built from the node-llama-cpp@3.22.1 bundle (de3ff81), e.g.
#   git clone tests/oracle/node_modules/node-llama-cpp/llama/gitRelease.bundle /tmp/llama-src
#   cmake -S /tmp/llama-src -B /tmp/llama-src/build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
#     -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF && cmake --build /tmp/llama-src/build --target llama-quantize
# F32_MASTER: the zoo's gen.py output (`--config zoo --seed 31 --name ds2-zoo`), EXPECTED: its
# expected.json. FTYPEs default to every type llama-quantize makes without an importance matrix.
# Environment: SEEK (default build/seek), WORK (default /tmp/quant_zoo), THREADS (2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEK=${SEEK:-$ROOT/build/seek}
WORK=${WORK:-/tmp/quant_zoo}
THREADS=${THREADS:-2}
QUANTIZE=${1:?usage: $0 LLAMA_QUANTIZE F32_MASTER.gguf EXPECTED.json [FTYPE ...]}
MASTER=${2:?F32 master}
EXPECTED=${3:?expected.json}
shift 3
[ $# -gt 0 ] || set -- F16 BF16 Q8_0 Q6_K Q5_K_M Q5_K_S Q5_1 Q5_0 Q4_K_M Q4_K_S Q4_1 Q4_0 Q3_K_L Q3_K_M Q3_K_S Q2_K
mkdir -p "$WORK"
PPL_TEXT=$ROOT/tests/data/gguf/ppl.txt   # the zoo's ppl.txt (same bytes)

printf '%-9s %-3s %-44s %16s %16s %9s %16s\n' ftype sha "tensor types" "llama.cpp ppl" "seek ppl" "seek/l-1" "numpy exact"
for ft in "$@"; do
  f=$WORK/ds2-zoo-$ft.gguf
  [ -f "$f" ] || "$QUANTIZE" "$MASTER" "$f" "$ft" "$THREADS" > "$WORK/$ft.quantize.log" 2>&1
  seek_ppl=$("$SEEK" perplexity -m "$f" -f "$PPL_TEXT" -c 128 -t "$THREADS" --json 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["perplexity"])') || seek_ppl=error
  /usr/bin/python3 - "$EXPECTED" "$f" "$ft" "$seek_ppl" <<'PY'
import hashlib, json, sys
e = json.load(open(sys.argv[1]))
path, ft, got = sys.argv[2], sys.argv[3], sys.argv[4]
rec = e["files"].get(path.split("/")[-1], {})
sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
same = "yes" if sha == rec.get("sha256") else "NO"
types = " ".join(f"{k}:{v}" for k, v in sorted(rec.get("tensor_type_counts", {}).items()))
p = rec.get("perplexity", {})
ref = p.get("kv_f32_fa_off", {}).get("final", float("nan"))
exact = p.get("numpy_exact", {}).get("final", float("nan"))
rel = f"{float(got) / ref - 1:+.3%}" if got != "error" else "error"
print(f"{ft:<9} {same:<3} {types:<44} {ref:16.1f} {got if got == 'error' else f'{float(got):16.1f}':>16} {rel:>9} {exact:16.1f}")
PY
done
