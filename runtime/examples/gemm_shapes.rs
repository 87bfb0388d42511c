//! Times the runtime's GEMM step on given shapes and strides (what `bench/gemm_vs_torch.py`
//! drives): each case runs as a one-step plan through [`Executor`], exactly as a compiled
//! function runs its `kernel.gemm` steps, on `--threads` workers.
//!
//! ```sh
//! cargo run --release -p joinery-runtime --example gemm_shapes -- cases.json [--threads 2]
//!     [--min-time 0.3] [--only I] [--impl runtime|matrixmultiply]
//! ```
//!
//! `cases.json` is a list of `{"m", "n", "k", "batch", "a", "b", "c", "accumulate"}` with
//! each map `[offset, batch stride, row stride, column stride]` in elements (the
//! `kernel.gemm` attributes). For every case it first checks the product against an f64
//! reference on sampled elements (exit status 1 on a mismatch), then prints one JSON line:
//! the median seconds per call over repeated calls and GFLOP/s. `--only I` runs case `I`
//! alone (the Python driver pairs each case with PyTorch's run). `--impl matrixmultiply`
//! runs the `matrixmultiply` crate instead (one call per thread on a block of rows), the
//! candidate the library choice was measured against.

use joinery_runtime::plan::{ArgSpec, BufferSpec, Location, MatRef, Plan, Step};
use joinery_runtime::{DType, Executor, Tensor};
use serde::Deserialize;
use std::time::Instant;

/// One GEMM to time, as `kernel.gemm` spells it.
#[derive(Deserialize, Clone)]
struct Case {
    m: usize,
    n: usize,
    k: usize,
    batch: usize,
    a: [i64; 4],
    b: [i64; 4],
    c: [i64; 4],
    accumulate: bool,
}

/// Which implementation runs the product.
#[derive(Clone, Copy, PartialEq)]
enum Impl {
    Runtime,
    MatrixMultiply,
}

/// Elements a view must span: one past its farthest element.
fn extent(map: [i64; 4], batch: usize, rows: usize, cols: usize) -> usize {
    let last = |n: usize, s: i64| (n.max(1) as i64 - 1) * s.abs();
    (map[0] + last(batch, map[1]) + last(rows, map[2]) + last(cols, map[3]) + 1) as usize
}

/// Deterministic values in [-1, 1).
fn fill(t: &mut Tensor<'_>, seed: u64) {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for v in t.as_mut_slice::<f32>() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *v = ((x >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0;
    }
}

fn matref(buffer: usize, map: [i64; 4]) -> MatRef {
    MatRef {
        buffer,
        offset: map[0],
        bs: map[1],
        rs: map[2],
        cs: map[3],
    }
}

/// A plan whose only step is the case's GEMM over three input buffers `a`, `b`, `c`.
fn plan(case: &Case, sizes: [usize; 3]) -> Plan {
    let arg = |name: &str, n: usize| ArgSpec {
        name: name.into(),
        desc: String::new(),
        dtype: DType::F32,
        shape: vec![n],
    };
    Plan {
        name: "gemm".into(),
        inputs: vec![arg("a", sizes[0]), arg("b", sizes[1]), arg("c", sizes[2])],
        outputs: vec![],
        buffers: (0..3)
            .map(|i| BufferSpec {
                location: Location::Input(i),
                bytes: 4 * sizes[i] as u64,
            })
            .collect(),
        arena_bytes: 0,
        kernels: vec![],
        steps: vec![Step::Gemm {
            m: case.m,
            n: case.n,
            k: case.k,
            batch: case.batch,
            a: matref(0, case.a),
            b: matref(1, case.b),
            c: matref(2, case.c),
            accumulate: case.accumulate,
        }],
        rng: None,
    }
}

/// Element `(i, r, c)` of a view.
fn at(data: &[f32], map: [i64; 4], i: usize, r: usize, c: usize) -> f32 {
    data[(map[0] + map[1] * i as i64 + map[2] * r as i64 + map[3] * c as i64) as usize]
}

