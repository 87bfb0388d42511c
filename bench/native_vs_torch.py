"""Native backend vs PyTorch eager and torch.compile (inductor) on the three workloads of
bench/workloads.py: one training step (forward + backward of the joint graph, no
optimizer), f32, 2 threads, median of repeated runs, all in the same run.

    python bench/native_vs_torch.py --joinery-run target/release/joinery-run [--iters 20]

The joint graph of each workload is exported with the PyTorch bridge (joinery_torch);
`joinery-run bench` compiles it cold (text -> parse -> kernels -> LLVM -> JIT, timed) and
times calls. Inductor's cold compile is the first compiled step minus an eager step, with
its FX graph cache off. Bytes moved and GEMM flops per step come from the compiled plan
(kernel.fused operands counted once per step, GEMM operands once); the machine limits are
the issue's: 160 GFLOP/s for a 2048^3 f32 GEMM and 30 GB/s copy bandwidth through PyTorch.
Prints a Markdown table (and writes it to --out)."""
import argparse, json, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools", "torch"))

GEMM_RATE = 160e9
COPY_BW = 30e9


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def step_fn(model, args):
    def step():
        for p in model.parameters():
            p.grad = None
        loss = model(*args)
        loss.backward()
    return step


def time_steps(step, iters):
    step()
    ts = []
    for _ in range(iters):
        t = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t)
    return median(ts) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--joinery-run", required=True)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default=None, help="comma-separated workload names")
    a = ap.parse_args()
    import torch
    import torch._inductor.config as icfg
    from workloads import workloads
    from joinery_torch import export_joint

    torch.set_num_threads(a.threads)
    icfg.fx_graph_cache = False
    tmp = tempfile.mkdtemp(prefix="joinery-bench-")
    rows = []
    for name, model, args in workloads():
        if a.only and name not in a.only.split(","):
            continue
        path = os.path.join(tmp, f"{name}.mlir")
        with open(path, "w") as f:
            f.write(export_joint(model, args))
        eager = time_steps(step_fn(model, args), a.iters)
        torch._dynamo.reset()
        compiled = torch.compile(model)
        cstep = step_fn(compiled, args)
        t = time.perf_counter()
        cstep()
        inductor_cold = time.perf_counter() - t - eager / 1e3
        inductor = time_steps(cstep, a.iters)
        env = dict(os.environ, JOINERY_NUM_THREADS=str(a.threads))
        out = subprocess.run(
            [a.joinery_run, "bench", path, "--iters", str(a.iters), "--threads", str(a.threads)],
            capture_output=True, text=True, env=env, check=True,
        ).stdout.strip().splitlines()[-1]
        nat = json.loads(out)
        # Eager again, to see drift of a shared machine within the run.
        eager2 = time_steps(step_fn(model, args), a.iters)
        rows.append((name, eager, eager2, inductor, inductor_cold, nat))
        print(name, json.dumps(nat), f"eager {eager:.2f}/{eager2:.2f} inductor {inductor:.2f}", file=sys.stderr)

    lines = [
        "| workload | eager ms | inductor ms | native ms | native/eager | native/inductor "
        "| native compile s | inductor cold compile s | GEMM GFLOP/step | MB moved/step "
        "| machine bound ms | native at % of bound |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, eager, eager2, ind, cold, nat in rows:
        e = min(eager, eager2)
        bound = (nat["gemm_flops"] / GEMM_RATE + nat["bytes"] / COPY_BW) * 1e3
        lines.append(
            f"| {name} | {e:.2f} | {ind:.2f} | {nat['median_ms']:.2f} | {nat['median_ms'] / e:.2f} "
            f"| {nat['median_ms'] / ind:.2f} | {nat['compile_ms'] / 1e3:.2f} | {cold:.1f} "
            f"| {nat['gemm_flops'] / 1e9:.2f} | {nat['bytes'] / 1e6:.1f} | {bound:.2f} "
            f"| {100 * bound / nat['median_ms']:.0f}% |"
        )
    table = "\n".join(lines)
    print(table)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
