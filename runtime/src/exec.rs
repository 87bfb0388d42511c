//! Runs a [`Plan`]: resolves buffers to pointers, then executes its steps in order,
//! splitting kernels across the thread pool and calling the GEMM.

use crate::plan::{Location, MatRef, Partial, Plan, ReduceKind, Step};
use crate::tensor::{AlignedBuf, DType, Tensor};

/// A generated kernel: runs outer iterations `[lo, hi)` over the given buffers.
pub type KernelFn = unsafe extern "C" fn(buffers: *const *mut u8, lo: i64, hi: i64);

/// Below this many loop iterations a kernel runs on the calling thread.
const PARALLEL_WORK: u64 = 1 << 15;
/// Below this many multiply-adds a GEMM runs on one thread.
const PARALLEL_GEMM: usize = 1 << 18;

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
    /// An executor with `threads` worker threads.
    pub fn new(threads: usize) -> Executor {
        let threads = threads.max(1);
        blas::set_threads(threads);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool starts");
        Executor {
            pool,
            threads,
            arena: AlignedBuf::zeroed(0),
        }
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `plan` with kernels `kernels` on checked `inputs`, writing `outputs`
    /// (allocated by the caller with the plan's result types; `None` for `none` results).
    /// Fails only when the arena cannot be allocated.
    pub fn run(
        &mut self,
        plan: &Plan,
        kernels: &[KernelFn],
        inputs: &[Tensor<'_>],
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
                run_step(step, kernels, ptrs.slice(), threads);
                if profile {
                    eprintln!("{}", describe_step(plan, i, t.elapsed()));
                }
            }
        });
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
    };
    format!(
        "@{} step {i:>3} {:>9.3} ms  {what}",
        plan.name,
        t.as_secs_f64() * 1e3
    )
}

