"""Depthwise convolutions on several joinery builds, over a grid of shapes, in the same run.

    python bench/direct_conv_grid.py --build onednn=A/joinery-run --build regions=B/joinery-run \
        [--build ...] [--rounds 5] [--iters 21] [--threads 2] [--pass "weight grad" ...]

For each shape (3x3 and 5x5 kernels with "same" padding, 7^2 to 112^2 images, 32 to 512
channels, batch 1 and 8) and pass (the forward with stride 1 and 2, the unstrided input
gradient, the unstrided weight gradient with the bias gradient; `--pass LABEL` times only
the passes named), the one-op function of `conv_vs_torch.module_text` is timed with `joinery-run
bench` (median of `--iters` calls) on each build in turn, `--rounds` times; the best median
of each build counts. Printed per cell: the fraction of the output where every tap reads
inside the input (for the input gradient: of the input gradient, the output of the
transposed convolution), each build's time, and the first build's time over each other
build's (above 1: that build is faster). Used to choose where direct convolutions run as
joinery's region kernels rather than oneDNN (`dialects/kernel/from-aten/src/graph/conv.rs`).
"""
import argparse, os, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import cpu_model  # noqa: E402
from conv_vs_torch import module_text, native_bench, out_size  # noqa: E402

# kernel, image size, channels
GRID = [
    (3, 112, 32),
    (3, 56, 64),
    (3, 28, 128),
    (3, 28, 32),
    (3, 14, 256),
    (3, 14, 32),
    (3, 7, 512),
    (3, 7, 128),
    (5, 56, 64),
    (5, 28, 120),
    (5, 14, 240),
    (5, 7, 512),
]
BATCHES = (8, 1)
# pass label, function, stride
PASSES = (
    ("forward", "forward", 1),
    ("forward s2", "forward", 2),
    ("input grad", "input_grad", 1),
    ("weight grad", "weight_grad", 1),
)


def interior_fraction(size, k, s, p, transposed):
    """The fraction of the (square) output where all k*k taps read inside the input."""
    out = out_size(size, k, s, p)
    if transposed:
        # The input gradient: a stride-1 convolution of the output gradient (out^2)
        # padded by k - 1 - p, whose output is the input (size^2).
        inp, lo, n = out, k - 1 - p, size
    else:
        inp, lo, n = size, p, out
    inside = sum(all(0 <= o * (1 if transposed else s) + t - lo < inp for t in range(k)) for o in range(n))
    return (inside / n) ** 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", action="append", required=True, help="NAME=path of a joinery-run")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=21)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pass", dest="passes", action="append", help="time only these passes (labels)")
    args = ap.parse_args()
    builds = [b.split("=", 1) for b in args.build]
    if len(builds) < 2 or any(len(b) != 2 for b in builds):
        sys.exit("give two or more --build NAME=path")
    env = dict(os.environ, JOINERY_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    print(f"CPU: {cpu_model()}, {args.threads} threads, best of {args.rounds} medians of {args.iters}")
    first = builds[0][0]
    names = [name for name, _ in builds]
    print(
        "| kernel | image | channels | N | pass | interior | "
        + " | ".join(f"{n} ms" for n in names)
        + " | "
        + " | ".join(f"{first} / {n}" for n in names[1:])
        + " |"
    )
    print("|---|---:|---:|---:|---|---:|" + "---:|" * (2 * len(names) - 1))
    with tempfile.TemporaryDirectory() as tmp:
        for k, size, c in GRID:
            for n in BATCHES:
                for label, fn, s in PASSES:
                    if args.passes and label not in args.passes:
                        continue
                    p = k // 2
                    text, *_ = module_text(n, c, size, size, c, k, s, p, c)
                    path = os.path.join(tmp, f"k{k}_{size}_{c}_{n}_{s}.mlir")
                    with open(path, "w") as f:
                        f.write("module {\n" + text + "}\n")
                    best = [float("inf")] * len(builds)
                    for _ in range(args.rounds):
                        for i, (_, joinery_run) in enumerate(builds):
                            r = native_bench(joinery_run, path, fn, args.iters, env)
                            best[i] = min(best[i], r["median_ms"])
                    frac = interior_fraction(size, k, s, p, fn == "input_grad")
                    times = " | ".join(f"{t:.3f}" for t in best)
                    ratios = " | ".join(f"{best[0] / t:.2f}" for t in best[1:])
                    print(
                        f"| {k}x{k} | {size}^2 | {c} | {n} | {label} | {frac:.2f} | {times} | {ratios} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
