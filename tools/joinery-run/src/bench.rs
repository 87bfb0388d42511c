//! `joinery-run bench FILE.mlir --fn joint --iters N`: compiles a function natively (timed
//! from text to callable; cold or served by the compile cache, which the JSON says) and
//! times calls on random inputs; prints one JSON line with compile time, median call
//! time, GEMM flops and bytes moved per call. With `--via-mlir` the function goes through
//! the MLIR path instead (export, MLIR's pipeline, its execution engine), timed the same
//! way on the same inputs.

use crate::native::load;
use clap::Args;
use joinery_runtime::{DType, Tensor};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `joinery-run bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The module (MLIR text).
    #[arg(value_name = "FILE.mlir")]
    pub file: PathBuf,
    /// The function to time (default: the module's only function).
    #[arg(long = "fn", value_name = "NAME")]
    pub func: Option<String>,
    /// Timed calls (after one warm-up call; at least 1).
    #[arg(long, default_value_t = 20, value_parser = crate::flags::at_least_one)]
    pub iters: usize,
    /// Worker threads (default: JOINERY_NUM_THREADS or all cores).
    #[arg(long, value_parser = crate::flags::thread_count)]
    pub threads: Option<usize>,
    /// Time the MLIR path (`--via-mlir`'s export, pipeline and execution engine) instead
    /// of the native backend.
    #[arg(long)]
    pub via_mlir: bool,
}

/// The benchmark's input of `shape` and `dtype`, drawn from `seed` (advanced): floats in
/// [-0.5, 0.5), integers 0 or 1, zeros otherwise.
fn random_input(shape: &[usize], dtype: DType, seed: &mut u64) -> Tensor<'static> {
    let n: usize = shape.iter().product();
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut s = *seed;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    match dtype {
        DType::F32 => Tensor::from_vec(
            shape,
            (0..n)
                .map(|_| (next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5)
                .collect(),
        ),
        DType::I64 => Tensor::from_vec(shape, (0..n).map(|_| (next() % 2) as i64).collect()),
        other => Tensor::zeros(other, shape),
    }
}

/// The median and the minimum of `iters` timed calls of `call` (after one warm-up), in
/// milliseconds.
fn time_calls<E>(iters: usize, mut call: impl FnMut() -> Result<(), E>) -> Result<(f64, f64), E> {
    call()?;
    let mut times: Vec<f64> = (0..iters)
        .map(|_| {
            let t = Instant::now();
            call().map(|_| t.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<Result<_, _>>()?;
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[0]))
}

/// `--via-mlir`: compiles through the MLIR path and times calls on the native benchmark's
/// inputs; prints one JSON line with compile and call times.
fn bench_mlir(args: &BenchArgs) -> Result<(), String> {
    let t0 = Instant::now();
    let (mut ctx, mut sources, module) = load(&args.file)?;
    let candidates = joinery_native::function_names(&ctx, module);
    let func = crate::native::pick_function(args.func.as_deref(), &candidates, &args.file)?;
    let mlir = joinery_aten_to_mlir::mlir_context();
    let compiled = joinery_aten_to_mlir::exec::Compiled::new(&mut ctx, module, &func, &mlir)
        .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
    let compile = t0.elapsed();
    let mut seed = 1u64;
    let inputs = compiled
        .args()
        .iter()
        .map(|a| {
            let shape: Vec<usize> = a.shape.iter().map(|&e| e as usize).collect();
            joinery_interp::runtime::from_runtime(&random_input(&shape, a.dtype, &mut seed))
                .map_err(|e| format!("error: {e}\n"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut bound = compiled
        .bind(&inputs, &joinery_interp::RunOptions::default())
        .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
    let (median, min) = time_calls(args.iters, || compiled.invoke(&mut bound))
        .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
    println!(
        "{{\"fn\": \"{func}\", \"backend\": \"mlir\", \"compile_ms\": {:.1}, \"median_ms\": {median:.3}, \"min_ms\": {min:.3}}}",
        compile.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Runs the command; the error is the text to print.
pub fn bench(args: &BenchArgs) -> Result<(), String> {
    if args.via_mlir {
        return bench_mlir(args);
    }
    let t0 = Instant::now();
    let (mut ctx, mut sources, module) = load(&args.file)?;
    let candidates = joinery_native::function_names(&ctx, module);
    let func = crate::native::pick_function(args.func.as_deref(), &candidates, &args.file)?;
    let threads = crate::flags::threads(args.threads)?;
    let (mut modules, native) =
        joinery_native::compile_and_load(&mut ctx, module, std::slice::from_ref(&func), threads)
            .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
    let compile = t0.elapsed();
    let m = modules.remove(0);
    let cost = joinery_native::cost(&ctx, native.reports[0].func);
    let mut seed = 1u64;
    let mut inputs: Vec<Tensor<'static>> = m
        .plan()
        .caller_inputs()
        .iter()
        .map(|a| random_input(&a.shape, a.dtype, &mut seed))
        .collect();
    let (median, min) =
        time_calls(args.iters, || m.call(&mut inputs).map(drop)).map_err(|e| format!("{e}\n"))?;
    let r = &native.reports[0];
    println!(
        "{{\"fn\": \"{}\", \"backend\": \"native\", \"cache\": \"{}\", \"compile_ms\": {:.1}, \"lower_ms\": {:.1}, \"llvm_ms\": {:.1}, \"median_ms\": {:.3}, \"min_ms\": {:.3}, \"kernels\": {}, \"gemms\": {}, \"arena_bytes\": {}, \"unshared_bytes\": {}, \"gemm_flops\": {:.0}, \"bytes\": {:.0}, \"threads\": {}}}",
        func,
        match native.timings.cache {
            Some(joinery_native::CacheOutcome::Hit) => "hit",
            _ => "miss",
        },
        compile.as_secs_f64() * 1e3,
        native.timings.lower.as_secs_f64() * 1e3,
        native.timings.llvm.as_secs_f64() * 1e3,
        median,
        min,
        r.kernels,
        r.gemms,
        r.memory.arena_bytes,
        r.memory.unshared_bytes,
        cost.gemm_flops,
        cost.bytes,
        threads
    );
    Ok(())
}
