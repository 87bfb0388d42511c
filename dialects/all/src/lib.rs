//! Every dialect and pass of joinery in one place, as MLIR's `InitAllDialects.h` and
//! `InitAllPasses.h`: the tools register these lists, so text any level of the pipeline
//! prints (L0 to L3) parses in every tool.

use joinery_ir::Dialect;
use joinery_pass::PassRegistry;

/// Every dialect: `func`, `arith`, `aot`, `aten`, `subclass`, `kernel` (the builtin
/// dialect is always registered).
pub static DIALECTS: [&Dialect; 6] = [
    &joinery_func::FUNC_DIALECT,
    &joinery_arith::ARITH_DIALECT,
    &joinery_aot::AOT_DIALECT,
    &joinery_aten::ATEN_DIALECT,
    &joinery_subclass::SUBCLASS_DIALECT,
    &joinery_kernel::KERNEL_DIALECT,
];

/// A registry holding every pass: the generic transforms, then each dialect's, in
/// pipeline order. Attaches the interpreter's kernels to the aten constant folder
/// (`joinery_aten::canon::set_constant_evaluator`), which the aten crate cannot depend on.
pub fn passes() -> PassRegistry {
    joinery_aten::canon::set_constant_evaluator(joinery_interp::fold_constant);
    let mut passes = PassRegistry::new();
    joinery_pass::register_generic_passes(&mut passes);
    joinery_aot::register_passes(&mut passes);
    joinery_functionalize::register_passes(&mut passes);
    joinery_subclass::register_passes(&mut passes);
    joinery_autodiff::register_passes(&mut passes);
    joinery_partition::register_passes(&mut passes);
    joinery_decompose::register_passes(&mut passes);
    joinery_aten_to_kernel::register_passes(&mut passes);
    joinery_kernel::register_passes(&mut passes);
    passes
}
