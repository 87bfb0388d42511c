//! `kernel-fuse`: vertical fusion of `kernel.fused` loop nests, as inductor's scheduler
//! fuses a producer into its consumer.
//!
//! A producer `P` merges into a consumer `C` when `C` reads a buffer `P` stores, both
//! iterate over the same space, and every read `C` makes of `P`'s outputs is element for
//! element (identity maps, so the value is in a register at that point of the loop nest).
//! The merged kernel computes `P`'s body, then `C`'s with those reads replaced by `P`'s
//! yielded scalars; `P`'s stores that something else still reads (another op, or the
//! caller: a result buffer) stay as extra outputs, the rest disappear with their
//! `kernel.alloc`. The merged kernel sits where `C` was when no op between them touches
//! `P`'s outputs or writes its inputs; else where `P` was, after the ops between them
//! that `C` depends on (their dependency cone, fills of `C`'s accumulators included) are
//! hoisted above `P`, when none of those touches `P`'s outputs or writes its inputs, the
//! ops left between read neither `C`'s outputs nor what a hoisted op writes, and what
//! moves up uses no value defined below `P`; otherwise the pair is left alone (fusing
//! would reorder a read and a write). Buffers being written once
//! before memory planning is what makes this reasoning sound, so the pass refuses planned
//! functions. A reduction is never read inside its own loop nest (its value is complete
//! only after it), so a reduction's pointwise prologue fuses into it and its epilogue
//! starts the next kernel.

use crate::attrs::{Fused, Map};
use joinery_ir::{Context, Diagnostic, InsertPoint, OpId, OperationState, Value};
use joinery_pass::{Pass, PassInfo, PassOptions, PassResult, PassState};
use rustc_hash::FxHashMap;

/// Buffers an op writes: a fused kernel's outputs, a GEMM's `c`, a fill's buffer.
fn written(ctx: &Context, op: OpId) -> Vec<Value> {
    let operands = ctx.operands(op);
    match ctx.name_str(op) {
        "kernel.fused" => match Fused::read(ctx, op) {
            Ok(k) => operands[k.num_inputs.min(operands.len())..].to_vec(),
            Err(_) => operands.to_vec(),
        },
        "kernel.gemm" => operands.get(2).copied().into_iter().collect(),
        "kernel.fill" => operands.to_vec(),
        _ => Vec::new(),
    }
}

/// The only op writing `buffer`, if exactly one does.
fn sole_writer(ctx: &Context, buffer: Value) -> Option<OpId> {
    let mut writers = ctx
        .uses(buffer)
        .iter()
        .map(|u| u.op)
        .filter(|&op| written(ctx, op).contains(&buffer));
    let first = writers.next()?;
    writers.all(|w| w == first).then_some(first)
}

/// A kernel with its attributes and operands.
struct Kernel {
    op: OpId,
    attrs: Fused,
    inputs: Vec<Value>,
    outputs: Vec<Value>,
}

impl Kernel {
    fn read(ctx: &Context, op: OpId) -> Result<Kernel, Diagnostic> {
        let attrs = Fused::read(ctx, op)?;
        let operands = ctx.operands(op);
        Ok(Kernel {
            op,
            inputs: operands[..attrs.num_inputs].to_vec(),
            outputs: operands[attrs.num_inputs..].to_vec(),
            attrs,
        })
    }

    fn body(&self, ctx: &Context) -> joinery_ir::BlockId {
        ctx.region_blocks(ctx.regions(self.op)[0])[0]
    }
}

/// Where the merged kernel goes.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Placement {
    /// Where the consumer was.
    AtConsumer,
    /// Where the producer was, after the listed ops between them that the consumer
    /// depends on, hoisted above the producer in their order.
    AtProducer { hoisted: Vec<OpId> },
}

