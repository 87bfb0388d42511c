//! Runs a [`Plan`]: resolves buffers to pointers, then executes its steps in order,
//! splitting kernels across the thread pool and calling the GEMM; gathers, scatters and
//! lane steps run in `indexed` and `lanes`.

use crate::gemm::{self, Dims, Strided};
use crate::plan::{Location, MatRef, Partial, Plan, ReduceKind, Step};
use crate::tensor::{AlignedBuf, DType, Tensor};
use crate::{indexed, lanes};
use std::sync::atomic::{AtomicI32, Ordering};

/// A generated kernel: runs outer iterations `[lo, hi)` over the given buffers.
pub type KernelFn = unsafe extern "C" fn(buffers: *const *mut u8, lo: i64, hi: i64);

/// Below this many loop iterations a kernel runs on the calling thread.
const PARALLEL_WORK: u64 = 1 << 15;

/// Buffer pointers shared with pool threads (each kernel task writes disjoint elements).
#[derive(Clone)]
struct Ptrs(Vec<*mut u8>);
// SAFETY: the plan guarantees tasks of one step write disjoint memory (partial
// reductions get private copies), and the buffers outlive the step.
unsafe impl Send for Ptrs {}
// SAFETY: as above.
unsafe impl Sync for Ptrs {}

impl Ptrs {
    /// The pointer array (a method, so closures capture the whole `Send` wrapper).
    fn array(&self) -> *const *mut u8 {
        self.0.as_ptr()
    }

    /// The pointers (a method, for the same reason).
    fn slice(&self) -> &[*mut u8] {
        &self.0
    }
}

/// Executes plans on a thread pool; owns the scratch arena between calls.
pub struct Executor {
    pool: rayon::ThreadPool,
    threads: usize,
    arena: AlignedBuf,
}

