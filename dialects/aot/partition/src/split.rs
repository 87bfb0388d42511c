//! Building the forward and backward functions from a chosen set of saved values (PyTorch's
//! `_extract_fwd_bwd_modules`): the backward is what the backward outputs need from the
//! saved values and the tangents; saved values it does not use are dropped; the forward is
//! what the forward outputs and the remaining saved values need from the primals. A forward
//! op the backward needs again is cloned into it (recomputed); a random op never is.

use crate::graph::{JointGraph, NodeId, NodeKind};
use crate::ops::{self, OpClass};
use joinery_aot::{AotOutput, DESC_KEY, JointPair};
use joinery_ir::{Attribute, Context, Diagnostic, OpId, OperationState, Value};
use rustc_hash::FxHashMap;

/// The functions a split created, and what it saved and recomputed.
pub(crate) struct SplitResult {
    pub forward: OpId,
    pub backward: OpId,
    pub pair: OpId,
    /// The saved nodes, in saved-value order.
    pub saved: Vec<NodeId>,
    /// Ops computed by both functions.
    pub recomputed: usize,
}

/// Replaces the joint `func` (described by `g`) by `@<name>_forward`, `@<name>_backward`
/// and the `aot.joint_pair` tying them, saving `saved` (joint order).
pub(crate) fn split(
    ctx: &mut Context,
    func: OpId,
    g: &JointGraph,
    saved: &[NodeId],
) -> Result<SplitResult, Diagnostic> {
    let internal = |msg: String| {
        Diagnostic::error(format!(
            "internal error while partitioning '@{}': {msg}",
            g.name
        ))
        .with_span(g.span)
    };
    let n = g.nodes.len();
    if let Some(&x) = saved.iter().find(|&&x| !g.nodes[x as usize].is_tensor) {
        return Err(internal(format!(
            "node {x} is not a tensor but was chosen to be saved"
        )));
    }
    let mut available = vec![false; n];
    for &x in saved.iter().chain(&g.backward_args()) {
        available[x as usize] = true;
    }
    let bwd_compute = g.extract(&available, g.bwd_outputs()).map_err(|x| {
        internal(format!(
            "the backward needs argument node {x}, which it lacks"
        ))
    })?;
    let mut used = vec![false; n];
    for &x in bwd_compute.iter().chain(g.bwd_outputs()) {
        used[x as usize] = true;
        for &p in &g.nodes[x as usize].inputs {
            used[p as usize] = true;
        }
    }
    let saved: Vec<NodeId> = saved
        .iter()
        .copied()
        .filter(|&x| used[x as usize])
        .collect();

    let inputs = g.inputs();
    let mut fwd_available = vec![false; n];
    for &x in &inputs {
        fwd_available[x as usize] = true;
    }
    let fwd_targets: Vec<NodeId> = g.fwd_outputs().iter().chain(&saved).copied().collect();
    let fwd_compute = g.extract(&fwd_available, &fwd_targets).map_err(|x| {
        internal(format!(
            "the forward needs argument node {x}, which it lacks"
        ))
    })?;
    let mut in_forward = vec![false; n];
    for &x in &fwd_compute {
        in_forward[x as usize] = true;
    }
    let mut recomputed = 0;
    for &x in &bwd_compute {
        let node = &g.nodes[x as usize];
        if !in_forward[x as usize] || matches!(node.kind, NodeKind::Item(..)) {
            continue;
        }
        if node.class.has(OpClass::RANDOM) {
            return Err(internal(format!(
                "'{}' would run in both the forward and the backward, but it is not pure",
                ctx.name_str(g.op(x).expect("op node"))
            )));
        }
        recomputed += 1;
    }

    let module = ctx.parent_op(func);
    let fwd_name = format!("{}_forward", g.name);
    let bwd_name = format!("{}_backward", g.name);
    for name in [&fwd_name, &bwd_name] {
        if module.and_then(|m| ctx.lookup_symbol(m, name)).is_some() {
            return Err(Diagnostic::error(format!(
                "cannot partition '@{}': the module already defines '@{name}'",
                g.name
            ))
            .with_span(g.span));
        }
    }
    let arg_dicts = slot_dicts(ctx, func, "arg_attrs");
    let res_dicts = slot_dicts(ctx, func, "res_attrs");
    let empty = ctx.dictionary_attr(Vec::new());
    let arg_dict = |x: NodeId| match g.nodes[x as usize].kind {
        NodeKind::Arg(i) => arg_dicts.get(i).copied().unwrap_or(empty),
        _ => empty,
    };

    let fwd_args: Vec<(NodeId, Attribute)> = inputs.iter().map(|&x| (x, arg_dict(x))).collect();
    let mut fwd_results: Vec<(NodeId, Attribute)> = g
        .fwd_outputs()
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, res_dicts.get(i).copied().unwrap_or(empty)))
        .collect();
    for (i, &x) in saved.iter().enumerate() {
        let desc = AotOutput::SavedForBackwards { idx: i }.to_attr(ctx);
        let dict = ctx.dictionary_attr(vec![(DESC_KEY.to_string(), desc)]);
        fwd_results.push((x, dict));
    }
    let bwd_args: Vec<(NodeId, Attribute)> = saved
        .iter()
        .chain(&g.backward_args())
        .map(|&x| (x, arg_dict(x)))
        .collect();
    let bwd_results: Vec<(NodeId, Attribute)> = g
        .bwd_outputs()
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let dict = res_dicts
                .get(g.num_fwd_outputs + i)
                .copied()
                .unwrap_or(empty);
            (x, dict)
        })
        .collect();

    let forward = emit_function(
        ctx,
        g,
        func,
        &fwd_name,
        &fwd_args,
        &fwd_compute,
        &fwd_results,
    )
    .map_err(internal)?;
    let backward = emit_function(
        ctx,
        g,
        func,
        &bwd_name,
        &bwd_args,
        &bwd_compute,
        &bwd_results,
    )
    .map_err(internal)?;
    let pair = JointPair {
        forward: fwd_name,
        backward: bwd_name,
        num_fwd_outputs: g.num_fwd_outputs,
        num_saved: saved.len(),
    }
    .build(ctx);
    ctx.set_span(pair, g.span);
    ctx.insert_op_after(func, forward);
    ctx.insert_op_after(forward, backward);
    ctx.insert_op_after(backward, pair);
    ctx.erase_op(func);
    Ok(SplitResult {
        forward,
        backward,
        pair,
        saved,
        recomputed,
    })
}

