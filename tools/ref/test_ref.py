# Self-checks of the reference (run by ctest as ref_selfcheck): naive == absorbed MLA, prefill ==
# step-by-step decode, routing traps (bias selection-only, -inf group mask, V2 max vs V3 top-2
# sum), YaRN numbers, rope pairings, FP8 codec, fixture round trip, Qwen3 q/k norm and YaRN, and
# negative controls showing the real-GGUF checks (run_gguf.py on ds2-micro, run_gguf_qwen3.py on
# qwen3-micro) fail when a trap is mis-implemented.
# Usage: /usr/bin/python3 tools/ref/test_ref.py [-v]
import json
import math
import os
import pathlib
import sys
import tempfile
import unittest
from unittest import mock

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402
import deepseek  # noqa: E402
import dense  # noqa: E402
import make_fixture  # noqa: E402
import run_gguf  # noqa: E402
import run_gguf_qwen3  # noqa: E402
from gguf_reader import GGUFFile  # noqa: E402
from presets import is_deepseek, preset  # noqa: E402
from safetensors_io import (E4M3_VALUES, fp8_dequantize_blocks, fp8_e4m3_encode,  # noqa: E402
                            fp8_quantize_blocks, load_hf_weights, read_safetensors)

ROOT = os.path.dirname(os.path.dirname(HERE))
GGUF = os.path.join(ROOT, "tests/data/gguf/ds2-micro-F32.gguf")
EXPECTED = os.path.join(ROOT, "tests/data/gguf/expected.json")
QWEN3_GGUF = os.path.join(ROOT, "tests/data/gguf-next/qwen3-micro-F32.gguf")
QWEN3_EXPECTED = os.path.join(ROOT, "tests/data/gguf-next/expected.json")


def model(name, seed=3):
    c = preset(name)
    shapes = make_fixture.deepseek_shapes(c) if is_deepseek(c) else make_fixture.dense_shapes(c)
    W = {k: v.double() for k, v in make_fixture.init_weights(shapes, seed).items()}
    cfg = deepseek.DeepSeekConfig.from_hf(c) if is_deepseek(c) else dense.DenseConfig.from_hf(c)
    return cfg, W, make_fixture.token_ids(c["vocab_size"], seed, 24)


def ds_cfg(**kw):
    base = dict(vocab_size=8, hidden_size=8, intermediate_size=8, moe_intermediate_size=8,
                num_hidden_layers=1, num_attention_heads=1, q_lora_rank=None, kv_lora_rank=4,
                qk_nope_head_dim=4, qk_rope_head_dim=4, v_head_dim=4)
    base.update(kw)
    return deepseek.DeepSeekConfig(**base)


class MLA(unittest.TestCase):
    def test_naive_equals_absorbed(self):
        for name in ("v3", "v2", "v2lite"):
            cfg, W, toks = model(name)
            a = deepseek.forward(cfg, W, toks, attn_mode="naive")["logits"]
            b = deepseek.forward(cfg, W, toks, attn_mode="absorbed")["logits"]
            self.assertLess(float((a - b).abs().max()), 1e-10, name)

    def test_prefill_equals_decode(self):
        for name in ("v3", "v2lite"):
            cfg, W, toks = model(name)
            full = deepseek.forward(cfg, W, toks)
            for mode in ("naive", "absorbed"):
                cache, rows = deepseek.LatentCache(), []
                for t in range(len(toks)):
                    rows.append(deepseek.forward(cfg, W, toks[t:t + 1], torch.tensor([t]), cache,
                                                 mode)["logits"][0])
                self.assertLess(float((torch.stack(rows) - full["logits"]).abs().max()), 1e-10)
                # the latent cache holds c_kv after kv_norm and k_pe after rope
                for i in range(cfg.num_hidden_layers):
                    self.assertLess(float((cache.c_kv[i] - full["cache"].c_kv[i]).abs().max()), 1e-12)
                    self.assertLess(float((cache.k_pe[i] - full["cache"].k_pe[i]).abs().max()), 1e-12)

    def test_mtp_prefill_equals_decode(self):
        cfg, W, toks = model("v3")
        h = deepseek.forward(cfg, W, toks)["hidden"]
        T = len(toks) - 1
        full = deepseek.mtp_forward(cfg, W, h[:T], toks[1:], torch.arange(T))["logits"]
        cache, rows = deepseek.LatentCache(), []
        for t in range(T):
            rows.append(deepseek.mtp_forward(cfg, W, h[t:t + 1], toks[t + 1:t + 2], torch.tensor([t]),
                                             cache, "absorbed")["logits"][0])
        self.assertLess(float((torch.stack(rows) - full).abs().max()), 1e-10)

    def test_dense_prefill_equals_decode(self):
        for name in ("qwen2", "qwen3", "llama", "llama2"):
            cfg, W, toks = model(name)
            full = dense.forward(cfg, W, toks)["logits"]
            cache, rows = dense.KVCache(), []
            for t in range(len(toks)):
                rows.append(dense.forward(cfg, W, toks[t:t + 1], torch.tensor([t]), cache)["logits"][0])
            self.assertLess(float((torch.stack(rows) - full).abs().max()), 1e-10, name)


