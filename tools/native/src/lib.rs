//! joinery's native compilation pipeline as a library: aten functions (L1 joints, L2
//! forward/backward) to machine code behind the runtime's [`CompiledModule`] and
//! [`DifferentiableFn`]. Every IR-to-IR step is a registered pass run by the pass manager
//! ([`CONVERT_PIPELINE`], [`KERNEL_PIPELINE`]); the last step is the kernel dialect's LLVM translation.
//!
//! 1. `aot-partition` (joints only): `@forward` / `@backward` tied by `aot.joint_pair`;
//! 2. `aten-complex-to-real`: ops on complex tensors as real ops on (real, imaginary) pairs;
//!    `aten-decompose`, `cse`: composite ops as primitive aten ops;
//!    `convert-aten-to-kernel`: one loop nest per pointwise or reduction op, `kernel.gemm`
//!    per matrix product (L3, `joinery-translate --to-kernels`);
//! 3. `kernel-fuse`, `kernel-plan-memory`: fusion (vertical, horizontal, recompute, GEMM
//!    bias into its readers), arena offsets by liveness;
//! 4. [`joinery_kernel_llvm`]: LLVM IR at `default<O3>` for the host
//!    (`joinery-translate --to-llvm`), compiled on every core into a shared library that
//!    is cached on disk ([`cache_dir`]) and loaded, or written with a C header.
//!
//! Ops the pipeline cannot lower are diagnostics naming the op, never silent fallbacks.

use joinery_ir::{Context, Diagnostic, OpId};
use joinery_kernel::{Alloc, MemoryPlan};
use joinery_pass::{PassManager, PassRegistry};
use joinery_runtime::plan::{Bundle, DiffSpec};
use joinery_runtime::{CompiledModule, DifferentiableFn};
use std::time::{Duration, Instant};

pub use joinery_kernel::KERNEL_DIALECT;
pub use joinery_kernel_llvm::object::{CACHE_DIR_VAR, CacheOutcome, cache_dir};
pub use joinery_kernel_llvm::{Cost, cost, llvm_ir, write_shared_library};

/// The conversion to L3 of every function that is not L3 yet: complex tensors as real
/// (real, imaginary) pairs (only the FFT ops and the signature keep complex types), composite
/// ops decomposed (strictly: one that cannot be is an error naming it), duplicates the
/// decompositions made merged, then `convert-aten-to-kernel`.
pub const CONVERT_PIPELINE: &str = "builtin.module(func.func(aten-complex-to-real,\
     aten-decompose{strict=true},cse),convert-aten-to-kernel)";

/// Fusion and memory planning, run on each L3 function whose buffers are not placed yet
/// (hand-written or earlier-planned L3 is taken as it is).
pub const KERNEL_PIPELINE: &str = "func.func(kernel-fuse,kernel-plan-memory)";

/// Every pass the native pipeline runs.
fn registry() -> PassRegistry {
    let mut registry = PassRegistry::new();
    joinery_partition::register_passes(&mut registry);
    joinery_decompose::register_passes(&mut registry);
    joinery_pass::register_generic_passes(&mut registry);
    joinery_aten_to_kernel::register_passes(&mut registry);
    joinery_kernel::register_passes(&mut registry);
    registry
}

/// Runs pipeline `text` on `op`; its errors (one per function that failed, say) become
/// one diagnostic: their messages joined, located at the first, the others' locations
/// and notes kept as notes.
fn run_pipeline(ctx: &mut Context, op: OpId, text: &str) -> Result<(), Diagnostic> {
    let mut pm = PassManager::parse(&registry(), text)?;
    pm.run(ctx, op).map(drop).map_err(|diagnostics| {
        let mut errors = diagnostics.into_iter().filter(Diagnostic::is_error);
        let Some(mut first) = errors.next() else {
            return Diagnostic::error("the native pipeline failed");
        };
        for e in errors {
            first.message = format!("{}; {}", first.message, e.message);
            first.notes.push(joinery_ir::Note {
                message: e.message,
                span: e.span,
            });
            first.notes.extend(e.notes);
        }
        first
    })
}

