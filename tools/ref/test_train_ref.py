# Self-checks of the training oracle (ctest ref_train_selfcheck): autograd vs finite differences,
# balance-loss and bias-update arithmetic, our AdamW + clipping vs torch.optim.AdamW +
# clip_grad_norm_, and an end-to-end run whose dump is readable and whose loss falls.
# Usage: /usr/bin/python3 tools/ref/test_train_ref.py [-v]
import json
import os
import pathlib
import sys
import tempfile
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import deepseek  # noqa: E402
import make_fixture  # noqa: E402
import train_ref  # noqa: E402

HP = {"lambda_mtp": 0.3, "alpha": 0.05, "gamma": 1e-3, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8,
      "weight_decay": 0.1, "clip": 1.0}


class Pieces(unittest.TestCase):
    def test_balance_loss_uniform_is_one(self):
        cfg = deepseek.DeepSeekConfig(vocab_size=8, hidden_size=8, intermediate_size=8,
                                      moe_intermediate_size=8, num_hidden_layers=1,
                                      num_attention_heads=1, q_lora_rank=None, kv_lora_rank=4,
                                      qk_nope_head_dim=4, qk_rope_head_dim=4, v_head_dim=4,
                                      n_routed_experts=4, num_experts_per_tok=2)
        scores = torch.full((4, 4), 0.3, dtype=torch.float64)
        idx = torch.tensor([[0, 1], [2, 3], [0, 1], [2, 3]])
        self.assertAlmostEqual(float(train_ref.balance_loss(cfg, idx, scores)), 1.0, 12)
        # all tokens on experts 0,1 with scores favouring them: f = (2, 2, 0, 0), P = (.4,.4,.1,.1)
        s = torch.tensor([[0.4, 0.4, 0.1, 0.1]] * 4, dtype=torch.float64)
        idx = torch.tensor([[0, 1]] * 4)
        self.assertAlmostEqual(float(train_ref.balance_loss(cfg, idx, s)), 1.6, 12)

    def test_bias_update_sign(self):
        cfg = None
        W = {"model.layers.1.mlp.gate.e_score_correction_bias": torch.zeros(4, dtype=torch.float64)}
        train_ref.bias_update(cfg, W, {1: torch.tensor([5, 1, 3, 3])}, 0.001)
        np.testing.assert_allclose(W["model.layers.1.mlp.gate.e_score_correction_bias"].numpy(),
                                   [-0.001, 0.001, 0.0, 0.0])

    def test_adamw_matches_torch_optim(self):
        g = torch.Generator().manual_seed(0)
        init = {"a.weight": torch.randn(5, 3, generator=g, dtype=torch.float64),
                "a.norm": torch.randn(3, generator=g, dtype=torch.float64)}
        ours = {k: v.clone() for k, v in init.items()}
        theirs = {k: v.clone().requires_grad_(True) for k, v in init.items()}
        opt = torch.optim.AdamW([{"params": [theirs["a.weight"]], "weight_decay": HP["weight_decay"]},
                                 {"params": [theirs["a.norm"]], "weight_decay": 0.0}],
                                lr=1.0, betas=(0.9, 0.95), eps=1e-8)
        state = {}
        for t, lr in enumerate([1e-2, 3e-2, 2e-2], start=1):
            grads = {k: torch.randn(v.shape, generator=g, dtype=torch.float64) * 3 for k, v in init.items()}
            train_ref.adamw_step(ours, list(ours), grads, state, t, lr, HP)
            for k in theirs:
                theirs[k].grad = grads[k].clone()
            torch.nn.utils.clip_grad_norm_(list(theirs.values()), HP["clip"])
            for grp in opt.param_groups:
                grp["lr"] = lr
            opt.step()
        for k in ours:
            self.assertLess(float((ours[k] - theirs[k].detach()).abs().max()), 1e-12, k)


class Gradients(unittest.TestCase):
    def test_autograd_matches_finite_differences(self):
        torch.set_num_threads(1)
        c = make_fixture.preset("v3")
        shapes = make_fixture.deepseek_shapes(c)
        W = {k: v.double() for k, v in make_fixture.init_weights(shapes, 2).items()}
        L = c["num_hidden_layers"]
        for n in (f"model.layers.{L}.embed_tokens.weight", f"model.layers.{L}.shared_head.head.weight"):
            W.pop(n)
        cfg = deepseek.DeepSeekConfig.from_hf(c)
        batch = train_ref.default_batch(c["vocab_size"], 1, 12)
        names = ["model.layers.1.self_attn.kv_b_proj.weight", "model.layers.1.mlp.gate.weight",
                 "model.layers.3.eh_proj.weight", "model.layers.0.self_attn.kv_a_layernorm.weight",
                 "model.embed_tokens.weight", "lm_head.weight", "model.layers.3.hnorm.weight"]
        for n in names:
            W[n].requires_grad_(True)
        loss = train_ref.loss_fn(cfg, W, batch, True, HP["lambda_mtp"], HP["alpha"])[0]
        loss.backward()
        gen = torch.Generator().manual_seed(1)
        for n in names:
            flat = W[n].detach().reshape(-1)
            j = int(torch.randint(0, flat.numel(), (1,), generator=gen))
            if n == "model.embed_tokens.weight":  # pick a row that is used
                j = int(batch[0, 3]) * W[n].shape[1] + 5
            eps = 1e-6
            vals = []
            for sgn in (1, -1):
                Wp = {k: v.detach().clone() for k, v in W.items()}
                Wp[n].view(-1)[j] += sgn * eps
                with torch.no_grad():
                    vals.append(float(train_ref.loss_fn(cfg, Wp, batch, True, HP["lambda_mtp"],
                                                        HP["alpha"])[0]))
            fd = (vals[0] - vals[1]) / (2 * eps)
            ag = float(W[n].grad.reshape(-1)[j])
            self.assertLess(abs(fd - ag), 1e-6 + 1e-5 * abs(ag), f"{n}[{j}]: fd {fd} autograd {ag}")


class EndToEnd(unittest.TestCase):
    def test_dump(self):
        with tempfile.TemporaryDirectory() as d:
            make_fixture.make_fixture("v3", os.path.join(d, "fx"))
            train_ref.main(["--fixture", os.path.join(d, "fx"), "--out", os.path.join(d, "tr"),
                            "--batch", "2", "--seq", "16"])
            meta = json.loads(pathlib.Path(os.path.join(d, "tr", "train.json")).read_text())
            losses = [s["loss"]["total"] for s in meta["steps"]]
            self.assertEqual(len(losses), 11)
            self.assertLess(losses[-1], losses[0])
            a = meta["arrays"]
            for n in meta["params"]:
                self.assertIn("grad/" + n, a)
                self.assertIn("final/" + n, a)
            self.assertIn("mtp_logits", a)
            self.assertEqual(a["step0.load.3"]["shape"], [16])       # MTP layer loads
            loads = np.fromfile(os.path.join(d, "tr", "train.bin"), dtype="<i4", count=16,
                                offset=a["step0.load.1"]["offset"])
            self.assertEqual(int(loads.sum()), 2 * 16 * 4)           # B*T*K assignments


if __name__ == "__main__":
    torch.set_num_threads(1)
    unittest.main()
