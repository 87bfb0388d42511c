//! `inline`: inline calls to single-block functions of the same symbol table.

use crate::options::{OptionKind, PassOptionInfo, PassOptions};
use crate::pass::{Pass, PassInfo, PassResult, PassState};
use crate::passes::symbol_dce::{collect_symbol_refs, is_public, is_symbol};
use joinery_ir::{Context, Diagnostic, OpId, Traits, Type, Value};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::VecDeque;

/// The declaration of `inline`.
pub static INLINE: PassInfo = PassInfo {
    name: "inline",
    title: "Inliner",
    summary: "Inline function calls",
    description: "Replaces each call (an op with the CALL trait and a flat `callee` symbol \
        reference) to a FUNCTION_LIKE symbol of the same symbol table whose body is a single \
        block ending in a RETURN_LIKE terminator: the body is cloned before the call with \
        the arguments mapped to the call's operands, and the call's results are replaced by \
        the returned values. Calls exposed by inlining are inlined too. Functions on a call \
        cycle (recursive, directly or not) are never inlined. With remove-dead-callees, \
        private callees left without references are erased afterwards, as MLIR's inliner \
        does.\n\
        Needs: to run on an op with the SYMBOL_TABLE trait (fails otherwise). Guarantees: \
        no call to an inlinable function is left. Leaves alone: calls whose operand or \
        result types differ from the callee's block arguments or returned values, calls \
        to declarations and to multi-block functions.\n\
        Known gaps: no cost model (everything inlinable is inlined), no simplification \
        between inlining steps, call-site locations are not fused into the inlined ops.",
    anchor: None,
    options: &[PassOptionInfo {
        name: "remove-dead-callees",
        kind: OptionKind::Bool,
        default: "true",
        help: "Erase private callees that have no references left after inlining",
    }],
    statistics: &[
        ("num-inlined-calls", "Number of calls inlined"),
        ("num-erased-callees", "Number of dead callees erased"),
    ],
    constructor: |o| Box::new(Inline::new(o)),
};

/// The `inline` pass.
pub struct Inline {
    remove_dead_callees: bool,
}

impl Inline {
    /// Builds the pass from its options.
    pub fn new(options: &PassOptions) -> Inline {
        Inline {
            remove_dead_callees: options.bool("remove-dead-callees"),
        }
    }
}

impl Pass for Inline {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        if !ctx.has_traits(op, Traits::SYMBOL_TABLE) {
            return Err(vec![
                Diagnostic::error(format!(
                    "'{}' was scheduled to run under inline, but does not define a symbol table",
                    ctx.name_str(op)
                ))
                .with_span(ctx.span(op)),
            ]);
        }
        let functions = functions_of(ctx, op);
        let graph = CallGraph::new(ctx, &functions);
        let recursive = graph.recursive();
        // Callees before callers (MLIR's bottom-up SCC order): a body is already flat when
        // it is cloned, so each call is inlined once.
        let rank: FxHashMap<OpId, usize> = graph
            .post_order()
            .into_iter()
            .enumerate()
            .map(|(i, f)| (f, i))
            .collect();
        let mut calls = calls_in(ctx, op);
        calls.sort_by_key(|&c| {
            let mut top = c;
            while let Some(p) = ctx.parent_op(top).filter(|&p| p != op) {
                top = p;
            }
            rank.get(&top).copied().unwrap_or(usize::MAX)
        });
        let mut worklist: VecDeque<OpId> = calls.into();
        let mut inlined_callees = FxHashSet::default();
        let mut inlined = 0;
        while let Some(call) = worklist.pop_front() {
            if ctx.is_erased(call) {
                continue;
            }
            let Some(callee) = callee_of(ctx, call).and_then(|n| functions.get(n).copied()) else {
                continue;
            };
            if recursive.contains(&callee) {
                continue;
            }
            if let Some(new_calls) = inline_call(ctx, call, callee) {
                inlined += 1;
                inlined_callees.insert(callee);
                worklist.extend(new_calls);
            }
        }
        let mut erased = 0;
        if self.remove_dead_callees {
            erased = erase_dead_callees(ctx, op, inlined_callees);
        }
        state.add_statistic("num-inlined-calls", inlined);
        state.add_statistic("num-erased-callees", erased);
        Ok(inlined + erased > 0)
    }
}

/// The function-like symbols directly inside `table`, by name.
fn functions_of(ctx: &Context, table: OpId) -> FxHashMap<String, OpId> {
    let Some(body) = ctx.body_block(table) else {
        return FxHashMap::default();
    };
    ctx.block_ops(body)
        .filter(|&op| ctx.has_traits(op, Traits::FUNCTION_LIKE) && is_symbol(ctx, op))
        .filter_map(|op| Some((ctx.symbol_name(op)?.to_string(), op)))
        .collect()
}

/// The flat callee name of a call op.
fn callee_of(ctx: &Context, call: OpId) -> Option<&str> {
    ctx.as_symbol_ref(ctx.attr(call, "callee")?)
}

/// Every call op nested in `op`, in program order.
fn calls_in(ctx: &Context, op: OpId) -> Vec<OpId> {
    ctx.walk(op)
        .into_iter()
        .filter(|&o| ctx.has_traits(o, Traits::CALL))
        .collect()
}

