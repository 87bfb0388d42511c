"""Native convolution vs PyTorch's, forward and backward, on ResNet- and MobileNet-style
shapes, f32, same threads, all in the same run.

    python bench/conv_vs_torch.py --joinery-run target/release/joinery-run [--iters 10] \
        [--only depthwise]

For each shape, three one-op functions are written as joinery text: `aten.convolution`
(forward, with bias) and `aten.convolution_backward` twice, once for the input gradient
(`output_mask = [true, false, false]`) and once for the weight and bias gradients
(`[false, true, true]`). `joinery-run bench` compiles each natively and times calls
(median); PyTorch's own ops (`torch.ops.aten.convolution` / `convolution_backward` with the
same masks, i.e. oneDNN or its CPU kernels) are timed on the same shapes and threads right
before and after, and the better of the two PyTorch medians is the baseline. The native
results are checked against PyTorch's on the same inputs first (`joinery-run --native`,
relative error printed). Prints the CPU model and a Markdown table of times and ratios
(PyTorch time / native time: above 1 is faster than PyTorch); every command must succeed
and print its result, or the script fails."""
import argparse, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
from common import cpu_model, median_ms, scratch_dir, write_table  # noqa: E402

# name, N, C, H, W, O, kernel, stride, padding, groups
SHAPES = [
    ("resnet 3x3 64ch 56^2", 8, 64, 56, 56, 64, 3, 1, 1, 1),
    ("resnet 3x3 128ch 28^2", 8, 128, 28, 28, 128, 3, 1, 1, 1),
    ("resnet 3x3 s2 64->128", 8, 64, 56, 56, 128, 3, 2, 1, 1),
    ("resnet 3x3 256ch 14^2", 8, 256, 14, 14, 256, 3, 1, 1, 1),
    ("resnet 1x1 64->256 56^2", 8, 64, 56, 56, 256, 1, 1, 0, 1),
    ("resnet stem 7x7 s2", 4, 3, 112, 112, 64, 7, 2, 3, 1),
    ("depthwise 3x3 128ch 28^2", 8, 128, 28, 28, 128, 3, 1, 1, 128),
    ("depthwise 3x3 512ch 7^2", 8, 512, 7, 7, 512, 3, 1, 1, 512),
    ("depthwise 5x5 240ch 14^2", 8, 240, 14, 14, 240, 5, 1, 2, 240),
]






# output_mask of the two backward functions: the input gradient; the weight and bias ones.
INPUT_MASK = (True, False, False)
WEIGHT_MASK = (False, True, True)


