"""Differentiation in joinery against PyTorch's: every model of the real-model zoo and the
conformance zoo is exported forward only (``joinery_torch.export_forward``), differentiated
by ``joinery-opt --aot-make-joint``, and run by the interpreter on the inputs of PyTorch's
joint export. The made joint must have PyTorch's descriptors in PyTorch's order and compute
its outputs, buffer updates and gradients (1e-5 relative, f32); a random model (dropout) is
checked against eager autograd replaying the draws read off the made joint's outputs.
The ``TwoTensor`` parameter model's forward export holds subclass pieces
(``#aot.subclass_attr``); its made joint has PyTorch's tangents and gradients of pieces."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from joinery_torch import export
from joinery_torch.__main__ import decomposition_table

import harness
import models
import zoo_models

NAMES = [c.name for c in models.CASES + zoo_models.CASES]


def make_joint(forward, out_dir: Path) -> Path:
    """``joinery-opt --aot-make-joint`` of a forward export, written to ``out_dir``."""
    (out_dir / "forward.mlir").write_text(forward.text)
    listed = ",".join(map(str, forward.plain_requires_grad))
    flag = f"--aot-make-joint=plain-requires-grad={listed}" if listed else "--aot-make-joint"
    p = harness.run([harness.tool("joinery-opt"), out_dir / "forward.mlir", flag,
                     "-o", out_dir / "made.mlir"])
    assert p.returncode == 0, p.stderr
    return out_dir / "made.mlir"


@pytest.mark.parametrize("mode", ["none", "core"])
@pytest.mark.parametrize("name", NAMES)
def test_made_joint_matches_pytorchs_joint(exported, tmp_path, name, mode):
    e = exported(name, mode)
    case, (module, args, kwargs), result, d = e
    forward = export(module, args, kwargs, decompositions=decomposition_table(mode), run=False,
                     forward_only=True)
    assert "#aot.tangent" not in forward.text and "grad<" not in forward.text
    made = make_joint(forward, tmp_path)

    theirs = harness.joinery_table(d / "joint.mlir")
    ours = harness.joinery_table(made)
    assert [(r.kind, r.repr) for r in ours] == [(r.kind, r.repr) for r in theirs], \
        "the made joint's descriptors are not PyTorch's"
    got = harness.interpret(made, d / "inputs", tmp_path / "out", len(result.output_descs))
    harness.assert_outputs_close(got, harness.reference(e, got), result.output_descs)


class TwoTensorBeside(torch.nn.Module):
    """A ``TwoTensor`` parameter through nonlinear ops beside a plain parameter (whose
    gradient PyTorch makes a ``TwoTensor``: the backward runs on subclass tangents), an
    unused ``TwoTensor`` parameter (one empty slot), a ``TwoTensor`` buffer (no gradient),
    and ``TwoTensor`` and plain outputs."""

    def __init__(self):
        super().__init__()
        from torch.testing._internal.two_tensor import TwoTensor

        self.w = torch.nn.Parameter(TwoTensor(torch.randn(3, 4), torch.randn(3, 4)))
        self.v = torch.nn.Parameter(torch.randn(4))
        self.unused = torch.nn.Parameter(TwoTensor(torch.randn(2), torch.randn(2)))
        self.register_buffer("s", TwoTensor(torch.randn(4), torch.randn(4)))

    def forward(self, x):
        h = torch.tanh(x @ self.w) * self.v + self.s
        return h, (h * h).sum(), (x * x).sum()


@pytest.mark.parametrize("mode", ["none", "core"])
def test_subclass_gradients_of_plain_primals(tmp_path, mode):
    """Subclass pieces beyond the zoo's model: the made joint has PyTorch's layout (the
    plain parameter's gradient in ``TwoTensor`` pieces, one ``none_grad`` for the unused
    subclass parameter and the buffer) and PyTorch's outputs and gradients."""
    torch.manual_seed(0)
    module, x = TwoTensorBeside(), torch.randn(2, 3)
    table = decomposition_table(mode)
    joint = export(module, (x,), {}, decompositions=table)
    (tmp_path / "joint.mlir").write_text(joint.text)
    joint.write_npy(tmp_path)
    forward = export(module, (x,), {}, decompositions=table, run=False, forward_only=True)
    made = make_joint(forward, tmp_path)

    ours = [(r.kind, r.repr) for r in harness.joinery_table(made)]
    assert ours == [(r.kind, r.repr) for r in harness.joinery_table(tmp_path / "joint.mlir")]
    assert ("result", "SubclassGetAttrAOTOutput(base=GradAOTOutput(grad_of="
            "ParamAOTInput(target='v')), attr='b')") in ours
    got = harness.interpret(made, tmp_path / "inputs", tmp_path / "out", len(joint.output_descs))
    harness.assert_outputs_close(got, harness.arrays(joint.expected_outputs), joint.output_descs)


def test_forward_export_requires_grad_inputs(tmp_path):
    """A user input with ``requires_grad=True`` is named in ``plain_requires_grad``, and
    differentiating with that option gives its gradient slot as PyTorch's joint does."""
    module, args, kwargs = models.BY_NAME["simple_linear"].factory()
    x = args[0].clone().requires_grad_(True)
    forward = export(module, (x,), kwargs, run=False, forward_only=True)
    assert forward.plain_requires_grad == [0]
    made = make_joint(forward, tmp_path)
    joint = export(module, (x,), kwargs, run=False)
    assert [r.repr for r in harness.joinery_table(made)] == \
        ["None" if d is None else repr(d) for d in joint.input_descs + joint.output_descs]
