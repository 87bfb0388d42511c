#!/usr/bin/env python3
"""Time per op of every registered pass at growing sizes: is each pass linear?

Generates joint graphs of a deep ReLU MLP (7 aten ops per layer, forward and backward,
PyTorch's descriptors; a repeated `aten.t` per layer for cse, a `t(t(w))` pair for
canonicalize) with about N ops, either in one function or spread over functions of about
70 ops, runs `joinery-opt --timing --<pass>` on each and prints the pass's own time per op.
A pass whose time per op grows more than 2x from the smallest to the largest size is
flagged. The pipeline passes run on input prepared for them (kernel passes on the output
of convert-aten-to-kernel, which runs after aot-partition and aten-decompose). Each cell
is the best of `--repeat` runs; every run must succeed, and one that takes longer than
`--timeout` seconds ends that pass's row (the larger sizes are not run).

    python3 bench/pass_scaling.py [--opt target/release/joinery-opt] [--sizes 10000 100000 1000000]
        [--passes cse ...] [--layouts "one function"] [--repeat 3] [--timeout 600]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import cpu_model  # noqa: E402

OPS_PER_LAYER = 9
B, D = 4, 8

# Layouts of the generated joints, by the tag of their file names.
LAYOUTS = {"one function": "one", "many functions": "many"}

# (pass flag, pipeline that prepares its input, or None for the generated joint)
PASSES = [
    ("canonicalize", None),
    ("cse", None),
    ("dce", None),
    ("symbol-dce", None),
    ("inline", None),
    ("aot-functionalize", None),
    ("aot-desugar-subclasses", None),
    ("aot-partition", None),
    ("aten-decompose", None),
    ("convert-aten-to-kernel", "--aot-partition --aten-decompose"),
    ("kernel-fuse", "--aot-partition --aten-decompose --convert-aten-to-kernel"),
    ("kernel-plan-memory", "--aot-partition --aten-decompose --convert-aten-to-kernel"),
]


def joint(name: str, layers: int, out) -> None:
    """One joint function: `layers` x (mm, relu) forward, sum loss, full backward."""
    t = f"tensor<{B}x{D}xf32>"
    w = f"tensor<{D}x{D}xf32>"
    args = [f"%x: {t} {{aot.desc = #aot.plain<0>}}"]
    args += [f'%w{i}: {w} {{aot.desc = #aot.param<"l{i}.weight">}}' for i in range(layers)]
    args.append("%tangent: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}")
    res = ["tensor<f32> {aot.desc = #aot.plain_out<0>}"]
    res.append(f"{t} {{aot.desc = #aot.none_grad<#aot.plain<0>>}}".replace(t, "none"))
    res += [f'{w} {{aot.desc = #aot.grad<#aot.param<"l{i}.weight">>}}' for i in range(layers)]
    out.write(f"  func.func @{name}({', '.join(args)}) -> ({', '.join(res)}) {{\n")
    h = "%x"
    for i in range(layers):
        out.write(f'    %tt{i} = "aten.t"(%w{i}) : ({w}) -> {w}\n')
        out.write(f'    %wt{i} = "aten.t"(%tt{i}) : ({w}) -> {w}\n')
        out.write(f'    %mm{i} = "aten.mm"({h}, %wt{i}) : ({t}, {w}) -> {t}\n')
        out.write(f'    %h{i} = "aten.relu"(%mm{i}) : ({t}) -> {t}\n')
        h = f"%h{i}"
    out.write(f'    %loss = "aten.sum"({h}) : ({t}) -> tensor<f32>\n')
    out.write(f'    %g{layers} = "aten.expand"(%tangent) {{size = [{B}, {D}]}} : (tensor<f32>) -> {t}\n')
    for i in reversed(range(layers)):
        prev = "%x" if i == 0 else f"%h{i - 1}"
        out.write(f'    %gr{i} = "aten.threshold_backward"(%g{i + 1}, %h{i}) {{threshold = 0 : i64}} : ({t}, {t}) -> {t}\n')
        out.write(f'    %pt{i} = "aten.t"({prev}) : ({t}) -> tensor<{D}x{B}xf32>\n')
        out.write(f'    %gw{i} = "aten.mm"(%pt{i}, %gr{i}) : (tensor<{D}x{B}xf32>, {t}) -> {w}\n')
        out.write(f'    %wb{i} = "aten.t"(%w{i}) : ({w}) -> {w}\n')
        out.write(f'    %g{i} = "aten.mm"(%gr{i}, %wb{i}) : ({t}, {w}) -> {t}\n')
    grads = ", ".join(f"%gw{i}" for i in range(layers))
    types = ", ".join([w] * layers)
    out.write('    %none = "aot.none"() : () -> none\n')
    out.write(f"    func.return %loss, %none, {grads} : tensor<f32>, none, {types}\n  }}\n")


def module(path: Path, ops: int, functions: int) -> int:
    """Writes a module of `functions` joints with about `ops` ops in all; returns the count."""
    layers = max(1, ops // (OPS_PER_LAYER * functions))
    with path.open("w") as out:
        out.write("module {\n")
        for f in range(functions):
            joint(f"joint{f}", layers, out)
        out.write("}\n")
    return functions * (layers * OPS_PER_LAYER + 4)


def run_opt(cmd: list[str], timeout: float) -> subprocess.CompletedProcess | None:
    """Runs joinery-opt; None when it ran out of time, SystemExit when it failed."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return r


