"""Every GEMM of the benchmark workloads, joinery's runtime against PyTorch, shape by shape.

    python bench/gemm_vs_torch.py --translate target/debug/joinery-translate \
        --gemm-bench target/release/examples/gemm_shapes [--threads 2] [--rounds 3]

Each workload of bench/workloads.py is exported with the PyTorch bridge and lowered with
`joinery-translate --to-kernels`, both as one joint function and partitioned into forward
and backward (`--partition`), which can lay operands out differently. Every `kernel.gemm`
of those lowerings (m, n, k, batch, the strided maps of a, b and c, accumulate) becomes a
case, duplicates merged. The runtime's GEMM step runs each case through the `gemm_shapes`
example (a one-step plan on the runtime's executor, its result checked against an f64
reference); PyTorch runs `torch.mm` / `torch.bmm` (`addmm_` / `baddbmm_` when the step
accumulates) on `as_strided` views with exactly the same offsets and strides, its result
checked too. Both use --threads threads. Each case runs on every side back to back, in
--rounds rounds within this one run; each side's rate is its best round's median. On a
shared machine the script first waits (up to --quiet-wait seconds) for other processes to
leave the CPUs idle, and reports for each row the CPU share other processes took while its
rounds ran. --candidates adds the `matrixmultiply` crate (the alternative library) as a
third side. Prints the CPU, then a Markdown table (also written to --out). Exits non-zero
if any command or check failed; the rates themselves are reported, not asserted.
"""
import argparse, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools", "torch"))
from common import cpu_model, median, scratch_dir, write_table  # noqa: E402

GEMM_RE = re.compile(r'"kernel\.gemm"\(.*?<\{(.*?)\}>')
ATTR_RE = re.compile(r'(\w+) = (\[[^\]]*\]|true|false|-?\d+)(?: : i64)?')




def gemm_cases(kernels_text):
    """The kernel.gemm steps of a lowered module as dicts of their attributes."""
    cases = []
    for line in kernels_text.splitlines():
        m = GEMM_RE.search(line)
        if not m:
            continue
        attrs = {k: json.loads(v) for k, v in ATTR_RE.findall(m.group(1))}
        src = re.search(r'sources = \["([^"]*)"', m.group(1))
        cases.append({
            "m": attrs["m"], "n": attrs["n"], "k": attrs["k"], "batch": attrs["batch"],
            "a": attrs["a_map"], "b": attrs["b_map"], "c": attrs["c_map"],
            "accumulate": attrs["accumulate"], "source": src.group(1) if src else "?",
        })
    return cases


def key(c):
    return (c["m"], c["n"], c["k"], c["batch"], tuple(c["a"]), tuple(c["b"]), tuple(c["c"]),
            c["accumulate"])


def extent(mp, batch, rows, cols):
    """Elements a view must span (same rule as the Rust example)."""
    last = lambda n, s: (max(n, 1) - 1) * abs(s)
    return mp[0] + last(batch, mp[1]) + last(rows, mp[2]) + last(cols, mp[3]) + 1


def layout(mp, rows, cols, batch):
    """N (row-major), T (column-major), 0 (every element the same), or the strides."""
    _, bs, rs, cs = mp
    if rs == 0 and cs == 0:
        s = "0"
    elif cs == 1 and rs >= cols:
        s = "N" if rs == cols else f"N(ld {rs})"
    elif rs == 1 and cs >= rows:
        s = "T" if cs == rows else f"T(ld {cs})"
    else:
        s = f"({rs},{cs})"
    return s + (" b0" if bs == 0 and batch > 1 else "")


