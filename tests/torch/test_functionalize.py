"""aot-functionalize and aot-desugar-subclasses against PyTorch.

- Every zoo model exported with functionalization disabled (in-place ops and views on
  ``!aten.ref`` tensors) and run through ``aot-functionalize`` has the signature and
  descriptors of PyTorch's functionalized export, and computes its outputs and gradients
  in joinery's interpreter (1e-5 relative).
- The hand-written subclass-typed joint of the zoo's ``two_tensor_param`` (a ``TwoTensor``
  parameter), run through ``aot-desugar-subclasses``, has PyTorch's flattened signature,
  descriptors and numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import harness
import models
from joinery_torch import export

FUNCTIONAL = [c.name for c in models.CASES if not (c.random or c.subclass)]

_ARG = re.compile(r"%(\w+): (\S+) \{aot\.desc = ")
_SIG = re.compile(r"func\.func @joint\((.*?)\)\s*->\s*\((.*?)\) \{", re.S)


def signature_types(text: str) -> tuple[list[str], list[str]]:
    """The argument and result types of ``@joint``, in order."""
    m = _SIG.search(text)
    assert m, "no @joint signature"
    args = [t for _, t in _ARG.findall(m.group(1))]
    results = re.findall(r"(\S+) \{aot\.desc = ", m.group(2))
    return args, results


def assert_outputs_match(got: list, result) -> None:
    """Our outputs equal PyTorch's (1e-5 relative), with the zoo's floor: a tenth of the
    joint's largest value, for outputs that cancel to about zero (conv bias under batch
    norm)."""
    joint_scale = 0.1 * max(float(w.abs().max()) for w in result.expected_outputs
                            if w is not None and w.is_floating_point() and w.numel())
    for j, (g, want) in enumerate(zip(got, result.expected_outputs)):
        what = f"result {j} ({result.output_descs[j]!r})"
        if want is None:
            assert g is None, what
        else:
            assert g is not None, f"{what}: no output"
            harness.assert_close(g, want.numpy(), what, floor=joint_scale)


def functionalize(src: Path, dst: Path, *passes: str) -> str:
    p = harness.run([harness.tool("joinery-opt"), src, *passes, "-o", dst])
    assert p.returncode == 0, p.stderr
    return dst.read_text()


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_functionalized_export_matches_pytorch(exported, name, tmp_path):
    case, _, result, d = exported(name)
    module, args, kwargs = case.factory()
    l0 = export(module, args, kwargs, disable_functionalization=True, run=False)
    (tmp_path / "l0.mlir").write_text(l0.text)
    ours = functionalize(tmp_path / "l0.mlir", tmp_path / "l1.mlir", "--aot-functionalize")
    assert "aten.ref" not in ours
    assert signature_types(ours) == signature_types(result.text)
    rows = harness.joinery_table(tmp_path / "l1.mlir")
    theirs = harness.joinery_table(d / "joint.mlir")
    # Arguments keep PyTorch's placeholder names; results are compared by descriptor.
    key = lambda r: (r.kind, r.name if r.kind == "arg" else "", r.repr, r.expr)  # noqa: E731
    assert [key(r) for r in rows] == [key(r) for r in theirs]
    got = harness.interpret(tmp_path / "l1.mlir", d / "inputs", tmp_path / "out",
                            len(result.output_descs))
    assert_outputs_match(got, result)


def test_mutating_models_really_mutate(exported, tmp_path):
    """The check above is not vacuous: the L0 exports of the mutating models hold in-place
    ops that aot-functionalize removes."""
    for name in ("linear_relu_steps", "conv_bn", "mutates_input"):
        case = models.BY_NAME[name]
        module, args, kwargs = case.factory()
        l0 = export(module, args, kwargs, disable_functionalization=True, run=False)
        assert re.search(r'"aten\.\w+_(\.\w+)?"', l0.text) or "_native_batch_norm_legit\"" in l0.text, name


TWO_TENSOR_JOINT = Path(__file__).resolve().parent / "inputs" / "two_tensor_param.mlir"


def test_desugared_two_tensor_matches_pytorch(exported, tmp_path):
    _, _, result, d = exported("two_tensor_param")
    ours = functionalize(TWO_TENSOR_JOINT, tmp_path / "flat.mlir", "--aot-desugar-subclasses")
    assert "subclass." not in ours
    assert signature_types(ours) == signature_types(result.text)
    rows = harness.joinery_table(tmp_path / "flat.mlir")
    theirs = harness.joinery_table(d / "joint.mlir")
    assert [(r.kind, r.repr, r.expr) for r in rows] == [
        (r.kind, r.repr, r.expr) for r in theirs
    ]
    got = harness.interpret(tmp_path / "flat.mlir", d / "inputs", tmp_path / "out",
                            len(result.output_descs))
    assert_outputs_match(got, result)
