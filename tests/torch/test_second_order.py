"""Second derivatives and forward mode in joinery against PyTorch's, on small f64 modules
exported forward only:

- ``joinery-opt --aot-make-joint --aot-grad-as-forward --aot-make-joint``: in the
  interpreter, the first joint's gradients and the second's Hessian-vector products must
  be ``torch.autograd.grad``'s, the latter with ``create_graph=True``;
- ``joinery-opt --aot-make-jvp``: the tangent outputs must be ``torch.func.jvp``'s along
  the same parameter tangents.

Both in f64, 1e-9 relative."""

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


class ConvPool(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        h = torch.nn.functional.avg_pool2d(torch.nn.functional.gelu(self.conv(x)), 2)
        return self.fc(h.mean((2, 3))), h


MODELS = {"tanh_sum": TanhSum, "sigmoid_square_mean": SigmoidSquareMean, "relu_mlp": ReluMLP,
          "exp_log_sum_exp": ExpLogSumExp}

JVP_MODELS = {**MODELS, "conv_pool": ConvPool}
"""Modules for forward mode: every op of their forward graphs has a forward rule."""

_PARAM = re.compile(r"ParamAOTInput\(target='(.*)'\)")
_PLAIN = re.compile(r"PlainAOTInput\(idx=(\d+)\)")
_TANGENT = re.compile(r"TangentAOTInput\(output=PlainAOTOutput\(idx=(\d+)\)\)")
_GRAD = re.compile(r"GradAOTOutput\(grad_of=ParamAOTInput\(target='(.*)'\)\)")
_PLAIN_OUT = re.compile(r"PlainAOTOutput\(idx=(\d+)\)")


def example(name: str, models: dict):
    """The seeded f64 module ``name`` and its input."""
    torch.manual_seed(0)
    module = models[name]().double()
    x = torch.randn(2, 2, 4, 4, dtype=torch.float64) if name == "conv_pool" \
        else torch.randn(4, 3, dtype=torch.float64)
    return module, x


def run_pipeline(module, x, tmp_path, passes: list[str]):
    """The forward export of ``module(x)`` through ``joinery-opt`` with ``passes``: the
    output file and the argument and result descriptors of its ``@joint``."""
    forward = export(module, (x,), run=False, forward_only=True)
    (tmp_path / "forward.mlir").write_text(forward.text)
    out = tmp_path / "made.mlir"
    p = harness.run([harness.tool("joinery-opt"), tmp_path / "forward.mlir", *passes, "-o", out])
    assert p.returncode == 0, p.stderr
    rows = harness.function_tables(out)["joint"]
    return (out, [r.repr for r in rows if r.kind == "arg"],
            [r.repr for r in rows if r.kind == "result"])


def write_inputs(directory, args: list[str], params: dict, plain: list, tangents: list):
    """``arg<i>.npy`` for every argument: parameters by name, plain inputs by index, then
    ``tangents[k]`` for the argument described by ``TangentAOTInput`` of plain output
    ``k``."""
    directory.mkdir()
    for i, desc in enumerate(args):
        if m := _PARAM.fullmatch(desc):
            value = params[m.group(1)]
        elif m := _PLAIN.fullmatch(desc):
            value = plain[int(m.group(1))]
        elif m := _TANGENT.fullmatch(desc):
            value = tangents[int(m.group(1))]
        else:
            raise AssertionError(f"unexpected argument {desc}")
        np.save(directory / f"arg{i}.npy", value.detach().numpy())


@pytest.mark.parametrize("name", list(MODELS))
def test_grad_of_grad_matches_torch_autograd(tmp_path, name):
    module, x = example(name, MODELS)
    second, args, results = run_pipeline(
        module, x, tmp_path, ["--aot-make-joint", "--aot-grad-as-forward", "--aot-make-joint"])

    params = dict(module.named_parameters())
    t = torch.randn((), dtype=torch.float64)
    t2 = {k: torch.randn_like(v) for k, v in params.items()}
    out = module(x)
    grads = torch.autograd.grad(out, list(params.values()), t, create_graph=True)
    hvps = dict(zip(params, torch.autograd.grad(grads, list(params.values()),
                                                list(t2.values()))))

    # The first joint's gradients are the plain outputs of the second, in parameter order.
    order = list(params)
    write_inputs(tmp_path / "inputs", args, params, [x, t], list(t2.values()))
    got = harness.interpret(second, tmp_path / "inputs", tmp_path / "out", len(results))

    hvp_checked = 0
    for j, desc in enumerate(results):
        if m := _PLAIN_OUT.fullmatch(desc):
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


@pytest.mark.parametrize("name", list(JVP_MODELS))
def test_jvp_matches_torch_func_jvp(tmp_path, name):
    module, x = example(name, JVP_MODELS)
    made, args, results = run_pipeline(module, x, tmp_path, ["--aot-make-jvp"])

    params = dict(module.named_parameters())
    dparams = {k: torch.randn_like(v) for k, v in params.items()}

    def f(p):
        return torch.func.functional_call(module, p, (x,))

    outs, touts = torch.func.jvp(f, (params,), (dparams,))
    outs = outs if isinstance(outs, tuple) else (outs,)
    touts = touts if isinstance(touts, tuple) else (touts,)

    # The tangent inputs are the plain inputs after x, one per parameter in order.
    plain = [x, *dparams.values()]
    write_inputs(tmp_path / "inputs", args, params, plain, [])
    got = harness.interpret(made, tmp_path / "inputs", tmp_path / "out", len(results))
    want = [o.detach().numpy() for o in outs] + [t.detach().numpy() for t in touts]
    assert results == [f"PlainAOTOutput(idx={i})" for i in range(len(want))]
    for j, (g, w) in enumerate(zip(got, want)):
        what = f"output {j}" if j < len(outs) else f"tangent of output {j - len(outs)}"
        harness.assert_close(g, w, what, rel=1e-9)
