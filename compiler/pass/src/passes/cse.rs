//! `cse`: common subexpression elimination of pure ops, scoped by dominance.

use crate::pass::{Pass, PassInfo, PassResult, PassState};
use joinery_ir::{Attribute, BlockId, Context, OpId, OpName, RegionId, Traits, Type, Value};
use rustc_hash::FxHashMap;

/// The declaration of `cse`.
pub static CSE: PassInfo = PassInfo {
    name: "cse",
    title: "CSE",
    summary: "Eliminate common sub-expressions",
    description: "Replaces a pure op by an earlier, equivalent one that dominates it: same \
        name, operands, attributes and result types (operands in any order for COMMUTATIVE \
        ops). Runs on any op and walks everything nested in it.\n\
        Scoping: ops of a block see the earlier ops of that block and of the blocks \
        enclosing it; a region of an ISOLATED_FROM_ABOVE op starts an empty scope. In a \
        region with several blocks each block gets its own scope (only values from \
        enclosing ops are shared).\n\
        Needs: nothing. Guarantees: no two equivalent pure ops where one dominates the \
        other within a block nest. Leaves alone: impure and unregistered ops, terminators, \
        ops with regions or successors, ops without results.\n\
        Known gaps: no dominator tree for multi-block regions (no cross-block CSE there).",
    anchor: None,
    options: &[],
    statistics: &[("num-cse'd", "Number of operations CSE'd")],
    constructor: |_| Box::new(Cse),
};

/// The `cse` pass.
pub struct Cse;

/// What makes two ops equivalent.
#[derive(PartialEq, Eq, Hash)]
struct OpKey {
    name: OpName,
    operands: Vec<Value>,
    attrs: Vec<(String, Attribute)>,
    result_types: Vec<Type>,
}

/// A stack of hash tables, innermost last.
struct Scopes {
    tables: Vec<FxHashMap<OpKey, OpId>>,
}

impl Scopes {
    fn lookup(&self, key: &OpKey) -> Option<OpId> {
        self.tables.iter().rev().find_map(|t| t.get(key).copied())
    }
}

impl Pass for Cse {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        let mut scopes = Scopes { tables: Vec::new() };
        let mut erased = 0;
        for region in ctx.regions(op).to_vec() {
            cse_region(ctx, region, &mut scopes, &mut erased);
        }
        state.add_statistic("num-cse'd", erased);
        Ok(erased > 0)
    }
}

fn cse_region(ctx: &mut Context, region: RegionId, scopes: &mut Scopes, erased: &mut u64) {
    for block in ctx.region_blocks(region).to_vec() {
        scopes.tables.push(FxHashMap::default());
        cse_block(ctx, block, scopes, erased);
        scopes.tables.pop();
    }
}

fn cse_block(ctx: &mut Context, block: BlockId, scopes: &mut Scopes, erased: &mut u64) {
    let ops: Vec<OpId> = ctx.block_ops(block).collect();
    for op in ops {
        if !ctx.regions(op).is_empty() {
            let isolated = ctx.has_traits(op, Traits::ISOLATED_FROM_ABOVE);
            let mut inner = Scopes { tables: Vec::new() };
            let nested = if isolated { &mut inner } else { &mut *scopes };
            for region in ctx.regions(op).to_vec() {
                cse_region(ctx, region, nested, erased);
            }
            continue;
        }
        let Some(key) = key_of(ctx, op) else { continue };
        match scopes.lookup(&key) {
            Some(existing) => {
                let replacement = ctx.results(existing).to_vec();
                ctx.replace_op(op, &replacement);
                *erased += 1;
            }
            None => {
                let table = scopes.tables.last_mut().expect("a block scope is open");
                table.insert(key, op);
            }
        }
    }
}

/// The equivalence key of a CSE candidate, `None` for ops CSE must not touch.
fn key_of(ctx: &Context, op: OpId) -> Option<OpKey> {
    let traits = ctx.traits(op);
    if !traits.contains(Traits::PURE)
        || traits.contains(Traits::TERMINATOR)
        || ctx.results(op).is_empty()
        || !ctx.successors(op).is_empty()
    {
        return None;
    }
    let mut operands = ctx.operands(op).to_vec();
    if traits.contains(Traits::COMMUTATIVE) {
        operands.sort();
    }
    Some(OpKey {
        name: ctx.name(op),
        operands,
        attrs: ctx.attrs(op).map(|(k, v)| (k.to_string(), v)).collect(),
        result_types: ctx.results(op).iter().map(|&r| ctx.value_type(r)).collect(),
    })
}