def cpu_jiffies():
    """(total, idle) jiffies of all CPUs from /proc/stat, or None off Linux."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    return sum(v), v[3] + v[4]


class OtherLoad:
    """Measures the share of all CPUs that *other* processes used over a window: the
    machine's busy share (/proc/stat) minus this process's and its children's CPU time."""

    def __enter__(self):
        self.j, self.t = cpu_jiffies(), os.times()
        return self

    def __exit__(self, *exc):
        j, t = cpu_jiffies(), os.times()
        if j is None or self.j is None or j[0] == self.j[0]:
            self.share = 0.0
            return
        busy = 1.0 - (j[1] - self.j[1]) / (j[0] - self.j[0])
        mine = sum(t[:4]) - sum(self.t[:4])
        self.share = max(0.0, busy - mine / ((t[4] - self.t[4]) * (os.cpu_count() or 1)))


def wait_quiet(limit):
    """Waits (up to `limit` seconds) until other processes leave the CPUs nearly idle."""
    start = time.time()
    while time.time() - start < limit:
        with OtherLoad() as w:
            time.sleep(0.5)
        if w.share < 0.05:
            return




def torch_case(torch, c, min_time, check):
    """Median seconds of torch's mm/bmm on views with the case's strides."""
    b, m, n, k = c["batch"], c["m"], c["n"], c["k"]
    gen = torch.Generator().manual_seed(0)

    def view(mp, rows, cols):
        store = torch.rand(extent(mp, b, rows, cols), generator=gen) * 2 - 1
        if b == 1:
            return store.as_strided((rows, cols), (mp[2], mp[3]), mp[0])
        return store.as_strided((b, rows, cols), (mp[1], mp[2], mp[3]), mp[0])

    A, B, C = view(c["a"], m, k), view(c["b"], k, n), view(c["c"], m, n)
    if c["accumulate"]:
        call = (lambda: C.addmm_(A, B)) if b == 1 else (lambda: C.baddbmm_(A, B))
    else:
        call = (lambda: torch.mm(A, B, out=C)) if b == 1 else (lambda: torch.bmm(A, B, out=C))
    if check:
        c0 = C.double().clone()
        call()
        want = (c0 if c["accumulate"] else 0) + A.double() @ B.double()
        scale = (c0.abs() if c["accumulate"] else 0) + A.double().abs() @ B.double().abs()
        err = ((C.double() - want).abs() / (scale + 1e-30)).max().item()
        if not err < 1e-4:
            raise SystemExit(f"error: torch result off by {err:.2e} (relative) on {c}")
    call()
    times, start = [], time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < min_time and len(times) < 10000):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return median(times)


