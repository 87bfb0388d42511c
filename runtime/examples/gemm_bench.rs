//! GEMM library comparison: the `gemm` crate against OpenBLAS (`cblas_sgemm`, Debian's
//! libopenblas-dev; needs `--features openblas-bench`) on square f32 products, median
//! GFLOP/s over repeated runs on `JOINERY_NUM_THREADS` threads (default 2).
//!
//! `cargo run --release -p joinery-runtime --example gemm_bench --features openblas-bench`

use std::time::Instant;

#[cfg(feature = "openblas-bench")]
#[link(name = "openblas")]
unsafe extern "C" {
    fn cblas_sgemm(
        layout: i32,
        ta: i32,
        tb: i32,
        m: i32,
        n: i32,
        k: i32,
        alpha: f32,
        a: *const f32,
        lda: i32,
        b: *const f32,
        ldb: i32,
        beta: f32,
        c: *mut f32,
        ldc: i32,
    );
    fn openblas_set_num_threads(n: i32);
}

fn median_gflops(n: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    2.0 * (n as f64).powi(3) / times[reps / 2] / 1e9
}

fn main() {
    let threads = joinery_runtime::default_threads().min(
        std::env::var("JOINERY_NUM_THREADS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2),
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    println!("threads = {threads}");
    println!("| n | gemm crate GFLOP/s | OpenBLAS GFLOP/s |");
    println!("|---|---|---|");
    for n in [1024usize, 2048] {
        let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.1).collect();
        let mut c = vec![0f32; n * n];
        let reps = if n <= 1024 { 15 } else { 7 };
        let g = pool.install(|| {
            median_gflops(n, reps, || unsafe {
                gemm::gemm(
                    n,
                    n,
                    n,
                    c.as_mut_ptr(),
                    1,
                    n as isize,
                    false,
                    a.as_ptr(),
                    1,
                    n as isize,
                    b.as_ptr(),
                    1,
                    n as isize,
                    1.0,
                    1.0,
                    false,
                    false,
                    false,
                    gemm::Parallelism::Rayon(threads),
                )
            })
        });
        #[cfg(feature = "openblas-bench")]
        let o = {
            unsafe { openblas_set_num_threads(threads as i32) };
            let o = median_gflops(n, reps, || unsafe {
                cblas_sgemm(
                    101,
                    111,
                    111,
                    n as i32,
                    n as i32,
                    n as i32,
                    1.0,
                    a.as_ptr(),
                    n as i32,
                    b.as_ptr(),
                    n as i32,
                    0.0,
                    c.as_mut_ptr(),
                    n as i32,
                )
            });
            format!("{o:.1}")
        };
        #[cfg(not(feature = "openblas-bench"))]
        let o = "(not built)".to_string();
        println!("| {n} | {g:.1} | {o} |");
    }
}
