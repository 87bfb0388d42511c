"""oneDNN's convolutions (dnnl_conv.c, through the runtime's wrapper) against PyTorch's and
joinery's native ones on bench/conv_vs_torch.py's shapes, all in the same run, per shape
interleaved: PyTorch, native, oneDNN, PyTorch again (the better PyTorch median counts).

    cc -O2 -fopenmp -I runtime/dnnl bench/dnnl_conv/dnnl_conv.c runtime/dnnl/conv.c -ldnnl -lgomp -lpthread -o /tmp/dnnl_conv
    python bench/dnnl_conv/compare.py --joinery-run target/release/joinery-run --dnnl-conv /tmp/dnnl_conv"""
import argparse, json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import cpu_model, median_ms  # noqa: E402
from conv_vs_torch import SHAPES, INPUT_MASK, WEIGHT_MASK, module_text, native_bench, run  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--joinery-run", required=True)
    ap.add_argument("--dnnl-conv", required=True)
    ap.add_argument("--iters", type=int, default=11)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    tmp = tempfile.mkdtemp(prefix="joinery-dnnl-conv-")
    env = dict(os.environ, JOINERY_NUM_THREADS=str(a.threads),
               JOINERY_CACHE_DIR=os.path.join(tmp, "cache"))
    aten = torch.ops.aten
    print(f"CPU: {cpu_model()}, {a.threads} threads, torch {torch.__version__}, "
          f"median of {a.iters}.\n")
    print("| shape | pass | torch ms | native ms | oneDNN ms | native ratio | oneDNN ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for i, (name, n, c, h, w, o, k, s, p, g) in enumerate(SHAPES):
        text, xs, ws, bs, ys = module_text(n, c, h, w, o, k, s, p, g)
        path = os.path.join(tmp, f"conv{i}.mlir")
        with open(path, "w") as f:
            f.write(text)
        x, wt, b, gy = torch.randn(*xs), torch.randn(*ws), torch.randn(*bs), torch.randn(*ys)
        calls = {
            "forward": lambda: aten.convolution(x, wt, b, [s, s], [p, p], [1, 1], False,
                                                [0, 0], g),
            "input_grad": lambda: aten.convolution_backward(
                gy, x, wt, [o], [s, s], [p, p], [1, 1], False, [0, 0], g, list(INPUT_MASK)),
            "weight_grad": lambda: aten.convolution_backward(
                gy, x, wt, [o], [s, s], [p, p], [1, 1], False, [0, 0], g, list(WEIGHT_MASK)),
        }
        before = {fn: median_ms(call, a.iters) for fn, call in calls.items()}
        native = {fn: native_bench(a.joinery_run, path, fn, a.iters, env)["median_ms"]
                  for fn in calls}
        dnnl = json.loads(run([a.dnnl_conv] + [str(v) for v in (n, c, h, w, o, k, s, p, g)]
                              + [str(a.iters), str(a.threads)], env))
        for fn, call in calls.items():
            t = min(before[fn], median_ms(call, a.iters))
            print(f"| {name} | {fn} | {t:.2f} | {native[fn]:.2f} | {dnnl[fn]:.2f} "
                  f"| {t / native[fn]:.2f} | {t / dnnl[fn]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
