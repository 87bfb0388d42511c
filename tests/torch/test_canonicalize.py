"""``canonicalize,cse`` on every joint of the zoo (the real-model zoo and the conformance
zoo, both export modes) keeps the interpreter's results bit for bit and verifies; run as a
script, this file prints the README's table of op counts: as exported, after ``dce,cse``
(what ``canonicalize,cse`` did before aten had patterns and folders) and after
``canonicalize,cse``:

    JOINERY_TOOLS_DIR=target/debug PYTHONPATH=tools/torch \\
        .venv/bin/python tests/torch/test_canonicalize.py > table.md
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import test_stages  # noqa: E402

PIPELINE = "builtin.module(func.func(canonicalize,cse))"
"""What is measured: the canonicalizer, then CSE (which merges the constants folding makes
and the equal views composition leaves)."""

BASELINE = "builtin.module(func.func(dce,cse))"
"""The table's baseline: dead-code removal and CSE alone."""

_OP = re.compile(r'^\s*(?:%[^=]+= )?"?(\w+)\.[\w.]+', re.MULTILINE)


def op_count(text: str) -> int:
    """The ops of a printed module, besides the module, its functions and their returns."""
    return sum(m.group(1) not in ("builtin", "func") for m in _OP.finditer(text))


def canonicalize(joint: Path, out: Path, pipeline: str = PIPELINE) -> Path:
    """``joinery-opt -p <pipeline>`` of ``joint`` (verified after each pass), written to
    ``out``."""
    p = harness.run([harness.tool("joinery-opt"), "--verify-each", "-p", pipeline, joint,
                     "-o", out])
    assert p.returncode == 0, p.stderr
    return out


def signature(mlir: Path) -> list:
    """The descriptor of each argument and result of ``@joint`` with what it links to
    (value names aside: a result may become another value)."""
    return [(r.kind, r.index, r.repr, r.link) for r in harness.joinery_table(mlir)]


@pytest.mark.parametrize("name", test_stages.NAMES)
@pytest.mark.parametrize("mode", test_stages.MODES)
def test_canonicalize_keeps_results(exported, tmp_path, name, mode):
    """The canonicalized joint computes exactly what the exported one computes, has no more
    ops, and keeps the function's signature (descriptors included)."""
    _, _, result, d = exported(name, mode)
    joint = d / "joint.mlir"
    canonical = canonicalize(joint, tmp_path / "canonical.mlir")
    before, after = joint.read_text(), canonical.read_text()
    assert op_count(after) <= op_count(before)
    assert signature(canonical) == signature(joint)
    n = len(result.output_descs)
    want = harness.interpret(joint, d / "inputs", tmp_path / "want", n)
    got = harness.interpret(canonical, d / "inputs", tmp_path / "got", n)
    harness.assert_outputs_identical(got, want, result.output_descs)


def test_op_count():
    """The counter sees every op but the module, the function and the return."""
    text = """module {
  func.func @joint(%a: tensor<2xf32>) -> tensor<2xf32> {
    %c = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
    %n = aten.neg %a : (tensor<2xf32>) -> tensor<2xf32>
    %s:2 = aten.split_with_sizes %n {split_sizes = [1, 1]} : (tensor<2xf32>) -> (tensor<1xf32>, tensor<1xf32>)
    %none = "aot.none"() : () -> none
    func.return %n : tensor<2xf32>
  }
}"""
    assert op_count(text) == 4


def table() -> str:
    """The Markdown table of op counts of every zoo joint: as exported, after BASELINE and
    after PIPELINE, in both export modes."""
    from joinery_torch import export
    from joinery_torch.__main__ import decomposition_table

    cases = {**test_stages.models.BY_NAME, **test_stages.zoo_models.BY_NAME}
    rows = ["| model | none: ops | `dce,cse` | `canonicalize,cse` "
            "| core: ops | `dce,cse` | `canonicalize,cse` |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    totals = [0] * 6
    with tempfile.TemporaryDirectory() as tmp:
        for name in test_stages.NAMES:
            cells = []
            for mode in test_stages.MODES:
                module, args, kwargs = cases[name].factory()
                text = export(module, args, kwargs, decompositions=decomposition_table(mode)).text
                joint = Path(tmp) / f"{name}-{mode}.mlir"
                joint.write_text(text)
                cells.append(op_count(text))
                for i, pipeline in enumerate((BASELINE, PIPELINE)):
                    out = canonicalize(joint, Path(tmp) / f"{name}-{mode}-{i}.mlir", pipeline)
                    cells.append(op_count(out.read_text()))
            totals = [t + c for t, c in zip(totals, cells)]
            rows.append(f"| {name} | " + " | ".join(map(str, cells)) + " |")
    rows.append("| **total** | " + " | ".join(f"**{t}**" for t in totals) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
