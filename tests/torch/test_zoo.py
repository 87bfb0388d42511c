"""The conformance zoo: every model exports, round-trips through joinery-opt, has the
descriptor tables PyTorch's fx_utils compute, and runs in joinery's reference interpreter
with PyTorch's outputs and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import harness
import models

NAMES = [c.name for c in models.CASES]


@pytest.mark.parametrize("name", NAMES)
def test_verify_roundtrip(exported, name):
    _, _, _, d = exported(name)
    p = harness.run([harness.tool("joinery-opt"), "--verify-roundtrip", d / "joint.mlir",
                     "-o", d / "printed.mlir"])
    assert p.returncode == 0, p.stderr
    printed = (d / "printed.mlir").read_text()
    assert "func.func @joint" in printed


@pytest.mark.parametrize("name", NAMES)
def test_descriptors_match_pytorch(exported, name):
    """Per slot, joinery's repr and expr() of the translated descriptor are PyTorch's."""
    _, _, result, d = exported(name)
    rows = harness.joinery_table(d / "joint.mlir")
    args = [r for r in rows if r.kind == "arg"]
    results = [r for r in rows if r.kind == "result"]
    placeholders = list(result.graph_module.graph.find_nodes(op="placeholder"))
    assert [(r.name, r.repr, r.expr) for r in args] == [
        (n.name, repr(n.meta["desc"]), n.meta["desc"].expr()) for n in placeholders
    ]
    assert [r.repr for r in results] == [
        "None" if desc is None else repr(desc) for desc in result.output_descs
    ]
    assert [r.expr for r in results if r.repr != "None"] == [
        desc.expr() for desc in result.output_descs if desc is not None
    ]


@pytest.mark.parametrize("name", NAMES)
def test_fx_utils_tables_match_pytorch(exported, name):
    case, _, result, d = exported(name)
    ours = harness.joinery_fx_utils(harness.joinery_table(d / "joint.mlir"))
    if case.subclass:
        with pytest.raises(RuntimeError, match="[Ss]ubclass"):
            harness.torch_fx_utils(result.graph_module)
        return
    theirs = harness.torch_fx_utils(result.graph_module)
    assert ours == theirs


@pytest.mark.parametrize("name", [c.name for c in models.CASES if not c.random])
def test_interpreter_matches_pytorch(exported, name):
    _, _, result, d = exported(name)
    got = harness.interpret(d / "joint.mlir", d / "inputs", d / "out", len(result.output_descs))
    harness.assert_outputs_close(got, harness.arrays(result.expected_outputs),
                                 result.output_descs)


@pytest.mark.parametrize("name", [c.name for c in models.CASES if not (c.random or c.subclass)])
def test_joint_matches_eager_autograd(exported, name):
    """PyTorch's joint graph on the example inputs computes what eager autograd computes,
    read through the output descriptors: the exported inputs and outputs mean what their
    descriptors say."""
    _, (module, args, kwargs), result, _ = exported(name)
    eager = harness.eager_reference(module, args, kwargs, result)
    for j, (e, want) in enumerate(zip(eager, result.expected_outputs)):
        what = f"result {j} ({result.output_descs[j]!r})"
        assert (e is None) == (want is None), what
        if e is not None:
            harness.assert_close(want.numpy(), e.numpy(), what)


def test_dropout_masks_agree_between_forward_and_backward(exported):
    """The interpreter draws its own mask; forward output and gradients must use the same
    one: y = mask * 2 * (x W^T + b), dW = (t * mask * 2)^T x, db = sum(t * mask * 2)."""
    _, _, result, d = exported("dropout")
    got = harness.interpret(d / "joint.mlir", d / "inputs", d / "out", len(result.output_descs))
    descs = [repr(x) for x in result.output_descs]
    y = got[descs.index("PlainAOTOutput(idx=0)")]
    gw = got[descs.index("GradAOTOutput(grad_of=ParamAOTInput(target='linear.weight'))")]
    gb = got[descs.index("GradAOTOutput(grad_of=ParamAOTInput(target='linear.bias'))")]
    ins = {repr(desc): t.numpy() for desc, t in zip(result.input_descs, result.example_inputs)}
    w = ins["ParamAOTInput(target='linear.weight')"]
    b = ins["ParamAOTInput(target='linear.bias')"]
    x = ins["PlainAOTInput(idx=0)"]
    t = ins["TangentAOTInput(output=PlainAOTOutput(idx=0))"]
    pre = x @ w.T + b
    mask = y != 0
    assert 0.3 < mask.mean() < 0.7, f"dropout kept {mask.mean():.2f} of the elements"
    harness.assert_close(y, np.where(mask, 2 * pre, 0).astype(np.float32), "forward", 1e-5)
    scaled = t * mask * 2
    harness.assert_close(gw, (scaled.T @ x).astype(np.float32), "weight grad", 1e-5)
    harness.assert_close(gb, scaled.sum(0).astype(np.float32), "bias grad", 1e-5)