class Routing(unittest.TestCase):
    def test_bias_is_selection_only(self):
        cfg = ds_cfg(n_routed_experts=4, num_experts_per_tok=2, scoring_func="sigmoid",
                     topk_method="noaux_tc", norm_topk_prob=True, routed_scaling_factor=2.5)
        s = torch.tensor([[0.9, 0.8, 0.7, 0.1]], dtype=torch.float64)
        b = torch.tensor([0.0, 0.0, 0.3, 0.0], dtype=torch.float64)
        idx, w = deepseek.select_experts(cfg, s, b)
        self.assertEqual(idx.tolist(), [[0, 2]])                       # biased pick
        self.assertEqual(deepseek.select_experts(cfg, s)[0].tolist(), [[0, 1]])  # unbiased pick
        np.testing.assert_allclose(w.numpy(), [[0.9 / 1.6 * 2.5, 0.7 / 1.6 * 2.5]])  # unbiased w

    def test_dropped_groups_are_minus_inf(self):
        # kept groups 0 and 1 hold a negative biased score (-0.3); masking dropped groups with 0
        # instead of -inf would pick a dropped expert over expert 3
        cfg = ds_cfg(n_routed_experts=8, num_experts_per_tok=4, scoring_func="sigmoid",
                     topk_method="noaux_tc", n_group=4, topk_group=2)
        s = torch.tensor([[0.9, 0.8, 0.7, 0.2, 0.4, 0.4, 0.1, 0.1]], dtype=torch.float64)
        b = torch.tensor([0, 0, 0.5, -0.5, 0, 0, 0, 0], dtype=torch.float64)
        idx, w = deepseek.select_experts(cfg, s, b)
        self.assertEqual(idx.tolist(), [[0, 1, 2, 3]])
        np.testing.assert_allclose(w.numpy(), [[0.9, 0.8, 0.7, 0.2]])

    def test_v2_max_vs_v3_top2_sum(self):
        s = torch.tensor([[0.5, 0.0, 0.3, 0.3, 0.1, 0.1, 0.05, 0.05]], dtype=torch.float64)
        kw = dict(n_routed_experts=8, num_experts_per_tok=2, n_group=4, topk_group=1)
        v2 = ds_cfg(topk_method="group_limited_greedy", **kw)
        v3 = ds_cfg(topk_method="noaux_tc", scoring_func="sigmoid", **kw)
        self.assertEqual(deepseek.select_experts(v2, s)[0].tolist(), [[0, 1]])   # max: group 0
        self.assertEqual(deepseek.select_experts(v3, s)[0].tolist(), [[2, 3]])   # sum: group 1

    def test_fixture_bias_changes_routing(self):
        cfg, W, toks = model("v3")
        out = deepseek.forward(cfg, W, toks)
        changed = 0
        for i, r in enumerate(out["routes"]):
            if r is not None:
                no_bias = deepseek.select_experts(cfg, r[2])[0]
                changed += int((no_bias != r[0]).any(-1).sum())
        self.assertGreater(changed, 0)