def tensor(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def attrs(k, s, p, g, extra=""):
    return (
        f"dilation = [1, 1], groups = {g} : i64, output_padding = [0, 0], "
        f"padding = [{p}, {p}], stride = [{s}, {s}], transposed = false{extra}"
    )


def out_size(h, k, s, p):
    return (h + 2 * p - k) // s + 1


def module_text(n, c, h, w, o, k, s, p, g):
    """The forward, input-gradient and weight-gradient functions of one convolution, and
    their shapes."""
    x, wt, b = (n, c, h, w), (o, c // g, k, k), (o,)
    y = (n, o, out_size(h, k, s, p), out_size(w, k, s, p))
    fwd = (
        f"func.func @forward(%x: {tensor(x)}, %w: {tensor(wt)}, %b: {tensor(b)}) -> {tensor(y)} {{\n"
        f'  %y = "aten.convolution"(%x, %w, %b) {{{attrs(k, s, p, g)}}} : '
        f"({tensor(x)}, {tensor(wt)}, {tensor(b)}) -> {tensor(y)}\n"
        f"  func.return %y : {tensor(y)}\n}}\n"
    )

    def backward(name, mask):
        flags = ", ".join("true" if m else "false" for m in mask)
        extra = f", bias_sizes = [{o}], output_mask = [{flags}]"
        names = [r for r, m in zip(["%gx", "%gw", "%gb"], mask) if m]
        types = [tensor(t) for t, m in zip([x, wt, b], mask) if m]
        return (
            f"func.func @{name}(%gy: {tensor(y)}, %x: {tensor(x)}, %w: {tensor(wt)}) -> "
            f"({', '.join(types)}) {{\n"
            f'  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) '
            f"{{{attrs(k, s, p, g, extra)}}} : "
            f"({tensor(y)}, {tensor(x)}, {tensor(wt)}) -> ({tensor(x)}, {tensor(wt)}, {tensor(b)})\n"
            f"  func.return {', '.join(names)} : {', '.join(types)}\n}}\n"
        )

    text = fwd + backward("input_grad", INPUT_MASK) + backward("weight_grad", WEIGHT_MASK)
    return text, x, wt, b, y


def run(cmd, env):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def native_bench(joinery_run, path, fn, iters, env):
    out = run([joinery_run, "bench", path, "--fn", fn, "--iters", str(iters)], env)
    lines = out.strip().splitlines()
    if not lines:
        sys.exit(f"joinery-run bench {path} --fn {fn} printed nothing")
    result = json.loads(lines[-1])
    if result.get("fn") != fn or "median_ms" not in result:
        sys.exit(f"joinery-run bench {path} --fn {fn}: unexpected output {lines[-1]}")
    return result


def check(torch, np, joinery_run, path, fn, inputs, expected, tmp, env):
    """Runs `fn` natively on `inputs`; the largest error relative to PyTorch's results."""
    ind, outd = os.path.join(tmp, f"{fn}-in"), os.path.join(tmp, f"{fn}-out")
    os.makedirs(ind, exist_ok=True)
    for i, t in enumerate(inputs):
        np.save(os.path.join(ind, f"arg{i}.npy"), t.numpy())
    run([joinery_run, "--native", path, "--fn", fn, "--inputs", ind, "--outputs", outd], env)
    worst = 0.0
    for j, e in enumerate(expected):
        got = torch.from_numpy(np.load(os.path.join(outd, f"out{j}.npy")))
        if got.shape != e.shape:
            sys.exit(f"{fn}: result {j} has shape {tuple(got.shape)}, PyTorch {tuple(e.shape)}")
        scale = e.abs().max().item() or 1.0
        worst = max(worst, ((got - e).abs().max().item()) / scale)
    return worst




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--joinery-run", required=True)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default="", help="run only the shapes whose name contains this")
    a = ap.parse_args()
    import numpy as np
    import torch

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    tmp = scratch_dir("joinery-conv-bench-")
    env = dict(os.environ, JOINERY_NUM_THREADS=str(a.threads),
               JOINERY_CACHE_DIR=os.path.join(tmp, "cache"))
    cpu = cpu_model()
    print(f"CPU: {cpu}; {a.threads} threads; torch {torch.__version__}", file=sys.stderr)
    aten = torch.ops.aten
    rows = []
    for name, n, c, h, w, o, k, s, p, g in SHAPES:
        if a.only not in name:
            continue
        text, xs, ws, bs, ys = module_text(n, c, h, w, o, k, s, p, g)
        path = os.path.join(tmp, f"conv{len(rows)}.mlir")
        with open(path, "w") as f:
            f.write(text)
        x, wt, b, gy = (torch.randn(*xs), torch.randn(*ws) * 0.1, torch.randn(*bs),
                        torch.randn(*ys))

        def back(mask):
            return lambda: aten.convolution_backward(
                gy, x, wt, [o], [s, s], [p, p], [1, 1], False, [0, 0], g, list(mask))

        def picked(mask):
            return [t for t, m in zip(back(mask)(), mask) if m]

        cases = [
            ("forward", lambda: aten.convolution(x, wt, b, [s, s], [p, p], [1, 1], False,
                                                 [0, 0], g), [x, wt, b]),
            ("input_grad", back(INPUT_MASK), [gy, x, wt]),
            ("weight_grad", back(WEIGHT_MASK), [gy, x, wt]),
        ]
        expected = {"forward": [cases[0][1]()], "input_grad": picked(INPUT_MASK),
                    "weight_grad": picked(WEIGHT_MASK)}
        err = max(check(torch, np, a.joinery_run, path, fn, inputs, expected[fn], tmp, env)
                  for fn, _, inputs in cases)
        times = []
        for fn, call, _ in cases:
            before = median_ms(call, a.iters)
            native = native_bench(a.joinery_run, path, fn, a.iters, env)["median_ms"]
            times.append((min(before, median_ms(call, a.iters)), native))
        flops = 2 * n * o * (c // g) * k * k * ys[2] * ys[3]
        rows.append((name, flops, times, err))
        print(name, " ".join(f"{fn} torch {t:.2f} native {nt:.2f} ms;"
                             for (fn, _, _), (t, nt) in zip(cases, times)),
              f"err {err:.1e}", file=sys.stderr)

    lines = [
        f"CPU: {cpu}, {a.threads} threads, torch {torch.__version__}, median of {a.iters}.",
        "",
        "| shape | GFLOP | torch fwd ms | native fwd ms | fwd ratio | torch dx ms "
        "| native dx ms | dx ratio | torch dw ms | native dw ms | dw ratio | max rel err |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, flops, times, err in rows:
        cells = " | ".join(f"{t:.2f} | {nt:.2f} | {t / nt:.2f}" for t, nt in times)
        lines.append(f"| {name} | {flops / 1e9:.2f} | {cells} | {err:.1e} |")
    write_table(lines, a.out)


if __name__ == "__main__":
    main()
