# Hand-written safetensors reader/writer (u64 LE header length, JSON header, raw LE bytes) and
# the FP8 E4M3FN codec with DeepSeek-V3's 128x128 block scales (`<name>_scale_inv`, multiply to
# dequantize). Torch 1.13 has no float8 dtype, so E4M3 is encoded by a 256-entry table.
import json
import struct

import numpy as np
import torch

_NP = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1",
       "I8": "i1", "BF16": "<u2", "F8_E4M3": "u1", "BOOL": "u1"}
FP8_MAX = 448.0
FP8_BLOCK = 128


def _e4m3_table():
    # float value of every E4M3FN byte: 1 sign, 4 exponent (bias 7), 3 mantissa; 0x7F/0xFF NaN
    v = np.zeros(256, dtype=np.float64)
    for b in range(256):
        s, e, m = b >> 7, (b >> 3) & 0xF, b & 7
        if e == 15 and m == 7:
            v[b] = np.nan
        elif e == 0:
            v[b] = (m / 8.0) * 2.0 ** -6
        else:
            v[b] = (1 + m / 8.0) * 2.0 ** (e - 7)
        if s:
            v[b] = -v[b]
    return v


E4M3_VALUES = _e4m3_table()
_POS = E4M3_VALUES[:127]  # codes 0x00..0x7E: ascending non-negative finite values


def fp8_e4m3_decode(codes):
    return E4M3_VALUES[np.asarray(codes, dtype=np.uint8)]


def fp8_e4m3_encode(x):
    """float array -> uint8 codes, round to nearest, ties to even mantissa, saturate at 448."""
    x = np.asarray(x, dtype=np.float64)
    a = np.minimum(np.abs(x), FP8_MAX)
    hi = np.clip(np.searchsorted(_POS, a, side="left"), 0, 126)
    lo = np.maximum(hi - 1, 0)
    d_lo, d_hi = a - _POS[lo], _POS[hi] - a
    pick_hi = (d_hi < d_lo) | ((d_hi == d_lo) & (hi % 2 == 0))
    code = np.where(pick_hi, hi, lo).astype(np.uint8)
    return np.where(np.signbit(x), code | 0x80, code).astype(np.uint8)


def fp8_quantize_blocks(w):
    """w [out, in] float -> (codes uint8 [out, in], scale_inv float32 [ceil(out/128), ceil(in/128)]);
    scale = amax(block) / 448 so the block's largest magnitude maps to the E4M3 maximum."""
    w = np.asarray(w, dtype=np.float32)
    R, C = w.shape
    nb_r, nb_c = -(-R // FP8_BLOCK), -(-C // FP8_BLOCK)
    scale = np.ones((nb_r, nb_c), dtype=np.float32)
    codes = np.zeros((R, C), dtype=np.uint8)
    for i in range(nb_r):
        for j in range(nb_c):
            blk = w[i * FP8_BLOCK:(i + 1) * FP8_BLOCK, j * FP8_BLOCK:(j + 1) * FP8_BLOCK]
            amax = float(np.abs(blk).max())
            s = np.float32(amax / FP8_MAX) if amax > 0 else np.float32(1.0)
            scale[i, j] = s
            codes[i * FP8_BLOCK:(i + 1) * FP8_BLOCK, j * FP8_BLOCK:(j + 1) * FP8_BLOCK] = \
                fp8_e4m3_encode(blk.astype(np.float64) / float(s))
    return codes, scale


def fp8_dequantize_blocks(codes, scale_inv):
    """codes [out, in] uint8, scale_inv [rb, cb] -> float32 [out, in], computed in float32
    (E4M3 value * block scale), as an f32 engine does."""
    vals = fp8_e4m3_decode(codes).astype(np.float32)
    R, C = vals.shape
    s = np.repeat(np.repeat(scale_inv.astype(np.float32), FP8_BLOCK, 0), FP8_BLOCK, 1)[:R, :C]
    return (vals * s).astype(np.float32)


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> (dtype string, numpy array already in that dtype's storage type)."""
    header, chunks, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, (dtype, arr) in tensors.items():
        raw = np.ascontiguousarray(arr).astype(_NP[dtype], copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)  # keep the data 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for c in chunks:
            f.write(c)


def read_safetensors(path):
    """-> dict name -> (dtype string, numpy array of the storage type)."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack_from("<Q", buf, 0)
    header = json.loads(buf[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(buf[base + a:base + b], dtype=_NP[info["dtype"]])
        out[name] = (info["dtype"], arr.reshape(info["shape"]))
    return out


def to_float_tensor(dtype, arr):
    """storage array -> float32 torch tensor (BF16 bits expanded, F16 converted)."""
    if dtype == "BF16":
        return torch.from_numpy((arr.astype(np.uint32) << 16).view(np.float32).copy())
    return torch.from_numpy(arr.astype(np.float32))


def load_hf_weights(path, dtype=torch.float64):
    """Float weights by HF name; FP8 tensors are dequantized with their `_scale_inv`."""
    raw = read_safetensors(path)
    W = {}
    for name, (dt, arr) in raw.items():
        if name.endswith("_scale_inv"):
            continue
        if dt == "F8_E4M3":
            sdt, s = raw[name + "_scale_inv"]
            W[name] = torch.from_numpy(fp8_dequantize_blocks(arr, s.astype(np.float32))).to(dtype)
        else:
            W[name] = to_float_tensor(dt, arr).to(dtype)
    return W
