#!/usr/bin/env python3
"""Parse + verify + print throughput of joinery-opt against mlir-opt on one large file.

Generates a function of N chained binary ops on tensor<4x4xf32> in generic form (an
unregistered dialect, so both tools do the same work: parse, verify structure and SSA
dominance, print), runs each tool R times interleaved, and prints the CPU, the median
wall time, the median CPU time (user + system: the machine may be shared), the peak RSS of
each tool and the ratios joinery-opt / mlir-opt.
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


def generate(path, ops):
    """Writes a function of `ops` chained binary ops; returns the file size in bytes."""
    with open(path, "w") as f:
        f.write(f"func.func @chain(%a: {TENSOR}, %b: {TENSOR}) -> {TENSOR} {{\n")
        prev2, prev1 = "%a", "%b"
        sig = f"({TENSOR}, {TENSOR}) -> {TENSOR}"
        for i in range(ops):
            op = "bench.add" if i % 2 == 0 else "bench.mul"
            f.write(f'  %{i} = "{op}"({prev1}, {prev2}) : {sig}\n')
            prev2, prev1 = prev1, f"%{i}"
        f.write(f"  func.return {prev1} : {TENSOR}\n}}\n")
    return os.path.getsize(path)


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
        sys.exit(f"{cmd[0]} exited with {code}:\n{stderr[:2000]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--joinery-opt", default="target/release/joinery-opt")
    ap.add_argument("--mlir-opt", default=shutil.which("mlir-opt-22") or "mlir-opt-22")
    ap.add_argument("--ops", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="joinery-bench-") as tmp:
        src = os.path.join(tmp, "chain.mlir")
        size = generate(src, args.ops)
        tools = {
            "joinery-opt": [args.joinery_opt, "--allow-unregistered-dialect", src,
                            "-o", os.path.join(tmp, "joinery.out.mlir")],
            "mlir-opt-22": [args.mlir_opt, "--allow-unregistered-dialect", src,
                            "-o", os.path.join(tmp, "mlir.out.mlir")],
        }
        results = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, cmd in tools.items():
                results[name].append(run_once(cmd))

    print(f"CPU: {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"input: {args.ops} ops, {size / 1e6:.1f} MB, median of {args.runs} runs")
    print(f"{'tool':<14}{'median s':>10}{'min s':>10}{'CPU s':>10}{'MB/s':>10}{'peak RSS MiB':>14}")
    medians = {}
    for name, runs in results.items():
        walls = [w for w, _, _ in runs]
        cpu = statistics.median(c for _, c, _ in runs)
        rss = max(r for _, _, r in runs)
        med = statistics.median(walls)
        medians[name] = (med, cpu, rss)
        print(f"{name:<14}{med:>10.3f}{min(walls):>10.3f}{cpu:>10.3f}{size / 1e6 / med:>10.1f}{rss:>14.1f}")
    (jt, jc, jr), (mt, mc, mr) = medians["joinery-opt"], medians["mlir-opt-22"]
    print(f"ratio joinery-opt / mlir-opt-22: wall {jt / mt:.2f}x, CPU {jc / mc:.2f}x, "
          f"peak RSS {jr / mr:.2f}x")


if __name__ == "__main__":
    main()
