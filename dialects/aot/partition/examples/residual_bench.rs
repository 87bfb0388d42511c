//! Times `aot-partition` (default and min-cut) on joint graphs of a deep residual stack
//! (Linear + LayerNorm + GELU + residual) up to 100,000 ops, to show how it scales.
//! `bench/partition_vs_torch.py --residual-layers 50 200` times PyTorch's min-cut
//! partitioner against joinery's on the same exported graphs, in the same run.
//!
//! `cargo run --release -p joinery-partition --example residual_bench [-- --quick] [--layers N]`

use joinery_partition::residual::ResidualStack;
use joinery_partition::{PartitionOptions, Strategy, partition_joint};
use std::time::{Duration, Instant};

fn context() -> joinery_ir::Context {
    joinery_ir::Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ])
}

/// CPU time of the calling thread: the machine is shared, so wall time overstates our cost
/// under load while thread CPU time does not.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is always supported
    // on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// (ops, FX nodes, median wall time, median CPU time) over `runs` fresh builds of the stack. All builds are made
/// before timing and dropped after it, so freeing one run's IR is never timed in another.
fn measure(
    stack: ResidualStack,
    strategy: Strategy,
    runs: usize,
) -> Result<(usize, usize, Duration, Duration), String> {
    let mut built = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut ctx = context();
        let module = stack.build(&mut ctx, "joint");
        let func = ctx.walk(module)[0];
        built.push((ctx, func));
    }
    let (ctx, func) = &built[0];
    let ops = ctx.walk(*func).len();
    let body = ctx
        .body_block(*func)
        .ok_or("error: the generated joint has no body\n")?;
    let items: usize = ctx
        .block_ops(body)
        .map(|op| ctx.results(op).len())
        .filter(|&n| n > 1)
        .sum();
    let nodes = ctx.block_args(body).len() + ops + items;
    let options = PartitionOptions {
        strategy,
        memory_budget: 1.0,
    };
    let mut wall = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    for (ctx, func) in &mut built {
        let (start, start_cpu) = (Instant::now(), thread_cpu_time());
        let p = partition_joint(ctx, *func, &options)
            .map_err(|d| format!("error: {} layers: {}\n", stack.layers, d.message))?;
        wall.push(start.elapsed());
        cpu.push(thread_cpu_time() - start_cpu);
        if p.saved_tensors == 0 {
            return Err(format!(
                "error: {} layers: the partition saves nothing\n",
                stack.layers
            ));
        }
    }
    wall.sort();
    cpu.sort();
    Ok((ops, nodes, wall[runs / 2], cpu[runs / 2]))
}

/// The CPU's model name from `/proc/cpuinfo`, printed with the table.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

fn main() {
    std::process::exit(joinery_guard::tool_main(run));
}

/// Runs the benchmark; the error is the text to print.
fn run() -> Result<(), String> {
    let mut quick = false;
    let mut only: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--layers" => {
                let n = args.next().unwrap_or_default();
                only = Some(n.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                    format!("error: --layers takes a positive count, not {n:?}\n")
                })?);
            }
            other => {
                return Err(format!(
                    "error: unexpected argument {other:?}\nusage: residual_bench [--quick] [--layers N]\n"
                ));
            }
        }
    }
    // 6250 layers is ~100,000 ops (16 ops per layer).
    let sizes: Vec<usize> = only.map_or_else(|| vec![50, 200, 1000, 4000, 6250], |n| vec![n]);
    println!("CPU: {}\n", cpu_model());
    println!("| layers | ops | FX nodes | strategy | wall (median) | CPU (median) | ops/s (CPU) |");
    println!("|---:|---:|---:|---|---:|---:|---:|");
    for &layers in &sizes {
        let stack = ResidualStack {
            layers,
            batch: 32,
            width: 64,
        };
        let runs = if quick || layers > 1000 { 3 } else { 7 };
        for strategy in [Strategy::Default, Strategy::MinCut] {
            let (ops, nodes, wall, cpu) = measure(stack, strategy, runs)?;
            let (secs, cpu_secs) = (wall.as_secs_f64(), cpu.as_secs_f64());
            println!(
                "| {layers} | {ops} | {nodes} | {} | {:.2} ms | {:.2} ms | {:.2e} |",
                match strategy {
                    Strategy::Default => "default",
                    Strategy::MinCut => "min-cut",
                },
                secs * 1e3,
                cpu_secs * 1e3,
                ops as f64 / cpu_secs,
            );
        }
    }
    Ok(())
}