class Rope(unittest.TestCase):
    def test_yarn_numbers(self):
        v3 = ds_cfg(qk_nope_head_dim=128, qk_rope_head_dim=64, rope_scaling={
            "type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
            "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0})
        lite = ds_cfg(qk_nope_head_dim=128, qk_rope_head_dim=64, rope_scaling=dict(
            v3.rope_scaling, mscale=0.707, mscale_all_dim=0.707))
        self.assertAlmostEqual(common.yarn_get_mscale(40, 1.0), 1.0 + 0.1 * math.log(40), 12)
        self.assertAlmostEqual(common.yarn_get_mscale(40, 1.0), 1.368888, 6)
        # docs/deepseek.md prints 0.135234 / 0.114721: these are the softmax scales
        # 1/sqrt(192) * mscale^2, not mscale itself
        self.assertAlmostEqual(deepseek.softmax_scale(v3), 0.135234, 6)
        self.assertAlmostEqual(deepseek.softmax_scale(lite), 0.114721, 6)
        self.assertAlmostEqual(deepseek.softmax_scale(ds_cfg(qk_nope_head_dim=128,
                                                             qk_rope_head_dim=64)), 192 ** -0.5, 12)
        self.assertEqual(common.yarn_correction_range(32, 1, 64, 10000, 4096), (10, 23))
        inv, cs = deepseek.rope_inv_freq_and_scale(v3)
        base = common.base_inv_freq(64, 10000)
        self.assertEqual(cs, 1.0)
        self.assertTrue(torch.allclose(inv[:11], base[:11]))          # extrapolated pairs
        self.assertTrue(torch.allclose(inv[23:], base[23:] / 40))      # interpolated pairs
        self.assertTrue(((inv[11:23] < base[11:23]) & (inv[11:23] > base[11:23] / 40)).all())

    def test_pairings_differ_and_relate_by_permutation(self):
        g = torch.Generator().manual_seed(0)
        x = torch.randn(5, 3, 8, generator=g, dtype=torch.float64)
        cos, sin = common.rope_cos_sin(common.base_inv_freq(8, 10000), torch.arange(5))
        a, b = common.rope_adjacent(x, cos, sin), common.rope_split_half(x, cos, sin)
        self.assertGreater(float((a - b).abs().max()), 1e-2)
        perm = torch.tensor([0, 2, 4, 6, 1, 3, 5, 7])  # de-interleave: evens then odds
        self.assertTrue(torch.allclose(common.rope_split_half(x[..., perm], cos, sin), a[..., perm]))

    def test_llama3_frequencies(self):
        rs = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 8192}
        inv, base = common.llama3_inv_freq(128, 500000.0, rs), common.base_inv_freq(128, 500000.0)
        wl = 2 * math.pi / base
        self.assertTrue(torch.allclose(inv[wl < 2048], base[wl < 2048]))
        self.assertTrue(torch.allclose(inv[wl > 8192], base[wl > 8192] / 8))


class Formats(unittest.TestCase):
    def test_fp8_e4m3_codec(self):
        self.assertEqual(E4M3_VALUES[0x7E], 448.0)
        self.assertEqual(E4M3_VALUES[0x38], 1.0)
        self.assertEqual(E4M3_VALUES[0x01], 2.0 ** -9)
        self.assertEqual(E4M3_VALUES[0xB8], -1.0)
        finite = [c for c in range(256) if c not in (0x7F, 0xFF)]
        self.assertEqual(fp8_e4m3_encode(E4M3_VALUES[finite]).tolist(), finite)
        self.assertEqual(fp8_e4m3_encode([1.0625, 1.1875, 1000.0, -1e-9]).tolist(),
                         [0x38, 0x3A, 0x7E, 0x80])  # ties to even, saturate, -0
        w = np.random.default_rng(0).standard_normal((160, 200)).astype(np.float32)
        codes, scale = fp8_quantize_blocks(w)
        self.assertEqual(scale.shape, (2, 2))
        rel = np.abs(fp8_dequantize_blocks(codes, scale) - w) / np.abs(w).max()
        self.assertLess(rel.max(), 2 ** -4)

    def test_fixture_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            meta = make_fixture.make_fixture("v3", d, fp8=True, dtype="BF16", seed=5)
            st = read_safetensors(os.path.join(d, "model.safetensors"))
            self.assertLess(os.path.getsize(os.path.join(d, "model.safetensors")), 2 << 20)
            self.assertEqual(st["model.layers.3.eh_proj.weight"][0], "F8_E4M3")
            self.assertEqual(st["model.layers.0.mlp.gate_proj.weight_scale_inv"][1].shape, (2, 1))
            self.assertEqual(st["model.layers.1.mlp.gate.e_score_correction_bias"][0], "F32")
            self.assertEqual(st["lm_head.weight"][0], "BF16")
            c = json.loads(pathlib.Path(os.path.join(d, "config.json")).read_text())
            W = load_hf_weights(os.path.join(d, "model.safetensors"))
            out = deepseek.forward(deepseek.DeepSeekConfig.from_hf(c), W, torch.tensor(meta["token_ids"]))
            a = meta["arrays"]["logits"]
            raw = np.fromfile(os.path.join(d, "expected.bin"), dtype="<f4",
                              count=int(np.prod(a["shape"])), offset=a["offset"]).reshape(a["shape"])
            self.assertLess(np.abs(out["logits"].numpy() - raw).max(), 1e-5)


class Qwen3(unittest.TestCase):
    def test_preset_shapes(self):
        c = preset("qwen3")
        s = make_fixture.dense_shapes(c)
        a = "model.layers.1.self_attn."
        self.assertEqual(s[a + "q_norm.weight"], ([32], "norm"))
        self.assertEqual(s[a + "k_norm.weight"], ([32], "norm"))
        self.assertEqual(s[a + "q_proj.weight"][0], [4 * 32, 64])   # heads * head_dim != hidden
        self.assertEqual(s[a + "k_proj.weight"][0], [2 * 32, 64])
        self.assertEqual(s[a + "o_proj.weight"][0], [64, 4 * 32])
        self.assertFalse(any(n.endswith(".bias") for n in s))
        self.assertIn("lm_head.weight", s)
        self.assertTrue(dense.DenseConfig.from_hf(c).qk_norm)
        self.assertFalse(dense.DenseConfig.from_hf(preset("qwen2")).qk_norm)

    def test_qk_norm_is_per_head(self):
        # RMSNorm of each head vector: scaling one q head's (or one kv head's k) projection rows
        # leaves the logits unchanged (up to eps); without q/k norm (qwen2) it does not
        def scaled(W, cfg):
            W = dict(W)
            d, a = cfg.hd, "model.layers.0.self_attn."
            for n, h, f in (("q_proj", 1, 3.0), ("k_proj", 0, 0.5)):
                w = W[a + n + ".weight"].clone()
                w[h * d:(h + 1) * d] *= f
                W[a + n + ".weight"] = w
                if a + n + ".bias" in W:
                    b = W[a + n + ".bias"].clone()
                    b[h * d:(h + 1) * d] *= f
                    W[a + n + ".bias"] = b
            return W
        for name, invariant in (("qwen3", True), ("qwen2", False)):
            cfg, W, toks = model(name)
            d = float((dense.forward(cfg, W, toks)["logits"]
                       - dense.forward(cfg, scaled(W, cfg), toks)["logits"]).abs().max())
            if invariant:
                self.assertLess(d, 1e-5, name)
            else:
                self.assertGreater(d, 1e-2, name)

    def test_yarn_numbers(self):
        cfg, _, _ = model("qwen3")
        self.assertEqual(cfg.rope_scaling["rope_type"], "yarn")
        self.assertAlmostEqual(dense.rope_attn_scale(cfg), 1.0 + 0.1 * math.log(4), 12)
        self.assertAlmostEqual(dense.rope_attn_scale(cfg), 1.138629, 6)
        self.assertEqual(common.yarn_correction_range(32, 1, 32, 1e6, 32768), (5, 10))
        inv, base = dense.rope_inv_freq(cfg), common.base_inv_freq(32, 1e6)
        self.assertTrue(torch.equal(inv[:6], base[:6]))                 # extrapolated pairs
        self.assertTrue(torch.allclose(inv[10:], base[10:] / 4))        # interpolated pairs
        self.assertTrue(((inv[6:10] < base[6:10]) & (inv[6:10] > base[6:10] / 4)).all())
        rs = dict(cfg.rope_scaling)
        for extra, want in (({"attention_factor": 0.9}, 0.9), ({"mscale": 1.0, "mscale_all_dim": 1.0}, 1.0),
                            ({"attn_factor": 0.8782488562869419}, 1.0 + 0.1 * math.log(4))):
            c = dense.DenseConfig(**{**cfg.__dict__, "rope_scaling": {**rs, **extra}})
            self.assertAlmostEqual(dense.rope_attn_scale(c), want, 12, extra)
        self.assertEqual(dense.rope_attn_scale(model("qwen2")[0]), 1.0)

    def test_fixture_records_cos_sin_scale(self):
        with tempfile.TemporaryDirectory() as d:
            meta = make_fixture.make_fixture("qwen3", d)
            self.assertAlmostEqual(meta["rope_cos_sin_scale"], 1.0 + 0.1 * math.log(4), 12)
            st = read_safetensors(os.path.join(d, "model.safetensors"))
            self.assertEqual(st["model.layers.0.self_attn.k_norm.weight"][1].shape, (32,))
            c = json.loads(pathlib.Path(os.path.join(d, "config.json")).read_text())
            self.assertEqual((c["model_type"], c["head_dim"], c["attention_bias"]), ("qwen3", 32, False))


class RealGGUFQwen3Controls(unittest.TestCase):
    """qwen3-micro-F32 vs llama.cpp (-fa off -ctk f32 -ctv f32), 8 teacher-forced steps: within
    1e-4 with llama.cpp's f16 rounding of the output product's input emulated, 1e-2 without;
    each trap > 1e-2 off."""

    @classmethod
    def setUpClass(cls):
        g = GGUFFile(QWEN3_GGUF)
        cls.cfg = run_gguf_qwen3.config_from_gguf(g)
        cls.W, types = run_gguf_qwen3.weights_from_gguf(g)
        cls.rounding = {"llama": run_gguf_qwen3.llama_act_round(types), None: None}
        rec = json.loads(pathlib.Path(QWEN3_EXPECTED).read_text())["files"]["qwen3-micro-F32.gguf"]
        cls.prompt, cls.want = rec["prompt_ids"], rec["greedy"]["kv_f32_noFA"]

    def err(self, act_round="llama", n=8):
        steps = run_gguf_qwen3.teacher_forced(self.cfg, self.W, self.prompt, self.want["ids"][:n],
                                              self.rounding[act_round])
        return max(abs(float(steps[s, t]) - v) for s in range(n) for t, v in self.want["top5"][s])

    def test_config(self):
        c = self.cfg
        self.assertEqual((c.model_type, c.hd, c.num_attention_heads, c.num_key_value_heads), ("qwen3", 32, 4, 2))
        self.assertEqual(c.rope_scaling["factor"], 4.0)
        self.assertFalse(c.tie_word_embeddings)

    def test_controls(self):
        self.assertLess(self.err(), 1e-4)
        self.assertLess(self.err(None), 1e-2)
        traps = {
            "no q/k norm": mock.patch.object(dense.DenseConfig, "qk_norm", property(lambda self: False)),
            "adjacent rope": mock.patch.object(dense, "rope_split_half", common.rope_adjacent),
            "no YaRN magnitude": mock.patch.object(dense, "rope_attn_scale", lambda c: 1.0),
            "no YaRN freqs": mock.patch.object(
                dense, "rope_inv_freq", lambda c: common.base_inv_freq(c.hd, c.rope_theta)),
        }
        for name, patch in traps.items():
            with patch:
                self.assertGreater(self.err(), 1e-2, name)


class RealGGUFControls(unittest.TestCase):
    """Step-0 logits of ds2-micro-F32 vs llama.cpp: right within 1e-4, each trap > 1e-3 off."""

    @classmethod
    def setUpClass(cls):
        g = GGUFFile(GGUF)
        cls.cfg = run_gguf.config_from_gguf(g)
        cls.W = run_gguf.weights_from_gguf(g, cls.cfg)
        rec = json.loads(pathlib.Path(EXPECTED).read_text())["files"]["dev/ds2-micro-F32.gguf"]
        cls.prompt, cls.top5 = rec["prompt_ids"], rec["greedy"]["peer_kv_f32"]["top5"][0]

    def err(self):
        logits = deepseek.forward(self.cfg, self.W, self.prompt)["logits"][-1]
        return max(abs(float(logits[t]) - v) for t, v in self.top5)

    def test_controls(self):
        self.assertLess(self.err(), 1e-4)
        plain = lambda cfg: (common.base_inv_freq(cfg.qk_rope_head_dim, cfg.rope_theta), 1.0)  # noqa
        traps = {
            "split-half rope": mock.patch.object(deepseek, "rope_adjacent", common.rope_split_half),
            "no mscale^2": mock.patch.object(deepseek, "softmax_scale", lambda c: c.qk_head_dim ** -0.5),
            "no YaRN freqs": mock.patch.object(deepseek, "rope_inv_freq_and_scale", plain),
        }
        for name, patch in traps.items():
            with patch:
                self.assertGreater(self.err(), 1e-3, name)


if __name__ == "__main__":
    torch.set_num_threads(1)
    unittest.main()
