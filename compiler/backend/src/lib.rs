//! joinery's native backend: aten functions (L1 joints, L2 forward/backward) to machine
//! code behind the runtime's [`CompiledModule`] and [`DifferentiableFn`].
//!
//! The pipeline, each stage printable:
//!
//! 1. [`graph`]: aten ops read into a tensor-expression graph; views become strided maps,
//!    composite ops are decomposed.
//! 2. [`lower`]: fusion into groups and emission of an L3 `func.func` of the [`dialect`]
//!    `kernel` (`joinery-translate --to-kernels`).
//! 3. [`memplan`]: arena offsets by liveness; peak bytes reported.
//! 4. [`codegen`]: LLVM IR with inkwell, `default<O3>` for the host CPU
//!    (`joinery-translate --to-llvm`).
//! 5. In-process JIT ([`jit_module`]), or ahead-of-time: an object file, a shared library
//!    and a C header ([`write_shared_library`]) that the runtime loads without LLVM.
//!
//! Ops the backend cannot lower are diagnostics naming the op, never silent fallbacks.

pub mod codegen;
pub mod dialect;
pub mod graph;
pub mod lower;
pub mod memplan;
pub mod plan;

use codegen::Codegen;
use inkwell::OptimizationLevel;
use inkwell::attributes::AttributeLoc;
use inkwell::context::Context as LlContext;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use joinery_ir::{Context, Diagnostic, OpId};
use joinery_runtime::plan::{Bundle, DiffSpec};
use joinery_runtime::{CodeOwner, CompiledModule, DifferentiableFn, KernelFn};
use memplan::MemoryPlan;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use dialect::KERNEL_DIALECT;

/// What lowering one function to L3 produced.
#[derive(Clone, Debug)]
pub struct FunctionReport {
    pub name: String,
    /// The L3 function.
    pub func: OpId,
    pub kernels: usize,
    pub gemms: usize,
    pub memory: MemoryPlan,
}

/// Lowers the named functions of `module` into a new L3 module (returned, detached),
/// planning the memory of each.
pub fn lower_to_kernels(
    ctx: &mut Context,
    module: OpId,
    functions: &[String],
) -> Result<(OpId, Vec<FunctionReport>), Diagnostic> {
    let l3 = ctx.create_module();
    let mut reports = Vec::new();
    for name in functions {
        let func = ctx
            .lookup_symbol(module, name)
            .ok_or_else(|| Diagnostic::error(format!("no function named @{name} in the module")))?;
        let lowered = lower::lower_function(ctx, func, l3)?;
        let memory = memplan::plan_memory(ctx, lowered.func);
        reports.push(FunctionReport {
            name: name.clone(),
            func: lowered.func,
            kernels: lowered.kernels,
            gemms: lowered.gemms,
            memory,
        });
    }
    Ok((l3, reports))
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

fn host_machine(reloc: RelocMode) -> Result<TargetMachine, Diagnostic> {
    Target::initialize_native(&InitializationConfig::default())
        .map_err(|e| Diagnostic::error(format!("cannot initialise the native target: {e}")))?;
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple)
        .map_err(|e| Diagnostic::error(format!("no LLVM target for this host: {e}")))?;
    let cpu = TargetMachine::get_host_cpu_name().to_string();
    let features = TargetMachine::get_host_cpu_features().to_string();
    target
        .create_target_machine(
            &triple,
            &cpu,
            &features,
            OptimizationLevel::Aggressive,
            reloc,
            CodeModel::Default,
        )
        .ok_or_else(|| Diagnostic::error("cannot create an LLVM target machine for this host"))
}

