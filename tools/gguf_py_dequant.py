# Dequantization oracle from llama.cpp de3ff81's own gguf-py (numpy), for tensors the upstream
# expected.json has no record of. Run by hand, never by tests:
#   git clone tests/oracle/node_modules/node-llama-cpp/llama/gitRelease.bundle /tmp/llama-src
#   /usr/bin/python3 tools/gguf_py_dequant.py /tmp/llama-src/gguf-py FILE TENSOR... > records.json
# For each named tensor: a record with the sha256 of its raw bytes, its first 256 dequantized values
# and the sha256 of the whole tensor as little-endian float32.
import sys, json, hashlib
sys.path.insert(0, sys.argv[1])
import numpy as np, gguf
from gguf import quants
path, names = sys.argv[2], sys.argv[3:]
r = gguf.GGUFReader(path)
recs = {}
for t in r.tensors:
    if t.name not in names: continue
    raw = bytes(np.asarray(t.data).tobytes())
    vals = quants.dequantize(np.asarray(t.data), t.tensor_type).astype(np.float32).reshape(-1)
    typ = t.tensor_type.name.lower()
    recs[typ] = {"file": path.split('/')[-1], "tensor": t.name, "ggml_type": typ, "ggml_type_id": int(t.tensor_type),
                 "ne": [int(x) for x in t.shape], "n_elements": int(vals.size), "n_bytes": len(raw),
                 "raw_sha256": hashlib.sha256(raw).hexdigest(),
                 "first256": [float(x) for x in vals[:256]],
                 "f32_sha256": hashlib.sha256(vals.astype('<f4').tobytes()).hexdigest(),
                 "oracle_source": "gguf-py of llama.cpp de3ff81 (gguf.quants.dequantize)"}
json.dump(recs, sys.stdout, indent=1)