/// The ops of `between` that `c` depends on, directly or through each other: writers of
/// what a member reads or accumulates into. Buffers are written once (an accumulator:
/// one fill, then its reduction), so these are all the ops that must stay before `c`.
fn dependency_cone(ctx: &Context, c: &Kernel, between: &[OpId]) -> Vec<OpId> {
    let mut needed: Vec<Value> = ctx.operands(c.op).to_vec();
    let mut cone = Vec::new();
    for &op in between.iter().rev() {
        if written(ctx, op).iter().any(|w| needed.contains(w)) {
            needed.extend(ctx.operands(op));
            cone.push(op);
        }
    }
    cone.reverse();
    cone
}

/// Whether `p` can merge into `c`, and where.
fn legal(ctx: &Context, p: &Kernel, c: &Kernel, between: &[OpId]) -> Option<Placement> {
    if p.attrs.space != c.attrs.space {
        return None;
    }
    let mut reads_p = false;
    for (v, map) in c.inputs.iter().zip(&c.attrs.in_maps) {
        if let Some(j) = p.outputs.iter().position(|o| o == v) {
            let stored = p.attrs.out_kinds[j] == crate::OutKind::Store
                && p.attrs.out_maps[j] == *map
                && map.is_identity_over(&c.attrs.space);
            if !stored {
                return None;
            }
            reads_p = true;
        }
    }
    if !reads_p
        || c.outputs
            .iter()
            .any(|o| p.outputs.contains(o) || p.inputs.contains(o))
    {
        return None;
    }
    let touches = |op: OpId, vs: &[Value]| ctx.operands(op).iter().any(|v| vs.contains(v));
    let writes_p_input = |op: OpId| written(ctx, op).iter().any(|w| p.inputs.contains(w));
    // The producer moves down to the consumer past ops that neither touch its outputs nor
    // overwrite its inputs.
    if !between
        .iter()
        .any(|&op| touches(op, &p.outputs) || writes_p_input(op))
    {
        return Some(Placement::AtConsumer);
    }
    // Hoist what the consumer needs above the producer, if none of it reads or writes the
    // producer's buffers.
    let cone = dependency_cone(ctx, c, between);
    let independent = cone
        .iter()
        .all(|&op| !touches(op, &p.outputs) && !writes_p_input(op));
    // Ops that stay between must not see a moved op's writes early: the consumer's
    // outputs, or what a hoisted op after them writes.
    let ordered = between.iter().enumerate().all(|(i, &x)| {
        cone.contains(&x)
            || (!touches(x, &c.outputs)
                && between[i + 1..]
                    .iter()
                    .filter(|y| cone.contains(y))
                    .all(|&y| !touches(x, &written(ctx, y))))
    });
    // What moves above the producer may only use values defined there (an alloc between
    // the two stays below it).
    let defined_below = |v: &Value| {
        ctx.defining_op(*v)
            .is_some_and(|d| between.contains(&d) && !cone.contains(&d))
    };
    let movable = cone
        .iter()
        .chain([&c.op])
        .all(|&op| !ctx.operands(op).iter().any(defined_below));
    (independent && ordered && movable).then_some(Placement::AtProducer { hoisted: cone })
}

