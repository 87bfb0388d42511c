//! aten → upstream MLIR through melior (`joinery-translate --to-mlir`), and MLIR's own
//! execution of the result (`joinery-run --via-mlir`): an independent oracle for the
//! reference interpreter and the native backend.
//!
//! # Export ([`export`])
//!
//! Takes L1/L2 functions (`func`, `aot`, `aten`), runs [`PREPARE_PIPELINE`] so that composite
//! ops become the primitive set of `aten-decompose`, and builds with melior's builders a
//! module of upstream `func`, `tensor`, `linalg` (named ops `matmul`, `batch_matmul`,
//! `fill`, and `linalg.generic` for pointwise ops, broadcasts, permutations and
//! reductions, and for ops that read at computed places: convolutions, pooling, gathers,
//! scatters, paddings, sorts, embedding bags, DFTs), `arith` and `math` ops, which MLIR's
//! verifier checks before it is returned. The per-op knowledge is one table,
//! [`lower::LOWERINGS`]; an op without a row (or whose row refuses its attributes) is
//! reported with every other such op of the module in one diagnostic.
//!
//! Random ops compute the interpreter's counter-based generator in `arith`, from the
//! function's Philox seed and offset arguments or from two appended ones
//! ([`lower::RngSource`]), so MLIR draws the interpreter's numbers. Complex tensors, which
//! [`PREPARE_PIPELINE`]'s `aten-complex-to-real` leaves only around the FFT ops and in the
//! signature, are exported in its pair form ([`types::exported`]).
//!
//! Arguments and results keep their attribute dictionaries as discardable attributes
//! whose values are the joinery text of the attribute (`aot.desc = "#aot.param<\"w\">"`),
//! so upstream tools that do not know the `aot` dialect still parse the module and nothing
//! is lost. A `none` result (a gradient that does not exist) has no upstream value: it is
//! dropped from the signature and recorded on the function as `aot.none_results`, one
//! dictionary `{index, attrs}` per dropped result.
//!
//! # Execution ([`exec`])
//!
//! The exported module gets one wrapper per function that reads its inputs from memrefs
//! and writes its results into caller-owned memrefs, then goes down MLIR's own pipeline
//! ([`exec::LOWER_PIPELINE`]: inlining, one-shot bufferization, buffer deallocation,
//! linalg to loops, to the LLVM dialect) and runs under melior's `ExecutionEngine`, with
//! the interpreter's `RunOptions` filling appended random state and complex tensors passed
//! in pair form.

pub mod exec;
pub mod import;
pub mod lower;
pub mod types;

use joinery_ir::{Context, Diagnostic, OpId};
use melior::dialect::DialectRegistry;
use melior::ir::Module;
use melior::ir::operation::OperationLike;
use melior::utility::register_all_dialects;

/// What runs on a module before export: ops on complex tensors as real ops on their
/// (real, imaginary) pairs (leaving complex only the FFT ops, which the export lowers on
/// the pair form, and the signature), composite ops as primitive aten ops (without
/// `strict`, so that ops neither decomposed nor exported are all named by the export's
/// own diagnostic), then the duplicates the decompositions made merged. The native
/// backend's conversion starts the same way.
pub const PREPARE_PIPELINE: &str =
    "builtin.module(func.func(aten-complex-to-real,aten-decompose,cse))";

/// An MLIR context with every upstream dialect registered and loaded, and the LLVM
/// translations the execution engine needs.
pub fn mlir_context() -> melior::Context {
    let registry = DialectRegistry::new();
    register_all_dialects(&registry);
    let context = melior::Context::new();
    context.append_dialect_registry(&registry);
    context.load_all_available_dialects();
    melior::utility::register_all_llvm_translations(&context);
    context
}

/// Runs [`PREPARE_PIPELINE`] on `module` in place.
pub fn prepare(ctx: &mut Context, module: OpId) -> Result<(), Diagnostic> {
    let mut registry = joinery_pass::PassRegistry::new();
    joinery_decompose::register_passes(&mut registry);
    joinery_pass::register_generic_passes(&mut registry);
    let mut pm = joinery_pass::PassManager::parse(&registry, PREPARE_PIPELINE)?;
    pm.run(ctx, module).map(drop).map_err(|diagnostics| {
        diagnostics
            .into_iter()
            .find(Diagnostic::is_error)
            .unwrap_or_else(|| Diagnostic::error("aten-decompose failed before the MLIR export"))
    })
}

/// Exports every function of `module` (already prepared, see [`prepare`]) into a new MLIR
/// module in `mlir`, checked by MLIR's verifier. The error names every op without a
/// lowering at once, or carries what MLIR's verifier said.
pub fn export<'c>(
    ctx: &Context,
    module: OpId,
    mlir: &'c melior::Context,
) -> Result<Module<'c>, Diagnostic> {
    let out = lower::export_module(ctx, module, mlir)?;
    verify(mlir, &out)?;
    Ok(out)
}

/// MLIR's verifier on `module`; its messages become one diagnostic.
pub fn verify(mlir: &melior::Context, module: &Module) -> Result<(), Diagnostic> {
    let messages = std::cell::RefCell::new(Vec::new());
    let handler = mlir.attach_diagnostic_handler(|d| {
        messages.borrow_mut().push(d.to_string());
        true
    });
    let ok = module.as_operation().verify();
    mlir.detach_diagnostic_handler(handler);
    if ok {
        Ok(())
    } else {
        Err(Diagnostic::error(format!(
            "MLIR's verifier rejected the exported module: {}",
            messages.into_inner().join("; ")
        )))
    }
}

/// `joinery-translate --to-mlir`: prepares, exports and prints `module` as MLIR text.
pub fn to_mlir_text(ctx: &mut Context, module: OpId) -> Result<String, Diagnostic> {
    prepare(ctx, module)?;
    let mlir = mlir_context();
    let out = export(ctx, module, &mlir)?;
    Ok(format!("{}\n", out.as_operation()))
}