/// Which functions of a symbol table call which.
struct CallGraph {
    /// The functions in a deterministic order.
    functions: Vec<OpId>,
    /// The functions each function calls.
    callees: FxHashMap<OpId, Vec<OpId>>,
}

impl CallGraph {
    fn new(ctx: &Context, functions: &FxHashMap<String, OpId>) -> CallGraph {
        let mut order: Vec<OpId> = functions.values().copied().collect();
        order.sort();
        let callees = order
            .iter()
            .map(|&f| {
                let targets = calls_in(ctx, f)
                    .into_iter()
                    .filter_map(|c| functions.get(callee_of(ctx, c)?).copied())
                    .collect();
                (f, targets)
            })
            .collect();
        CallGraph {
            functions: order,
            callees,
        }
    }

    fn targets(&self, f: OpId) -> &[OpId] {
        self.callees.get(&f).map_or(&[], Vec::as_slice)
    }

    /// The functions that can reach themselves through calls: the members of call-graph
    /// cycles (strongly connected components of more than one function, or a function
    /// calling itself), in time linear in the graph and without recursion.
    fn recursive(&self) -> FxHashSet<OpId> {
        let mut graph = DiGraph::<OpId, ()>::with_capacity(self.functions.len(), 0);
        let nodes: FxHashMap<OpId, NodeIndex> = self
            .functions
            .iter()
            .map(|&f| (f, graph.add_node(f)))
            .collect();
        for &f in &self.functions {
            for g in self.targets(f) {
                graph.add_edge(nodes[&f], nodes[g], ());
            }
        }
        kosaraju_scc(&graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.targets(graph[scc[0]]).contains(&graph[scc[0]]))
            .flatten()
            .map(|n| graph[n])
            .collect()
    }

    /// Every function after the functions it calls (cycles broken arbitrarily): a
    /// depth-first post-order over the functions and their callees in order, with an
    /// explicit stack, so that a call chain of any depth is walked.
    fn post_order(&self) -> Vec<OpId> {
        let mut done = FxHashSet::default();
        let mut order = Vec::new();
        for &root in &self.functions {
            if !done.insert(root) {
                continue;
            }
            // Each entry is a function and how many of its callees were visited.
            let mut stack = vec![(root, 0)];
            while let Some((f, next)) = stack.last_mut() {
                let f = *f;
                match self.targets(f).get(*next) {
                    Some(&g) => {
                        *next += 1;
                        if done.insert(g) {
                            stack.push((g, 0));
                        }
                    }
                    None => {
                        order.push(f);
                        stack.pop();
                    }
                }
            }
        }
        order
    }
}

/// Inlines `callee` at `call` when its shape allows; returns the calls the cloned body holds.
fn inline_call(ctx: &mut Context, call: OpId, callee: OpId) -> Option<Vec<OpId>> {
    let [region] = ctx.regions(callee) else {
        return None;
    };
    let [block] = ctx.region_blocks(*region) else {
        return None;
    };
    let block = *block;
    let terminator = ctx.last_op(block)?;
    if !ctx.has_traits(terminator, Traits::RETURN_LIKE) {
        return None;
    }
    let types = |ctx: &Context, vs: &[Value]| -> Vec<Type> {
        vs.iter().map(|&v| ctx.value_type(v)).collect()
    };
    if types(ctx, ctx.block_args(block)) != types(ctx, ctx.operands(call))
        || types(ctx, ctx.operands(terminator)) != types(ctx, ctx.results(call))
    {
        return None;
    }
    let mut map: FxHashMap<Value, Value> = ctx
        .block_args(block)
        .iter()
        .copied()
        .zip(ctx.operands(call).iter().copied())
        .collect();
    let body: Vec<OpId> = ctx.block_ops(block).filter(|&o| o != terminator).collect();
    let mut new_calls = Vec::new();
    for op in body {
        let clone = ctx.clone_op(op, &mut map);
        ctx.insert_op_before(call, clone);
        new_calls.extend(std::iter::once(clone).chain(ctx.walk(clone)));
    }
    new_calls.retain(|&o| ctx.has_traits(o, Traits::CALL));
    let returned: Vec<Value> = ctx
        .operands(terminator)
        .iter()
        .map(|v| *map.get(v).unwrap_or(v))
        .collect();
    ctx.replace_op(call, &returned);
    Some(new_calls)
}

/// Erases inlined private callees no longer referenced, repeating while erasures free more.
fn erase_dead_callees(ctx: &mut Context, table: OpId, mut callees: FxHashSet<OpId>) -> u64 {
    let mut erased = 0;
    loop {
        let Some(body) = ctx.body_block(table) else {
            return erased;
        };
        let mut referenced: FxHashSet<String> = FxHashSet::default();
        for o in ctx.block_ops(body) {
            let mut refs = FxHashSet::default();
            collect_symbol_refs(ctx, o, &mut refs);
            if let Some(own) = ctx.symbol_name(o) {
                refs.remove(own);
            }
            referenced.extend(refs);
        }
        let dead: Vec<OpId> = callees
            .iter()
            .copied()
            .filter(|&f| !is_public(ctx, f))
            .filter(|&f| ctx.symbol_name(f).is_some_and(|n| !referenced.contains(n)))
            .collect();
        if dead.is_empty() {
            return erased;
        }
        for f in dead {
            callees.remove(&f);
            ctx.erase_op(f);
            erased += 1;
        }
    }
}
