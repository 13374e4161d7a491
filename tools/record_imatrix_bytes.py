# llama-quantize de3ff81's bytes WITH an importance matrix, for the weighted quantizers' tests
# (tests/kernels/test_quantize_weighted*.cpp). Run by hand, never by tests (they read the output):
#   GGUF_PY=<llama.cpp>/gguf-py /usr/bin/python3 tools/record_imatrix_bytes.py \
#       LLAMA_BIN_DIR ds2-zoo-F32.gguf ds2-zoo.imatrix.gguf WORK_DIR tests/data/gguf-quants
# For each weight type T: llama-quantize --imatrix IM --tensor-type 'attn_q_a=T' --tensor-type
# 'SECOND=T' F32 OUT Q8_0 2, where SECOND is attn_v_b (256-wide rows, 4 matrices) for the types with
# 256-element blocks and attn_k_b (64-wide rows, 4 matrices) for the 32-element ones. Records each
# tensor's type and sha256 (gguf-py GGUFReader tensor.data) and writes the importance weights
# llama-quantize derives (in_sum2 / counts per matrix, 1 where a count is 0) as raw f32 files
# zoo-imatrix-<tensor>.bin. The F32 inputs are the zoo-f32-<tensor>.bin files already there.
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.environ.get("GGUF_PY", ""))
import numpy as np  # noqa: E402
from gguf import GGUFReader  # noqa: E402

if len(sys.argv) != 6:
    sys.exit("usage: record_imatrix_bytes.py LLAMA_BIN_DIR F32_GGUF IMATRIX_GGUF WORK_DIR OUT_DIR")
bindir, master, imatrix, work, out = sys.argv[1:]
os.makedirs(work, exist_ok=True)

TYPES_256 = ["q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "iq4_xs", "iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s",
             "iq1_s", "iq1_m", "tq1_0", "tq2_0"]
TYPES_32 = ["q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "iq4_nl", "mxfp4", "nvfp4", "q2_0"]
TENSORS = ["blk.0.attn_q_a.weight", "blk.0.attn_v_b.weight", "blk.0.attn_k_b.weight"]

rec = {
    "about": "llama-quantize de3ff81's bytes with --imatrix (the zoo's own, made by llama-imatrix -c 128 -b 128 on "
             "ppl.txt) for two tensors of the ds2-zoo F32 master per weight type; weights files are llama-quantize's "
             "per-column importance (in_sum2 / counts per matrix). Made by tools/record_imatrix_bytes.py.",
    "imatrix_sha256": hashlib.sha256(open(imatrix, "rb").read()).hexdigest(),
    "weights": {},
    "files": {},
}

im = GGUFReader(imatrix)
by_name = {t.name: t for t in im.tensors}
for name in TENSORS:
    sums = np.array(by_name[name + ".in_sum2"].data, dtype=np.float32).reshape(-1)
    counts = np.array(by_name[name + ".counts"].data, dtype=np.float32).reshape(-1)
    ne0 = sums.size // counts.size
    w = np.empty_like(sums)
    for j in range(counts.size):
        w[j * ne0:(j + 1) * ne0] = sums[j * ne0:(j + 1) * ne0] / counts[j] if counts[j] > 0 else 1.0
    fname = "zoo-imatrix-" + name.split(".")[2] + ".bin"
    w.astype("<f4").tofile(os.path.join(out, fname))
    rec["weights"][name] = {"file": fname, "n": int(w.size), "n_matrices": int(counts.size),
                            "sha256": hashlib.sha256(w.astype("<f4").tobytes()).hexdigest()}

for t in TYPES_256 + TYPES_32:
    second = "attn_v_b" if t in TYPES_256 else "attn_k_b"
    dst = os.path.join(work, "ds2-zoo-imat-" + t + ".gguf")
    args = [os.path.join(bindir, "llama-quantize"), "--imatrix", imatrix, "--tensor-type", "attn_q_a=" + t,
            "--tensor-type", second + "=" + t, master, dst, "Q8_0", "2"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = GGUFReader(dst)
    tens = {}
    for ten in r.tensors:
        if ten.name in ("blk.0.attn_q_a.weight", "blk.0." + second + ".weight"):
            data = bytes(np.asarray(ten.data).tobytes())
            tens[ten.name] = {"type": ten.tensor_type.name.lower(), "nbytes": len(data),
                              "sha256": hashlib.sha256(data).hexdigest()}
    rec["files"][t] = {
        "command": "llama-quantize --imatrix ds2-zoo.imatrix.gguf --tensor-type 'attn_q_a=%s' --tensor-type "
                   "'%s=%s' ds2-zoo-F32.gguf out.gguf Q8_0 2" % (t, second, t),
        "tensors": tens,
    }
    print(t, {k: v["type"] for k, v in tens.items()}, file=sys.stderr)

json.dump(rec, open(os.path.join(out, "llama_quantize_bytes_imatrix.json"), "w"), indent=1)