/// The per-slot attribute dictionaries of a function (`arg_attrs` / `res_attrs`).
fn slot_dicts(ctx: &Context, func: OpId, key: &str) -> Vec<Attribute> {
    ctx.attr(func, key)
        .and_then(|a| ctx.as_array(a))
        .map(<[Attribute]>::to_vec)
        .unwrap_or_default()
}

/// Creates a detached `func.func @name` taking `args`, computing `compute` (joint order) and
/// returning `results`, each with its attribute dictionary.
fn emit_function(
    ctx: &mut Context,
    g: &JointGraph,
    joint: OpId,
    name: &str,
    args: &[(NodeId, Attribute)],
    compute: &[NodeId],
    results: &[(NodeId, Attribute)],
) -> Result<OpId, String> {
    let value = |x: NodeId| g.nodes[x as usize].value;
    let mut arg_types = Vec::with_capacity(args.len());
    for &(x, _) in args {
        let v = value(x).ok_or("a tuple node cannot be an argument")?;
        arg_types.push(ctx.value_type(v));
    }
    let block = ctx.create_block(&arg_types);
    let mut map: FxHashMap<Value, Value> = FxHashMap::default();
    for (k, &(x, _)) in args.iter().enumerate() {
        let (old, new) = (value(x).expect("checked above"), ctx.block_args(block)[k]);
        copy_value_info(ctx, old, new);
        map.insert(old, new);
    }
    for &x in compute {
        match g.nodes[x as usize].kind {
            NodeKind::Op(op) | NodeKind::Tuple(op) => emit_op(ctx, op, &mut map, block)?,
            NodeKind::Item(..) => {} // mapped with its tuple's op
            NodeKind::Arg(_) => return Err("an argument cannot be computed".into()),
        }
    }
    let mut returned = Vec::with_capacity(results.len());
    for &(x, _) in results {
        let old = value(x).ok_or("a tuple node cannot be returned")?;
        returned.push(
            *map.get(&old)
                .ok_or_else(|| format!("'@{name}' returns a value it does not compute"))?,
        );
    }
    let result_types: Vec<_> = returned.iter().map(|&v| ctx.value_type(v)).collect();
    let ret_name = ctx.op_name("func.return");
    let mut ret = OperationState::new(ret_name);
    ret.operands = returned;
    ret.span = ctx.span(joint);
    let ret = ctx.create_op(ret);
    ctx.append_op(block, ret);

    let region = ctx.create_region();
    ctx.append_block(region, block);
    let function_type = ctx.function_type(arg_types, result_types);
    let arg_attrs = ctx.array_attr(args.iter().map(|&(_, d)| d).collect());
    let res_attrs = ctx.array_attr(results.iter().map(|&(_, d)| d).collect());
    let mut state = OperationState::new(ctx.op_name("func.func"));
    state.attrs = vec![
        ("sym_name".into(), ctx.string_attr(name)),
        ("function_type".into(), ctx.type_attr(function_type)),
        ("arg_attrs".into(), arg_attrs),
        ("res_attrs".into(), res_attrs),
    ];
    state.regions = vec![region];
    state.span = ctx.span(joint);
    state.loc = ctx.loc(joint).cloned();
    Ok(ctx.create_op(state))
}

