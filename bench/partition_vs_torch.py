"""Saved bytes of joinery's aot-partition against PyTorch's partitioners on the conformance zoo.

For every zoo case (tests/torch/models.py) the joint graph is exported once with the bridge
(tools/torch); PyTorch's ``default_partition`` and ``min_cut_rematerialization_partition``
run on that FX graph, and ``joinery-opt --aot-partition`` on its joinery text. The table
shows the bytes each side saves for the backward.

    .venv/bin/python bench/partition_vs_torch.py [--tools DIR] [--export-zoo DIR]

``--export-zoo DIR`` also writes every case's joint as ``DIR/<case>.mlir`` (the inputs of
joinery-partition's interpreter-equality test).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools" / "torch"))
sys.path.insert(0, str(REPO / "tests" / "torch"))

import torch  # noqa: E402
from torch._functorch import partitioners  # noqa: E402

from joinery_torch import export  # noqa: E402
from models import CASES  # noqa: E402

BACKWARD_OUTPUTS = ("GradAOTOutput", "BackwardTokenAOTOutput", "PhiloxUpdatedBackwardOffsetAOTOutput")


def num_fwd_outputs(output_descs) -> int:
    """Outputs before the backward group (gradient slots are a GradAOTOutput or None)."""
    n = 0
    for d in output_descs:
        if d is None or type(d).__name__ in BACKWARD_OUTPUTS:
            break
        n += 1
    return n


def torch_saved_bytes(gm, nfo: int, strategy: str) -> tuple[int, list[str]]:
    fn = {
        "default": partitioners.default_partition,
        "min-cut": partitioners.min_cut_rematerialization_partition,
    }[strategy]
    fw, _bw = fn(gm, None, num_fwd_outputs=nfo)
    saved = fw.graph.output_node().args[0][nfo:]
    total, names = 0, []
    for n in saved:
        val = n.meta.get("val")
        if isinstance(val, torch.Tensor):
            total += val.numel() * val.element_size()
        names.append(n.name)
    return total, names


def joinery_saved_bytes(opt: Path, text: str, strategy: str) -> tuple[int, list[str]]:
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        proc = subprocess.run(
            [str(opt), path, f"--aot-partition=strategy={strategy}", "--pass-statistics"],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    m = re.search(r"\(S\)\s+(\d+) saved-bytes", proc.stderr)
    fwd = re.search(r"func\.return ([^:]*) :", proc.stdout.split("func.func @joint_backward")[0])
    nsaved = re.search(r"num_saved = (\d+)", proc.stdout)
    names = []
    if fwd and nsaved:
        values = [v.strip().lstrip("%") for v in fwd.group(1).split(",")]
        names = values[len(values) - int(nsaved.group(1)):]
    return int(m.group(1)), names


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_tools = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug"
    ap.add_argument("--tools", type=Path, default=default_tools)
    ap.add_argument("--export-zoo", type=Path)
    ap.add_argument("--verbose", action="store_true", help="list the saved values")
    args = ap.parse_args()
    opt = args.tools / "joinery-opt"
    print("| case | ops | torch default | joinery default | torch min-cut | joinery min-cut |")
    print("|---|---:|---:|---:|---:|---:|")
    worse = []
    for case in CASES:
        if case.subclass:
            continue
        row = [case.name]
        details = []
        for strategy in ("default", "min-cut"):
            module, margs, kwargs = case.factory()
            result = export(module, margs, kwargs, run=False)
            if strategy == "default" and args.export_zoo:
                args.export_zoo.mkdir(parents=True, exist_ok=True)
                (args.export_zoo / f"{case.name}.mlir").write_text(
                    f"// The joint of the conformance-zoo case `{case.name}` "
                    "(tests/torch/models.py),\n// exported by bench/partition_vs_torch.py.\n"
                    + result.text
                )
            if strategy == "default":
                row.append(str(sum(1 for n in result.graph_module.graph.nodes if n.op == "call_function")))
            nfo = num_fwd_outputs(result.output_descs)
            ours, our_names = joinery_saved_bytes(opt, result.text, strategy)
            theirs, their_names = torch_saved_bytes(result.graph_module, nfo, strategy)
            row += [str(theirs), str(ours)]
            details.append(f"  {strategy}: torch {their_names}\n  {strategy}: joinery {our_names}")
            if strategy == "min-cut" and ours > theirs:
                worse.append(case.name)
        print("| " + " | ".join(row) + " |")
        if args.verbose:
            print("\n".join(details))
    if worse:
        print(f"\njoinery min-cut saves more than PyTorch on: {', '.join(worse)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
