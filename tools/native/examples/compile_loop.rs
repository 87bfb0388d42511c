//! Compiles the bundled MLP natively and drops it, again and again in one process, and
//! prints the resident set size every `--every` compiles: a leak in the compiler, LLVM's
//! use, the linker step or library loading shows as a rising column.
//!
//! Every compile is real: the compile cache lives in a directory of its own that is
//! emptied after each one, and a cache hit stops the run.
//!
//! `cargo run -p joinery-native --example compile_loop -- [COUNT] [EVERY]`
//! (default 10000 compiles, a line every 1000).

use joinery_ir::{Context, SourceMap};
use joinery_native::{CACHE_DIR_VAR, CacheOutcome};
use std::time::Instant;

/// The compiled example, relative to this crate.
const MLP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/mlp_joint.mlir");

/// The resident set size of this process in KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc/self/status".to_string())
}

/// Parses, compiles (partition, lowering, LLVM, link, load) and drops the MLP once.
fn compile_once(text: &str) -> Result<(), String> {
    let mut sources = SourceMap::default();
    let file = sources.add(MLP, text.to_string());
    let mut ctx = Context::new(&joinery_all::DIALECTS);
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file)
        .map_err(|d| format!("{MLP}: {}", d[0].message))?;
    let (diff, native) = joinery_native::compile_differentiable(&mut ctx, module, "joint", 1)
        .map_err(|d| format!("{MLP}: {}", d.message))?;
    if native.timings.cache != Some(CacheOutcome::Miss) {
        return Err("the compile came from the cache; the loop must compile".into());
    }
    drop(diff);
    Ok(())
}

fn arg(args: &[String], i: usize, default: u64, what: &str) -> Result<u64, String> {
    match args.get(i) {
        None => Ok(default),
        Some(a) => a
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{what} must be a positive integer, got '{a}'")),
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = arg(&args, 0, 10_000, "COUNT")?;
    let every = arg(&args, 1, 1_000, "EVERY")?;
    let text = std::fs::read_to_string(MLP).map_err(|e| format!("cannot read {MLP}: {e}"))?;
    let cache = std::env::temp_dir().join(format!("joinery-compile-loop-{}", std::process::id()));
    // SAFETY: set before any other thread of this process exists.
    unsafe { std::env::set_var(CACHE_DIR_VAR, &cache) };
    let start = Instant::now();
    println!("compiles  rss_kib  seconds");
    println!("{:>8}  {:>7}  {:>7.1}", 0, rss_kib()?, 0.0);
    for i in 1..=count {
        compile_once(&text)?;
        std::fs::remove_dir_all(&cache)
            .map_err(|e| format!("cannot empty {}: {e}", cache.display()))?;
        if i % every == 0 {
            let secs = start.elapsed().as_secs_f64();
            println!("{i:>8}  {:>7}  {secs:>7.1}", rss_kib()?);
        }
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
