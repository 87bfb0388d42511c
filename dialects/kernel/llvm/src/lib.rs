//! Translation of the kernel dialect (L3) to LLVM IR (L4) with inkwell, as MLIR's
//! `Target/LLVMIR`: it reads only kernel IR (and the `aot` descriptors on signatures).
//!
//! - [`codegen`]: one LLVM function per `kernel.fused`, `default<O3>` for the host CPU
//!   (`joinery-translate --to-llvm`);
//! - [`plan`]: each L3 function as the runtime's execution [`Plan`](joinery_runtime::plan::Plan)
//!   (buffers, memory plan, kernel and GEMM steps);
//! - [`object`]: the kernels compiled to object code on every core, linked into a shared
//!   library with the plans and cached on disk ([`load_modules`] puts them behind
//!   [`CompiledModule`]s); [`write_shared_library`]: the same library and a C header, for
//!   embedding without LLVM.

pub mod codegen;
pub mod object;
pub mod plan;

use codegen::Codegen;
use inkwell::OptimizationLevel;
use inkwell::attributes::AttributeLoc;
use inkwell::context::Context as LlContext;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine};
use joinery_ir::{Context, Diagnostic, OpId};
use joinery_kernel::{Fused, Gemm, Indexed, buffer_bytes, static_info};
use joinery_runtime::plan::{Bundle, DiffSpec};
use joinery_runtime::{CompiledModule, Library};
use object::CacheOutcome;
use std::path::Path;

pub(crate) fn host_machine(reloc: RelocMode) -> Result<TargetMachine, Diagnostic> {
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

/// The LLVM module of the given `kernel.fused` ops, unoptimised, for the host CPU
/// (`target-cpu`, `target-features` and 512-bit preferred vectors on every function).
pub fn codegen_module<'ll>(
    ctx: &Context,
    kernels: &[OpId],
    ll: &'ll LlContext,
    tm: &TargetMachine,
) -> Result<Codegen<'ll>, Diagnostic> {
    let mut cg = Codegen::new(ll, "joinery");
    for &op in kernels {
        cg.emit_fused(ctx, op)?;
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
    Ok(cg)
}

/// Every `kernel.fused` op of an L3 module, in order.
pub(crate) fn kernels_of(ctx: &Context, l3: OpId) -> Vec<OpId> {
    ctx.walk(l3)
        .into_iter()
        .filter(|&op| ctx.name_str(op) == "kernel.fused")
        .collect()
}

/// Checks that the kernels of `l3` have distinct names, none of them a symbol generated
/// code calls ([`codegen::RESERVED_SYMBOLS`]): the runtime finds kernels by name.
pub(crate) fn check_symbols(ctx: &Context, l3: OpId) -> Result<(), Diagnostic> {
    let mut seen: rustc_hash::FxHashMap<String, OpId> = Default::default();
    for op in kernels_of(ctx, l3) {
        let name = Fused::read(ctx, op)?.name;
        if codegen::RESERVED_SYMBOLS.contains(&name.as_str()) {
            return Err(Diagnostic::error(format!(
                "kernel name \"{name}\" is a symbol the generated code uses; rename the kernel"
            ))
            .with_span(ctx.span(op)));
        }
        if let Some(&first) = seen.get(&name) {
            return Err(Diagnostic::error(format!(
                "two kernels are named \"{name}\"; kernel names are symbols and must be unique in the module"
            ))
            .with_span(ctx.span(op))
            .with_note("the first one", ctx.span(first)));
        }
        seen.insert(name, op);
    }
    Ok(())
}

/// The LLVM IR of an L3 module as text, optimised at `default<O3>` unless `optimize` is
/// false, each kernel preceded by a comment naming its source ops
/// (`joinery-translate --to-llvm`).
pub fn llvm_ir(ctx: &Context, l3: OpId, optimize: bool) -> Result<String, Diagnostic> {
    check_symbols(ctx, l3)?;
    let tm = host_machine(RelocMode::PIC)?;
    let ll = LlContext::create();
    let cg = codegen_module(ctx, &kernels_of(ctx, l3), &ll, &tm)?;
    if optimize {
        cg.module
            .run_passes("default<O3>", &tm, PassBuilderOptions::create())
            .map_err(|e| Diagnostic::error(format!("LLVM optimisation failed: {e}")))?;
    }
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

/// Callable modules for the plans of `bundle`, one per plan, from the shared library of
/// `l3`: served from the compile cache when the same kernels were compiled before on this
/// kind of CPU by this compiler, else compiled on `threads` threads and cached.
pub fn load_modules(
    ctx: &Context,
    l3: OpId,
    bundle: &Bundle,
    threads: usize,
) -> Result<(Vec<CompiledModule>, CacheOutcome), Diagnostic> {
    let text = joinery_syntax::print_op(ctx, l3, &Default::default());
    let (path, outcome) = object::cached_library(ctx, l3, &text, bundle, threads)?;
    let library = Library::open(&path).map_err(|e| Diagnostic::error(e.0))?;
    let modules = bundle
        .plans
        .iter()
        .map(|p| {
            library
                .module(&p.name, threads)
                .map_err(|e| Diagnostic::error(e.0))
        })
        .collect::<Result<_, _>>()?;
    Ok((modules, outcome))
}

/// Writes the kernels of the L3 module `l3` as a shared library (`lib`)
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
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let objects = object::compile_objects(ctx, l3, bundle, threads)?;
    object::link_shared_library(&objects, lib)?;
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
/// along broadcast dimensions are not re-counted, nor a row kernel's reloads of a buffer
/// through a map an earlier phase used).
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
                let mut seen: Vec<(joinery_ir::Value, &joinery_kernel::Map)> = Vec::new();
                for (v, map) in ctx.operands(op).iter().zip(maps) {
                    // A row kernel's later phase reloads what an earlier one stored or
                    // loaded through the same map: the row is in cache.
                    if seen.contains(&(*v, map)) {
                        continue;
                    }
                    seen.push((*v, map));
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
            // Each point reads its indices and one element, and writes one (a scatter
            // that accumulates also reads it).
            "kernel.gather" | "kernel.scatter" => {
                let Ok(x) = Indexed::read(ctx, op) else {
                    continue;
                };
                let points = x.space.iter().product::<u64>() as f64;
                let operands = ctx.operands(op);
                let moved = elem(operands[0]) * if x.accumulate { 3.0 } else { 2.0 };
                let indices: f64 = operands[1..operands.len() - 1]
                    .iter()
                    .map(|&v| elem(v))
                    .sum();
                c.bytes += points * (moved + indices);
            }
            _ => {}
        }
    }
    c
}
