//! `symbol-dce`: erase private symbols nothing refers to.

use crate::pass::{Pass, PassInfo, PassResult, PassState};
use joinery_ir::{AttrData, AttrParam, Attribute, Context, Diagnostic, OpId, Traits};
use rustc_hash::{FxHashMap, FxHashSet};

/// The declaration of `symbol-dce`.
pub static SYMBOL_DCE: PassInfo = PassInfo {
    name: "symbol-dce",
    title: "SymbolDCE",
    summary: "Eliminate dead private symbols",
    description: "Erases the symbols directly inside a symbol table (a module) that are not \
        public (sym_visibility \"private\" or \"nested\") and that no live op refers to \
        through a symbol reference attribute, anywhere in its attributes (arrays, \
        dictionaries and dialect attribute parameters included). Liveness is transitive: \
        public symbols and non-symbol ops are live, and so is every symbol a live op \
        refers to.\n\
        Needs: to run on an op with the SYMBOL_TABLE trait (fails otherwise). Guarantees: \
        every remaining private symbol is reachable from a public symbol or a non-symbol \
        op. Known gaps: nested symbol tables are kept or erased as a whole, not cleaned \
        inside; a reference @a::@b keeps all of @a.",
    anchor: None,
    options: &[],
    statistics: &[("num-dce'd", "Number of symbols DCE'd")],
    constructor: |_| Box::new(SymbolDce),
};

/// The `symbol-dce` pass.
pub struct SymbolDce;

impl Pass for SymbolDce {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        if !ctx.has_traits(op, Traits::SYMBOL_TABLE) {
            return Err(vec![
                Diagnostic::error(format!(
                    "'{}' was scheduled to run under symbol-dce, but does not define a symbol table",
                    ctx.name_str(op)
                ))
                .with_span(ctx.span(op)),
            ]);
        }
        let dead = dead_private_symbols(ctx, op);
        for &s in &dead {
            ctx.erase_op(s);
        }
        state.add_statistic("num-dce'd", dead.len() as u64);
        Ok(!dead.is_empty())
    }
}

/// The non-public symbols directly inside `table` that no live op refers to.
pub(crate) fn dead_private_symbols(ctx: &Context, table: OpId) -> Vec<OpId> {
    let top: Vec<OpId> = ctx
        .regions(table)
        .iter()
        .flat_map(|&r| ctx.region_blocks(r).iter())
        .flat_map(|&b| ctx.block_ops(b))
        .collect();
    let is_candidate = |op: OpId| is_symbol(ctx, op) && !is_public(ctx, op);
    let candidates: FxHashMap<&str, OpId> = top
        .iter()
        .copied()
        .filter(|&op| is_candidate(op))
        .filter_map(|op| Some((ctx.symbol_name(op)?, op)))
        .collect();
    let mut live: FxHashSet<OpId> = top
        .iter()
        .copied()
        .filter(|&op| !is_candidate(op))
        .collect();
    let mut worklist: Vec<OpId> = live.iter().copied().collect();
    while let Some(op) = worklist.pop() {
        let mut refs = FxHashSet::default();
        collect_symbol_refs(ctx, op, &mut refs);
        for name in &refs {
            if let Some(&symbol) = candidates.get(name.as_str())
                && live.insert(symbol)
            {
                worklist.push(symbol);
            }
        }
    }
    top.into_iter().filter(|op| !live.contains(op)).collect()
}

/// Whether `op` defines a symbol (SYMBOL trait and a `sym_name`).
pub(crate) fn is_symbol(ctx: &Context, op: OpId) -> bool {
    ctx.has_traits(op, Traits::SYMBOL) && ctx.symbol_name(op).is_some()
}

/// Whether a symbol is visible outside its table (no `sym_visibility`, or "public").
pub(crate) fn is_public(ctx: &Context, op: OpId) -> bool {
    match ctx.attr(op, "sym_visibility") {
        None => true,
        Some(v) => ctx.as_str(v) == Some("public"),
    }
}

/// The root names of every symbol reference in the attributes of `op` and the ops nested
/// in it.
pub(crate) fn collect_symbol_refs(ctx: &Context, op: OpId, out: &mut FxHashSet<String>) {
    for o in std::iter::once(op).chain(ctx.walk(op)) {
        for (_, attr) in ctx.attrs(o) {
            attr_symbol_refs(ctx, attr, out);
        }
    }
}

fn attr_symbol_refs(ctx: &Context, attr: Attribute, out: &mut FxHashSet<String>) {
    match ctx.attr_data(attr) {
        AttrData::SymbolRef { root, .. } => {
            out.insert(root.clone());
        }
        AttrData::Array(items) => items.iter().for_each(|&a| attr_symbol_refs(ctx, a, out)),
        AttrData::Dictionary(entries) => entries
            .iter()
            .for_each(|(_, a)| attr_symbol_refs(ctx, *a, out)),
        AttrData::Dialect { params, .. } => {
            for p in params {
                if let AttrParam::Attr(a) = p {
                    attr_symbol_refs(ctx, *a, out);
                }
            }
        }
        _ => {}
    }
}