/// Clones a joint op into `block`, or rebuilds a metadata-only op from its static type
/// when its operand is not available there.
fn emit_op(
    ctx: &mut Context,
    op: OpId,
    map: &mut FxHashMap<Value, Value>,
    block: joinery_ir::BlockId,
) -> Result<(), String> {
    let missing = ctx.operands(op).iter().any(|v| !map.contains_key(v));
    let new = if !missing {
        ctx.clone_op(op, map)
    } else if let Some(factory) = ops::factory_of(ctx.name_str(op)) {
        let new = build_factory(ctx, op, factory)?;
        map.insert(ctx.result(op, 0), ctx.result(new, 0));
        new
    } else {
        return Err(format!(
            "'{}' is placed where one of its operands is not available",
            ctx.name_str(op)
        ));
    };
    for k in 0..ctx.results(op).len() {
        copy_value_info(ctx, ctx.result(op, k), ctx.result(new, k));
    }
    ctx.append_op(block, new);
    Ok(())
}

/// `zeros_like(x)` → `zeros {size, dtype}` (and `ones`, `empty`, `full` alike), from the
/// static result type; the like-op's other options carry over.
fn build_factory(ctx: &mut Context, op: OpId, factory: &str) -> Result<OpId, String> {
    let result = ctx.result(op, 0);
    let ty = ctx.value_type(result);
    let (dims, element) = ctx
        .tensor_parts(ty)
        .ok_or("a metadata-only op must have a tensor result")?;
    let sizes: Option<Vec<i64>> = dims.iter().map(|d| d.extent().map(|e| e as i64)).collect();
    let sizes = sizes.ok_or("a metadata-only op needs a static result shape")?;
    let size_items = sizes.iter().map(|&s| ctx.integer_attr(s, 64)).collect();
    let mut attrs = vec![
        ("size".to_string(), ctx.array_attr(size_items)),
        ("dtype".to_string(), ctx.type_attr(element)),
    ];
    for (k, v) in ctx.attrs(op) {
        let keep = matches!(k, "fill_value" | "layout" | "device" | "pin_memory")
            || (k == "memory_format" && factory == "aten.empty.memory_format");
        if keep {
            attrs.push((k.to_string(), v));
        }
    }
    let mut state = OperationState::new(ctx.op_name(factory));
    state.result_types = vec![ty];
    state.attrs = attrs;
    state.span = ctx.span(op);
    state.loc = ctx.loc(op).cloned();
    Ok(ctx.create_op(state))
}

fn copy_value_info(ctx: &mut Context, old: Value, new: Value) {
    let name = ctx.value_name(old).map(str::to_string);
    ctx.set_value_name(new, name.as_deref());
    ctx.set_value_span(new, ctx.value_span(old));
}
