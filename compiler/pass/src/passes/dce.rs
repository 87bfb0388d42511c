//! `dce`: dead code elimination of pure ops.

use crate::greedy::is_trivially_dead;
use crate::pass::{Pass, PassInfo, PassResult, PassState};
use joinery_ir::{Context, OpId};

/// The declaration of `dce`.
pub static DCE: PassInfo = PassInfo {
    name: "dce",
    title: "DCE",
    summary: "Erase pure operations whose results are unused",
    description: "Erases every pure, non-terminator op nested in the anchor whose results \
        have no uses, and keeps going as erasing an op frees its operands' producers, so \
        whole dead chains go in one run. Runs on any op.\n\
        Needs: nothing. Guarantees: no trivially dead pure op is left.\n\
        Leaves alone: impure and unregistered ops (they may have effects), unused block \
        arguments and function results, symbols (see symbol-dce).",
    anchor: None,
    options: &[],
    statistics: &[("num-erased", "Number of dead ops erased")],
    constructor: |_| Box::new(Dce),
};

/// The `dce` pass.
pub struct Dce;

impl Pass for Dce {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        let erased = erase_dead_ops(ctx, op);
        state.add_statistic("num-erased", erased);
        Ok(erased > 0)
    }
}

/// Erases trivially dead ops nested in `root` until none is left; returns how many went.
pub fn erase_dead_ops(ctx: &mut Context, root: OpId) -> u64 {
    // Users come after their producers, so visiting in reverse frees whole chains at once;
    // the worklist catches producers in earlier blocks or enclosing regions.
    let mut worklist = ctx.walk(root);
    let mut erased = 0;
    while let Some(op) = worklist.pop() {
        if ctx.is_erased(op)
            || op == root
            || !ctx.is_ancestor(root, op)
            || !is_trivially_dead(ctx, op)
        {
            continue;
        }
        let producers: Vec<OpId> = ctx
            .operands(op)
            .iter()
            .filter_map(|&v| ctx.defining_op(v))
            .collect();
        ctx.erase_op(op);
        erased += 1;
        worklist.extend(producers);
    }
    erased
}
