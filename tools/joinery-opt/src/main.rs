//! `joinery-opt`: registers joinery's dialects and passes and hands over to
//! [`joinery_driver::opt_main`], as MLIR's `mlir-opt` does with `MlirOptMain`.

use joinery_pass::PassRegistry;

fn main() {
    let dialects = [
        &joinery_func::FUNC_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
        &joinery_subclass::SUBCLASS_DIALECT,
    ];
    let mut passes = PassRegistry::new();
    joinery_pass::register_generic_passes(&mut passes);
    joinery_aot::register_passes(&mut passes);
    joinery_partition::register_passes(&mut passes);
    joinery_functionalize::register_passes(&mut passes);
    joinery_decompose::register_passes(&mut passes);
    joinery_subclass::register_passes(&mut passes);
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(joinery_driver::opt_main(args, &dialects, &passes));
}