/// Builds the kernel computing `p` then `c`, inserted before `at`; returns it.
fn merge(ctx: &mut Context, p: &Kernel, c: &Kernel, at: OpId) -> OpId {
    // Inputs: the producer's, then the consumer's that are not the producer's outputs,
    // each (buffer, map) pair once.
    let mut inputs: Vec<(Value, Map)> = Vec::new();
    let slot = |v: Value, map: &Map, inputs: &mut Vec<(Value, Map)>| match inputs
        .iter()
        .position(|(w, m)| *w == v && m == map)
    {
        Some(i) => i,
        None => {
            inputs.push((v, map.clone()));
            inputs.len() - 1
        }
    };
    let p_slots: Vec<usize> = p
        .inputs
        .iter()
        .zip(&p.attrs.in_maps)
        .map(|(&v, m)| slot(v, m, &mut inputs))
        .collect();
    let c_slots: Vec<Option<usize>> = c
        .inputs
        .iter()
        .zip(&c.attrs.in_maps)
        .map(|(&v, m)| (!p.outputs.contains(&v)).then(|| slot(v, m, &mut inputs)))
        .collect();

    let arg_types: Vec<_> = inputs
        .iter()
        .map(|(v, _)| {
            let ty = ctx.value_type(*v);
            ctx.tensor_parts(ty).map_or(ty, |(_, e)| e)
        })
        .collect();
    let block = ctx.create_block(&arg_types);
    let region = ctx.create_region();
    ctx.append_block(region, block);
    let args = ctx.block_args(block).to_vec();

    let mut map: FxHashMap<Value, Value> = FxHashMap::default();
    let p_body = p.body(ctx);
    for (i, &a) in ctx.block_args(p_body).to_vec().iter().enumerate() {
        map.insert(a, args[p_slots[i]]);
    }
    let p_yields = clone_body(ctx, p_body, block, &mut map);
    let c_body = c.body(ctx);
    for (i, &a) in ctx.block_args(c_body).to_vec().iter().enumerate() {
        let v = match c_slots[i] {
            Some(s) => args[s],
            None => {
                let j = p
                    .outputs
                    .iter()
                    .position(|o| *o == c.inputs[i])
                    .expect("a P output");
                p_yields[j]
            }
        };
        map.insert(a, v);
    }
    let c_yields = clone_body(ctx, c_body, block, &mut map);

    // Outputs: the consumer's, then the producer's that something else still reads.
    let mut outputs = c.outputs.clone();
    let mut out_maps = c.attrs.out_maps.clone();
    let mut out_kinds = c.attrs.out_kinds.clone();
    let mut yields = c_yields;
    for (j, &o) in p.outputs.iter().enumerate() {
        let other_use = ctx
            .uses(o)
            .iter()
            .any(|u| u.op != p.op && u.op != c.op && ctx.name_str(u.op) != "kernel.alloc");
        let is_result = ctx
            .defining_op(o)
            .is_some_and(|a| ctx.attr(a, "output").is_some());
        if other_use || is_result {
            outputs.push(o);
            out_maps.push(p.attrs.out_maps[j].clone());
            out_kinds.push(p.attrs.out_kinds[j]);
            yields.push(p_yields[j]);
        }
    }
    joinery_ir::Builder::new(ctx, InsertPoint::End(block)).build(
        "kernel.yield",
        &yields,
        &[],
        vec![],
    );

    let fused = Fused {
        name: c.attrs.name.clone(),
        space: c.attrs.space.clone(),
        num_inputs: inputs.len(),
        in_maps: inputs.iter().map(|(_, m)| m.clone()).collect(),
        out_maps,
        out_kinds,
        sources: p
            .attrs
            .sources
            .iter()
            .chain(&c.attrs.sources)
            .cloned()
            .collect(),
    };
    let mut operands: Vec<Value> = inputs.iter().map(|(v, _)| *v).collect();
    operands.extend(&outputs);
    let mut state = OperationState::new(ctx.op_name("kernel.fused"));
    state.operands = operands;
    state.regions.push(region);
    state.attrs = fused.attributes(ctx);
    state.span = ctx.span(c.op);
    let op = ctx.create_op(state);
    ctx.insert_op_before(at, op);
    op
}

/// Clones the ops of `from` except its terminator to the end of `to`; returns the
/// terminator's operands, remapped.
fn clone_body(
    ctx: &mut Context,
    from: joinery_ir::BlockId,
    to: joinery_ir::BlockId,
    map: &mut FxHashMap<Value, Value>,
) -> Vec<Value> {
    let ops: Vec<OpId> = ctx.block_ops(from).collect();
    let (terminator, body) = ops
        .split_last()
        .expect("verified bodies end in kernel.yield");
    for &op in body {
        let clone = ctx.clone_op(op, map);
        ctx.append_op(to, clone);
    }
    ctx.operands(*terminator)
        .iter()
        .map(|v| *map.get(v).unwrap_or(v))
        .collect()
}

