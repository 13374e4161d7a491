#!/usr/bin/env python3
"""Writes the formats layer's small checked-in test files straight from the specs (struct and
json only, independent of seek's C++ writers):
  fuzz/corpus/gguf/*, fuzz/corpus/safetensors/*   fuzz seeds (a few hundred bytes each)
  tests/formats/data/bad/*                         malformed files for the CLI error tests
  tests/formats/data/ref/*                         reference safetensors (single + sharded) and
                                                   config.json, values by formula k -> f(k)
Run from anywhere: python3 tools/make_bad_files.py. Output is deterministic."""
import json, os, struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------- GGUF (ggml docs/gguf.md)
U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
SCALAR = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?",
          U64: "<Q", I64: "<q", F64: "<d"}
# ggml type id -> (block size, bytes per block)
GGML = {0: (1, 4), 1: (1, 2), 2: (32, 18), 8: (32, 34), 12: (256, 144), 14: (256, 210), 30: (1, 2), 26: (1, 4)}


def gstr(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def gval(t, v):
    if t == STRING:
        return gstr(v)
    if t == ARRAY:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(gval(et, x) for x in items)
    return struct.pack(SCALAR[t], v)


def gguf(kvs, tensors, version=3, alignment=32):
    """kvs: [(key, type, value)]; tensors: [(name, ne list, ggml type, data bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gstr(k) + struct.pack("<I", t) + gval(t, v)
    off, blobs = 0, []
    for name, ne, typ, data in tensors:
        out += gstr(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<q", n) for n in ne)
        out += struct.pack("<IQ", typ, off)
        blobs.append(data)
        off += (len(data) + alignment - 1) // alignment * alignment
    if not tensors:
        return out
    out += b"\0" * (-len(out) % alignment)
    for d in blobs:
        out += d + b"\0" * (-len(d) % alignment)
    return out


def tensor_bytes(ne, typ, seed):
    n = 1
    for x in ne:
        n *= x
    bs, ts = GGML[typ]
    return bytes((seed + 7 * k) % 251 for k in range(n // bs * ts))


def small_gguf(version=3, alignment=32):
    kvs = [("general.architecture", STRING, "llama"), ("general.name", STRING, "seed"),
           ("t.u8", U8, 200), ("t.i8", I8, -5), ("t.u16", U16, 60000), ("t.i16", I16, -300),
           ("t.u32", U32, 7), ("t.i32", I32, -7), ("t.f32", F32, 0.5), ("t.bool", BOOL, True),
           ("t.u64", U64, 1 << 40), ("t.i64", I64, -(1 << 40)), ("t.f64", F64, 2.5),
           ("tokenizer.ggml.tokens", ARRAY, (STRING, ["<s>", "</s>", "a", "b"])),
           ("t.nested", ARRAY, (ARRAY, [(I32, [1, 2]), (U8, [])]))]
    if alignment != 32:
        kvs.append(("general.alignment", U32, alignment))
    tensors = [(n, ne, t, tensor_bytes(ne, t, i)) for i, (n, ne, t) in enumerate(
        [("token_embd.weight", [4, 3], 0), ("blk.0.attn_norm.weight", [4], 1),
         ("blk.0.ffn_up.weight", [32, 2], 8), ("blk.0.ffn_down.weight", [256, 1], 12),
         ("output.weight", [2, 2], 30)])]
    return gguf(kvs, tensors, version, alignment)


# ---------------------------------------------------------------- safetensors
ST_SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
           "U8": 1, "BOOL": 1, "F8_E4M3": 1}


def st_encode(dtype, k):
    """Element k of a reference tensor: value (k - 3) in the dtype (F8/U8/BOOL: a byte pattern)."""
    v = k - 3
    if dtype == "F64": return struct.pack("<d", v * 0.5)
    if dtype == "F32": return struct.pack("<f", v * 0.5)
    if dtype == "F16": return struct.pack("<e", v * 0.5)
    if dtype == "BF16": return struct.pack("<f", v * 0.5)[2:]  # exact: v*0.5 has few mantissa bits
    if dtype in ("I64", "I32", "I16", "I8"):
        return struct.pack({"I64": "<q", "I32": "<i", "I16": "<h", "I8": "<b"}[dtype], v)
    if dtype == "U8": return struct.pack("<B", k % 256)
    if dtype == "BOOL": return struct.pack("<B", k % 2)
    if dtype == "F8_E4M3": return struct.pack("<B", (k * 37) % 256 & 0x7f)  # no NaNs (0x7f, 0xff)
    raise ValueError(dtype)


def safetensors(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape, data or None for the reference formula)]."""
    header, blobs, off = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, data in tensors:
        n = 1
        for x in shape:
            n *= x
        if data is None:
            data = b"".join(st_encode(dtype, k) for k in range(n))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def ref_tensors():
    return [("a.f64", "F64", [2, 3], None), ("b.f32", "F32", [7], None), ("c.f16", "F16", [1, 5], None),
            ("d.bf16", "BF16", [3, 1, 2], None), ("e.i64", "I64", [2], None), ("f.i32", "I32", [2, 2], None),
            ("g.i16", "I16", [3], None), ("h.i8", "I8", [5], None), ("i.u8", "U8", [4], None),
            ("j.bool", "BOOL", [3], None), ("k.scalar", "F32", [], None),
            ("w.weight", "F8_E4M3", [130, 2], None),
            ("w.weight_scale_inv", "F32", [2, 1], struct.pack("<ff", 0.5, 2.0))]


def write(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main():
    # Fuzz seeds.
    write("fuzz/corpus/gguf/small_v3.gguf", small_gguf())
    write("fuzz/corpus/gguf/small_v2_align64.gguf", small_gguf(version=2, alignment=64))
    write("fuzz/corpus/gguf/vocab_only.gguf", gguf([("tokenizer.ggml.model", STRING, "gpt2"),
                                                    ("tokenizer.ggml.tokens", ARRAY, (STRING, ["x", "y"]))], []))
    write("fuzz/corpus/gguf/q6k_f16.gguf", gguf([], [("t", [256, 1], 14, tensor_bytes([256], 14, 3)),
                                                     ("u", [3, 1, 1, 2], 1, tensor_bytes([6], 1, 9))]))
    write("fuzz/corpus/safetensors/all_dtypes.safetensors", safetensors(ref_tensors(), {"format": "pt"}))
    write("fuzz/corpus/safetensors/empty.safetensors", safetensors([]))
    write("fuzz/corpus/safetensors/unpadded.safetensors", safetensors([("x", "BF16", [2, 2], None)], pad=False))

    # Reference safetensors for the C++ reader tests: single file, and the same split in two shards.
    write("tests/formats/data/ref/all_dtypes.safetensors", safetensors(ref_tensors(), {"format": "pt", "k": "v"}))
    ts = ref_tensors()
    write("tests/formats/data/ref/sharded/model-00001-of-00002.safetensors", safetensors(ts[:6], {"format": "pt"}))
    write("tests/formats/data/ref/sharded/model-00002-of-00002.safetensors", safetensors(ts[6:], {"format": "pt"}))
    total = sum(len(safetensors([t])) for t in ts)  # not checked by readers; HF writes the data size
    index = {"metadata": {"total_size": total},
             "weight_map": {t[0]: "model-0000%d-of-00002.safetensors" % (1 if i < 6 else 2) for i, t in enumerate(ts)}}
    write("tests/formats/data/ref/sharded/model.safetensors.index.json", json.dumps(index, indent=2) + "\n")
    config = {"architectures": ["DeepseekV2ForCausalLM"], "model_type": "deepseek_v2", "hidden_size": 2048,
              "num_hidden_layers": 27, "q_lora_rank": None, "kv_lora_rank": 512, "rms_norm_eps": 1e-06,
              "rope_theta": 10000, "max_position_embeddings": 163840.0, "tie_word_embeddings": False,
              "eos_token_id": [100001, 100002], "bos_token_id": 100000, "torch_dtype": "bfloat16",
              "rope_scaling": {"type": "yarn", "factor": 40, "beta_fast": 32, "mscale_all_dim": 0.707,
                               "original_max_position_embeddings": 4096}}
    write("tests/formats/data/ref/sharded/config.json", json.dumps(config, indent=2) + "\n")

    # Malformed files for the CLI tests (tests/scripts/formats.cmake names the expected message).
    good = small_gguf()
    bad = {
        "bad_magic.gguf": b"GGUX" + good[4:],
        "v1.gguf": good[:4] + struct.pack("<I", 1) + good[8:],
        "truncated.gguf": good[:200],
        "huge_kv.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1 << 60),
        "huge_string.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gstr("k") + struct.pack("<IQ", STRING, 1 << 62),
        "huge_array.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gstr("k") + struct.pack("<IIQ", ARRAY, U64, 1 << 61),
        "bad_tensor_type.gguf": gguf([], [("t", [4], 99, bytes(16))]),
        "five_dims.gguf": gguf([], [("t", [1, 1, 1, 1, 2], 0, bytes(8))]),
        "bad_alignment.gguf": gguf([("general.alignment", U32, 48)], [("t", [4], 0, bytes(16))]),
        "partial_block.gguf": gguf([], [("t", [16], 8, bytes(17))]),
        "dup_tensor.gguf": gguf([], [("t", [4], 0, bytes(16)), ("t", [4], 0, bytes(16))]),
        "empty.gguf": b"",
        "header_past_end.safetensors": struct.pack("<Q", 1000) + b"{}",
        "bad_json.safetensors": struct.pack("<Q", 8) + b'{"a": [1',
        "offsets_past_end.safetensors": safetensors([("x", "F32", [2], b"\0" * 8)])[:-4],
        "size_mismatch.safetensors": safetensors([("x", "F32", [3], b"\0" * 8)]),
        "unknown_dtype.safetensors": safetensors([("x", "C64", [1], b"\0" * 8)]),
    }
    for name, data in bad.items():
        write("tests/formats/data/bad/" + name, data)


if __name__ == "__main__":
    main()
