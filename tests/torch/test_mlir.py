"""The MLIR path (``joinery-run --via-mlir``: export to upstream MLIR, MLIR's own pipeline
and ExecutionEngine) as an oracle on every model of the zoos, in both export modes:
its results equal the reference interpreter's (1e-5 of each result's scale, as
``test_stages.py`` judges the interpreter against PyTorch), and ``mlir-opt-22`` reads the
export without ``--allow-unregistered-dialect``.

A model the export does not cover must be refused with the export's diagnostic naming
the ops: :data:`REFUSED` lists them with the reason, and a model that starts to go through
(or refuses other ops) fails until its entry is updated."""

from __future__ import annotations

import re
import subprocess

import pytest

import harness
from test_stages import MODES, NAMES

MLIR_OPT = "mlir-opt-22"

REFUSED: dict[tuple[str, str], tuple[set[str], str]] = {}
"""Models (and export modes) the MLIR export refuses: the ops its diagnostic names, and
why. Empty: every model of both zoos goes through in both modes."""


def test_every_refusal_names_a_model():
    assert {name for name, _ in REFUSED} <= set(NAMES)
    assert {mode for _, mode in REFUSED} <= set(MODES)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_mlir_path_agrees_with_the_interpreter(exported, tmp_path, name, mode):
    """Covered models: ``--via-mlir`` computes the interpreter's results and mlir-opt-22
    reads the export; refused ones: the diagnostic names exactly the listed ops."""
    _, _, result, d = exported(name, mode)
    joint = d / "joint.mlir"
    n = len(result.output_descs)
    translate = harness.run([harness.tool("joinery-translate"), "--to-mlir", joint])
    if (name, mode) in REFUSED:
        ops, _ = REFUSED[name, mode]
        assert translate.returncode != 0, f"{name} now exports: remove it from REFUSED"
        m = re.search(r"error: no lowering to upstream MLIR for (.*)", translate.stderr)
        assert m, translate.stderr
        assert set(re.findall(r"'([\w.]+)'", m.group(1))) == ops, translate.stderr
        return
    assert translate.returncode == 0, translate.stderr
    opt = subprocess.run([MLIR_OPT], input=translate.stdout, capture_output=True, text=True)
    assert opt.returncode == 0, opt.stderr
    want = harness.interpret(joint, d / "inputs", tmp_path / "interpreted", n)
    got = harness.interpret(joint, d / "inputs", tmp_path / "mlir", n, via_mlir=True)
    harness.assert_outputs_close(got, want, result.output_descs)
