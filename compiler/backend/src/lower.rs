//! Lowering from aten (L1/L2) to the kernel dialect (L3): fusion and emission.
//!
//! Fusion is inductor's vertical fusion over the [`graph`](crate::graph): every
//! pointwise or reduction node starts in its own group; a producer's group merges into a
//! consumer's when the producer is pointwise, both iterate over the same space, the
//! consumer reads the producer element for element (no view in between), and no path
//! through a third group joins them (that would make a cycle). A group becomes one
//! `kernel.fused`: members used only inside stay in registers; members used elsewhere,
//! returned, or reduced are written out. Reductions are never read inside their own
//! group (their value is complete only after the loop), so a reduction's pointwise
//! prologue fuses with it and its epilogue starts the next kernel. GEMMs become
//! `kernel.gemm` on strided operands (transposes are free), after a kernel broadcasting
//! the bias into the output for `addmm`.

use crate::graph::{
    self, Bin, Cmp, Expr, Graph, NodeId, NodeKind, Operand, Reduce, Un, contiguous,
};
use joinery_aten::DType;
use joinery_ir::{
    Attribute, Builder, Context, Diagnostic, InsertPoint, OpId, OperationState, Type, Value,
};
use rustc_hash::{FxHashMap, FxHashSet};

/// What lowering one function produced.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// The L3 `func.func`.
    pub func: OpId,
    /// Number of `kernel.fused` ops and of aten-level nodes fused into them.
    pub kernels: usize,
    pub gemms: usize,
}

fn space_of(g: &Graph, n: NodeId) -> Option<&[u64]> {
    match &g.nodes[n].kind {
        NodeKind::Pointwise { .. } => Some(&g.nodes[n].shape),
        NodeKind::Reduce { operand, .. } => Some(&operand.shape),
        _ => None,
    }
}

fn operands(g: &Graph, n: NodeId) -> Vec<&Operand> {
    match &g.nodes[n].kind {
        NodeKind::Input(_) => Vec::new(),
        NodeKind::Pointwise { operands, .. } => operands.iter().collect(),
        NodeKind::Reduce { operand, .. } => vec![operand],
        NodeKind::Gemm { a, b, bias, .. } => {
            let mut v = vec![a, b];
            v.extend(bias.iter());
            v
        }
        NodeKind::Concat { parts, .. } => parts.iter().collect(),
    }
}

fn fusable(g: &Graph, o: &Operand, consumer: NodeId) -> bool {
    let p = &g.nodes[o.node];
    matches!(p.kind, NodeKind::Pointwise { .. })
        && space_of(g, consumer) == Some(&p.shape[..])
        && o.is_identity(&p.shape)
}

/// Whether `o` covers all of its node's buffer in row-major order (any shape).
fn is_whole(g: &Graph, o: &Operand) -> bool {
    let shape = &g.nodes[o.node].shape;
    o.map.offset == 0
        && o.shape.iter().product::<u64>() == shape.iter().product::<u64>()
        && o.map
            .strides
            .iter()
            .zip(contiguous(&o.shape))
            .zip(&o.shape)
            .all(|((&s, c), &d)| d == 1 || s == c)
}

/// Fusion groups: `group[n]` for compute nodes, members in id order.
struct Groups {
    of: Vec<usize>,
    members: Vec<Vec<NodeId>>,
}

fn form_groups(g: &Graph, users: &[Vec<NodeId>]) -> Groups {
    let n = g.nodes.len();
    let mut of: Vec<usize> = (0..n).collect();
    let mut members: Vec<Vec<NodeId>> = (0..n).map(|i| vec![i]).collect();
    for c in 0..n {
        if space_of(g, c).is_none() {
            continue;
        }
        for o in operands(g, c) {
            if !fusable(g, o, c) {
                continue;
            }
            let (gp, gc) = (of[o.node], of[c]);
            if gp == gc {
                continue;
            }
            // Every edge from gp into gc must be fusable.
            let all_fusable = members[gc].iter().all(|&m| {
                operands(g, m)
                    .iter()
                    .all(|x| of[x.node] != gp || fusable(g, x, m))
            });
            if !all_fusable || reaches_through_other(g, users, &of, &members, gp, gc) {
                continue;
            }
            let moved = std::mem::take(&mut members[gp]);
            for &m in &moved {
                of[m] = gc;
            }
            members[gc].extend(moved);
            members[gc].sort_unstable();
        }
    }
    Groups { of, members }
}