/// Largest error of `c` against an f64 reference on sampled elements, relative to the
/// sum of absolute terms of each element (f32 rounding grows with it).
fn check(case: &Case, a: &[f32], b: &[f32], c0: &[f32], c: &[f32]) -> f64 {
    let mut worst = 0.0f64;
    let samples = 512.min(case.batch * case.m * case.n);
    let mut x = 12345u64;
    for s in 0..samples {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        // Always include the corners, then random elements.
        let (i, r, col) = match s {
            0 => (0, 0, 0),
            1 => (case.batch - 1, case.m - 1, case.n - 1),
            _ => (
                (x >> 8) as usize % case.batch,
                (x >> 24) as usize % case.m,
                (x >> 40) as usize % case.n,
            ),
        };
        let mut sum = 0.0f64;
        let mut abs = 0.0f64;
        if case.accumulate {
            let v = at(c0, case.c, i, r, col) as f64;
            sum += v;
            abs += v.abs();
        }
        for kk in 0..case.k {
            let p = at(a, case.a, i, r, kk) as f64 * at(b, case.b, i, kk, col) as f64;
            sum += p;
            abs += p.abs();
        }
        let got = at(c, case.c, i, r, col) as f64;
        worst = worst.max((got - sum).abs() / (abs + 1e-30));
    }
    worst
}

/// `c (+)= a @ b` with `matrixmultiply`: batches in parallel when there are enough,
/// else row blocks in parallel.
fn matrixmultiply_gemm(case: &Case, ptrs: [*mut f32; 3], threads: usize, pool: &rayon::ThreadPool) {
    #[derive(Clone, Copy)]
    struct P([*mut f32; 3]);
    // SAFETY: tasks write disjoint rows or batches of c.
    unsafe impl Send for P {}
    // SAFETY: as above.
    unsafe impl Sync for P {}
    let p = P(ptrs);
    let beta = if case.accumulate { 1.0 } else { 0.0 };
    let (a, b, c) = (case.a, case.b, case.c);
    let run = move |p: P, i: usize, r0: usize, rows: usize| {
        // SAFETY: the view stays inside the buffers sized by `extent`.
        unsafe {
            matrixmultiply::sgemm(
                rows,
                case.k,
                case.n,
                1.0,
                p.0[0].offset((a[0] + a[1] * i as i64 + a[2] * r0 as i64) as isize),
                a[2] as isize,
                a[3] as isize,
                p.0[1].offset((b[0] + b[1] * i as i64) as isize),
                b[2] as isize,
                b[3] as isize,
                beta,
                p.0[2].offset((c[0] + c[1] * i as i64 + c[2] * r0 as i64) as isize),
                c[2] as isize,
                c[3] as isize,
            )
        }
    };
    pool.install(|| {
        rayon::scope(|s| {
            if case.batch >= threads {
                for t in 0..threads {
                    s.spawn(move |_| {
                        for i in (t..case.batch).step_by(threads) {
                            run(p, i, 0, case.m);
                        }
                    });
                }
            } else {
                let chunk = case.m.div_ceil(threads);
                for i in 0..case.batch {
                    for t in 0..threads {
                        let r0 = t * chunk;
                        let rows = chunk.min(case.m.saturating_sub(r0));
                        if rows > 0 {
                            s.spawn(move |_| run(p, i, r0, rows));
                        }
                    }
                }
            }
        })
    });
}

fn main() {
    std::process::exit(joinery_guard::tool_main(run));
}

/// The value of flag `flag`, parsed.
fn flag_value<T: std::str::FromStr>(flag: &str, value: Option<&String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("error: {flag} takes a value\n"))?;
    value
        .parse()
        .map_err(|_| format!("error: invalid value {value:?} for {flag}\n"))
}

