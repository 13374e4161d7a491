# llama-quantize de3ff81's per-tensor type choice for a DeepSeek-V2-Lite-shaped deepseek2 model,
# for tests/model/test_quant_mix.cpp. Run by hand, never by tests (they read the output):
#   GGUF_PY=<llama.cpp>/gguf-py /usr/bin/python3 tools/record_v2lite_types.py LLAMA_BIN_DIR WORK_DIR \
#       > tests/data/gguf-quants/llama_quantize_types_v2lite.json
# The model: V2-Lite's tensors with their real shapes (as current llama.cpp conversion writes it:
# split attn_k_b / attn_v_b, no q-LoRA, 27 blocks, block 0 dense, 64 routed + 2 shared experts of
# 1408) and its hyperparameters, written as an F16 GGUF whose data section is a hole in a sparse
# file (15.7 B parameters, no disk used): `llama-quantize --dry-run` reads only the header and
# prints the type it would give every tensor. Without --imatrix (the dry run of the IQ types only
# notes that one would be needed), so the rules see no importance matrix. The legacy layout (one
# attn_kv_b per block) is recorded too.
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.environ.get("GGUF_PY", ""))
import numpy as np  # noqa: E402
import gguf  # noqa: E402

if len(sys.argv) != 3:
    sys.exit("usage: record_v2lite_types.py LLAMA_BIN_DIR WORK_DIR")
bindir, work = sys.argv[1:]
os.makedirs(work, exist_ok=True)

N_EMBD, N_LAYER, N_HEAD, N_VOCAB = 2048, 27, 16, 102400
KV_LORA, NOPE, ROPE, V_HEAD = 512, 128, 64, 128
N_EXPERT, N_SHARED, N_USED, N_FF_EXP, N_FF = 64, 2, 6, 1408, 10944
FTYPES = ["Q4_K_M", "Q4_K_S", "Q5_K_M", "Q5_K_S", "Q6_K", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q3_K_L",
          "Q3_K_M", "Q3_K_S", "Q2_K", "Q2_K_S", "IQ4_NL", "IQ4_XS", "IQ3_M", "IQ3_S", "IQ3_XS", "IQ3_XXS",
          "IQ2_M", "IQ2_S", "IQ2_XS", "IQ2_XXS", "IQ1_M", "IQ1_S", "TQ1_0", "TQ2_0", "MXFP4_MOE"]


def tensors(legacy):
    t = [("token_embd.weight", [N_EMBD, N_VOCAB])]
    for i in range(N_LAYER):
        b = "blk.%d." % i
        t += [(b + "attn_norm.weight", [N_EMBD]), (b + "attn_q.weight", [N_EMBD, N_HEAD * (NOPE + ROPE)]),
              (b + "attn_kv_a_mqa.weight", [N_EMBD, KV_LORA + ROPE]), (b + "attn_kv_a_norm.weight", [KV_LORA])]
        if legacy:
            t += [(b + "attn_kv_b.weight", [KV_LORA, N_HEAD * (NOPE + V_HEAD)])]
        else:
            t += [(b + "attn_k_b.weight", [NOPE, KV_LORA, N_HEAD]), (b + "attn_v_b.weight", [KV_LORA, V_HEAD, N_HEAD])]
        t += [(b + "attn_output.weight", [N_HEAD * V_HEAD, N_EMBD]), (b + "ffn_norm.weight", [N_EMBD])]
        if i == 0:
            t += [(b + "ffn_gate.weight", [N_EMBD, N_FF]), (b + "ffn_up.weight", [N_EMBD, N_FF]),
                  (b + "ffn_down.weight", [N_FF, N_EMBD])]
        else:
            t += [(b + "ffn_gate_inp.weight", [N_EMBD, N_EXPERT]),
                  (b + "ffn_gate_exps.weight", [N_EMBD, N_FF_EXP, N_EXPERT]),
                  (b + "ffn_up_exps.weight", [N_EMBD, N_FF_EXP, N_EXPERT]),
                  (b + "ffn_down_exps.weight", [N_FF_EXP, N_EMBD, N_EXPERT]),
                  (b + "ffn_gate_shexp.weight", [N_EMBD, N_FF_EXP * N_SHARED]),
                  (b + "ffn_up_shexp.weight", [N_EMBD, N_FF_EXP * N_SHARED]),
                  (b + "ffn_down_shexp.weight", [N_FF_EXP * N_SHARED, N_EMBD])]
    t += [("output_norm.weight", [N_EMBD]), ("output.weight", [N_EMBD, N_VOCAB])]
    return t


