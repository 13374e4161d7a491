# Minimal GGUF reader (pure python + numpy): metadata and F32/F16/BF16/Q8_0 tensors.
# Mirrors the layout in docs/deepseek.md section 3: header, typed key/values, tensor infos,
# data aligned to general.alignment. A tensor with ne = {ne0, ne1, ...} (ne0 contiguous) is
# returned as a numpy array of shape [..., ne1, ne0] (PyTorch order), sharing the file bytes.
import struct

import numpy as np

GGUF_MAGIC = b"GGUF"
# GGUF metadata value types -> (struct format, size) for scalars
_SCALAR = {0: ("<B", 1), 1: ("<b", 1), 2: ("<H", 2), 3: ("<h", 2), 4: ("<I", 4), 5: ("<i", 4),
           6: ("<f", 4), 7: ("<?", 1), 10: ("<Q", 8), 11: ("<q", 8), 12: ("<d", 8)}
_STRING, _ARRAY = 8, 9
# ggml tensor types this reader can return as float arrays
GGML_F32, GGML_F16, GGML_BF16, GGML_Q8_0 = 0, 1, 30, 8
Q8_0_BLOCK, Q8_0_BYTES = 32, 34   # per block of 32 values along ne0: f16 scale d, 32 x int8 q


class GGUFError(Exception):
    pass


class _Cursor:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, fmt, size):
        if self.pos + size > len(self.buf):
            raise GGUFError(f"truncated file: need {size} bytes at offset {self.pos}, "
                            f"file has {len(self.buf)}")
        (v,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return v

    def string(self):
        n = self.take("<Q", 8)
        if self.pos + n > len(self.buf):
            raise GGUFError(f"string of {n} bytes at offset {self.pos} runs past end of file")
        s = bytes(self.buf[self.pos:self.pos + n]).decode("utf-8", errors="replace")
        self.pos += n
        return s

    def value(self, vtype):
        if vtype in _SCALAR:
            return self.take(*_SCALAR[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            etype = self.take("<i", 4)
            count = self.take("<Q", 8)
            return [self.value(etype) for _ in range(count)]
        raise GGUFError(f"unknown GGUF value type {vtype} at offset {self.pos}")


class GGUFFile:
    """kv: dict key -> value; tensors: dict name -> (ne list, ggml type, absolute offset)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = memoryview(f.read())
        c = _Cursor(self.buf)
        magic = bytes(self.buf[:4])
        if magic != GGUF_MAGIC:
            raise GGUFError(f"{path}: expected magic GGUF, got {magic!r}")
        c.pos = 4
        self.version = c.take("<I", 4)
        if self.version not in (2, 3):
            raise GGUFError(f"{path}: expected GGUF version 2 or 3, got {self.version}")
        n_tensors = c.take("<q", 8)
        n_kv = c.take("<q", 8)
        self.kv = {}
        for _ in range(n_kv):
            key = c.string()
            self.kv[key] = c.value(c.take("<i", 4))
        infos = []
        for _ in range(n_tensors):
            name = c.string()
            n_dims = c.take("<I", 4)
            ne = [c.take("<q", 8) for _ in range(n_dims)]
            gtype = c.take("<i", 4)
            off = c.take("<Q", 8)
            infos.append((name, ne, gtype, off))
        align = int(self.kv.get("general.alignment", 32))
        data_start = (c.pos + align - 1) // align * align
        self.tensors = {n: (ne, t, data_start + off) for n, ne, t, off in infos}

    def arch(self):
        return self.kv["general.architecture"]

    def get(self, key, default=None):
        return self.kv.get(key, default)

    def tensor(self, name):
        """Tensor as float32 numpy array in PyTorch order (reversed ne). Q8_0 is dequantized
        (d * q, exact in float32)."""
        if name not in self.tensors:
            raise GGUFError(f"tensor {name}: not in file")
        ne, gtype, off = self.tensors[name]
        count = int(np.prod(ne)) if ne else 1
        shape = tuple(reversed(ne))
        if gtype == GGML_Q8_0:
            if ne[0] % Q8_0_BLOCK:
                raise GGUFError(f"tensor {name}: Q8_0 row length {ne[0]} is not a multiple of 32")
            nb = count // Q8_0_BLOCK
            if off + nb * Q8_0_BYTES > len(self.buf):
                raise GGUFError(f"tensor {name}: Q8_0 data past end of file ({len(self.buf)} bytes)")
            blk = np.frombuffer(self.buf, dtype=np.uint8, count=nb * Q8_0_BYTES, offset=off)
            blk = blk.reshape(nb, Q8_0_BYTES)
            d = blk[:, :2].copy().view("<f2").astype(np.float32)
            q = blk[:, 2:].copy().view(np.int8).astype(np.float32)
            return (d * q).reshape(shape)
        if gtype == GGML_F32:
            nbytes, dt = 4 * count, "<f4"
        elif gtype in (GGML_F16, GGML_BF16):
            nbytes, dt = 2 * count, ("<f2" if gtype == GGML_F16 else "<u2")
        else:
            raise GGUFError(f"tensor {name}: ggml type {gtype} not supported by this reader "
                            f"(F32 0, F16 1, Q8_0 8, BF16 30 only)")
        if off + nbytes > len(self.buf):
            raise GGUFError(f"tensor {name}: data [{off}, {off + nbytes}) past end of file "
                            f"({len(self.buf)} bytes)")
        a = np.frombuffer(self.buf, dtype=dt, count=count, offset=off)
        if gtype == GGML_BF16:
            a = (a.astype(np.uint32) << 16).view(np.float32)
        return a.astype(np.float32).reshape(shape)