fn run_step(step: &Step, kernels: &[KernelFn], ptrs: &[*mut u8], threads: usize) {
    match step {
        Step::Kernel {
            kernel,
            args,
            extent,
            work,
            partial,
        } => {
            let f = kernels[*kernel];
            let args = Ptrs(args.iter().map(|&b| ptrs[b]).collect());
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
            let par = if m.saturating_mul(*n).saturating_mul(*k) >= PARALLEL_GEMM && threads > 1 {
                gemm::Parallelism::Rayon(threads)
            } else {
                gemm::Parallelism::None
            };
            let at = |r: &MatRef, i: usize| -> *mut f32 {
                // SAFETY: offsets and strides come from the buffer's static shape.
                unsafe {
                    ptrs[r.buffer]
                        .cast::<f32>()
                        .offset((r.offset + r.bs * i as i64) as isize)
                }
            };
            if *batch >= threads && threads > 1 {
                // Many small products: one single-threaded GEMM per batch, batches in
                // parallel.
                let p = Ptrs(ptrs.to_vec());
                let (m, n, k, acc, nb) = (*m, *n, *k, *accumulate, *batch);
                let (a, b, c) = (*a, *b, *c);
                rayon::scope(|s| {
                    for t in 0..threads {
                        let p = p.clone();
                        s.spawn(move |_| {
                            let at = |r: &MatRef, i: usize| -> *mut f32 {
                                // SAFETY: offsets and strides come from the static shapes.
                                unsafe {
                                    p.slice()[r.buffer]
                                        .cast::<f32>()
                                        .offset((r.offset + r.bs * i as i64) as isize)
                                }
                            };
                            for i in (t..nb).step_by(threads) {
                                // SAFETY: batches write disjoint output matrices.
                                unsafe {
                                    gemm::gemm(
                                        m,
                                        n,
                                        k,
                                        at(&c, i),
                                        c.cs as isize,
                                        c.rs as isize,
                                        acc,
                                        at(&a, i),
                                        a.cs as isize,
                                        a.rs as isize,
                                        at(&b, i),
                                        b.cs as isize,
                                        b.rs as isize,
                                        1.0f32,
                                        1.0f32,
                                        false,
                                        false,
                                        false,
                                        gemm::Parallelism::None,
                                    )
                                }
                            }
                        });
                    }
                });
                return;
            }
            for i in 0..*batch {
                if blas::sgemm(
                    *m,
                    *n,
                    *k,
                    (a, at(a, i)),
                    (b, at(b, i)),
                    (c, at(c, i)),
                    *accumulate,
                ) {
                    continue;
                }
                // SAFETY: the operands are f32 buffers of the declared extents.
                unsafe {
                    gemm::gemm(
                        *m,
                        *n,
                        *k,
                        at(c, i),
                        c.cs as isize,
                        c.rs as isize,
                        *accumulate,
                        at(a, i),
                        a.cs as isize,
                        a.rs as isize,
                        at(b, i),
                        b.cs as isize,
                        b.rs as isize,
                        1.0f32,
                        1.0f32,
                        false,
                        false,
                        false,
                        par,
                    )
                }
            }
        }
        Step::Fill {
            buffer,
            dtype,
            elements,
            value,
        } => fill(ptrs[*buffer], *dtype, *elements as usize, *value),
    }
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

/// OpenBLAS's `cblas_sgemm` for operands with a unit stride, when the build found it.
mod blas {
    use crate::plan::MatRef;

    #[cfg(joinery_openblas)]
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

    /// Sets OpenBLAS's own thread count (it keeps a pthread pool beside rayon's).
    pub fn set_threads(n: usize) {
        #[cfg(joinery_openblas)]
        // SAFETY: a plain setter.
        unsafe {
            openblas_set_num_threads(n as i32)
        };
        let _ = n;
    }

    /// `(transpose, leading dimension)` of a row-major view, if it has a unit stride and
    /// a leading dimension CBLAS's `int` holds.
    #[cfg_attr(not(joinery_openblas), allow(dead_code))]
    fn layout(r: &MatRef, rows: usize, cols: usize) -> Option<(i32, i32)> {
        const NO: i32 = 111;
        const TRANS: i32 = 112;
        if r.cs == 1 && r.rs >= cols.max(1) as i64 {
            Some((NO, i32::try_from(r.rs).ok()?))
        } else if r.rs == 1 && r.cs >= rows.max(1) as i64 {
            Some((TRANS, i32::try_from(r.cs).ok()?))
        } else {
            None
        }
    }

    /// Runs `c (+)= a @ b` with OpenBLAS; false when it cannot (not linked, or no unit
    /// stride), and the caller uses the `gemm` crate.
    #[cfg(joinery_openblas)]
    pub fn sgemm(
        m: usize,
        n: usize,
        k: usize,
        a: (&MatRef, *mut f32),
        b: (&MatRef, *mut f32),
        c: (&MatRef, *mut f32),
        accumulate: bool,
    ) -> bool {
        let (Some((ta, lda)), Some((tb, ldb))) = (layout(a.0, m, k), layout(b.0, k, n)) else {
            return false;
        };
        let (Ok(mi), Ok(ni), Ok(ki), Ok(ldc)) = (
            i32::try_from(m),
            i32::try_from(n),
            i32::try_from(k),
            i32::try_from(c.0.rs),
        ) else {
            return false;
        };
        if c.0.cs != 1 || c.0.rs < n.max(1) as i64 {
            return false;
        }
        let beta = if accumulate { 1.0 } else { 0.0 };
        // SAFETY: the views cover m x k, k x n and m x n f32 elements.
        unsafe {
            cblas_sgemm(
                101, ta, tb, mi, ni, ki, 1.0, a.1, lda, b.1, ldb, beta, c.1, ldc,
            )
        };
        true
    }

    /// Without OpenBLAS every GEMM goes to the `gemm` crate.
    #[cfg(not(joinery_openblas))]
    pub fn sgemm(
        _m: usize,
        _n: usize,
        _k: usize,
        _a: (&MatRef, *mut f32),
        _b: (&MatRef, *mut f32),
        _c: (&MatRef, *mut f32),
        _accumulate: bool,
    ) -> bool {
        false
    }

    /// Which library runs GEMM steps.
    pub const NAME: &str = if cfg!(joinery_openblas) {
        "OpenBLAS"
    } else {
        "gemm crate"
    };
}

/// The GEMM library this runtime was built with (`OpenBLAS` or `gemm crate`).
pub fn gemm_library() -> &'static str {
    blas::NAME
}
