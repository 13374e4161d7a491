#!/usr/bin/env python3
"""`seek info --json` against independent references: llama.cpp's dump (tests/data/gguf/
expected.json: every key, tensor count and types), the ggml type table, and the safetensors
headers parsed here with struct + json.  usage: check_info_json.py SEEK DATA_DIR FORMATS_DATA_DIR"""
import json, math, os, re, struct, subprocess, sys

seek, data, fdata = sys.argv[1:4]
# ggml type name -> (block size, bytes per block), from ggml's type traits
GGML = {"f32": (1, 4), "f16": (1, 2), "q4_0": (32, 18), "q8_0": (32, 34), "q4_K": (256, 144),
        "q6_K": (256, 210), "bf16": (1, 2)}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def info(path):
    out = subprocess.run([seek, "info", "--json", path], check=True, capture_output=True).stdout
    return json.loads(out)


def same(a, b):
    if isinstance(b, bool) or isinstance(b, str):
        return a == b
    if isinstance(b, int) and not isinstance(b, bool):
        return a == b
    return math.isclose(a, b, rel_tol=1e-6)


exp = json.load(open(os.path.join(data, "gguf", "expected.json")))
for dev_name, e in exp["files"].items():
    path = os.path.join(data, "gguf", os.path.basename(dev_name))
    j = info(path)
    check(j["format"] == "gguf" and j["version"] == 3, path + ": format/version")
    # The registry check: llama.cpp's own files hold exactly the tensors their config needs.
    check(j["model"]["runnable"] and j["model"]["problems"] == [] and j["model"]["unused_tensors"] == [],
          path + ": model check: %r" % j["model"])
    for k, v in e["gguf_kv"].items():
        check(k in j["metadata"] and same(j["metadata"][k]["value"], v), "%s: key %s: %r vs %r" % (path, k, j["metadata"].get(k), v))
    check(j["n_tensors"] == e["n_tensors"] == len(j["tensors"]), path + ": n_tensors")
    params = total = 0
    for t in j["tensors"]:
        generic = re.sub(r"^blk\.\d+\.", "blk.N.", t["name"])
        check(e["tensor_types"].get(generic) == t["type"], "%s: %s type %s" % (path, t["name"], t["type"]))
        check(t["shape"] == t["ne"][::-1], "%s: %s shape is not reversed ne" % (path, t["name"]))
        n = math.prod(t["ne"])
        bs, ts = GGML[t["type"]]
        check(t["bytes"] == n // bs * ts, "%s: %s bytes" % (path, t["name"]))
        params += n
        total += t["bytes"]
    check(j["n_params"] == params and j["n_bytes"] == total, path + ": totals")
    check(total < os.path.getsize(path) <= total + 2 * 1024 * 1024, path + ": bytes vs file size")

for name, n_tokens in [("ggml-vocab-deepseek-llm.gguf", 102400), ("ggml-vocab-deepseek-coder.gguf", 32256)]:
    j = info(os.path.join(data, "vocab", name))
    tok = j["metadata"]["tokenizer.ggml.tokens"]
    check(tok["length"] == n_tokens and tok["truncated"] and len(tok["value"]) == 16, name + ": token array summary")
    check(tok["array_type"] == "string" and "array_note" in j, name + ": array note")
    check(j["n_tensors"] == 0, name + ": no tensors")


def st_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


for path in [os.path.join(fdata, "ref", "all_dtypes.safetensors"), os.path.join(fdata, "ref", "sharded")]:
    j = info(path)
    files = [path] if path.endswith(".safetensors") else \
        sorted(set(os.path.join(path, v) for v in json.load(open(os.path.join(path, "model.safetensors.index.json")))["weight_map"].values()))
    want = {}
    for fp in files:
        h = st_header(fp)
        h.pop("__metadata__", None)
        want.update(h)
    got = {t["name"]: t for t in j["tensors"]}
    check(set(got) == set(want), path + ": tensor names")
    for name, w in want.items():
        t = got.get(name, {})
        check(t.get("type") == w["dtype"] and t.get("shape") == w["shape"] and t.get("data_offsets") == w["data_offsets"],
              "%s: %s: %r vs %r" % (path, name, t, w))
    check(j["n_params"] == sum(math.prod(w["shape"]) for w in want.values()), path + ": n_params")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("seek info --json agrees with expected.json and the safetensors headers")
