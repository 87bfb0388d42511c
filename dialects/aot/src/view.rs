//! `view-partition`: a Graphviz picture of a partitioned joint (level L2), drawn with the
//! writer of `view-op-graph` ([`DotWriter`]) and coloured by what the partition made of
//! each op: computed by the forward, by the backward, saved for the backward, or
//! recomputed by the backward.

use crate::pair::{JointPair, joint_pairs};
use crate::signature::DESC_KEY;
use joinery_ir::{Attribute, Context, Diagnostic, OpId, OpName, Type, Value};
use joinery_pass::passes::view_op_graph::{
    DotNode, DotWriter, GRAPH_OPTIONS, GraphOptions, write_stderr,
};
use joinery_pass::{Pass, PassInfo, PassResult, PassState};
use joinery_syntax::type_text;
use rustc_hash::{FxHashMap, FxHashSet};

/// The declaration of `view-partition`.
pub static VIEW_PARTITION: PassInfo = PassInfo {
    name: "view-partition",
    title: "ViewPartition",
    summary: "Write a Graphviz (dot) picture of each forward/backward pair to stderr",
    description: "Draws every `aot.joint_pair` of the module (what aot-partition makes) as \
        one `digraph` in Graphviz's dot language on stderr, in view-op-graph's shape and \
        with its options: a cluster for the forward and one for the backward, a box per \
        argument and per result labelled with its name and `aot.desc` descriptor, and the \
        ops coloured by role: forward (lightblue), backward (lightsalmon), saved for the \
        backward (gold: the forward op or argument whose value is saved, and the \
        backward's argument receiving it, joined by a dashed gold edge) and recomputed \
        (palegreen: a backward op computing the same value as a forward op, from the same \
        saved values and attributes). A legend cluster names the colours. Render it with \
        `joinery-opt j.mlir --aot-partition --view-partition -o /dev/null 2>&1 | dot -Tsvg`.\n\
        Needs: a module holding at least one `aot.joint_pair` (run aot-partition first); \
        an error otherwise. Guarantees: the IR is not changed.",
    anchor: None,
    options: GRAPH_OPTIONS,
    statistics: &[],
    constructor: |options| {
        Box::new(ViewPartition {
            options: GraphOptions::from_pass_options(options),
        })
    },
};

/// Fill colour of ops the forward computes.
const FORWARD: &str = "lightblue";
/// Fill colour of ops the backward computes.
const BACKWARD: &str = "lightsalmon";
/// Fill colour of saved values (forward producer and backward argument).
const SAVED: &str = "gold";
/// Fill colour of backward ops that recompute a forward op.
const RECOMPUTED: &str = "palegreen";

/// The `view-partition` pass.
pub struct ViewPartition {
    options: GraphOptions,
}

impl Pass for ViewPartition {
    fn run(&mut self, ctx: &mut Context, op: OpId, _state: &mut PassState) -> PassResult {
        let pairs = joint_pairs(ctx, op);
        if pairs.is_empty() {
            return Err(vec![
                Diagnostic::error(
                    "view-partition: no 'aot.joint_pair' here to draw (run aot-partition first)",
                )
                .with_span(ctx.span(op)),
            ]);
        }
        let mut writer = DotWriter::new(ctx, self.options);
        legend(&mut writer);
        for (pair_op, pair) in &pairs {
            let (Some(forward), Some(backward)) = (
                ctx.lookup_symbol(op, &pair.forward),
                ctx.lookup_symbol(op, &pair.backward),
            ) else {
                return Err(vec![
                    Diagnostic::error(format!(
                        "view-partition: '@{}' or '@{}' of this pair is not in the module",
                        pair.forward, pair.backward
                    ))
                    .with_span(ctx.span(*pair_op)),
                ]);
            };
            draw_pair(&mut writer, ctx, pair, forward, backward);
        }
        write_stderr(&writer.finish());
        Ok(false)
    }
}

/// A cluster with one node per colour, naming it.
fn legend(w: &mut DotWriter) {
    w.cluster("legend", &[], |w| {
        for (name, colour) in [
            ("forward", FORWARD),
            ("backward", BACKWARD),
            ("saved for backward", SAVED),
            ("recomputed in backward", RECOMPUTED),
        ] {
            w.node(name, "box", &[("style", "filled"), ("fillcolor", colour)]);
        }
    });
}

/// Draws one forward/backward pair: two clusters and the saved-value edges between them.
fn draw_pair(w: &mut DotWriter, ctx: &Context, pair: &JointPair, forward: OpId, backward: OpId) {
    let fwd_returned = returned(ctx, forward);
    let saved = fwd_returned
        .get(pair.num_fwd_outputs..)
        .unwrap_or_default()
        .to_vec();
    let saved_set: FxHashSet<Value> = saved.iter().copied().collect();
    let recomputed = recomputed_ops(ctx, forward, backward, &saved);

    let fwd_label = format!("@{} (forward)", pair.forward);
    w.cluster(&fwd_label, &[], |w| {
        draw_function(w, ctx, forward, 0, |ctx, op| {
            if ctx.results(op).iter().any(|r| saved_set.contains(r)) {
                SAVED
            } else {
                FORWARD
            }
        });
    });
    let saved_args: Vec<Value> = ctx
        .body_block(backward)
        .map(|b| {
            ctx.block_args(b)
                .iter()
                .take(saved.len())
                .copied()
                .collect()
        })
        .unwrap_or_default();
    let bwd_label = format!("@{} (backward)", pair.backward);
    w.cluster(&bwd_label, &[], |w| {
        draw_function(w, ctx, backward, saved.len(), |_, op| {
            if recomputed.contains(&op) {
                RECOMPUTED
            } else {
                BACKWARD
            }
        });
    });
    for (&value, &arg) in saved.iter().zip(&saved_args) {
        if let (Some(from), Some(to)) = (w.node_of(value), w.node_of(arg)) {
            w.edge(from, to, "", "dashed", &[("color", "goldenrod")]);
        }
    }
}

