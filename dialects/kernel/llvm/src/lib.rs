//! Translation of the kernel dialect (L3) to LLVM IR (L4) with inkwell, as MLIR's
//! `Target/LLVMIR`: it reads only kernel IR (and the `aot` descriptors on signatures).
//!
//! - [`codegen`]: one LLVM function per `kernel.fused`, `default<O3>` for the host CPU
//!   (`joinery-translate --to-llvm`);
//! - [`plan`]: each L3 function as the runtime's execution [`Plan`](joinery_runtime::plan::Plan)
//!   (buffers, memory plan, kernel and GEMM steps);
//! - [`jit_module`]: in-process JIT behind [`CompiledModule`]s; [`write_shared_library`]:
//!   an object file, a shared library and a C header that the runtime loads without LLVM.

pub mod codegen;
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
use joinery_kernel::{Fused, Gemm, buffer_bytes, static_info};
use joinery_runtime::plan::{Bundle, DiffSpec};
use joinery_runtime::{CodeOwner, CompiledModule, KernelFn};
use std::path::Path;
use std::sync::Arc;

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

/// The runtime plans of the named L3 functions of `l3` (memory planned), plus
/// differentiable pairs.
pub fn bundle(
    ctx: &Context,
    l3: OpId,
    functions: &[String],
    diffs: Vec<DiffSpec>,
) -> Result<Bundle, Diagnostic> {
    let plans = functions
        .iter()
        .map(|name| {
            let func = ctx.lookup_symbol(l3, name).ok_or_else(|| {
                Diagnostic::error(format!("no function named @{name} in the module"))
            })?;
            plan::build_plan(ctx, func)
        })
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

/// Writes the kernels of the L3 module `l3` as a shared library (`lib`), its object file next to it
/// and a C header (`header`) declaring the kernels and the embedded plan bundle. The
/// runtime's [`joinery_runtime::Library`] (or `joinery_library_open` from C) runs it
/// without LLVM.
pub fn write_shared_library(
    ctx: &Context,
    l3: OpId,
    bundle: &Bundle,
    lib: &Path,
    header: &Path,
) -> Result<(), Diagnostic> {
    let tm = host_machine(RelocMode::PIC)?;
    let ll = LlContext::create();
    let cg = codegen_module(ctx, l3, &ll, &tm, true)?;
    let json = bundle.to_json();
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
    for p in &bundle.plans {
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
        let bytes = buffer_bytes(ctx, v) as f64;
        let n = static_info(ctx, ctx.value_type(v))
            .map_or(1.0, |(s, _)| s.iter().product::<u64>().max(1) as f64);
        bytes / n
    };
    for op in ctx.walk(func) {
        match ctx.name_str(op) {
            "kernel.fused" => {
                let Ok(k) = Fused::read(ctx, op) else {
                    continue;
                };
                let maps = k.in_maps.iter().chain(&k.out_maps);
                for (v, map) in ctx.operands(op).iter().zip(maps) {
                    let touched: f64 = k
                        .space
                        .iter()
                        .zip(&map.strides)
                        .filter(|(_, s)| **s != 0)
                        .map(|(d, _)| *d as f64)
                        .product();
                    c.bytes += touched * elem(*v);
                }
            }
            "kernel.gemm" => {
                let Ok(g) = Gemm::read(ctx, op) else { continue };
                let (m, n, k, b) = (g.m as f64, g.n as f64, g.k as f64, g.batch as f64);
                c.gemm_flops += g.flops();
                let acc = if g.accumulate { 2.0 } else { 1.0 };
                c.bytes += 4.0 * b * (m * k + k * n + m * n * acc);
            }
            "kernel.fill" => c.bytes += buffer_bytes(ctx, ctx.operand(op, 0)) as f64,
            _ => {}
        }
    }
    c
}
