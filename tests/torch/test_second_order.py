"""Second derivatives in joinery against PyTorch's: a small module exported forward only
is differentiated, its joint turned into the forward function of its gradients and
differentiated again (``joinery-opt --aot-make-joint --aot-grad-as-forward
--aot-make-joint``); in the interpreter, the first joint's gradients and the second's
Hessian-vector products must be ``torch.autograd.grad``'s, the latter with
``create_graph=True`` (f64, 1e-9 relative)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn as nn
from joinery_torch import export

import harness


class TanhSum(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return torch.tanh(self.fc(x)).sum()


class SigmoidSquareMean(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)

    def forward(self, x):
        return torch.sigmoid(self.fc(x)).pow(2).mean()


class ReluMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 5)
        self.fc2 = nn.Linear(5, 2)

    def forward(self, x):
        h = self.fc2(torch.relu(self.fc1(x)))
        return (h * h).sum()


class ExpLogSumExp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)

    def forward(self, x):
        y = self.fc(x)
        return (y - torch.log(torch.exp(y).sum(1, keepdim=True))).sum()


MODELS = {"tanh_sum": TanhSum, "sigmoid_square_mean": SigmoidSquareMean, "relu_mlp": ReluMLP,
          "exp_log_sum_exp": ExpLogSumExp}

_PARAM = re.compile(r"ParamAOTInput\(target='(.*)'\)")
_PLAIN = re.compile(r"PlainAOTInput\(idx=(\d+)\)")
_TANGENT = re.compile(r"TangentAOTInput\(output=PlainAOTOutput\(idx=(\d+)\)\)")
_GRAD = re.compile(r"GradAOTOutput\(grad_of=ParamAOTInput\(target='(.*)'\)\)")


@pytest.mark.parametrize("name", list(MODELS))
def test_grad_of_grad_matches_torch_autograd(tmp_path, name):
    torch.manual_seed(0)
    module = MODELS[name]().double()
    x = torch.randn(4, 3, dtype=torch.float64)
    forward = export(module, (x,), run=False, forward_only=True)
    (tmp_path / "forward.mlir").write_text(forward.text)
    second = tmp_path / "second.mlir"
    p = harness.run([harness.tool("joinery-opt"), tmp_path / "forward.mlir", "--aot-make-joint",
                     "--aot-grad-as-forward", "--aot-make-joint", "-o", second])
    assert p.returncode == 0, p.stderr

    params = dict(module.named_parameters())
    t = torch.randn((), dtype=torch.float64)
    t2 = {k: torch.randn_like(v) for k, v in params.items()}
    out = module(x)
    grads = torch.autograd.grad(out, list(params.values()), t, create_graph=True)
    hvps = dict(zip(params, torch.autograd.grad(grads, list(params.values()),
                                                list(t2.values()))))

    rows = harness.function_tables(second)["joint"]
    args = [r.repr for r in rows if r.kind == "arg"]
    results = [r.repr for r in rows if r.kind == "result"]
    # The first joint's gradients are the plain outputs of the second, in parameter order.
    order = list(params)
    plain_inputs = [x, t]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for i, desc in enumerate(args):
        if m := _PARAM.fullmatch(desc):
            value = params[m.group(1)]
        elif m := _PLAIN.fullmatch(desc):
            value = plain_inputs[int(m.group(1))]
        elif m := _TANGENT.fullmatch(desc):
            value = t2[order[int(m.group(1))]]
        else:
            raise AssertionError(f"unexpected argument {desc}")
        np.save(inputs / f"arg{i}.npy", value.detach().numpy())
    got = harness.interpret(second, inputs, tmp_path / "out", len(results))

    hvp_checked = 0
    for j, desc in enumerate(results):
        if m := re.fullmatch(r"PlainAOTOutput\(idx=(\d+)\)", desc):
            k = int(m.group(1))
            harness.assert_close(got[j], grads[k].detach().numpy(), f"gradient of {order[k]}",
                                 rel=1e-9)
        elif m := _GRAD.fullmatch(desc):
            harness.assert_close(got[j], hvps[m.group(1)].numpy(),
                                 f"Hessian-vector product of {m.group(1)}", rel=1e-9)
            hvp_checked += 1
        else:
            assert got[j] is None, f"result {j} ({desc}) should be an empty slot"
    assert hvp_checked == len(params)
