"""joinery as PyTorch's compiler, end to end: a training step (zero grads, forward,
backward) of each workload through ``torch.compile(backend="joinery")`` and
``compile_joint``, against eager and ``torch.compile(backend="inductor")``, all measured in
this run; plus the bridge's per-call overhead (a step through ``compile_joint`` minus the
bare native forward and backward on the same tensors, on a tiny model where the native
work is negligible) and cold/warm compile times.

Usage: python bench/torch_compile_vs_torch.py [--iters N] [--out table.md]
(joinery's tools from $JOINERY_TOOLS_DIR, else this checkout's target/release).
"""
import argparse
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import cpu_model, median_ms, scratch_dir, write_table  # noqa: E402

import joinery_torch  # noqa: E402
from joinery_torch import compile_joint  # noqa: E402


def workloads():
    """The three workloads of ``workloads.py`` (kept beside this script)."""
    from workloads import workloads as defined

    return list(defined())


def step_fn(model, call, args):
    """One training step through ``call``."""

    def step():
        for p in model.parameters():
            p.grad = None
        call(*args).backward()

    return step


def compile_time(make):
    """Seconds to build a callable and run it once (compilation happens lazily)."""
    t = time.perf_counter()
    make()
    return time.perf_counter() - t


def timed_or_error(f, iters):
    try:
        return f"{median_ms(f, iters):.2f}", None
    except Exception as e:  # noqa: BLE001 - the table says which command failed
        return "failed", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


def overhead_us(iters):
    """The bridge's per-call cost on a tiny model (native work negligible), in
    microseconds: the forward through ``compile_joint`` (argument checks, the
    ``autograd.Function``, DLPack results) minus the bare native forward on the same
    tensors; and a whole training step through ``compile_joint``, the bare native forward
    and backward, and the eager step (which pays PyTorch's autograd engine too)."""
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    x = torch.randn(4, 8)
    compiled = compile_joint(model, (x,))
    primals = compiled.primals((x,), None)
    tangent = [torch.ones(4, 1)]

    def bare_forward():
        compiled.native.forward(primals)

    def bare_step():
        outs, saved = compiled.native.forward(primals)
        compiled.native.backward(saved, tangent)

    def bridged_forward():
        compiled(x)

    def step(call):
        def run():
            for p in model.parameters():
                p.grad = None
            call(x).sum().backward()
        return run

    n = max(iters * 50, 500)
    us = {k: median_ms(f, n) * 1e3 for k, f in [
        ("bare_forward", bare_forward), ("bridged_forward", bridged_forward),
        ("bare_step", bare_step), ("bridged_step", step(compiled)), ("eager_step", step(model))]}
    return us


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--out")
    opts = ap.parse_args()
    if opts.iters < 1:
        ap.error("--iters must be at least 1")
    torch.set_num_threads(2)
    os.environ.setdefault("JOINERY_NUM_THREADS", "2")
    cold = scratch_dir("joinery-bench-cache-")
    os.environ["JOINERY_CACHE_DIR"] = cold
    lines = [f"CPU: {cpu_model()}, torch {torch.__version__}, 2 threads; ms per training "
             f"step (median of {opts.iters}), ratio = eager / backend", "",
             "| workload | eager | inductor | joinery (torch.compile) | joinery (compile_joint) "
             "| compile cold / warm: inductor | joinery |",
             "|---|---|---|---|---|---|---|"]
    failures = []
    for name, model, args in workloads():
        eager_ms = median_ms(step_fn(model, model, args), opts.iters)
        cells = {}
        compile_s = {}
        for backend in ("inductor", "joinery"):
            torch._dynamo.reset()
            compiled = torch.compile(model, backend=backend)
            step = step_fn(model, compiled, args)
            try:
                compile_s[backend] = compile_time(step)
                torch._dynamo.reset()
                compiled = torch.compile(model, backend=backend)
                step = step_fn(model, compiled, args)
                warm = compile_time(step)
                compile_s[backend] = f"{compile_s[backend]:.1f} s / {warm:.1f} s"
            except Exception as e:  # noqa: BLE001
                compile_s[backend] = "failed"
                failures.append(f"{name} {backend}: {type(e).__name__}: {e}")
                cells[backend] = "failed"
                continue
            ms, err = timed_or_error(step, opts.iters)
            cells[backend] = "failed" if err else ms
            if err:
                failures.append(f"{name} {backend}: {err}")
        cj = compile_joint(model, args)
        ms, err = timed_or_error(step_fn(model, cj, args), opts.iters)
        if err:
            failures.append(f"{name} compile_joint: {err}")

        def ratio(v):
            return v if v == "failed" else f"{v} ({eager_ms / float(v):.2f}×)"

        lines.append(f"| {name} | {eager_ms:.2f} | {ratio(cells['inductor'])} | "
                     f"{ratio(cells['joinery'])} | {ratio(ms if not err else 'failed')} | "
                     f"{compile_s['inductor']} | {compile_s['joinery']} |")
    us = overhead_us(opts.iters)
    lines += ["", "Per-call cost of the Python path on a tiny MLP (µs, medians): forward through "
                  f"compile_joint {us['bridged_forward']:.1f} vs bare native forward "
                  f"{us['bare_forward']:.1f}: overhead "
                  f"{us['bridged_forward'] - us['bare_forward']:.1f}; training step "
                  f"(forward, sum, backward) {us['bridged_step']:.1f} vs bare native forward + "
                  f"backward {us['bare_step']:.1f} vs eager {us['eager_step']:.1f}"]
    write_table(lines, opts.out)
    if failures:
        print("\n".join(["", "FAILED:"] + failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
