"""The MLIR path (`joinery-run --via-mlir`: export to upstream MLIR, MLIR's own pipeline,
its ExecutionEngine) against joinery's native backend on the three workloads of
bench/workloads.py: one training step (the joint graph), f32, all in the same run.

    python bench/mlir_vs_native.py --joinery-run target/release/joinery-run [--iters 5]

Each workload's joint graph is exported with the PyTorch bridge together with PyTorch's
inputs; before anything is timed, `joinery-run --native` and `joinery-run --via-mlir` run it
on those inputs and every result must agree (1e-4 of the result's largest magnitude, the
interpreter-sized tolerance of a whole training step). Then `joinery-run bench` times the
native backend (1 and 2 threads, cold compile cache) and `joinery-run bench --via-mlir` the
MLIR path on the same random inputs: compile time (text to callable) and the median call.
MLIR's pipeline lowers linalg to plain loops (no tiling, vectorization or threads), so the
ratio measures that pipeline, not MLIR's best. Prints the CPU model and a Markdown table
(and writes it to --out); every command must succeed and print its JSON line, or the
script fails."""
import argparse, os, subprocess, sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools", "torch"))
from common import cpu_model, scratch_dir, write_table  # noqa: E402
from native_vs_torch import native_bench  # noqa: E402


def run_outputs(joinery_run, mode, path, inputs, out):
    """Runs `joinery-run --<mode>` on the exported inputs; the results as arrays."""
    os.makedirs(out, exist_ok=True)
    p = subprocess.run([joinery_run, f"--{mode}", path, "--fn", "joint", "--inputs", inputs,
                        "--outputs", out], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"joinery-run --{mode} {path} failed ({p.returncode}):\n{p.stderr}")
    return {f: np.load(os.path.join(out, f)) for f in sorted(os.listdir(out))}


def check_agree(name, native, mlir):
    """Every result of the MLIR path equals the native backend's within 1e-4 of its scale."""
    if native.keys() != mlir.keys():
        sys.exit(f"{name}: results {sorted(native)} (native) vs {sorted(mlir)} (MLIR)")
    for f, want in native.items():
        got = mlir[f]
        if got.shape != want.shape or got.dtype != want.dtype:
            sys.exit(f"{name} {f}: {got.shape} {got.dtype} (MLIR) vs {want.shape} {want.dtype}")
        scale = max(float(np.abs(want).max(initial=0.0)), 1e-6)
        err = float(np.abs(got.astype(np.float64) - want).max(initial=0.0))
        if err > 1e-4 * scale:
            sys.exit(f"{name} {f}: MLIR differs from native by {err:.3g} (scale {scale:.3g})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--joinery-run", required=True)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default=None, help="comma-separated workload names")
    a = ap.parse_args()
    from workloads import workloads
    from joinery_torch import export

    tmp = scratch_dir("joinery-bench-mlir-")
    cpu = cpu_model()
    print(f"CPU: {cpu}", file=sys.stderr)
    rows = []
    for name, model, args in workloads():
        if a.only and name not in a.only.split(","):
            continue
        d = os.path.join(tmp, name)
        result = export(model, args)
        result.write_npy(d)
        path = os.path.join(d, "joint.mlir")
        with open(path, "w") as f:
            f.write(result.text)
        inputs = os.path.join(d, "inputs")
        check_agree(name, run_outputs(a.joinery_run, "native", path, inputs, os.path.join(d, "native")),
                    run_outputs(a.joinery_run, "via-mlir", path, inputs, os.path.join(d, "mlir")))
        native = {t: native_bench(a.joinery_run, path, a.iters, t, os.path.join(d, f"cache-{t}"))
                  for t in (1, 2)}
        mlir = native_bench(a.joinery_run, path, a.iters, 1, os.path.join(d, "cache-mlir"),
                            extra=["--via-mlir"])
        for r, backend in [(native[1], "native"), (native[2], "native"), (mlir, "mlir")]:
            if r.get("backend") != backend:
                sys.exit(f"{name}: expected a {backend} timing, got {r}")
        rows.append((name, native, mlir))
        print(name, native, mlir, file=sys.stderr)

    lines = [
        f"CPU: {cpu}. One joint training step, f32, median of {a.iters} calls; MLIR's loops "
        "run on 1 thread.",
        "",
        "| workload | native ms (1 thread) | native ms (2 threads) | MLIR ms | MLIR / native (1 thread) "
        "| native compile s | MLIR compile s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, native, mlir in rows:
        lines.append(
            f"| {name} | {native[1]['median_ms']:.2f} | {native[2]['median_ms']:.2f} "
            f"| {mlir['median_ms']:.2f} | {mlir['median_ms'] / native[1]['median_ms']:.1f} "
            f"| {native[1]['compile_ms'] / 1e3:.2f} | {mlir['compile_ms'] / 1e3:.2f} |"
        )
    write_table(lines, a.out)


if __name__ == "__main__":
    main()