/// Whether `func` has a `kernel.alloc` not placed yet.
fn has_unplanned_buffers(ctx: &Context, func: OpId) -> bool {
    ctx.walk(func).into_iter().any(|op| {
        ctx.name_str(op) == "kernel.alloc" && matches!(Alloc::read(ctx, op), Ok(Alloc::Unplanned))
    })
}

/// Lowers every function of `module` to planned L3 in place: [`CONVERT_PIPELINE`] on the
/// module, then [`KERNEL_PIPELINE`] on each function with unplanned buffers.
pub fn lower_to_kernels(ctx: &mut Context, module: OpId) -> Result<(), Diagnostic> {
    run_pipeline(ctx, module, CONVERT_PIPELINE)?;
    let functions: Vec<OpId> = ctx
        .body_block(module)
        .map(|b| {
            ctx.block_ops(b)
                .filter(|&op| ctx.name_str(op) == "func.func")
                .collect()
        })
        .unwrap_or_default();
    for func in functions {
        if has_unplanned_buffers(ctx, func) {
            run_pipeline(ctx, func, KERNEL_PIPELINE)?;
        }
    }
    Ok(())
}

/// What lowering one function produced.
#[derive(Clone, Debug)]
pub struct FunctionReport {
    pub name: String,
    /// The L3 function.
    pub func: OpId,
    /// `kernel.fused` ops after fusion.
    pub kernels: usize,
    pub gemms: usize,
    pub memory: MemoryPlan,
}

impl FunctionReport {
    /// Reads the report of the planned L3 function `func` off its ops.
    fn read(ctx: &Context, name: &str, func: OpId) -> Result<FunctionReport, Diagnostic> {
        let mut report = FunctionReport {
            name: name.to_string(),
            func,
            kernels: 0,
            gemms: 0,
            memory: joinery_kernel::plan_memory::planned(ctx, func)?,
        };
        for op in ctx.walk(func) {
            match ctx.name_str(op) {
                "kernel.fused" => report.kernels += 1,
                "kernel.gemm" => report.gemms += 1,
                _ => {}
            }
        }
        Ok(report)
    }
}

/// Every function with a body in a module, in order.
pub fn function_names(ctx: &Context, module: OpId) -> Vec<String> {
    let Some(body) = ctx.body_block(module) else {
        return Vec::new();
    };
    ctx.block_ops(body)
        .filter(|&op| ctx.name_str(op) == "func.func" && ctx.body_block(op).is_some())
        .filter_map(|op| ctx.symbol_name(op).map(str::to_string))
        .collect()
}

/// Time spent in each compilation stage.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// The pass pipeline (partitioning and lowering to planned L3).
    pub lower: Duration,
    /// Machine code: LLVM translation, optimisation, code generation and linking, or a
    /// compile-cache lookup.
    pub llvm: Duration,
    /// Whether the machine code came from the compile cache (`None`: not loaded).
    pub cache: Option<CacheOutcome>,
}

/// Everything one native compilation of a module produced.
pub struct Native {
    /// The L3 module (a detached copy of the input, lowered; the input is unchanged).
    pub l3: OpId,
    pub reports: Vec<FunctionReport>,
    pub bundle: Bundle,
    pub timings: Timings,
}

/// Lowers and plans the named functions of a copy of `module` ([`lower_to_kernels`]);
/// `module` itself is left as it was.
pub fn compile(
    ctx: &mut Context,
    module: OpId,
    functions: &[String],
) -> Result<Native, Diagnostic> {
    let start = Instant::now();
    for name in functions {
        if ctx.lookup_symbol(module, name).is_none() {
            return Err(Diagnostic::error(format!(
                "no function named @{name} in the module"
            )));
        }
    }
    let l3 = copy_module(ctx, module);
    keep_only(ctx, l3, &with_pair_partners(ctx, l3, functions));
    lower_to_kernels(ctx, l3)?;
    finish(ctx, l3, functions, Vec::new(), start)
}