/// Runs the benchmark; the error is the text to print.
fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut threads = 2usize;
    let mut min_time = 0.3f64;
    let mut which = Impl::Runtime;
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--threads" => threads = flag_value(a, it.next())?,
            "--min-time" => min_time = flag_value(a, it.next())?,
            "--only" => only = Some(flag_value::<usize>(a, it.next())?),
            "--impl" => {
                which = match flag_value::<String>(a, it.next())?.as_str() {
                    "runtime" => Impl::Runtime,
                    "matrixmultiply" => Impl::MatrixMultiply,
                    other => return Err(format!("error: unknown --impl {other}\n")),
                }
            }
            _ => path = Some(a.clone()),
        }
    }
    if !min_time.is_finite() || min_time < 0.0 {
        return Err("error: --min-time must be finite and at least 0\n".into());
    }
    let path = path.ok_or(
        "usage: gemm_shapes CASES.json [--threads N] [--min-time S] [--only I] [--impl runtime|matrixmultiply]\n",
    )?;
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("error: cannot read {path}: {e}\n"))?;
    let cases: Vec<Case> = serde_json::from_str(&text)
        .map_err(|e| format!("error: {path}: malformed cases: {e}\n"))?;
    let mut exec = Executor::new(threads).map_err(|e| format!("error: {e}\n"))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("error: cannot start {threads} threads: {e}\n"))?;
    let mut failed = false;
    for (index, case) in cases.iter().enumerate() {
        if only.is_some_and(|o| o != index) {
            continue;
        }
        let sizes = [
            extent(case.a, case.batch, case.m, case.k),
            extent(case.b, case.batch, case.k, case.n),
            extent(case.c, case.batch, case.m, case.n),
        ];
        let mut t: Vec<Tensor<'static>> = sizes
            .iter()
            .map(|&n| Tensor::zeros(DType::F32, &[n]))
            .collect();
        for (i, x) in t.iter_mut().enumerate() {
            fill(x, i as u64 + 1);
        }
        let c0 = t[2].as_slice::<f32>().to_vec();
        let plan = plan(case, sizes);
        plan.check()
            .map_err(|e| format!("error: case #{index}: {e}\n"))?;
        let ptrs = [0, 1, 2].map(|i| t[i].as_ptr().cast::<f32>());
        let mut call = |t: &[Tensor<'static>]| match which {
            Impl::Runtime => {
                let inputs: Vec<&Tensor<'_>> = t.iter().collect();
                exec.run(&plan, &[], &inputs, &mut [])
                    .map_err(|e| e.to_string())
            }
            Impl::MatrixMultiply => {
                matrixmultiply_gemm(case, ptrs, threads, &pool);
                Ok(())
            }
        };
        call(&t).map_err(|e| format!("error: {e}\n"))?;
        let err = check(case, t[0].as_slice(), t[1].as_slice(), &c0, t[2].as_slice());
        let ok = err < 1e-4;
        failed |= !ok;
        let mut times = Vec::new();
        let start = Instant::now();
        while times.len() < 5 || (start.elapsed().as_secs_f64() < min_time && times.len() < 10_000)
        {
            let s = Instant::now();
            call(&t).map_err(|e| format!("error: {e}\n"))?;
            times.push(s.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let flops = 2.0 * (case.batch * case.m * case.n * case.k) as f64;
        println!(
            "{{\"m\": {}, \"n\": {}, \"k\": {}, \"batch\": {}, \"a\": {:?}, \"b\": {:?}, \"c\": {:?}, \"accumulate\": {}, \"median_s\": {:e}, \"gflops\": {:.2}, \"reps\": {}, \"rel_err\": {:e}, \"ok\": {}}}",
            case.m,
            case.n,
            case.k,
            case.batch,
            case.a,
            case.b,
            case.c,
            case.accumulate,
            median,
            flops / median / 1e9,
            times.len(),
            err,
            ok
        );
    }
    if failed {
        return Err("error: a product did not match its f64 reference\n".into());
    }
    Ok(())
}
