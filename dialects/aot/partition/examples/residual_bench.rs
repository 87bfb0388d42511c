//! Times `aot-partition` (default and min-cut) on joint graphs of a deep residual stack
//! (Linear + LayerNorm + GELU + residual) and compares with PyTorch's min-cut partitioner.
//!
//! `cargo run --release -p joinery-partition --example residual_bench [-- --quick] [--layers N]`

use joinery_partition::residual::ResidualStack;
use joinery_partition::{PartitionOptions, Strategy, partition_joint};
use std::time::{Duration, Instant};

/// PyTorch's min_cut_rematerialization_partition on this machine (issue 6): seconds at
/// 1,305 and 5,205 FX nodes (50 and 200 layers).
const TORCH_SECONDS: &[(usize, f64)] = &[(50, 0.35), (200, 2.4)];

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
) -> (usize, usize, Duration, Duration) {
    let mut built = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut ctx = context();
        let module = stack.build(&mut ctx, "joint");
        let func = ctx.walk(module)[0];
        built.push((ctx, func));
    }
    let (ctx, func) = &built[0];
    let ops = ctx.walk(*func).len();
    let body = ctx.body_block(*func).expect("the joint has a body");
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
    let (mut wall, mut cpu): (Vec<Duration>, Vec<Duration>) = built
        .iter_mut()
        .map(|(ctx, func)| {
            let (start, start_cpu) = (Instant::now(), thread_cpu_time());
            let p = partition_joint(ctx, *func, &options).expect("the stack partitions");
            let t = (start.elapsed(), thread_cpu_time() - start_cpu);
            assert!(p.saved_tensors > 0);
            t
        })
        .unzip();
    wall.sort();
    cpu.sort();
    (ops, nodes, wall[runs / 2], cpu[runs / 2])
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let only: Option<usize> = std::env::args()
        .skip_while(|a| a != "--layers")
        .nth(1)
        .and_then(|n| n.parse().ok());
    // 6250 layers is ~100,000 ops (16 ops per layer).
    let sizes: Vec<usize> = only.map_or_else(|| vec![50, 200, 1000, 4000, 6250], |n| vec![n]);
    println!(
        "| layers | ops | FX nodes | strategy | wall (median) | CPU (median) | ops/s (CPU) | \
         PyTorch min-cut | speed-up (wall / CPU) |"
    );
    println!("|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    for &layers in &sizes {
        let stack = ResidualStack {
            layers,
            batch: 32,
            width: 64,
        };
        let runs = if quick || layers > 1000 { 3 } else { 7 };
        for strategy in [Strategy::Default, Strategy::MinCut] {
            let (ops, nodes, wall, cpu) = measure(stack, strategy, runs);
            let (secs, cpu_secs) = (wall.as_secs_f64(), cpu.as_secs_f64());
            let torch = TORCH_SECONDS
                .iter()
                .find(|(l, _)| *l == layers)
                .map(|&(_, s)| s);
            let (torch_col, ratio_col) = match (torch, strategy) {
                (Some(s), Strategy::MinCut) => (
                    format!("{s:.2} s"),
                    format!("{:.0}x / {:.0}x", s / secs, s / cpu_secs),
                ),
                _ => ("-".to_string(), "-".to_string()),
            };
            println!(
                "| {layers} | {ops} | {nodes} | {} | {:.2} ms | {:.2} ms | {:.2e} | {torch_col} | \
                 {ratio_col} |",
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
}
