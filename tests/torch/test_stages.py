"""Every stage of joinery on every model of the real-model zoo (``zoo_models.py``) and the
conformance zoo (``models.py``), in both export modes (``--decompositions none`` and
``core``):

- ``export``: the joint exports, and PyTorch's joint computes what eager autograd computes;
- ``roundtrip``: ``joinery-opt --verify-roundtrip``;
- ``fx_utils``: joinery's descriptor tables are those of PyTorch's ``fx_utils``;
- ``interpret``: ``joinery-run --interpret`` gives PyTorch's outputs and gradients;
- ``native``: ``joinery-run --native`` gives them too (1e-4 relative);
- ``native-fwd-bwd``: so do the forward and then the backward of the default partition,
  each compiled natively (what ``joinery-run train`` runs);
- ``partition-*``: ``joinery-opt --aot-partition`` (default, and min-cut at memory budgets
  1, 0.5 and 0), forward then backward in the interpreter, returns what the joint returns,
  bit for bit.

A random model (dropout) is checked against eager autograd replaying the draws read off
the stage's own outputs, so forward and backward must agree on them.

What fails today is listed in :data:`GAPS`, the one table of known gaps: each entry names
the cause, and its test is a strict ``xfail`` that holds only while the failure message
still shows that cause. A fix turns the entry's tests into failures (XPASS, or a different
error) until the entry is removed or updated. ``zoo_table.py`` prints the model x stage
table of the README from a run of this file.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import harness
import models
import zoo_models

MODES = ("none", "core")
"""Export modes: the decomposition table given to the exporter."""

PARTITIONS = {
    "partition-default": "strategy=default",
    "partition-min-cut-1.0": "strategy=min-cut memory-budget=1.0",
    "partition-min-cut-0.5": "strategy=min-cut memory-budget=0.5",
    "partition-min-cut-0.0": "strategy=min-cut memory-budget=0.0",
}
"""The partitioning stages: their ``aot-partition`` options."""

STAGES = ("export", "roundtrip", "fx_utils", "interpret", "native", "native-fwd-bwd",
          *PARTITIONS)
"""Every stage, in pipeline order (the table's columns)."""

NAMES = [c.name for c in models.CASES + zoo_models.CASES if not c.subclass]
"""The real-model zoo and the conformance zoo; subclass models are left to ``test_zoo.py``
(PyTorch's fx_utils and eager autograd do not take them)."""

@dataclass(frozen=True)
class Gap:
    """A known failure: the models, modes and stages it affects, and its cause."""

    models: tuple[str, ...]
    modes: tuple[str, ...]
    stages: tuple[str, ...]
    reason: str
    """The cause, as the README table shows it."""
    match: str
    """A regular expression the failure's message contains while the cause stands."""


GAPS: list[Gap] = []
"""Known gaps; the first entry naming a (model, mode, stage) is the one that applies."""


def test_every_gap_applies():
    """Every entry names existing models, modes and stages, has a valid pattern and is the
    gap of at least one cell (no entry is shadowed by earlier ones)."""
    for g in GAPS:
        assert set(g.models) <= set(NAMES), g
        assert set(g.modes) <= set(MODES), g
        assert set(g.stages) <= set(STAGES), g
        re.compile(g.match)
        assert any(gap(n, m, s) is g for n in g.models for m in g.modes for s in g.stages), g


def gap(name: str, mode: str, stage: str) -> Gap | None:
    """The known gap of one cell, if any."""
    return next((g for g in GAPS if name in g.models and mode in g.modes and stage in g.stages),
                None)


class KnownGap(Exception):
    """A failure showing the cause its :class:`Gap` names."""


@contextlib.contextmanager
def known(name: str, mode: str, stage: str):
    """Turns a failure showing the cell's known cause into :class:`KnownGap`; any other
    failure stays what it is, so the strict xfail (``raises=KnownGap``) does not hide it."""
    g = gap(name, mode, stage)
    try:
        yield
    except Exception as e:
        if g is not None and re.search(g.match, str(e)):
            raise KnownGap(f"{g.reason}: {e}") from e
        raise


def cells(*stages: str) -> list:
    """The parameters ``(name, mode, stage)`` of the given stages, with the strict xfail
    mark of their known gap."""
    params = []
    for stage in stages:
        for mode in MODES:
            for name in NAMES:
                g = gap(name, mode, stage)
                marks = [pytest.mark.xfail(strict=True, raises=KnownGap, reason=g.reason)] \
                    if g else []
                params.append(pytest.param(name, mode, stage, marks=marks,
                                           id=f"{name}-{mode}-{stage}"))
    return params


@pytest.fixture(scope="session")
def interpreted(exported, tmp_path_factory):
    """``interpreted(name, mode)``: the interpreter's results of ``@joint`` (run once)."""
    cache = {}

    def get(name: str, mode: str):
        if (name, mode) not in cache:
            _, _, result, d = exported(name, mode)
            out = tmp_path_factory.mktemp(f"{name}-{mode}-interpreted")
            cache[name, mode] = harness.interpret(d / "joint.mlir", d / "inputs", out,
                                                  len(result.output_descs))
        return cache[name, mode]

    return get


@pytest.mark.parametrize("name, mode, stage", cells("export"))
def test_export(exported, name, mode, stage):
    """The joint exports, and PyTorch's joint (or eager replaying its draws) computes
    what eager autograd computes, read through the output descriptors."""
    with known(name, mode, stage):
        case, (module, args, kwargs), result, d = exported(name, mode)
        assert "func.func @joint" in (d / "joint.mlir").read_text()
        expected = harness.arrays(result.expected_outputs)
        if case.replay is not None:
            module = case.replay(module, harness.plain_outputs(expected, result.output_descs))
        eager = harness.arrays(harness.eager_reference(module, args, kwargs, result))
        harness.assert_outputs_close(expected, eager, result.output_descs)


@pytest.mark.parametrize("name, mode, stage", cells("roundtrip"))
def test_roundtrip(exported, tmp_path, name, mode, stage):
    """The exported text verifies and prints back to what it parses from."""
    with known(name, mode, stage):
        _, _, _, d = exported(name, mode)
        p = harness.run([harness.tool("joinery-opt"), "--verify-roundtrip", d / "joint.mlir",
                         "-o", tmp_path / "printed.mlir"])
        assert p.returncode == 0, p.stderr
        assert "func.func @joint" in (tmp_path / "printed.mlir").read_text()


@pytest.mark.parametrize("name, mode, stage", cells("fx_utils"))
def test_fx_utils(exported, name, mode, stage):
    """joinery's descriptor pairing answers the fx_utils queries as PyTorch does."""
    with known(name, mode, stage):
        _, _, result, d = exported(name, mode)
        ours = harness.joinery_fx_utils(harness.joinery_table(d / "joint.mlir"))
        assert ours == harness.torch_fx_utils(result.graph_module)


@pytest.mark.parametrize("name, mode, stage", cells("interpret"))
def test_interpret(exported, interpreted, name, mode, stage):
    """The reference interpreter computes PyTorch's outputs, buffer updates and grads."""
    with known(name, mode, stage):
        e = exported(name, mode)
        got = interpreted(name, mode)
        harness.assert_outputs_close(got, harness.reference(e, got), e[2].output_descs)


@pytest.mark.parametrize("name, mode, stage", cells("native"))
def test_native(exported, tmp_path, name, mode, stage):
    """The joint compiled whole by the native backend computes them too."""
    with known(name, mode, stage):
        e = exported(name, mode)
        _, _, result, d = e
        got = harness.interpret(d / "joint.mlir", d / "inputs", tmp_path,
                                len(result.output_descs), native=True)
        harness.assert_outputs_close(got, harness.reference(e, got), result.output_descs, rel=1e-4)


def partition(joint: Path, options: str, out: Path) -> Path:
    """``joinery-opt --aot-partition=<options>`` of a joint, written to ``out``."""
    p = harness.run([harness.tool("joinery-opt"), joint, f"--aot-partition={options}",
                     "-o", out])
    assert p.returncode == 0, p.stderr
    return out


@pytest.mark.parametrize("name, mode, stage", cells("native-fwd-bwd"))
def test_native_forward_backward(exported, tmp_path, name, mode, stage):
    """So do the default partition's forward and backward, each compiled natively."""
    with known(name, mode, stage):
        e = exported(name, mode)
        _, _, result, d = e
        part = partition(d / "joint.mlir", PARTITIONS["partition-default"],
                         tmp_path / "partitioned.mlir")
        got = harness.interpret_partitioned(part, harness.joinery_table(d / "joint.mlir"),
                                            d / "inputs", tmp_path, native=True)
        harness.assert_outputs_close(got, harness.reference(e, got), result.output_descs, rel=1e-4)


@pytest.mark.parametrize("name, mode, stage", cells(*PARTITIONS))
def test_partition(exported, interpreted, tmp_path, name, mode, stage):
    """Forward then backward computes the joint's results exactly."""
    with known(name, mode, stage):
        _, _, result, d = exported(name, mode)
        part = partition(d / "joint.mlir", PARTITIONS[stage], tmp_path / "partitioned.mlir")
        got = harness.interpret_partitioned(part, harness.joinery_table(d / "joint.mlir"),
                                            d / "inputs", tmp_path)
        want = interpreted(name, mode)
        assert len(got) == len(want), f"{len(got)} results, the joint has {len(want)}"
        harness.assert_outputs_identical(got, want, result.output_descs)
