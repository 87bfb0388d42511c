"""Saved bytes of joinery's aot-partition against PyTorch's partitioners on the conformance zoo.

For every zoo case (tests/torch/models.py) the joint graph is exported once with the bridge
(tools/torch); PyTorch's ``default_partition`` and ``min_cut_rematerialization_partition``
run on that FX graph, and ``joinery-opt --aot-partition`` on its joinery text. The table
shows the bytes each side saves for the backward.

    .venv/bin/python bench/partition_vs_torch.py [--tools DIR] [--export-zoo DIR]

``--export-zoo DIR`` also writes every case's joint as ``DIR/<case>.mlir`` (the inputs of
joinery-partition's interpreter-equality test).

``--residual-layers N...`` times the min-cut partitioners instead, both in this run and on
the same graph: the joint of a residual stack ``x = x + gelu(linear(layer_norm(x)))`` of N
layers (batch 32, width 64, sum loss; the stack of joinery-partition's ``residual_bench``)
is exported once; PyTorch's ``min_cut_rematerialization_partition`` is timed on fresh
copies of its FX graph, joinery's ``aot-partition`` pass by ``joinery-opt --timing`` on its
text (median wall times). Every run must succeed and both must save the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools" / "torch"))
sys.path.insert(0, str(REPO / "tests" / "torch"))
sys.path.insert(0, str(REPO / "bench"))

import torch  # noqa: E402
from torch._functorch import partitioners  # noqa: E402

from common import cpu_model, median  # noqa: E402
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


class ResidualStack(torch.nn.Module):
    """``x = x + gelu(linear(layer_norm(x)))`` per layer."""

    def __init__(self, layers: int, width: int):
        super().__init__()
        self.norms = torch.nn.ModuleList(torch.nn.LayerNorm(width) for _ in range(layers))
        self.fcs = torch.nn.ModuleList(torch.nn.Linear(width, width) for _ in range(layers))

    def forward(self, x):
        for norm, fc in zip(self.norms, self.fcs):
            x = x + torch.nn.functional.gelu(fc(norm(x)))
        return x.sum()


PASS_TIME = re.compile(r"^\s*([0-9.]+) \(\s*[0-9.]+%\)\s+AotPartition$", re.M)


def joinery_partition_seconds(opt: Path, path: str) -> float:
    """Wall time of the aot-partition pass (min-cut) in one ``joinery-opt --timing`` run."""
    proc = subprocess.run(
        [str(opt), path, "--aot-partition=strategy=min-cut", "--timing", "-o", os.devnull],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"joinery-opt failed ({proc.returncode}):\n{proc.stderr}")
    m = PASS_TIME.search(proc.stderr)
    if not m:
        raise RuntimeError(f"no AotPartition row in the timing report:\n{proc.stderr}")
    return float(m.group(1))


def time_residual(opt: Path, layers: list[int], runs: int) -> int:
    """Prints the min-cut timing table for residual stacks of each size in ``layers``."""
    torch.manual_seed(0)
    print(f"CPU: {cpu_model()}; torch {torch.__version__}; {torch.get_num_threads()} threads; "
          f"median of {runs} runs\n")
    print("| layers | FX nodes | PyTorch min-cut | joinery min-cut | speed-up |")
    print("|---:|---:|---:|---:|---:|")
    for n in layers:
        result = export(ResidualStack(n, 64), (torch.randn(32, 64),), run=False)
        gm = result.graph_module
        nodes = len(gm.graph.nodes)
        nfo = num_fwd_outputs(result.output_descs)
        theirs = []
        for _ in range(runs):
            fresh = copy.deepcopy(gm)
            start = time.perf_counter()
            partitioners.min_cut_rematerialization_partition(fresh, None, num_fwd_outputs=nfo)
            theirs.append(time.perf_counter() - start)
        with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
            f.write(result.text)
            path = f.name
        try:
            ours = [joinery_partition_seconds(opt, path) for _ in range(runs)]
        finally:
            os.unlink(path)
        ours_bytes, _ = joinery_saved_bytes(opt, result.text, "min-cut")
        theirs_bytes, _ = torch_saved_bytes(copy.deepcopy(gm), nfo, "min-cut")
        if ours_bytes != theirs_bytes:
            raise RuntimeError(
                f"{n} layers: joinery saves {ours_bytes} bytes, PyTorch {theirs_bytes}")
        t, o = median(theirs), median(ours)
        print(f"| {n} | {nodes:,} | {t * 1e3:.1f} ms | {o * 1e3:.2f} ms | {t / o:.0f}x |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_tools = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug"
    ap.add_argument("--tools", type=Path, default=default_tools)
    ap.add_argument("--export-zoo", type=Path)
    ap.add_argument("--verbose", action="store_true", help="list the saved values")
    ap.add_argument("--residual-layers", type=int, nargs="+", metavar="N",
                    help="time the min-cut partitioners on residual stacks of N layers")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per size (--residual-layers)")
    args = ap.parse_args()
    opt = args.tools / "joinery-opt"
    if args.runs < 1 or any(n < 1 for n in args.residual_layers or []):
        ap.error("--runs and --residual-layers take positive counts")
    if args.residual_layers:
        return time_residual(opt, args.residual_layers, args.runs)
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