/// Whether group `to` is reachable from group `from` through some third group.
fn reaches_through_other(
    g: &Graph,
    users: &[Vec<NodeId>],
    of: &[usize],
    members: &[Vec<NodeId>],
    from: usize,
    to: usize,
) -> bool {
    let _ = g;
    let succ = |grp: usize| -> FxHashSet<usize> {
        members[grp]
            .iter()
            .flat_map(|&m| users[m].iter().map(|&u| of[u]))
            .filter(|&x| x != grp)
            .collect()
    };
    let mut stack: Vec<usize> = succ(from).into_iter().filter(|&x| x != to).collect();
    let mut seen: FxHashSet<usize> = stack.iter().copied().collect();
    while let Some(x) = stack.pop() {
        for y in succ(x) {
            if y == to {
                return true;
            }
            if seen.insert(y) {
                stack.push(y);
            }
        }
    }
    false
}

fn dtype_type(ctx: &mut Context, d: DType) -> Type {
    d.to_type(ctx)
}

fn i64_array(ctx: &mut Context, v: &[i64]) -> Attribute {
    let items = v.iter().map(|&x| ctx.integer_attr(x, 64)).collect();
    ctx.array_attr(items)
}

fn map_attr(ctx: &mut Context, o: &Operand) -> Attribute {
    let mut v = vec![o.map.offset];
    v.extend(&o.map.strides);
    i64_array(ctx, &v)
}

