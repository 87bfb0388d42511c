"""Native backend vs PyTorch eager and torch.compile (inductor) on the three workloads of
bench/workloads.py: one training step (forward + backward of the joint graph, no
optimizer), f32, 2 threads, median of repeated runs, all in the same run.

    python bench/native_vs_torch.py --joinery-run target/release/joinery-run [--iters 20]

The joint graph of each workload is exported with the PyTorch bridge (joinery_torch);
`joinery-run bench` compiles it cold (text -> parse -> passes -> LLVM -> shared library,
timed) into a fresh compile cache, then again warm (served by that cache), and times
calls. Inductor's cold compile is the first compiled step minus an eager step, with its FX
graph cache off. Bytes moved and GEMM flops per step come from the compiled plan
(kernel.fused operands counted once per step, GEMM operands once). The machine limits are
measured in the same run: the GEMM rate of torch.mm on 2048^3 f32 and the copy bandwidth
of torch's copy_ on 64 Mi floats (bytes read + written), both on the same threads.
Prints the CPU model and a Markdown table (and writes it to --out); every timed command
must succeed and print its JSON line, or the script fails."""
import argparse, json, os, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools", "torch"))
from common import cpu_model, median, median_ms, scratch_dir, write_table  # noqa: E402





def machine_limits(torch, iters):
    """(GEMM FLOP/s, copy bytes/s) measured now with PyTorch on the configured threads."""
    n = 2048
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    torch.mm(a, b, out=c)
    ts = []
    for _ in range(max(3, iters // 4)):
        t = time.perf_counter()
        torch.mm(a, b, out=c)
        ts.append(time.perf_counter() - t)
    gemm = 2 * n ** 3 / median(ts)
    src, dst = torch.randn(1 << 26), torch.empty(1 << 26)
    dst.copy_(src)
    ts = []
    for _ in range(max(3, iters // 4)):
        t = time.perf_counter()
        dst.copy_(src)
        ts.append(time.perf_counter() - t)
    copy = 2 * 4 * (1 << 26) / median(ts)
    return gemm, copy


def native_bench(joinery_run, path, iters, threads, cache_dir, extra=()):
    """`joinery-run bench` of `path` (with `extra` flags); its JSON line, checked."""
    env = dict(os.environ, JOINERY_NUM_THREADS=str(threads), JOINERY_CACHE_DIR=cache_dir)
    proc = subprocess.run(
        [joinery_run, "bench", path, "--iters", str(iters), "--threads", str(threads), *extra],
        capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0:
        sys.exit(f"joinery-run bench {path} failed ({proc.returncode}):\n{proc.stderr}")
    lines = proc.stdout.strip().splitlines()
    if not lines:
        sys.exit(f"joinery-run bench {path} printed nothing:\n{proc.stderr}")
    return json.loads(lines[-1])




def step_fn(model, args):
    def step():
        for p in model.parameters():
            p.grad = None
        loss = model(*args)
        loss.backward()
    return step




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
    tmp = scratch_dir("joinery-bench-")
    cpu = cpu_model()
    gemm_rate, copy_bw = machine_limits(torch, a.iters)
    print(f"CPU: {cpu}; {a.threads} threads; torch {torch.__version__}", file=sys.stderr)
    rows = []
    for name, model, args in workloads():
        if a.only and name not in a.only.split(","):
            continue
        path = os.path.join(tmp, f"{name}.mlir")
        with open(path, "w") as f:
            f.write(export_joint(model, args))
        eager = median_ms(step_fn(model, args), a.iters)
        torch._dynamo.reset()
        compiled = torch.compile(model)
        cstep = step_fn(compiled, args)
        t = time.perf_counter()
        cstep()
        inductor_cold = time.perf_counter() - t - eager / 1e3
        inductor = median_ms(cstep, a.iters)
        cache = os.path.join(tmp, f"cache-{name}")
        nat = native_bench(a.joinery_run, path, a.iters, a.threads, cache)
        warm = native_bench(a.joinery_run, path, 1, a.threads, cache)
        if nat["cache"] != "miss" or warm["cache"] != "hit":
            sys.exit(f"{name}: expected a cold then a warm compile, got {nat['cache']} then {warm['cache']}")
        nat["warm_compile_ms"] = warm["compile_ms"]
        # Eager again, to see drift of a shared machine within the run.
        eager2 = median_ms(step_fn(model, args), a.iters)
        rows.append((name, eager, eager2, inductor, inductor_cold, nat))
        print(name, json.dumps(nat), f"eager {eager:.2f}/{eager2:.2f} inductor {inductor:.2f}", file=sys.stderr)

    lines = [
        f"CPU: {cpu}, {a.threads} threads. Measured limits: GEMM {gemm_rate / 1e9:.0f} GFLOP/s "
        f"(torch.mm 2048^3), copy {copy_bw / 1e9:.1f} GB/s (torch copy_, read + write).",
        "",
        "| workload | eager ms | inductor ms | native ms | native/eager | native/inductor "
        "| native compile s (cold / warm) | inductor cold compile s | GEMM GFLOP/step | MB moved/step "
        "| machine bound ms | native at % of bound |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, eager, eager2, ind, cold, nat in rows:
        e = min(eager, eager2)
        bound = (nat["gemm_flops"] / gemm_rate + nat["bytes"] / copy_bw) * 1e3
        lines.append(
            f"| {name} | {e:.2f} | {ind:.2f} | {nat['median_ms']:.2f} | {nat['median_ms'] / e:.2f} "
            f"| {nat['median_ms'] / ind:.2f} | {nat['compile_ms'] / 1e3:.3f} / {nat['warm_compile_ms'] / 1e3:.3f} | {cold:.1f} "
            f"| {nat['gemm_flops'] / 1e9:.2f} | {nat['bytes'] / 1e6:.1f} | {bound:.2f} "
            f"| {100 * bound / nat['median_ms']:.0f}% |"
        )
    write_table(lines, a.out)


if __name__ == "__main__":
    main()