def run_joinery(exe, cases_path, index, threads, min_time, impl="runtime"):
    """Median seconds of case `index` from the runtime example, which must have checked out."""
    p = subprocess.run([exe, cases_path, "--only", str(index), "--threads", str(threads),
                        "--min-time", str(min_time), "--impl", impl], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"error: {exe} failed ({p.returncode}) on case {index}:\n{p.stdout}\n{p.stderr}")
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    if len(rows) != 1 or not rows[0]["ok"]:
        raise SystemExit(f"error: {exe} gave no checked result for case {index}:\n{p.stdout}")
    return rows[0]["median_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--translate", required=True, help="joinery-translate binary")
    ap.add_argument("--gemm-bench", required=True, help="the runtime's gemm_shapes example")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=0.25, help="seconds per case per round")
    ap.add_argument("--only", default=None, help="comma-separated workload names")
    ap.add_argument("--quiet-wait", type=float, default=20.0,
                    help="seconds to wait for an idle machine before each case (0: don't)")
    ap.add_argument("--candidates", action="store_true",
                    help="also time the matrixmultiply crate (the GEMM library alternative)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()

    import torch
    from workloads import workloads
    from joinery_torch import export_joint

    torch.set_num_threads(a.threads)
    tmp = scratch_dir("joinery-gemm-")
    cases, seen, found = [], {}, []
    for name, model, args in workloads():
        if a.only and name not in a.only.split(","):
            continue
        path = os.path.join(tmp, f"{name}.mlir")
        with open(path, "w") as f:
            f.write(export_joint(model, args))
        for extra in ([], ["--partition"]):
            p = subprocess.run([a.translate, "--to-kernels", *extra, path], capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit(f"error: joinery-translate {' '.join(extra)} {name} failed:\n{p.stderr}")
            steps = gemm_cases(p.stdout)
            if p.stdout.count('"kernel.gemm"') != len(steps):
                raise SystemExit(f"error: could not read every kernel.gemm of {name}")
            found.append(f"{name}{' (partitioned)' if extra else ''}: {len(steps)}")
            for c in steps:
                if key(c) in seen:
                    seen[key(c)]["workloads"].add(name)
                else:
                    c["workloads"] = {name}
                    seen[key(c)] = c
                    cases.append(c)
    cases_path = os.path.join(tmp, "cases.json")
    with open(cases_path, "w") as f:
        json.dump([{k: v for k, v in c.items() if k != "workloads"} for c in cases], f)

    sides = ["runtime", "torch"] + (["matrixmultiply"] if a.candidates else [])
    # times[side][case][round], other[case][round]
    times = {s: [[] for _ in cases] for s in sides}
    other = [[] for _ in cases]
    for r in range(a.rounds):
        for i, c in enumerate(cases):
            if a.quiet_wait > 0:
                wait_quiet(a.quiet_wait)
            with OtherLoad() as load:
                for side in sides:
                    if side == "torch":
                        t = torch_case(torch, c, a.min_time, check=r == 0)
                    else:
                        t = run_joinery(a.gemm_bench, cases_path, i, a.threads, a.min_time, side)
                    times[side][i].append(t)
            other[i].append(load.share)
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)

    extra_head = " matrixmultiply GFLOP/s | mm/torch |" if a.candidates else ""
    lines = [
        f"CPU: {cpu_model()}; {a.threads} threads; torch {torch.__version__}; "
        f"best of {a.rounds} rounds of medians",
        "kernel.gemm steps read: " + ", ".join(found),
        "",
        "| workload | op | batch x [m x k] @ [k x n] | A | B | acc | joinery GFLOP/s "
        f"| torch GFLOP/s | ratio |{extra_head} other load |",
        "|---|---|---|---|---|---|---:|---:|---:|" + ("---:|---:|" if a.candidates else "") + "---:|",
    ]
    ratios = []
    for i, c in enumerate(cases):
        flops = 2.0 * c["batch"] * c["m"] * c["n"] * c["k"]
        rate = {s: flops / min(times[s][i]) / 1e9 for s in sides}
        best = {times[s][i].index(min(times[s][i])) for s in sides}
        ratios.append(rate["runtime"] / rate["torch"])
        cand = (f" {rate['matrixmultiply']:.1f} | {rate['matrixmultiply'] / rate['torch']:.2f} |"
                if a.candidates else "")
        lines.append(
            f"| {','.join(sorted(c['workloads']))} | {c['source'].removeprefix('aten.')} "
            f"| {c['batch']}x[{c['m']}x{c['k']}]@[{c['k']}x{c['n']}] "
            f"| {layout(c['a'], c['m'], c['k'], c['batch'])} | {layout(c['b'], c['k'], c['n'], c['batch'])} "
            f"| {'yes' if c['accumulate'] else ''} | {rate['runtime']:.1f} | {rate['torch']:.1f} "
            f"| {ratios[-1]:.2f} |{cand} {100 * max(other[i][r] for r in best):.0f}% |")
    geo = 1.0
    for r in ratios:
        geo *= r ** (1 / len(ratios))
    lines += ["", f"{sum(r >= 0.9 for r in ratios)} of {len(ratios)} shapes at >= 0.9x torch; "
              f"geometric mean ratio {geo:.2f}; lowest {min(ratios):.2f}. "
              "Other load: the CPU share other processes took while the reported rounds ran."]
    write_table(lines, a.out)


if __name__ == "__main__":
    main()