/// Generates (and with `optimize`, optimises at `default<O3>` for the host) the LLVM
/// module of every kernel of an L3 module.
pub fn codegen_module<'ll>(
    ctx: &Context,
    l3: OpId,
    ll: &'ll LlContext,
    tm: &TargetMachine,
    optimize: bool,
) -> Result<Codegen<'ll>, Diagnostic> {
    let mut cg = Codegen::new(ll, "joinery");
    for op in ctx.walk(l3) {
        if ctx.name_str(op) == "kernel.fused" {
            cg.emit_fused(ctx, op)?;
        }
    }
    cg.module.set_triple(&tm.get_triple());
    cg.module
        .set_data_layout(&tm.get_target_data().get_data_layout());
    let cpu = TargetMachine::get_host_cpu_name().to_string();
    let features = TargetMachine::get_host_cpu_features().to_string();
    for f in cg.module.get_functions() {
        for (k, v) in [
            ("target-cpu", cpu.as_str()),
            ("target-features", features.as_str()),
            ("prefer-vector-width", "512"),
        ] {
            f.add_attribute(AttributeLoc::Function, ll.create_string_attribute(k, v));
        }
    }
    cg.module
        .verify()
        .map_err(|e| Diagnostic::error(format!("generated LLVM IR is invalid: {e}")))?;
    if optimize {
        cg.module
            .run_passes("default<O3>", tm, PassBuilderOptions::create())
            .map_err(|e| Diagnostic::error(format!("LLVM optimisation failed: {e}")))?;
    }
    Ok(cg)
}

/// The LLVM IR of an L3 module as text (`joinery-translate --to-llvm`).
pub fn llvm_ir(ctx: &Context, l3: OpId, optimize: bool) -> Result<String, Diagnostic> {
    let tm = host_machine(RelocMode::PIC)?;
    let ll = LlContext::create();
    let cg = codegen_module(ctx, l3, &ll, &tm, optimize)?;
    Ok(codegen::print_with_comments(&cg))
}

/// Plans of the functions of an L3 module, plus differentiable pairs.
pub fn bundle(
    ctx: &Context,
    reports: &[FunctionReport],
    diffs: Vec<DiffSpec>,
) -> Result<Bundle, Diagnostic> {
    let plans = reports
        .iter()
        .map(|r| plan::build_plan(ctx, r.func))
        .collect::<Result<_, _>>()?;
    Ok(Bundle { plans, diffs })
}

/// Keeps JIT-compiled code alive: the engine, then the LLVM context it borrows.
struct JitCode {
    _engine: ExecutionEngine<'static>,
    _ll: Box<LlContext>,
}

// SAFETY: the engine is never used after the kernels' addresses are read; it only keeps
// their memory mapped, which any thread may execute.
unsafe impl Send for JitCode {}
// SAFETY: as above; no method is called through shared references.
unsafe impl Sync for JitCode {}

/// Time spent in each compilation stage.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub lower: Duration,
    pub llvm: Duration,
}

