# Self-checks of the reference (run by ctest as ref_selfcheck): naive == absorbed MLA, prefill ==
# step-by-step decode, routing traps (bias selection-only, -inf group mask, V2 max vs V3 top-2
# sum), YaRN numbers, rope pairings, FP8 codec, fixture round trip, and negative controls showing
# the real-GGUF check (run_gguf.py) fails when a trap is mis-implemented.
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
from gguf_reader import GGUFFile  # noqa: E402
from presets import is_deepseek, preset  # noqa: E402
from safetensors_io import (E4M3_VALUES, fp8_dequantize_blocks, fp8_e4m3_encode,  # noqa: E402
                            fp8_quantize_blocks, load_hf_weights, read_safetensors)

ROOT = os.path.dirname(os.path.dirname(HERE))
GGUF = os.path.join(ROOT, "tests/data/gguf/ds2-micro-F32.gguf")
EXPECTED = os.path.join(ROOT, "tests/data/gguf/expected.json")


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
        for name in ("qwen2", "llama", "llama2"):
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