/// Fuses the kernels of `func` until no pair merges; returns the number of merges.
pub fn fuse_function(ctx: &mut Context, func: OpId) -> Result<usize, Diagnostic> {
    let Some(block) = ctx.body_block(func) else {
        return Ok(0);
    };
    if let Some(planned) = ctx
        .block_ops(block)
        .find(|&op| ctx.name_str(op) == "kernel.alloc" && ctx.attr(op, "offset").is_some())
    {
        return Err(Diagnostic::error(
            "kernel-fuse needs unplanned buffers (each written once); run it before \
             kernel-plan-memory",
        )
        .with_span(ctx.span(planned)));
    }
    let mut merges = 0;
    'restart: loop {
        let ops: Vec<OpId> = ctx.block_ops(block).collect();
        let position: FxHashMap<OpId, usize> =
            ops.iter().enumerate().map(|(i, &o)| (o, i)).collect();
        for (ci, &c_op) in ops.iter().enumerate() {
            if ctx.name_str(c_op) != "kernel.fused" {
                continue;
            }
            let c = Kernel::read(ctx, c_op)?;
            for &input in &c.inputs {
                let Some(p_op) = sole_writer(ctx, input) else {
                    continue;
                };
                if p_op == c_op || ctx.name_str(p_op) != "kernel.fused" {
                    continue;
                }
                let Some(&pi) = position.get(&p_op) else {
                    continue;
                };
                if pi >= ci {
                    continue;
                }
                let p = Kernel::read(ctx, p_op)?;
                let Some(placement) = legal(ctx, &p, &c, &ops[pi + 1..ci]) else {
                    continue;
                };
                let at = match placement {
                    Placement::AtConsumer => c_op,
                    Placement::AtProducer { hoisted } => {
                        for op in hoisted {
                            ctx.move_op_before(op, p_op);
                        }
                        p_op
                    }
                };
                merge(ctx, &p, &c, at);
                ctx.erase_op(c_op);
                ctx.erase_op(p_op);
                for o in p.outputs {
                    if let Some(alloc) = ctx.defining_op(o)
                        && ctx.name_str(alloc) == "kernel.alloc"
                        && ctx.is_unused(o)
                    {
                        ctx.erase_op(alloc);
                    }
                }
                merges += 1;
                continue 'restart;
            }
        }
        return Ok(merges);
    }
}

/// The declaration of `kernel-fuse`.
pub static FUSE: PassInfo = PassInfo {
    name: "kernel-fuse",
    title: "KernelFuse",
    summary: "Merge producer loop nests into their consumers (vertical fusion)",
    description: "Merges a kernel.fused producer into a kernel.fused consumer that reads its \
        stored output element for element over the same iteration space, keeping the value \
        in a register; stores still read elsewhere (or returned) stay as extra outputs, the \
        others and their allocs are removed. Repeats until nothing merges.\n\
        Needs: an L3 function before kernel-plan-memory (buffers written once; a planned \
        function is refused).\n\
        Guarantees: every read still sees the value the unfused function gave it (a merge \
        that would move a read across a write is not made); reductions are never read in \
        their own loop nest.\n\
        Gaps: no horizontal fusion of independent kernels over one space; no fusion across \
        a view with other strides (the consumer then reads the stored buffer); GEMM \
        epilogues are separate kernels.",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[("merges", "Producer kernels merged into their consumers")],
    constructor: |_: &PassOptions| Box::new(Fuse),
};

/// The `kernel-fuse` pass.
struct Fuse;

impl Pass for Fuse {
    fn run(&mut self, ctx: &mut Context, func: OpId, state: &mut PassState) -> PassResult {
        let merges = fuse_function(ctx, func).map_err(|d| vec![d])?;
        state.add_statistic("merges", merges as u64);
        Ok(merges > 0)
    }
}
