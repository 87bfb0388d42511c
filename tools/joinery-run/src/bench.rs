//! `joinery-run bench FILE.mlir --fn joint --iters N`: compiles a function natively (timed
//! from text to callable; cold or served by the compile cache, which the JSON says) and
//! times calls on random inputs; prints one JSON line with compile time, median call
//! time, GEMM flops and bytes moved per call.

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
}

/// Runs the command; the error is the text to print.
pub fn bench(args: &BenchArgs) -> Result<(), String> {
    let t0 = Instant::now();
    let (mut ctx, sources, module) = load(&args.file)?;
    let candidates = joinery_native::function_names(&ctx, module);
    let func = crate::native::pick_function(args.func.as_deref(), &candidates, &args.file)?;
    let threads = crate::flags::threads(args.threads)?;
    let (mut modules, native) =
        joinery_native::compile_and_load(&mut ctx, module, std::slice::from_ref(&func), threads)
            .map_err(|d| joinery_diagnostics::render(&sources, &[d]))?;
    let compile = t0.elapsed();
    let m = modules.remove(0);
    let cost = joinery_native::cost(&ctx, native.reports[0].func);
    let mut seed = 1u64;
    let mut inputs: Vec<Tensor<'static>> = m
        .plan()
        .caller_inputs()
        .iter()
        .map(|a| {
            let n: usize = a.shape.iter().product();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut s = seed;
            let mut next = move || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s
            };
            match a.dtype {
                DType::F32 => Tensor::from_vec(
                    &a.shape,
                    (0..n)
                        .map(|_| (next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5)
                        .collect(),
                ),
                DType::I64 => {
                    Tensor::from_vec(&a.shape, (0..n).map(|_| (next() % 2) as i64).collect())
                }
                other => Tensor::zeros(other, &a.shape),
            }
        })
        .collect();
    m.call(&mut inputs).map_err(|e| format!("{e}\n"))?;
    let mut times: Vec<f64> = (0..args.iters)
        .map(|_| {
            let t = Instant::now();
            m.call(&mut inputs).map(|_| t.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{e}\n"))?;
    times.sort_by(f64::total_cmp);
    let r = &native.reports[0];
    println!(
        "{{\"fn\": \"{}\", \"cache\": \"{}\", \"compile_ms\": {:.1}, \"lower_ms\": {:.1}, \"llvm_ms\": {:.1}, \"median_ms\": {:.3}, \"min_ms\": {:.3}, \"kernels\": {}, \"gemms\": {}, \"arena_bytes\": {}, \"unshared_bytes\": {}, \"gemm_flops\": {:.0}, \"bytes\": {:.0}, \"threads\": {}}}",
        func,
        match native.timings.cache {
            Some(joinery_native::CacheOutcome::Hit) => "hit",
            _ => "miss",
        },
        compile.as_secs_f64() * 1e3,
        native.timings.lower.as_secs_f64() * 1e3,
        native.timings.llvm.as_secs_f64() * 1e3,
        times[times.len() / 2],
        times[0],
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