impl Executor {
    /// An executor with `threads` worker threads (from 1 to [`crate::module::MAX_THREADS`]);
    /// an error names a count out of range or why the threads did not start.
    pub fn new(threads: usize) -> Result<Executor, String> {
        let threads = crate::module::thread_count(threads)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| format!("cannot start {threads} worker threads: {e}"))?;
        Ok(Executor {
            pool,
            threads,
            arena: AlignedBuf::zeroed(0),
        })
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `plan` with kernels `kernels` on checked `inputs`, writing `outputs`
    /// (allocated by the caller with the plan's result types; `None` for `none` results).
    /// A result with a run-time row count ([`crate::plan::ResultTensor::rows`]) keeps
    /// that many rows. Fails when the arena cannot be allocated, or when a gather or
    /// scatter meets an index out of range (the error names the op and the index).
    pub fn run(
        &mut self,
        plan: &Plan,
        kernels: &[KernelFn],
        inputs: &[&Tensor<'_>],
        outputs: &mut [Option<Tensor<'static>>],
    ) -> Result<(), String> {
        if (self.arena.len() as u64) < plan.arena_bytes {
            self.arena = usize::try_from(plan.arena_bytes)
                .ok()
                .and_then(AlignedBuf::try_zeroed)
                .ok_or_else(|| {
                    format!(
                        "@{}: cannot allocate its arena of {} bytes",
                        plan.name, plan.arena_bytes
                    )
                })?;
        }
        let arena = self.arena.as_ptr();
        let ptrs = Ptrs(
            plan.buffers
                .iter()
                .map(|b| match b.location {
                    Location::Input(i) => inputs[i].as_ptr(),
                    Location::Output(j) => outputs[j]
                        .as_ref()
                        .map_or(std::ptr::null_mut(), |t| t.as_ptr()),
                    // SAFETY: the planner keeps every slot inside arena_bytes.
                    Location::Arena { offset } => unsafe { arena.add(offset as usize) },
                })
                .collect(),
        );
        let threads = self.threads;
        let profile = std::env::var_os("JOINERY_PROFILE").is_some();
        self.pool.install(|| {
            for (i, step) in plan.steps.iter().enumerate() {
                let t = std::time::Instant::now();
                run_step(plan, step, kernels, ptrs.slice(), threads)
                    .map_err(|e| format!("@{}: {e}", plan.name))?;
                if profile {
                    eprintln!("{}", describe_step(plan, i, t.elapsed()));
                }
            }
            Ok::<(), String>(())
        })?;
        // Results whose leading extent a step counted keep that many rows.
        for (j, r) in plan.outputs.iter().enumerate() {
            let (Some(spec), Some(out)) = (&r.tensor, outputs[j].as_mut()) else {
                continue;
            };
            let Some(b) = spec.rows else { continue };
            // SAFETY: the plan check made buffer `b` hold at least one i64.
            let rows = unsafe { ptrs.slice()[b].cast::<i64>().read_unaligned() };
            usize::try_from(rows)
                .ok()
                .and_then(|n| out.keep_leading(n).ok())
                .ok_or_else(|| {
                    format!(
                        "@{}: result #{j} counts {rows} rows, outside 0..={}",
                        plan.name, spec.shape[0]
                    )
                })?;
        }
        Ok(())
    }
}

/// One line of `JOINERY_PROFILE` output: step, time, what it runs.
fn describe_step(plan: &Plan, i: usize, t: std::time::Duration) -> String {
    let what = match &plan.steps[i] {
        Step::Kernel { kernel, work, .. } => {
            let k = &plan.kernels[*kernel];
            format!(
                "kernel {} ({} points): {}",
                k.symbol,
                work,
                k.sources.join(", ")
            )
        }
        Step::Gemm { m, n, k, batch, .. } => format!("gemm {batch}x[{m}x{k}]@[{k}x{n}]"),
        Step::Fill { elements, .. } => format!("fill {elements}"),
        Step::Gather(m) => format!("gather {:?}: {}", m.space, m.source),
        Step::Scatter { moves, .. } => format!("scatter {:?}: {}", moves.space, moves.source),
        Step::Cumsum(l) => format!("cumsum {:?}", l.space),
        Step::Fft(f) => format!("fft {:?} over {:?}", f.shape, f.dims),
        Step::Conv(c) => format!(
            "conv {:?} of {:?} by {:?} to {:?}",
            c.pass, c.shape.input, c.shape.weight, c.shape.output
        ),
        Step::Argsort { lanes, k, .. } => format!("argsort {:?} (k = {k})", lanes.space),
        Step::Nonzero(x) => format!("nonzero {:?}", x.space),
    };
    format!(
        "@{} step {i:>3} {:>9.3} ms  {what}",
        plan.name,
        t.as_secs_f64() * 1e3
    )
}

/// Runs one step; fails only on an index out of range, an integer division by zero (or
/// an element type a step has no arithmetic for).
fn run_step(
    plan: &Plan,
    step: &Step,
    kernels: &[KernelFn],
    ptrs: &[*mut u8],
    threads: usize,
) -> Result<(), String> {
    match step {
        Step::Kernel {
            kernel,
            args,
            extent,
            work,
            partial,
        } => {
            let f = kernels[*kernel];
            let mut args = Ptrs(args.iter().map(|&b| ptrs[b]).collect());
            // A kernel with integer divisions reports a zero divisor in a status word.
            let checks = &plan.kernels[*kernel].checks;
            let status = AtomicI32::new(0);
            if !checks.is_empty() {
                args.0.push(status.as_ptr().cast());
            }
            let extent = *extent as i64;
            if *work < PARALLEL_WORK || extent < 2 || threads == 1 {
                // SAFETY: the kernel was generated for exactly these buffers.
                unsafe { f(args.0.as_ptr(), 0, extent) };
            } else if partial.is_empty() {
                let tasks = (threads as i64 * 4).min(extent);
                let chunk = (extent + tasks - 1) / tasks;
                rayon::scope(|s| {
                    for t in 0..tasks {
                        let args = args.clone();
                        s.spawn(move |_| {
                            let lo = t * chunk;
                            let hi = (lo + chunk).min(extent);
                            if lo < hi {
                                // SAFETY: tasks cover disjoint outer iterations.
                                unsafe { f(args.array(), lo, hi) };
                            }
                        });
                    }
                });
            } else {
                run_partial(f, &args, extent, partial, threads);
            }
            let code = status.load(Ordering::Relaxed);
            if code != 0 {
                let site = usize::try_from(code - 1)
                    .ok()
                    .and_then(|i| checks.get(i))
                    .map_or("an integer division", String::as_str);
                return Err(format!(
                    "{site}: ZeroDivisionError: integer division by zero"
                ));
            }
        }
        Step::Gemm {
            m,
            n,
            k,
            batch,
            a,
            b,
            c,
            accumulate,
        } => {
            let view = |r: &MatRef| Strided {
                // SAFETY: the offset comes from the buffer's static shape.
                ptr: unsafe { ptrs[r.buffer].cast::<f32>().offset(r.offset as isize) },
                rs: r.rs as isize,
                cs: r.cs as isize,
                bs: r.bs as isize,
            };
            let dims = Dims {
                batch: *batch,
                m: *m,
                n: *n,
                k: *k,
            };
            // SAFETY: the planner sized every operand buffer for these views, and a GEMM
            // output is never one of its inputs.
            unsafe { gemm::sgemm(dims, view(a), view(b), view(c), *accumulate, threads) }
        }
        Step::Fill {
            buffer,
            dtype,
            elements,
            value,
        } => fill(ptrs[*buffer], *dtype, *elements as usize, *value),
        // SAFETY: the plan was checked (`Plan::check`): every element in reach is inside
        // its buffer.
        Step::Gather(m) => return unsafe { indexed::gather(m, ptrs, threads) },
        // SAFETY: as above.
        Step::Scatter {
            moves,
            accumulate,
            reduce,
        } => {
            let combine = accumulate.then_some(*reduce);
            return unsafe { indexed::scatter(moves, combine, ptrs) };
        }
        // SAFETY: as above.
        Step::Cumsum(l) => return unsafe { lanes::cumsum(l, ptrs, threads) },
        // SAFETY: as above.
        Step::Fft(f) => return unsafe { f.run(ptrs) },
        // SAFETY: as above.
        Step::Conv(c) => return unsafe { c.run(ptrs, threads) },
        // SAFETY: as above.
        Step::Argsort {
            lanes: l,
            k,
            descending,
        } => return unsafe { lanes::argsort(l, *k, *descending, ptrs, threads) },
        // SAFETY: as above.
        Step::Nonzero(x) => unsafe { crate::nonzero::nonzero(x, ptrs) },
    }
    Ok(())
}

/// Splits a kernel whose reduction outputs span the outer loop: each task reduces into a
/// private copy (initialised to the reduction's identity), then the copies are combined
/// into the real buffers in task order.
fn run_partial(f: KernelFn, args: &Ptrs, extent: i64, partial: &[Partial], threads: usize) {
    let tasks = (threads as i64).min(extent);
    let chunk = (extent + tasks - 1) / tasks;
    let mut scratch: Vec<Vec<Vec<f32>>> = (0..tasks)
        .map(|_| {
            partial
                .iter()
                .map(|p| {
                    let init = match p.kind {
                        ReduceKind::Sum => 0.0,
                        ReduceKind::Max => f32::NEG_INFINITY,
                    };
                    vec![init; p.elements as usize]
                })
                .collect()
        })
        .collect();
    rayon::scope(|s| {
        for (t, bufs) in scratch.iter_mut().enumerate() {
            let mut mine = args.clone();
            for (p, b) in partial.iter().zip(bufs.iter_mut()) {
                mine.0[p.arg] = b.as_mut_ptr().cast();
            }
            s.spawn(move |_| {
                let mine = mine;
                let lo = t as i64 * chunk;
                let hi = (lo + chunk).min(extent);
                if lo < hi {
                    // SAFETY: partial outputs are private; other outputs are disjoint.
                    unsafe { f(mine.array(), lo, hi) };
                }
            });
        }
    });
    for (i, p) in partial.iter().enumerate() {
        // SAFETY: the real buffer holds `elements` f32 values.
        let out = unsafe {
            std::slice::from_raw_parts_mut(args.0[p.arg].cast::<f32>(), p.elements as usize)
        };
        for task in &scratch {
            for (o, &v) in out.iter_mut().zip(&task[i]) {
                *o = match p.kind {
                    ReduceKind::Sum => *o + v,
                    ReduceKind::Max => o.max(v),
                };
            }
        }
    }
}

fn fill(ptr: *mut u8, dtype: DType, n: usize, value: f64) {
    // SAFETY: the buffer holds n elements of dtype.
    unsafe {
        match dtype {
            DType::C64 => {
                std::slice::from_raw_parts_mut(ptr.cast::<[f32; 2]>(), n).fill([value as f32, 0.0])
            }
            DType::C128 => {
                std::slice::from_raw_parts_mut(ptr.cast::<[f64; 2]>(), n).fill([value, 0.0])
            }
            DType::F32 => std::slice::from_raw_parts_mut(ptr.cast::<f32>(), n).fill(value as f32),
            DType::F64 => std::slice::from_raw_parts_mut(ptr.cast::<f64>(), n).fill(value),
            DType::I64 => std::slice::from_raw_parts_mut(ptr.cast::<i64>(), n).fill(value as i64),
            DType::I32 => std::slice::from_raw_parts_mut(ptr.cast::<i32>(), n).fill(value as i32),
            DType::I16 => std::slice::from_raw_parts_mut(ptr.cast::<i16>(), n).fill(value as i16),
            DType::I8 => std::slice::from_raw_parts_mut(ptr.cast::<i8>(), n).fill(value as i8),
            DType::F16 => std::slice::from_raw_parts_mut(ptr.cast::<u16>(), n)
                .fill(half::f16::from_f64(value).to_bits()),
            DType::BF16 => std::slice::from_raw_parts_mut(ptr.cast::<u16>(), n)
                .fill(half::bf16::from_f64(value).to_bits()),
            DType::Bool => std::slice::from_raw_parts_mut(ptr, n).fill((value != 0.0) as u8),
        }
    }
}
