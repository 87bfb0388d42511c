//! Building `kernel.fused` ops for `kernel-fuse`: a [`NewKernel`] collects inputs (each
//! buffer and map bound once to a body argument, on first use), scalar ops cloned from
//! other kernels' bodies ([`clone_slice`]: only what the wanted values depend on) and
//! outputs; and the cost of recomputing a slice ([`slice_weight`]).

use crate::attrs::{Fused, Map};
use crate::ops::{OutKind, ScalarOp};
use joinery_ir::{BlockId, Context, InsertPoint, OpId, OperationState, Span, Value};
use rustc_hash::{FxHashMap, FxHashSet};

/// A `kernel.fused` op under construction.
pub struct NewKernel {
    pub block: BlockId,
    inputs: Vec<(Value, Map)>,
    outputs: Vec<(Value, Map, OutKind, Value)>,
}

impl NewKernel {
    /// An empty kernel.
    pub fn new(ctx: &mut Context) -> NewKernel {
        NewKernel {
            block: ctx.create_block(&[]),
            inputs: Vec::new(),
            outputs: Vec::new(),
        }
    }

    /// The body argument that loads `buffer` through `map`, added on first use.
    pub fn input(&mut self, ctx: &mut Context, buffer: Value, map: &Map) -> Value {
        if let Some(i) = self
            .inputs
            .iter()
            .position(|(b, m)| *b == buffer && m == map)
        {
            return ctx.block_args(self.block)[i];
        }
        // The scalar type kernels see: a complex buffer holds its parts (`static_info`).
        let ty = ctx.value_type(buffer);
        let element = match crate::static_info(ctx, ty) {
            Some((_, dtype)) => ctx.dtype_type(dtype),
            None => ctx.tensor_parts(ty).map_or(ty, |(_, e)| e),
        };
        self.inputs.push((buffer, map.clone()));
        ctx.add_block_argument(self.block, element)
    }

    /// Adds an output: `value` stored or accumulated into `buffer` through `map`.
    pub fn output(&mut self, buffer: Value, map: Map, kind: OutKind, value: Value) {
        self.outputs.push((buffer, map, kind, value));
    }

    /// The detached `kernel.fused` op: `name` over `space`, computing `sources`.
    pub fn build(
        self,
        ctx: &mut Context,
        name: String,
        space: Vec<u64>,
        sources: Vec<String>,
        span: Option<Span>,
    ) -> OpId {
        let yields: Vec<Value> = self.outputs.iter().map(|o| o.3).collect();
        joinery_ir::Builder::new(ctx, InsertPoint::End(self.block)).build(
            "kernel.yield",
            &yields,
            &[],
            vec![],
        );
        let region = ctx.create_region();
        ctx.append_block(region, self.block);
        let fused = Fused {
            name,
            space,
            num_inputs: self.inputs.len(),
            in_maps: self.inputs.iter().map(|(_, m)| m.clone()).collect(),
            out_maps: self.outputs.iter().map(|o| o.1.clone()).collect(),
            out_kinds: self.outputs.iter().map(|o| o.2).collect(),
            sources,
            phases: Vec::new(),
            outer: 0,
        };
        let mut state = OperationState::new(ctx.op_name("kernel.fused"));
        state.operands = self.inputs.iter().map(|(v, _)| *v).collect();
        state.operands.extend(self.outputs.iter().map(|o| o.0));
        state.regions.push(region);
        state.attrs = fused.attributes(ctx);
        state.span = span;
        ctx.create_op(state)
    }
}

/// The ops of `body` (a kernel body, terminator excluded) that `roots` depend on, stopping
/// at block arguments and at values `is_leaf` names; in body order.
fn slice_ops(
    ctx: &Context,
    body: BlockId,
    roots: &[Value],
    is_leaf: &dyn Fn(Value) -> bool,
) -> Vec<OpId> {
    let mut needed: FxHashSet<Value> = roots.iter().copied().collect();
    let mut ops: Vec<OpId> = ctx.block_ops(body).collect();
    ops.pop();
    let mut slice = Vec::new();
    for &op in ops.iter().rev() {
        let wanted = ctx
            .results(op)
            .iter()
            .any(|r| needed.contains(r) && !is_leaf(*r));
        if wanted {
            needed.extend(ctx.operands(op).iter().copied());
            slice.push(op);
        }
    }
    slice.reverse();
    slice
}

