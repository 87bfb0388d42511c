//! The passes of the aot dialect.

use crate::fx_utils::descriptor_table;
use joinery_ir::{Context, OpId};
use joinery_pass::{Pass, PassInfo, PassRegistry, PassResult, PassState};
use std::io::Write;

/// The declaration of `aot-print-descriptors`.
pub static PRINT_DESCRIPTORS: PassInfo = PassInfo {
    name: "aot-print-descriptors",
    title: "AotPrintDescriptors",
    summary: "Print the descriptor table of every function to stdout",
    description: "An analysis: for each func.func it prints one row per argument and result \
        with the SSA name, PyTorch's descriptor repr (ParamAOTInput(target='w')), the expr() \
        access path (self.get_parameter('w')) and the slot it pairs with (gradient result, \
        tangent argument, mutated argument), as fx_utils would pair them.\n\
        Needs: nothing; functions without descriptors print '<no descriptor>' rows. Works \
        with subclass pieces (pairs are found through them) although the fx_utils queries \
        refuse them.\n\
        Guarantees: the IR is not changed.",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[],
    constructor: |_| Box::new(PrintDescriptors),
};

/// The `aot-print-descriptors` pass.
pub struct PrintDescriptors;

impl Pass for PrintDescriptors {
    fn run(&mut self, ctx: &mut Context, op: OpId, _state: &mut PassState) -> PassResult {
        // A closed stdout (e.g. `| head`) is not an error of the compilation.
        let _ = std::io::stdout()
            .lock()
            .write_all(descriptor_table(ctx, op).as_bytes());
        Ok(false)
    }
}

/// Registers the passes of the aot dialect.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&PRINT_DESCRIPTORS);
    registry.register(&crate::view::VIEW_PARTITION);
}