fn short_name(src: &str) -> String {
    let s = src.strip_prefix("aten.").unwrap_or(src);
    s.split('.')
        .next()
        .unwrap_or(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Lowers the aten function `func` into an L3 function appended to `dest` (a module).
pub fn lower_function(ctx: &mut Context, func: OpId, dest: OpId) -> Result<Lowered, Diagnostic> {
    let mut g = graph::build(ctx, func)?;
    // Results that are not a whole computed buffer (arguments, views, repeats) get a copy.
    let mut claimed: FxHashSet<NodeId> = FxHashSet::default();
    for j in 0..g.outputs.len() {
        let Some(o) = g.outputs[j].clone() else {
            continue;
        };
        let computed = !matches!(g.nodes[o.node].kind, NodeKind::Input(_));
        if computed && is_whole(&g, &o) && claimed.insert(o.node) {
            continue;
        }
        let node = &g.nodes[o.node];
        let dt = node.dtype;
        let src = format!("copy of result #{j}");
        g.nodes.push(graph::Node {
            kind: NodeKind::Pointwise {
                operands: vec![o.clone()],
                expr: Expr::In(0),
            },
            shape: o.shape.clone(),
            dtype: dt,
            source: src,
        });
        let id = g.nodes.len() - 1;
        claimed.insert(id);
        g.outputs[j] = Some(Operand {
            node: id,
            shape: o.shape.clone(),
            map: graph::Map {
                offset: 0,
                strides: contiguous(&o.shape),
            },
        });
    }
    let n = g.nodes.len();
    let mut users: Vec<Vec<NodeId>> = vec![Vec::new(); n];
    for c in 0..n {
        for o in operands(&g, c) {
            users[o.node].push(c);
        }
    }
    let output_of: FxHashMap<NodeId, usize> = g
        .outputs
        .iter()
        .enumerate()
        .filter_map(|(j, o)| o.as_ref().map(|o| (o.node, j)))
        .collect();
    let groups = form_groups(&g, &users);
    let materialized: Vec<bool> = (0..n)
        .map(|m| match g.nodes[m].kind {
            NodeKind::Pointwise { .. } => {
                output_of.contains_key(&m) || users[m].iter().any(|&u| groups.of[u] != groups.of[m])
            }
            _ => true,
        })
        .collect();

    // The L3 function: same signature and argument/result attributes.
    let name = ctx.symbol_name(func).unwrap_or("fn").to_string();
    let region = ctx.create_region();
    let arg_types: Vec<Type> = ctx
        .block_args(ctx.body_block(func).expect("checked by graph::build"))
        .iter()
        .map(|&a| ctx.value_type(a))
        .collect();
    let body = ctx.create_block(&arg_types);
    ctx.append_block(region, body);
    let mut state = OperationState::new(ctx.op_name("func.func"));
    state.regions.push(region);
    state.attrs = ctx
        .attrs(func)
        .filter(|(k, _)| matches!(*k, "arg_attrs" | "res_attrs" | "function_type" | "sym_name"))
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    state.span = ctx.span(func);
    let l3 = ctx.create_op(state);
    let dest_block = ctx.body_block(dest).expect("modules have a body");
    ctx.append_op(dest_block, l3);
    let old_args: Vec<Value> = ctx
        .block_args(ctx.body_block(func).expect("has body"))
        .to_vec();
    for (i, &a) in old_args.iter().enumerate() {
        let nm = ctx.value_name(a).map(str::to_string);
        let na = ctx.block_args(body)[i];
        ctx.set_value_name(na, nm.as_deref());
    }

    let result_types = joinery_func::signature(ctx, func)
        .map(|(_, r)| r)
        .unwrap_or_default();
    // Buffers of materialized nodes.
    let mut buf: Vec<Option<Value>> = vec![None; n];
    for m in 0..n {
        if !materialized[m] {
            continue;
        }
        if let NodeKind::Input(i) = g.nodes[m].kind {
            buf[m] = Some(ctx.block_args(body)[i]);
            continue;
        }
        let et = dtype_type(ctx, g.nodes[m].dtype);
        // A result buffer has the declared result type (the node may hold the same
        // elements in another shape, e.g. a reduction with its unit dims kept).
        let ty = match output_of.get(&m) {
            Some(&j) => result_types[j],
            None => ctx.static_tensor_type(&g.nodes[m].shape, et),
        };
        let mut attrs = Vec::new();
        if let Some(&j) = output_of.get(&m) {
            attrs.push(("output".to_string(), ctx.integer_attr(j as i64, 64)));
        }
        let op = Builder::new(ctx, InsertPoint::End(body)).build("kernel.alloc", &[], &[ty], attrs);
        buf[m] = Some(ctx.result(op, 0));
    }

    // Groups (and GEMMs) in dependency order.
    let order = group_order(&g, &users, &groups);
    let mut kernels = 0;
    let mut gemms = 0;
    for grp in order {
        let first = groups.members[grp][0];
        if let NodeKind::Gemm {
            a,
            b,
            bias,
            batch,
            m,
            n: nn,
            k,
        } = &g.nodes[first].kind
        {
            let c = buf[first].expect("gemm outputs are materialized");
            let shape = g.nodes[first].shape.clone();
            if let Some(bias) = bias {
                let bsrc = format!("{} (bias)", g.nodes[first].source);
                let whole = graph::Map {
                    offset: 0,
                    strides: contiguous(&shape),
                };
                emit_copy_kernel(
                    ctx,
                    body,
                    &g,
                    &buf,
                    bias,
                    c,
                    &whole,
                    &format!("{name}_k{kernels}_bias"),
                    &bsrc,
                );
                kernels += 1;
            }
            let gm = |ctx: &mut Context, o: &Operand| {
                let s = &o.map.strides;
                let v = if s.len() == 3 {
                    vec![o.map.offset, s[0], s[1], s[2]]
                } else {
                    vec![o.map.offset, 0, s[0], s[1]]
                };
                i64_array(ctx, &v)
            };
            let cs = contiguous(&shape);
            let cmap = if cs.len() == 3 {
                vec![0, cs[0], cs[1], cs[2]]
            } else {
                vec![0, 0, cs[0], cs[1]]
            };
            let attrs = vec![
                ("a_map".to_string(), gm(ctx, a)),
                ("b_map".to_string(), gm(ctx, b)),
                ("c_map".to_string(), i64_array(ctx, &cmap)),
                ("accumulate".to_string(), ctx.bool_attr(bias.is_some())),
                ("batch".to_string(), ctx.integer_attr(*batch as i64, 64)),
                ("m".to_string(), ctx.integer_attr(*m as i64, 64)),
                ("n".to_string(), ctx.integer_attr(*nn as i64, 64)),
                ("k".to_string(), ctx.integer_attr(*k as i64, 64)),
                ("sources".to_string(), {
                    let s = ctx.string_attr(g.nodes[first].source.clone());
                    ctx.array_attr(vec![s])
                }),
            ];
            let ops = [
                buf[a.node].expect("materialized"),
                buf[b.node].expect("materialized"),
                c,
            ];
            Builder::new(ctx, InsertPoint::End(body)).build("kernel.gemm", &ops, &[], attrs);
            gemms += 1;
            continue;
        }
        if let NodeKind::Concat { parts, dim } = &g.nodes[first].kind {
            let out = buf[first].expect("concats are materialized");
            let strides = contiguous(&g.nodes[first].shape);
            let mut start = 0i64;
            for (i, p) in parts.iter().enumerate() {
                let slice = graph::Map {
                    offset: start * strides[*dim],
                    strides: strides.clone(),
                };
                let src = g.nodes[first].source.clone();
                emit_copy_kernel(
                    ctx,
                    body,
                    &g,
                    &buf,
                    p,
                    out,
                    &slice,
                    &format!("{name}_k{kernels}_cat{i}"),
                    &src,
                );
                kernels += 1;
                start += p.shape[*dim] as i64;
            }
            continue;
        }
        if space_of(&g, first).is_none() {
            continue;
        }
        emit_group(
            ctx,
            body,
            &g,
            &groups.members[grp],
            &materialized,
            &buf,
            &format!("{name}_k{kernels}"),
        )?;
        kernels += 1;
    }

    // Return.
    let mut rets = Vec::new();
    for o in &g.outputs {
        match o {
            Some(o) => rets.push(buf[o.node].expect("outputs are materialized")),
            None => {
                let none = ctx.none_type();
                let op = Builder::new(ctx, InsertPoint::End(body)).build(
                    "aot.none",
                    &[],
                    &[none],
                    vec![],
                );
                rets.push(ctx.result(op, 0));
            }
        }
    }
    Builder::new(ctx, InsertPoint::End(body)).build("func.return", &rets, &[], vec![]);
    Ok(Lowered {
        func: l3,
        kernels,
        gemms,
    })
}

fn group_order(g: &Graph, users: &[Vec<NodeId>], groups: &Groups) -> Vec<usize> {
    let live: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| !groups.members[i].is_empty())
        .collect();
    let mut indeg: FxHashMap<usize, usize> = live.iter().map(|&x| (x, 0)).collect();
    let mut succ: FxHashMap<usize, FxHashSet<usize>> = FxHashMap::default();
    for &grp in &live {
        let s: FxHashSet<usize> = groups.members[grp]
            .iter()
            .flat_map(|&m| users[m].iter().map(|&u| groups.of[u]))
            .filter(|&x| x != grp)
            .collect();
        for &t in &s {
            *indeg.get_mut(&t).expect("live group") += 1;
        }
        succ.insert(grp, s);
    }
    let mut ready: std::collections::BTreeSet<(NodeId, usize)> = live
        .iter()
        .filter(|x| indeg[x] == 0)
        .map(|&x| (groups.members[x][0], x))
        .collect();
    let mut out = Vec::new();
    while let Some(&first) = ready.iter().next() {
        ready.remove(&first);
        let grp = first.1;
        out.push(grp);
        for &t in &succ[&grp] {
            let d = indeg.get_mut(&t).expect("live group");
            *d -= 1;
            if *d == 0 {
                ready.insert((groups.members[t][0], t));
            }
        }
    }
    out
}

/// A kernel storing `src` into buffer `dst` through `dst_map` (over `src`'s shape).
#[allow(clippy::too_many_arguments)]
fn emit_copy_kernel(
    ctx: &mut Context,
    body: joinery_ir::BlockId,
    g: &Graph,
    buf: &[Option<Value>],
    src: &Operand,
    dst: Value,
    dst_map: &graph::Map,
    name: &str,
    source: &str,
) {
    let shape = &src.shape[..];
    let et = dtype_type(ctx, g.nodes[src.node].dtype);
    let region = ctx.create_region();
    let block = ctx.create_block(&[et]);
    ctx.append_block(region, block);
    let arg = ctx.block_args(block)[0];
    Builder::new(ctx, InsertPoint::End(block)).build("kernel.yield", &[arg], &[], vec![]);
    let out = Operand {
        node: 0,
        shape: shape.to_vec(),
        map: dst_map.clone(),
    };
    let in_maps = {
        let m = map_attr(ctx, src);
        ctx.array_attr(vec![m])
    };
    let out_maps = {
        let m = map_attr(ctx, &out);
        ctx.array_attr(vec![m])
    };
    let kinds = {
        let s = ctx.string_attr("store");
        ctx.array_attr(vec![s])
    };
    let sources = {
        let s = ctx.string_attr(source);
        ctx.array_attr(vec![s])
    };
    let space = i64_array(ctx, &shape.iter().map(|&d| d as i64).collect::<Vec<_>>());
    let mut state = OperationState::new(ctx.op_name("kernel.fused"));
    state.operands = vec![buf[src.node].expect("materialized"), dst];
    state.attrs = vec![
        ("in_maps".into(), in_maps),
        ("out_maps".into(), out_maps),
        ("out_kinds".into(), kinds),
        ("sources".into(), sources),
        ("space".into(), space),
        ("num_inputs".into(), ctx.integer_attr(1, 64)),
        ("name".into(), ctx.string_attr(format!("{name}_copy"))),
    ];
    state.regions.push(region);
    let op = ctx.create_op(state);
    ctx.append_op(body, op);
}

/// Emits one fusion group as a `kernel.fused` op (preceded by fills for reductions).
fn emit_group(
    ctx: &mut Context,
    body: joinery_ir::BlockId,
    g: &Graph,
    members: &[NodeId],
    materialized: &[bool],
    buf: &[Option<Value>],
    name: &str,
) -> Result<(), Diagnostic> {
    let member_set: FxHashSet<NodeId> = members.iter().copied().collect();
    let space: Vec<u64> = space_of(g, members[0]).expect("compute group").to_vec();
    // Inputs: distinct (node, map) loads from outside the group or from non-identity views.
    let mut loads: Vec<Operand> = Vec::new();
    let load_index = |o: &Operand, loads: &mut Vec<Operand>| -> usize {
        match loads.iter().position(|x| x == o) {
            Some(i) => i,
            None => {
                loads.push(o.clone());
                loads.len() - 1
            }
        }
    };
    for &m in members {
        for o in operands(g, m) {
            if !(member_set.contains(&o.node) && fusable(g, o, m)) {
                load_index(o, &mut loads);
            }
        }
    }
    let in_types: Vec<Type> = loads
        .iter()
        .map(|o| dtype_type(ctx, g.nodes[o.node].dtype))
        .collect();
    let region = ctx.create_region();
    let block = ctx.create_block(&in_types);
    ctx.append_block(region, block);
    let args: Vec<Value> = ctx.block_args(block).to_vec();

    let mut value_of: FxHashMap<NodeId, Value> = FxHashMap::default();
    let mut yields: Vec<Value> = Vec::new();
    let mut outs: Vec<Value> = Vec::new();
    let mut out_maps: Vec<Attribute> = Vec::new();
    let mut kinds: Vec<Attribute> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    let mut fills: Vec<(Value, f64)> = Vec::new();
    for &m in members {
        let node = &g.nodes[m];
        if !sources.contains(&node.source) {
            sources.push(node.source.clone());
        }
        let operand_value = |o: &Operand, value_of: &FxHashMap<NodeId, Value>| -> Value {
            if member_set.contains(&o.node) && fusable(g, o, m) {
                value_of[&o.node]
            } else {
                args[loads.iter().position(|x| x == o).expect("collected above")]
            }
        };
        match &node.kind {
            NodeKind::Pointwise { operands, expr } => {
                let vals: Vec<Value> = operands
                    .iter()
                    .map(|o| operand_value(o, &value_of))
                    .collect();
                let v = emit_expr(ctx, block, expr, &vals);
                value_of.insert(m, v);
                if materialized[m] {
                    yields.push(v);
                    outs.push(buf[m].expect("materialized"));
                    let full = Operand {
                        node: m,
                        shape: space.clone(),
                        map: graph::Map {
                            offset: 0,
                            strides: contiguous(&space),
                        },
                    };
                    out_maps.push(map_attr(ctx, &full));
                    kinds.push(ctx.string_attr("store"));
                }
            }
            NodeKind::Reduce {
                operand,
                dims,
                kind,
            } => {
                let v = operand_value(operand, &value_of);
                yields.push(v);
                outs.push(buf[m].expect("reductions are materialized"));
                let mut strides = contiguous(&node.shape);
                for &d in dims {
                    strides[d] = 0;
                }
                let o = Operand {
                    node: m,
                    shape: space.clone(),
                    map: graph::Map { offset: 0, strides },
                };
                out_maps.push(map_attr(ctx, &o));
                let (k, init) = match kind {
                    Reduce::Sum => ("sum", 0.0),
                    Reduce::Max => ("max", f64::NEG_INFINITY),
                };
                kinds.push(ctx.string_attr(k));
                fills.push((buf[m].expect("materialized"), init));
            }
            _ => unreachable!("groups hold pointwise and reduction nodes only"),
        }
    }
    Builder::new(ctx, InsertPoint::End(block)).build("kernel.yield", &yields, &[], vec![]);
    for (b, v) in fills {
        let f64t = ctx.float_type(joinery_ir::FloatKind::F64);
        let attr = ctx.float_attr(v, f64t);
        Builder::new(ctx, InsertPoint::End(body)).build(
            "kernel.fill",
            &[b],
            &[],
            vec![("value".into(), attr)],
        );
    }
    let mut operands_v: Vec<Value> = loads
        .iter()
        .map(|o| buf[o.node].expect("loads read buffers"))
        .collect();
    operands_v.extend(&outs);
    let in_maps: Vec<Attribute> = loads.iter().map(|o| map_attr(ctx, o)).collect();
    let short = sources.first().map(|s| short_name(s)).unwrap_or_default();
    let mut state = OperationState::new(ctx.op_name("kernel.fused"));
    state.operands = operands_v;
    state.attrs = vec![
        ("in_maps".into(), ctx.array_attr(in_maps)),
        ("out_maps".into(), ctx.array_attr(out_maps)),
        ("out_kinds".into(), ctx.array_attr(kinds)),
        ("sources".into(), {
            let s = sources.iter().map(|s| ctx.string_attr(s.clone())).collect();
            ctx.array_attr(s)
        }),
        (
            "space".into(),
            i64_array(ctx, &space.iter().map(|&d| d as i64).collect::<Vec<_>>()),
        ),
        (
            "num_inputs".into(),
            ctx.integer_attr(loads.len() as i64, 64),
        ),
        ("name".into(), ctx.string_attr(format!("{name}_{short}"))),
    ];
    state.regions.push(region);
    let op = ctx.create_op(state);
    ctx.append_op(body, op);
    Ok(())
}

fn scalar_type(ctx: &mut Context, v: Value) -> Type {
    ctx.value_type(v)
}

/// Emits the scalar ops of `e` at the end of `block`; returns the result value.
fn emit_expr(ctx: &mut Context, block: joinery_ir::BlockId, e: &Expr, ins: &[Value]) -> Value {
    let b = |ctx: &mut Context,
             name: &str,
             ops: &[Value],
             ty: Type,
             attrs: Vec<(String, Attribute)>| {
        let op = Builder::new(ctx, InsertPoint::End(block)).build(name, ops, &[ty], attrs);
        ctx.result(op, 0)
    };
    match e {
        Expr::In(i) => ins[*i],
        Expr::Const(v, dt) => {
            let ty = dtype_type(ctx, *dt);
            let f64t = ctx.float_type(joinery_ir::FloatKind::F64);
            let a = ctx.float_attr(*v, f64t);
            b(ctx, "kernel.const", &[], ty, vec![("value".into(), a)])
        }
        Expr::Iota(d) => {
            let ty = ctx.integer_type(64);
            let a = ctx.integer_attr(*d as i64, 64);
            b(ctx, "kernel.index", &[], ty, vec![("dim".into(), a)])
        }
        Expr::Un(op, a) => {
            let x = emit_expr(ctx, block, a, ins);
            let ty = scalar_type(ctx, x);
            let name = match op {
                Un::Neg => "kernel.neg",
                Un::Abs => "kernel.abs",
                Un::Exp => "kernel.exp",
                Un::Log => "kernel.log",
                Un::Tanh => "kernel.tanh",
                Un::Sigmoid => "kernel.sigmoid",
                Un::Sqrt => "kernel.sqrt",
                Un::Rsqrt => "kernel.rsqrt",
                Un::Recip => "kernel.recip",
                Un::Erf => "kernel.erf",
                Un::Sin => "kernel.sin",
                Un::Cos => "kernel.cos",
                Un::Log1p => "kernel.log1p",
                Un::Expm1 => "kernel.expm1",
                Un::Sign => "kernel.sign",
                Un::Not => "kernel.not",
            };
            b(ctx, name, &[x], ty, vec![])
        }
        Expr::Bin(op, l, r) => {
            let x = emit_expr(ctx, block, l, ins);
            let y = emit_expr(ctx, block, r, ins);
            let ty = scalar_type(ctx, x);
            let name = match op {
                Bin::Add => "kernel.add",
                Bin::Sub => "kernel.sub",
                Bin::Mul => "kernel.mul",
                Bin::Div => "kernel.div",
                Bin::Max => "kernel.max",
                Bin::Min => "kernel.min",
                Bin::Pow => "kernel.pow",
                Bin::And => "kernel.and",
                Bin::Or => "kernel.or",
            };
            b(ctx, name, &[x, y], ty, vec![])
        }
        Expr::Cmp(p, l, r) => {
            let x = emit_expr(ctx, block, l, ins);
            let y = emit_expr(ctx, block, r, ins);
            let ty = ctx.integer_type(1);
            let pred = match p {
                Cmp::Eq => "eq",
                Cmp::Ne => "ne",
                Cmp::Lt => "lt",
                Cmp::Le => "le",
                Cmp::Gt => "gt",
                Cmp::Ge => "ge",
            };
            let a = ctx.string_attr(pred);
            b(
                ctx,
                "kernel.cmp",
                &[x, y],
                ty,
                vec![("predicate".into(), a)],
            )
        }
        Expr::Select(cnd, l, r) => {
            let c = emit_expr(ctx, block, cnd, ins);
            let x = emit_expr(ctx, block, l, ins);
            let y = emit_expr(ctx, block, r, ins);
            let ty = scalar_type(ctx, x);
            b(ctx, "kernel.select", &[c, x, y], ty, vec![])
        }
        Expr::Cast(dt, a) => {
            let x = emit_expr(ctx, block, a, ins);
            let ty = dtype_type(ctx, *dt);
            if ctx.value_type(x) == ty {
                return x;
            }
            b(ctx, "kernel.cast", &[x], ty, vec![])
        }
    }
}