/// `functions` and the other half of every `aot.joint_pair` one of them belongs to: a
/// backward's saved arguments are described only through its pair, so compiling either half
/// alone keeps the pair (and lowers, but does not emit, the partner).
fn with_pair_partners(ctx: &Context, module: OpId, functions: &[String]) -> Vec<String> {
    let mut kept = functions.to_vec();
    for (_, pair) in joinery_aot::joint_pairs(ctx, module) {
        if functions.contains(&pair.forward) || functions.contains(&pair.backward) {
            for half in [pair.forward, pair.backward] {
                if !kept.contains(&half) {
                    kept.push(half);
                }
            }
        }
    }
    kept
}

/// Compiles a whole module at any level (L1, L2 or L3): with `partition`, each joint is
/// first split by `aot-partition`; every function is lowered, and each `aot.joint_pair`
/// of the module becomes a differentiable pair of the bundle.
pub fn compile_module(
    ctx: &mut Context,
    module: OpId,
    partition: bool,
) -> Result<Native, Diagnostic> {
    let start = Instant::now();
    let l3 = copy_module(ctx, module);
    if partition {
        run_pipeline(ctx, l3, "builtin.module(aot-partition)")?;
    }
    lower_to_kernels(ctx, l3)?;
    let functions = function_names(ctx, l3);
    let position = |name: &str| {
        functions.iter().position(|f| f == name).ok_or_else(|| {
            Diagnostic::error(format!("aot.joint_pair names @{name}, which has no body"))
        })
    };
    let diffs = joinery_aot::joint_pairs(ctx, l3)
        .into_iter()
        .map(|(_, pair)| {
            Ok(DiffSpec {
                name: pair.joint_name().to_string(),
                forward: position(&pair.forward)?,
                backward: position(&pair.backward)?,
                num_fwd_outputs: pair.num_fwd_outputs,
                num_saved: pair.num_saved,
            })
        })
        .collect::<Result<Vec<_>, Diagnostic>>()?;
    finish(ctx, l3, &functions, diffs, start)
}

/// A detached copy of `module` to lower, its values keeping their source names.
fn copy_module(ctx: &mut Context, module: OpId) -> OpId {
    let mut map = rustc_hash::FxHashMap::default();
    let copy = ctx.clone_op(module, &mut map);
    for (old, new) in map {
        if let Some(name) = ctx.value_name(old).map(str::to_string) {
            ctx.set_value_name(new, Some(&name));
        }
    }
    copy
}

/// Erases the functions of `module` not named in `functions`, and every other op but the
/// `aot.joint_pair`s of two kept functions.
fn keep_only(ctx: &mut Context, module: OpId, functions: &[String]) {
    let pairs: rustc_hash::FxHashSet<OpId> = joinery_aot::joint_pairs(ctx, module)
        .into_iter()
        .filter(|(_, p)| functions.contains(&p.forward) && functions.contains(&p.backward))
        .map(|(op, _)| op)
        .collect();
    let ops: Vec<OpId> = ctx
        .body_block(module)
        .map(|b| ctx.block_ops(b).collect())
        .unwrap_or_default();
    for op in ops {
        let keep = match ctx.name_str(op) {
            "func.func" => ctx
                .symbol_name(op)
                .is_some_and(|n| functions.iter().any(|f| f == n)),
            _ => pairs.contains(&op),
        };
        if !keep {
            ctx.erase_op(op);
        }
    }
}