/// Draws the arguments, ops and results of a single-block function into the current
/// cluster; its first `num_saved_args` arguments are saved values, and `colour` picks the
/// fill of each op without regions.
fn draw_function(
    w: &mut DotWriter,
    ctx: &Context,
    func: OpId,
    num_saved_args: usize,
    colour: impl Fn(&Context, OpId) -> &'static str,
) {
    let Some(body) = ctx.body_block(func) else {
        return;
    };
    for (i, &arg) in ctx.block_args(body).iter().enumerate() {
        let mut label = w.value_label(arg, i);
        push_type(w, ctx, &mut label, ctx.value_type(arg));
        if let Some(desc) = descriptor(ctx, func, "arg_attrs", i) {
            label.push('\n');
            label.push_str(&desc);
        }
        let node = if i < num_saved_args {
            w.node(&label, "box", &[("style", "filled"), ("fillcolor", SAVED)])
        } else {
            w.node(&label, "box", &[])
        };
        w.bind(arg, node);
    }
    let mut terminator = None;
    for op in ctx.block_ops(body) {
        if ctx.name_str(op) == "func.return" {
            terminator = Some(op);
        } else if ctx.regions(op).is_empty() {
            w.op_node(op, &[("style", "filled"), ("fillcolor", colour(ctx, op))]);
        } else {
            w.op(op);
        }
    }
    let Some(ret) = terminator else {
        return;
    };
    for (i, &value) in ctx.operands(ret).iter().enumerate() {
        let mut label = format!("result {i}");
        push_type(w, ctx, &mut label, ctx.value_type(value));
        if let Some(desc) = descriptor(ctx, func, "res_attrs", i) {
            label.push('\n');
            label.push_str(&desc);
        }
        let node: DotNode = w.node(&label, "box", &[]);
        if let Some(from) = w.node_of(value) {
            w.edge(from, node, "", "solid", &[]);
        }
    }
}

/// Appends ` : <type>` when the options print result types.
fn push_type(w: &DotWriter, ctx: &Context, label: &mut String, ty: Type) {
    if w.options().print_result_types {
        label.push_str(" : ");
        label.push_str(&w.cut(&type_text(ctx, ty)));
    }
}

/// The `aot.desc` of argument or result `index` of `func` (`key` is `arg_attrs` or
/// `res_attrs`), in MLIR syntax.
fn descriptor(ctx: &Context, func: OpId, key: &str, index: usize) -> Option<String> {
    let dicts = ctx.as_array(ctx.attr(func, key)?)?;
    let desc = ctx.dictionary_get(*dicts.get(index)?, DESC_KEY)?;
    Some(joinery_syntax::attr_text(ctx, desc))
}

/// The operands of a function's `func.return`.
fn returned(ctx: &Context, func: OpId) -> Vec<Value> {
    ctx.body_block(func)
        .and_then(|b| ctx.last_op(b))
        .map(|ret| ctx.operands(ret).to_vec())
        .unwrap_or_default()
}

/// What identifies the value an op computes: its name, attributes and (forward) operands.
type OpKey = (OpName, Vec<(String, Attribute)>, Vec<Value>);

fn op_key(ctx: &Context, op: OpId, operands: Vec<Value>) -> OpKey {
    let attrs = ctx.attrs(op).map(|(k, v)| (k.to_string(), v)).collect();
    (ctx.name(op), attrs, operands)
}

/// The backward ops that recompute a forward op: an op without regions whose operands are
/// all saved values or results of recomputed ops (an op without operands, such as a
/// constant the forward also has, counts as recomputed) and whose name and attributes equal those of the forward op on the corresponding
/// forward values. `saved` lists the forward values the backward's leading arguments hold.
fn recomputed_ops(
    ctx: &Context,
    forward: OpId,
    backward: OpId,
    saved: &[Value],
) -> FxHashSet<OpId> {
    let mut recomputed = FxHashSet::default();
    let (Some(fwd_body), Some(bwd_body)) = (ctx.body_block(forward), ctx.body_block(backward))
    else {
        return recomputed;
    };
    let index: FxHashMap<OpKey, OpId> = ctx
        .block_ops(fwd_body)
        .filter(|&op| ctx.regions(op).is_empty())
        .map(|op| (op_key(ctx, op, ctx.operands(op).to_vec()), op))
        .collect();
    // Backward value -> the forward value it equals.
    let mut same: FxHashMap<Value, Value> = ctx
        .block_args(bwd_body)
        .iter()
        .copied()
        .zip(saved.iter().copied())
        .collect();
    for op in ctx.block_ops(bwd_body) {
        if !ctx.regions(op).is_empty() {
            continue;
        }
        let Some(operands) = ctx
            .operands(op)
            .iter()
            .map(|v| same.get(v).copied())
            .collect::<Option<Vec<Value>>>()
        else {
            continue;
        };
        let Some(&fwd_op) = index.get(&op_key(ctx, op, operands)) else {
            continue;
        };
        recomputed.insert(op);
        for (&b, &f) in ctx.results(op).iter().zip(ctx.results(fwd_op)) {
            same.insert(b, f);
        }
    }
    recomputed
}