/// JIT-compiles the L3 module's kernels in-process and returns one module per plan.
pub fn jit_module(
    ctx: &Context,
    l3: OpId,
    bundle: &Bundle,
    threads: usize,
) -> Result<Vec<CompiledModule>, Diagnostic> {
    let tm = host_machine(RelocMode::Default)?;
    let ll = Box::new(LlContext::create());
    // SAFETY: the context lives in a Box owned by `JitCode` next to the engine, which is
    // dropped first (field order); the reference never outlives it.
    let llref: &'static LlContext = unsafe { &*(ll.as_ref() as *const LlContext) };
    let cg = codegen_module(ctx, l3, llref, &tm, true)?;
    let engine = cg
        .module
        .create_jit_execution_engine(OptimizationLevel::Aggressive)
        .map_err(|e| Diagnostic::error(format!("cannot create the LLVM JIT: {e}")))?;
    let mut addrs = Vec::new();
    for p in &bundle.plans {
        let fns = p
            .kernels
            .iter()
            .map(|k| {
                let addr = engine.get_function_address(&k.symbol).map_err(|e| {
                    Diagnostic::error(format!("JIT: kernel {} not found: {e}", k.symbol))
                })?;
                // SAFETY: the kernel was generated with the KernelFn signature.
                Ok(unsafe { std::mem::transmute::<usize, KernelFn>(addr) })
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        addrs.push(fns);
    }
    drop(cg);
    let owner: CodeOwner = Arc::new(JitCode {
        _engine: engine,
        _ll: ll,
    });
    Ok(bundle
        .plans
        .iter()
        .zip(addrs)
        .map(|(p, fns)| {
            // SAFETY: kernels were compiled for this plan and live as long as `owner`.
            unsafe { CompiledModule::new(p.clone(), fns, owner.clone(), threads) }
        })
        .collect())
}

/// Everything one native compilation of a module produced.
pub struct Native {
    /// The L3 module (detached, in the context).
    pub l3: OpId,
    pub reports: Vec<FunctionReport>,
    pub bundle: Bundle,
    pub timings: Timings,
}

/// Lowers and plans the named functions of `module`.
pub fn compile(
    ctx: &mut Context,
    module: OpId,
    functions: &[String],
) -> Result<Native, Diagnostic> {
    let t = Instant::now();
    let (l3, reports) = lower_to_kernels(ctx, module, functions)?;
    let bundle = bundle(ctx, &reports, Vec::new())?;
    Ok(Native {
        l3,
        reports,
        bundle,
        timings: Timings {
            lower: t.elapsed(),
            llvm: Duration::ZERO,
        },
    })
}

/// Compiles the named functions of `module` to callable modules in-process.
pub fn compile_jit(
    ctx: &mut Context,
    module: OpId,
    functions: &[String],
    threads: usize,
) -> Result<(Vec<CompiledModule>, Native), Diagnostic> {
    let mut native = compile(ctx, module, functions)?;
    let t = Instant::now();
    let modules = jit_module(ctx, native.l3, &native.bundle, threads)?;
    native.timings.llvm = t.elapsed();
    Ok((modules, native))
}

/// Partitions the joint function `joint` (`aot-partition`, PyTorch's default strategy)
/// and compiles the forward and backward into a differentiable function.
pub fn compile_differentiable(
    ctx: &mut Context,
    module: OpId,
    joint: &str,
    threads: usize,
) -> Result<(DifferentiableFn, Native), Diagnostic> {
    let func = ctx
        .lookup_symbol(module, joint)
        .ok_or_else(|| Diagnostic::error(format!("no function named @{joint} in the module")))?;
    let part = joinery_partition::partition_joint(
        ctx,
        func,
        &joinery_partition::PartitionOptions::default(),
    )?;
    let fwd = ctx
        .symbol_name(part.forward)
        .unwrap_or_default()
        .to_string();
    let bwd = ctx
        .symbol_name(part.backward)
        .unwrap_or_default()
        .to_string();
    let fwd_results = joinery_func::signature(ctx, part.forward).map_or(0, |(_, r)| r.len());
    let (mut modules, mut native) = compile_jit(ctx, module, &[fwd, bwd], threads)?;
    let num_fwd_outputs = fwd_results - part.saved_tensors;
    native.bundle.diffs.push(DiffSpec {
        name: joint.to_string(),
        forward: 0,
        backward: 1,
        num_fwd_outputs,
        num_saved: part.saved_tensors,
    });
    let backward = modules.pop().expect("two modules");
    let forward = modules.pop().expect("two modules");
    Ok((
        DifferentiableFn::new(forward, backward, num_fwd_outputs),
        native,
    ))
}

/// Writes the kernels of `native` as a shared library (`lib`), its object file next to it
/// and a C header (`header`) declaring the kernels and the embedded plan bundle. The
/// runtime's [`joinery_runtime::Library`] (or `joinery_library_open` from C) runs it
/// without LLVM.
pub fn write_shared_library(
    ctx: &Context,
    native: &Native,
    lib: &Path,
    header: &Path,
) -> Result<(), Diagnostic> {
    let tm = host_machine(RelocMode::PIC)?;
    let ll = LlContext::create();
    let cg = codegen_module(ctx, native.l3, &ll, &tm, true)?;
    let json = native.bundle.to_json();
    let s = ll.const_string(json.as_bytes(), true);
    let g = cg
        .module
        .add_global(s.get_type(), None, joinery_runtime::BUNDLE_SYMBOL);
    g.set_initializer(&s);
    g.set_constant(true);
    let obj = lib.with_extension("o");
    tm.write_to_file(&cg.module, FileType::Object, &obj)
        .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", obj.display())))?;
    let status = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .arg("-shared")
        .arg("-o")
        .arg(lib)
        .arg(&obj)
        .arg("-lm")
        .status()
        .map_err(|e| Diagnostic::error(format!("cannot run the linker (cc): {e}")))?;
    if !status.success() {
        return Err(Diagnostic::error(format!(
            "linking {} failed ({status})",
            lib.display()
        )));
    }
    let mut h = String::from(
        "/* Generated by joinery: kernels of a compiled module. Load the library with\n \
         * joinery_library_open() from <joinery.h> (the runtime reads the plan bundle);\n \
         * the kernels are callable directly as below. */\n#pragma once\n#include <stdint.h>\n\n\
         #ifdef __cplusplus\nextern \"C\" {\n#endif\n\n\
         /* The execution plans (JSON): buffers, memory plan, steps, signatures. */\n\
         extern const char joinery_bundle[];\n\n",
    );
    for p in &native.bundle.plans {
        h.push_str(&format!(
            "/* @{}: arena {} bytes */\n",
            p.name, p.arena_bytes
        ));
        for k in &p.kernels {
            h.push_str(&format!(
                "/* fuses {} */\nvoid {}(uint8_t **buffers, int64_t lo, int64_t hi);\n",
                k.sources.join(", "),
                k.symbol
            ));
        }
        h.push('\n');
    }
    h.push_str("#ifdef __cplusplus\n}\n#endif\n");
    std::fs::write(header, h)
        .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", header.display())))?;
    Ok(())
}

/// Work of one call of an L3 function: floating-point operations of its GEMMs and bytes
/// its kernels and GEMMs read and write (each operand counted once per step: elements
/// along broadcast dimensions are not re-counted).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    pub gemm_flops: f64,
    pub bytes: f64,
}

/// The [`Cost`] of the L3 function `func`.
pub fn cost(ctx: &Context, func: OpId) -> Cost {
    let mut c = Cost::default();
    let elem = |v: joinery_ir::Value| {
        let bytes = memplan::buffer_bytes(ctx, v) as f64;
        let n = graph::static_info(ctx, ctx.value_type(v))
            .map_or(1.0, |(s, _)| s.iter().product::<u64>().max(1) as f64);
        bytes / n
    };
    for op in ctx.walk(func) {
        match ctx.name_str(op) {
            "kernel.fused" => {
                let k = codegen::FusedKernel::read(ctx, op);
                let maps = k.in_maps.iter().chain(&k.out_maps);
                for (v, map) in ctx.operands(op).iter().zip(maps) {
                    let touched: f64 = k
                        .space
                        .iter()
                        .zip(&map[1..])
                        .filter(|(_, s)| **s != 0)
                        .map(|(d, _)| *d as f64)
                        .product();
                    c.bytes += touched * elem(*v);
                }
            }
            "kernel.gemm" => {
                let get = |n: &str| ctx.attr(op, n).and_then(|a| ctx.as_i64(a)).unwrap_or(0) as f64;
                let (m, n, k, b) = (get("m"), get("n"), get("k"), get("batch"));
                c.gemm_flops += 2.0 * m * n * k * b;
                let acc = ctx.attr(op, "accumulate").and_then(|a| ctx.as_bool(a)) == Some(true);
                c.bytes += 4.0 * b * (m * k + k * n + m * n * if acc { 2.0 } else { 1.0 });
            }
            "kernel.fill" => c.bytes += memplan::buffer_bytes(ctx, ctx.operand(op, 0)) as f64,
            _ => {}
        }
    }
    c
}