/// Reports and runtime plans of the named L3 functions of `l3`.
fn finish(
    ctx: &Context,
    l3: OpId,
    functions: &[String],
    diffs: Vec<DiffSpec>,
    start: Instant,
) -> Result<Native, Diagnostic> {
    let reports = functions
        .iter()
        .map(|name| {
            let func = ctx.lookup_symbol(l3, name).ok_or_else(|| {
                Diagnostic::error(format!("no function named @{name} after lowering"))
            })?;
            FunctionReport::read(ctx, name, func)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bundle = joinery_kernel_llvm::bundle(ctx, l3, functions, diffs)?;
    Ok(Native {
        l3,
        reports,
        bundle,
        timings: Timings {
            lower: start.elapsed(),
            llvm: Duration::ZERO,
            cache: None,
        },
    })
}

/// Compiles the named functions of `module` to callable modules (machine code from the
/// compile cache or compiled now, see [`cache_dir`]).
pub fn compile_and_load(
    ctx: &mut Context,
    module: OpId,
    functions: &[String],
    threads: usize,
) -> Result<(Vec<CompiledModule>, Native), Diagnostic> {
    let mut native = compile(ctx, module, functions)?;
    let start = Instant::now();
    let (modules, cache) =
        joinery_kernel_llvm::load_modules(ctx, native.l3, &native.bundle, threads)?;
    native.timings.llvm = start.elapsed();
    native.timings.cache = Some(cache);
    Ok((modules, native))
}

/// Compiles the differentiable function `joint` of `module` (a copy of it; `module` is
/// left as it was): a joint function of that name is partitioned (`aot-partition`,
/// PyTorch's default strategy); otherwise a forward/backward pair the module holds
/// already (partitioned by `joinery-opt --aot-partition`), whose joint was named `joint`
/// ([`JointPair::joint_name`](joinery_aot::JointPair::joint_name)), is compiled as it is.
pub fn compile_differentiable(
    ctx: &mut Context,
    module: OpId,
    joint: &str,
    threads: usize,
) -> Result<(DifferentiableFn, Native), Diagnostic> {
    let start = Instant::now();
    let l3 = copy_module(ctx, module);
    let pair = if ctx.lookup_symbol(module, joint).is_some() {
        keep_only(ctx, l3, &[joint.to_string()]);
        run_pipeline(ctx, l3, "builtin.module(aot-partition)")?;
        joinery_aot::joint_pairs(ctx, l3)
            .into_iter()
            .next()
            .map(|(_, pair)| pair)
            .ok_or_else(|| Diagnostic::error(format!("aot-partition made no pair of @{joint}")))?
    } else {
        let pair = partitioned_pair(ctx, module, joint).ok_or_else(|| {
            Diagnostic::error(format!(
                "no function named @{joint} in the module, nor a forward/backward pair of it"
            ))
        })?;
        keep_only(ctx, l3, &[pair.forward.clone(), pair.backward.clone()]);
        pair
    };
    lower_to_kernels(ctx, l3)?;
    let functions = [pair.forward.clone(), pair.backward.clone()];
    let diff = DiffSpec {
        name: joint.to_string(),
        forward: 0,
        backward: 1,
        num_fwd_outputs: pair.num_fwd_outputs,
        num_saved: pair.num_saved,
    };
    let mut native = finish(ctx, l3, &functions, vec![diff], start)?;
    let llvm_start = Instant::now();
    let (mut modules, cache) = joinery_kernel_llvm::load_modules(ctx, l3, &native.bundle, threads)?;
    native.timings.llvm = llvm_start.elapsed();
    native.timings.cache = Some(cache);
    let backward = modules.pop().expect("one module per plan");
    let forward = modules.pop().expect("one module per plan");
    Ok((
        DifferentiableFn::new(forward, backward, pair.num_fwd_outputs),
        native,
    ))
}

/// The `aot.joint_pair` of `module` split from the joint named `joint`.
pub fn partitioned_pair(
    ctx: &Context,
    module: OpId,
    joint: &str,
) -> Option<joinery_aot::JointPair> {
    joinery_aot::joint_pairs(ctx, module)
        .into_iter()
        .map(|(_, pair)| pair)
        .find(|pair| pair.joint_name() == joint)
}

/// The differentiable functions of `module` [`compile_differentiable`] can compile: the
/// functions with descriptors that belong to no pair (joints), then its forward/backward
/// pairs (by joint name).
pub fn differentiable_names(ctx: &Context, module: OpId) -> Vec<String> {
    let pairs = joinery_aot::joint_pairs(ctx, module);
    let in_pair = |name: &str| {
        pairs
            .iter()
            .any(|(_, p)| p.forward == name || p.backward == name)
    };
    let mut names: Vec<String> = function_names(ctx, module)
        .into_iter()
        .filter(|name| !in_pair(name))
        .filter(|name| {
            ctx.lookup_symbol(module, name)
                .and_then(|f| joinery_aot::FuncDescriptors::read(ctx, f))
                .is_some_and(|d| d.has_any())
        })
        .collect();
    names.extend(pairs.iter().map(|(_, p)| p.joint_name().to_string()));
    names
}
