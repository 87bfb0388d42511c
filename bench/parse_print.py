#!/usr/bin/env python3
"""Parse + verify + print of large files: joinery-opt against mlir-opt-22, as a matrix.

Each row is one size (ops in all) x one form x one layout, both tools timed in the same
run on inputs of the same shape: chains of binary ops on tensor<4x4xf32>, each op using
the two values before it, in `func.func`s ending in `func.return`.

- form `generic`: both tools read the same file, ops of an unregistered dialect
  (`"bench.add"(%1, %0) : (T, T) -> T`, alternating with `bench.mul`) in generic form;
  both run with `--allow-unregistered-dialect`, verify structure and SSA dominance and
  print generic form.
- form `pretty`: each tool reads the custom form of registered ops of its own, whose
  verifiers run: joinery-opt `%2 = aten.mul.Tensor %1, %0 : (T, T) -> T` alternating with
  `aten.div.Tensor` (the aten verifier infers each result type from the schema and
  compares), mlir-opt-22 `%2 = arith.addf %1, %0 : T` alternating with `arith.mulf`
  (its verifiers check the operand and result types agree). Both print custom form.
- layout `one`: one function of all the ops; `many`: functions of `--ops-per-function`
  ops each (2,000 functions for 200,000 ops).

Each tool runs `--runs` times, interleaved; the table gives the median wall time (in
bold: the measure the goal is set in; both tools may use every core), the median CPU time
(user + system over all threads: the work done, which the load of a shared machine
inflates less than wall time), the peak RSS and the ratios joinery-opt / mlir-opt-22. Every run must exit
zero, and the first run's output must hold one defining line per op. Inputs and outputs
live in a temporary directory deleted after each row (2,000,000 ops are ~190 MB of text).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import cpu_model  # noqa: E402

TENSOR = "tensor<4x4xf32>"
SIGNATURE = f"({TENSOR}, {TENSOR}) -> {TENSOR}"

# Per form and tool: the two alternating op spellings, given the result and operands.
OP_LINES = {
    ("generic", "joinery-opt"): ('"bench.add"({}, {}) : ' + SIGNATURE,
                                 '"bench.mul"({}, {}) : ' + SIGNATURE),
    ("pretty", "joinery-opt"): ("aten.mul.Tensor {}, {} : " + SIGNATURE,
                                "aten.div.Tensor {}, {} : " + SIGNATURE),
    ("pretty", "mlir-opt-22"): ("arith.addf {}, {} : " + TENSOR,
                                "arith.mulf {}, {} : " + TENSOR),
}
OP_LINES[("generic", "mlir-opt-22")] = OP_LINES[("generic", "joinery-opt")]

LAYOUTS = ("one", "many")
FORMS = ("generic", "pretty")


def generate(path, ops, per_function, spellings):
    """Writes `ops` chained ops in functions of `per_function` ops (the last may hold
    fewer); returns the file size in bytes."""
    with open(path, "w") as f:
        done, func = 0, 0
        while done < ops:
            count = min(per_function, ops - done)
            f.write(f"func.func @chain{func}(%a: {TENSOR}, %b: {TENSOR}) -> {TENSOR} {{\n")
            prev2, prev1 = "%a", "%b"
            for i in range(count):
                f.write(f"  %{i} = {spellings[i % 2].format(prev1, prev2)}\n")
                prev2, prev1 = prev1, f"%{i}"
            f.write(f"  func.return {prev1} : {TENSOR}\n}}\n")
            done += count
            func += 1
    return os.path.getsize(path)


def defining_lines(path):
    """How many lines of `path` define a value (`%x = ...`): one per op of the chain."""
    with open(path, "rb") as f:
        return sum(1 for line in f if b" = " in line)


def run_once(cmd):
    """Runs `cmd`; returns (wall seconds, CPU seconds, peak RSS in MiB). Fails loudly on a
    non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} exited with {code}:\n{stderr[:2000]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def run_row(args, tools, ops, form, layout):
    """Times every tool on one row's inputs; returns {tool: (wall, cpu, rss)} and the
    input sizes in bytes."""
    per_function = ops if layout == "one" else args.ops_per_function
    results, sizes = {}, {}
    with tempfile.TemporaryDirectory(prefix="joinery-bench-") as tmp:
        commands = {}
        for tool, binary in tools.items():
            src = os.path.join(tmp, f"{tool}.in.mlir")
            out = os.path.join(tmp, f"{tool}.out.mlir")
            sizes[tool] = generate(src, ops, per_function, OP_LINES[(form, tool)])
            commands[tool] = ([binary, "--allow-unregistered-dialect", src, "-o", out], out)
        runs = {tool: [] for tool in tools}
        for r in range(args.runs):
            for tool, (cmd, out) in commands.items():
                runs[tool].append(run_once(cmd))
                if r == 0 and (found := defining_lines(out)) != ops:
                    sys.exit(f"{tool} printed {found} defining lines for {ops} ops")
                os.remove(out)
        for tool, samples in runs.items():
            results[tool] = (statistics.median(w for w, _, _ in samples),
                             statistics.median(c for _, c, _ in samples),
                             max(m for _, _, m in samples))
    return results, sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--joinery-opt", default="target/release/joinery-opt")
    ap.add_argument("--mlir-opt", default=shutil.which("mlir-opt-22") or "mlir-opt-22")
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000],
                    help="ops per file (all functions together)")
    ap.add_argument("--forms", nargs="+", choices=FORMS, default=list(FORMS))
    ap.add_argument("--layouts", nargs="+", choices=LAYOUTS, default=list(LAYOUTS))
    ap.add_argument("--ops-per-function", type=int, default=100,
                    help="ops per function of the `many` layout")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tools = {"joinery-opt": args.joinery_opt, "mlir-opt-22": args.mlir_opt}

    print(f"CPU: {cpu_model()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; median of {args.runs} runs")
    print("| ops | form | layout | MB (joinery / mlir) | wall s (j / m) | CPU s (j / m) "
          "| peak RSS MiB (j / m) | wall | CPU | RSS |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for ops in args.sizes:
        for form in args.forms:
            for layout in args.layouts:
                res, sizes = run_row(args, tools, ops, form, layout)
                (jw, jc, jr), (mw, mc, mr) = res["joinery-opt"], res["mlir-opt-22"]
                layout_text = ("one function" if layout == "one" else
                               f"{-(-ops // args.ops_per_function):,} x {args.ops_per_function}")
                print(f"| {ops:,} | {form} | {layout_text} "
                      f"| {sizes['joinery-opt'] / 1e6:.1f} / {sizes['mlir-opt-22'] / 1e6:.1f} "
                      f"| {jw:.2f} / {mw:.2f} | {jc:.2f} / {mc:.2f} | {jr:.0f} / {mr:.0f} "
                      f"| **{jw / mw:.2f}x** | {jc / mc:.2f}x | {jr / mr:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