/// Clones what `roots` (values of the kernel body `body`) depend on to the end of `to`;
/// a leaf (a block argument, a value `is_leaf` names, or a value from outside the body)
/// becomes `bind(leaf)` on first use. Returns the clones of `roots`.
pub fn clone_slice(
    ctx: &mut Context,
    body: BlockId,
    to: BlockId,
    roots: &[Value],
    is_leaf: &dyn Fn(Value) -> bool,
    bind: &mut dyn FnMut(&mut Context, Value) -> Value,
) -> Vec<Value> {
    let mut map: FxHashMap<Value, Value> = FxHashMap::default();
    for op in slice_ops(ctx, body, roots, is_leaf) {
        for v in ctx.operands(op).to_vec() {
            if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(v) {
                slot.insert(bind(ctx, v));
            }
        }
        let clone = ctx.clone_op(op, &mut map);
        ctx.append_op(to, clone);
    }
    roots
        .iter()
        .map(|&r| match map.get(&r) {
            Some(&v) => v,
            None => {
                let b = bind(ctx, r);
                map.insert(r, b);
                b
            }
        })
        .collect()
}

/// Cost of one scalar op in units of an add: transcendentals are inline polynomials of
/// 15 to 30 instructions, divisions and square roots a few times an add.
fn op_weight(ctx: &Context, op: OpId) -> u64 {
    match ScalarOp::from_name(ctx.name_str(op)) {
        Some(
            ScalarOp::Exp
            | ScalarOp::Log
            | ScalarOp::Tanh
            | ScalarOp::Sigmoid
            | ScalarOp::Erf
            | ScalarOp::Sin
            | ScalarOp::Cos
            | ScalarOp::Pow
            | ScalarOp::Log1p
            | ScalarOp::Expm1
            | ScalarOp::Tan
            | ScalarOp::Asin
            | ScalarOp::Acos
            | ScalarOp::Atan
            | ScalarOp::Atan2
            | ScalarOp::Sinh
            | ScalarOp::Cosh
            | ScalarOp::Asinh
            | ScalarOp::Acosh
            | ScalarOp::Atanh
            | ScalarOp::Log2
            | ScalarOp::Log10,
        ) => 20,
        Some(
            ScalarOp::Div | ScalarOp::Sqrt | ScalarOp::Rsqrt | ScalarOp::Recip | ScalarOp::Rem,
        ) => 4,
        _ if matches!(ctx.name_str(op), "kernel.const" | "kernel.index") => 0,
        _ => 1,
    }
}

/// The weight of the ops `root` depends on in `body` (down to block arguments and
/// `is_leaf` values), and whether any of them is a `kernel.index`.
pub fn slice_weight(
    ctx: &Context,
    body: BlockId,
    root: Value,
    is_leaf: &dyn Fn(Value) -> bool,
) -> (u64, bool) {
    let ops = slice_ops(ctx, body, &[root], is_leaf);
    let weight = ops.iter().map(|&op| op_weight(ctx, op)).sum();
    let index = ops.iter().any(|&op| ctx.name_str(op) == "kernel.index");
    (weight, index)
}

/// The leaves `root`'s slice reads: block arguments of `body` and `is_leaf` values, each
/// once, in first-use order.
pub fn slice_leaves(
    ctx: &Context,
    body: BlockId,
    root: Value,
    is_leaf: &dyn Fn(Value) -> bool,
) -> Vec<Value> {
    let ops = slice_ops(ctx, body, &[root], is_leaf);
    let inside: FxHashSet<Value> = ops
        .iter()
        .flat_map(|&op| ctx.results(op).iter().copied())
        .collect();
    let mut leaves: Vec<Value> = Vec::new();
    let candidates = ops
        .iter()
        .flat_map(|&op| ctx.operands(op).iter().copied())
        .chain(std::iter::once(root));
    for v in candidates {
        if !inside.contains(&v) && !leaves.contains(&v) {
            leaves.push(v);
        }
    }
    leaves
}