def write_sparse(path, legacy):
    w = gguf.GGUFWriter(path, "deepseek2")
    w.add_block_count(N_LAYER)
    w.add_context_length(163840)
    w.add_embedding_length(N_EMBD)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD if legacy else 1)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_expert_used_count(N_USED)
    w.add_vocab_size(N_VOCAB)
    w.add_kv_lora_rank(KV_LORA)
    w.add_key_length(NOPE + ROPE if legacy else KV_LORA + ROPE)
    w.add_value_length(V_HEAD if legacy else KV_LORA)
    if not legacy:
        w.add_uint32("deepseek2.attention.key_length_mla", NOPE + ROPE)
        w.add_uint32("deepseek2.attention.value_length_mla", V_HEAD)
    w.add_leading_dense_block_count(1)
    w.add_expert_feed_forward_length(N_FF_EXP)
    w.add_expert_count(N_EXPERT)
    w.add_expert_shared_count(N_SHARED)
    w.add_expert_weights_scale(1.0)
    w.add_rope_dimension_count(ROPE)
    w.add_file_type(1)
    total = 0
    for name, ne in tensors(legacy):
        dt = np.float32 if len(ne) == 1 or name.endswith("ffn_gate_inp.weight") else np.float16
        shape = list(reversed(ne))
        nbytes = int(np.prod(ne)) * np.dtype(dt).itemsize
        w.add_tensor_info(name, shape, np.dtype(dt), nbytes)
        total += (nbytes + 31) // 32 * 32
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()
    with open(path, "r+b") as f:  # the data section: a hole
        f.seek(0, 2)
        start = (f.tell() + 31) // 32 * 32
        f.truncate(start + total)


out = {"about": "llama-quantize de3ff81 --dry-run on a DeepSeek-V2-Lite-shaped deepseek2 GGUF (real shapes, "
                "sparse data), no --imatrix; made by tools/record_v2lite_types.py. Per layout and file type: "
                "every tensor's type by name, in llama-quantize's order.",
       "layouts": {}}
line = re.compile(r"\[\s*\d+/\s*\d+\]\s+(\S+)\s+- \[[^\]]*\], type =\s+(\S+), size = .*?(?:\((\S+)\))?$")
for legacy in (False, True):
    path = os.path.join(work, "v2lite-%s-F16.gguf" % ("legacy" if legacy else "split"))
    write_sparse(path, legacy)
    rec = {}
    for ft in FTYPES:
        r = subprocess.run([os.path.join(bindir, "llama-quantize"), "--dry-run", path, ft, "1"], capture_output=True,
                           text=True)
        if r.returncode != 0:
            rec[ft] = {"error": (r.stdout + r.stderr).strip().splitlines()[-1]}
            continue
        types = []
        for ln in (r.stdout + r.stderr).splitlines():
            m = line.search(ln.strip())
            if m:
                types.append([m.group(1), m.group(3) or m.group(2)])
        rec[ft] = {"tensors": types}
        print(("legacy" if legacy else "split"), ft, len(types), file=sys.stderr)
    out["layouts"]["legacy" if legacy else "split"] = rec
# One line per layout and file type: {"name": "type", ...} in llama-quantize's order.
lines = []
for lay, rec in out["layouts"].items():
    fts = []
    for ft, r in rec.items():
        if "tensors" in r:
            r = {"tensors": {n: t for n, t in r["tensors"]}}
        fts.append(json.dumps(ft) + ":" + json.dumps(r, separators=(",", ":")))
    lines.append(json.dumps(lay) + ":{\n" + ",\n".join(fts) + "\n}")
sys.stdout.write('{"about":' + json.dumps(out["about"]) + ',"layouts":{' + ",\n".join(lines) + "}}\n")