def pass_seconds(opt: str, flag: str, src: Path, repeat: int, timeout: float) -> float | None:
    """The pass's own wall time from `--timing`, the best of `repeat` runs (None: timed out)."""
    best = None
    for _ in range(repeat):
        r = run_opt([opt, "--timing", f"--{flag}", str(src), "-o", "/dev/null"], timeout)
        if r is None:
            return None
        # The pass's rows of the timing report: every row but the fixed ones.
        fixed = {"Parser", "Verifier", "Output", "Rest", "Total"}
        rows = [
            float(m.group(1))
            for m in (re.match(r"\s*([0-9.]+) \(\s*[0-9.]+%\)\s+(.+)$", l) for l in r.stderr.splitlines())
            if m and m.group(2).strip() not in fixed
        ]
        if not rows:
            raise SystemExit(f"no timing row for --{flag} in:\n{r.stderr}")
        best = sum(rows) if best is None else min(best, sum(rows))
    return best


def prepared(opt: str, prep: str | None, src: Path, cache: dict, timeout: float) -> Path | None:
    """The input of a pass: `src`, or `src` after the pipeline `prep` (None: timed out)."""
    if not prep:
        return src
    key = (prep, src)
    if key not in cache:
        out = src.with_name(f"{src.stem}.{len(cache)}.mlir")
        cache[key] = out if run_opt([opt, *prep.split(), str(src), "-o", str(out)], timeout) else None
    return cache[key]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--opt", default="target/release/joinery-opt")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--passes", nargs="*", help="only these passes")
    ap.add_argument("--layouts", nargs="*", default=list(LAYOUTS), choices=list(LAYOUTS))
    ap.add_argument("--repeat", type=int, default=3, help="runs per cell; the best is kept")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per joinery-opt run")
    args = ap.parse_args()
    passes = [p for p in PASSES if not args.passes or p[0] in args.passes]
    print(f"CPU: {cpu_model()}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"time per op (ns) of each pass, best of {args.repeat}; 'x' = growth from "
        f"{args.sizes[0]:,} to the largest size that finished\n"
    )
    flagged = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        cache: dict = {}
        for layout in args.layouts:
            header = f"| pass ({layout}) | " + " | ".join(f"{n:,} ops" for n in args.sizes) + " | x |"
            print(header)
            print("|---|" + "---:|" * (len(args.sizes) + 1))
            srcs = []
            for n in args.sizes:
                src = tmp / f"joint_{LAYOUTS[layout]}_{n}.mlir"
                functions = 1 if layout == "one function" else max(1, n // 70)
                srcs.append((src, module(src, n, functions)))
            for flag, prep in passes:
                xs: list[float | None] = []
                for src, count in srcs:
                    # Once a size times out, the larger ones would too.
                    src = prepared(args.opt, prep, src, cache, args.timeout) if xs[-1:] != [None] else None
                    t = pass_seconds(args.opt, flag, src, args.repeat, args.timeout) if src else None
                    xs.append(None if t is None else t / count * 1e9)
                done = [x for x in xs if x is not None]
                growth = done[-1] / done[0] if len(done) > 1 and done[0] > 0 else None
                if growth is not None and growth > 2:
                    flagged.append(f"{flag} ({layout})")
                cells = [f"{x:,.0f}" if x is not None else f"> {args.timeout:.0f} s" for x in xs]
                g = "-" if growth is None else f"{growth:.1f}" + (" (!)" if growth > 2 else "")
                print(f"| {flag} | " + " | ".join(cells) + f" | {g} |", flush=True)
            print()
    if flagged:
        print("superlinear (time per op grows > 2x): " + ", ".join(flagged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
