# Per-tensor types that llama-quantize de3ff81 chose for each file of the ds2-zoo (a random-weight
# deepseek2 model, one F32 master quantized into every file type), for tests/model/test_quant_mix.cpp.
# Run by hand, never by tests (the tests read only the output):
#   python3 tools/extract_quantize_types.py ZOO_DIR \
#       > tests/data/gguf-quants/llama_quantize_types.json
# Reads ZOO/expected.json (files[NAME]: made_by, gguf_kv, tensors, quantize) and, for files made
# with --tensor-type-file, the type file named in the command (ZOO/make/<basename>).
# Output, per quantized file: the command, its options parsed (ftype, --imatrix given, --pure,
# --tensor-type patterns in order, --leave-output-tensor, --output-tensor-type,
# --token-embedding-type), the hyperparameters the type rules read, llama-quantize's own fallback
# count, and every tensor as [name, ne, type] in file order (= llama-quantize's processing order).
# The master's tensors (all f32) give the source type of each tensor.
import hashlib
import json
import os
import shlex
import sys

if len(sys.argv) != 2:
    sys.exit("usage: extract_quantize_types.py ZOO_DIR (the quant zoo folder with expected.json)")
zoo = sys.argv[1]
raw = open(os.path.join(zoo, "expected.json"), "rb").read()
src = json.loads(raw)
files = src["files"]
MASTER = "ds2-zoo-F32.gguf"


def hparams(kv):
    arch = kv["general.architecture"]
    n_head = kv[arch + ".attention.head_count"]
    return {
        "arch": arch,
        "block_count": kv[arch + ".block_count"],
        "expert_count": kv.get(arch + ".expert_count", 0),
        "head_count": n_head,
        "head_count_kv": kv.get(arch + ".attention.head_count_kv", n_head),
    }


def tensor_rows(rec):
    return [[t["name"], t["ne"], t["type"]] for t in rec["tensors"]]


def parse_command(cmd):
    argv = shlex.split(cmd)
    assert argv[0] == "llama-quantize", cmd
    opts = {"imatrix": False, "pure": False, "leave_output_tensor": False, "output_tensor_type": None,
            "token_embedding_type": None, "tensor_types": []}
    i = 1
    while i < len(argv) and argv[i].startswith("--"):
        a = argv[i]
        if a == "--imatrix":
            opts["imatrix"] = True
            i += 1
        elif a == "--pure":
            opts["pure"] = True
        elif a == "--leave-output-tensor":
            opts["leave_output_tensor"] = True
        elif a in ("--output-tensor-type", "--token-embedding-type"):
            opts[a[2:].replace("-", "_")] = argv[i + 1]
            i += 1
        elif a == "--tensor-type":
            opts["tensor_types"].append(argv[i + 1])
            i += 1
        elif a == "--tensor-type-file":
            path = os.path.join(zoo, "make", os.path.basename(argv[i + 1]))
            opts["tensor_types"] += open(path).read().split()
            i += 1
        else:
            raise SystemExit("unhandled option " + a + " in: " + cmd)
        i += 1
    pos = argv[i:]
    assert len(pos) == 4, cmd  # input, output, ftype, threads
    opts["ftype"] = pos[2]
    return opts


out = {
    "about": "Per-tensor types written by llama-quantize de3ff81 for each ds2-zoo file, extracted by "
             "tools/extract_quantize_types.py from the zoo's expected.json (sha256 " +
             hashlib.sha256(raw).hexdigest() + "); tensors are [name, ne, type] in file order",
    "master": {"file": MASTER, "command": files[MASTER]["made_by"], "hparams": hparams(files[MASTER]["gguf_kv"]),
               "tensors": tensor_rows(files[MASTER])},
    "files": {},
}
for name, rec in files.items():
    if name == MASTER:
        continue
    cmd = rec["made_by"]
    hp = hparams(rec["gguf_kv"])
    assert hp == out["master"]["hparams"], name
    out["files"][name] = {
        "command": cmd,
        "options": parse_command(cmd),
        "hparams": hp,
        "n_fallback": rec["quantize"]["n_fallback"],
        "tensors": tensor_rows(rec),
    }


# One tensor per line keeps the file readable and diffable.
def dump(o, indent=0):
    pad = " " * indent
    if isinstance(o, dict):
        items = [pad + " " + json.dumps(k) + ": " + dump(v, indent + 1).lstrip() for k, v in o.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(o, list) and o and isinstance(o[0], list):
        return pad + "[\n" + ",\n".join(pad + "  " + json.dumps(x) for x in o) + "\n" + pad + "]"
    return pad + json.dumps(o)


sys.stdout.write(dump(out) + "\n")
