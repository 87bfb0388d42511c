//! Emission of the kernel dialect (L3) from the tensor-expression [`graph`](crate::graph):
//! one `kernel.fused` loop nest per pointwise or reduction node (fusion is the separate
//! `kernel-fuse` pass), a `kernel.gemm` per matrix product on strided operands
//! (transposes are free), after a copy kernel broadcasting the bias into the output for
//! `addmm`, and slice copies for `cat`.

use crate::graph::{
    self, Expr, Graph, IndexSel, Init, LaneKind, NodeId, NodeKind, Operand, Reduce,
};
use joinery_aot::{AotInput, DESC_KEY, FuncDescriptors};
use joinery_ir::{
    Attribute, Builder, Context, DType, Diagnostic, InsertPoint, OpId, OperationState, Type, Value,
};
use joinery_kernel::{
    Fused, Gemm, Indexed, Map, MatrixMap, OutKind, RNG_STREAMS_ATTR, ScalarKind, ScalarOp,
    ScatterReduce, contiguous,
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
        NodeKind::Input(_) | NodeKind::Unlowered => Vec::new(),
        NodeKind::Pointwise { operands, .. } | NodeKind::Conv { operands, .. } => {
            operands.iter().collect()
        }
        NodeKind::Reduce { operand, .. } => vec![operand],
        NodeKind::Gemm { a, b, bias, .. } => {
            let mut v = vec![a, b];
            v.extend(bias.iter());
            v
        }
        NodeKind::Concat { parts, .. } => parts.iter().collect(),
        NodeKind::Place { parts, .. } => parts.iter().map(|(p, _)| p).collect(),
        NodeKind::Lanes { src, .. } | NodeKind::Fft { src, .. } | NodeKind::Nonzero { src, .. } => {
            vec![src]
        }
        NodeKind::RowCount { rows } => vec![rows],
        NodeKind::Gather { src, indices, .. } => std::iter::once(src)
            .chain(indices.iter().map(|i| &i.index))
            .collect(),
        NodeKind::Scatter {
            init, src, indices, ..
        } => {
            let mut v: Vec<&Operand> = match init {
                Init::Copy(o) => vec![o],
                Init::Fill(_) => Vec::new(),
            };
            v.push(src);
            v.extend(indices.iter().map(|i| &i.index));
            v
        }
    }
}

/// Whether `o` covers all of its node's buffer in row-major order (any shape).
fn is_whole(g: &Graph, o: &Operand) -> bool {
    let shape = &g.nodes[o.node].shape;
    o.shape.iter().product::<u64>() == shape.iter().product::<u64>()
        && o.map.is_identity_over(&o.shape)
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
        // A copy of a value with a run-time row count has that many rows too.
        if let Some(&count) = g.rows.get(&o.node) {
            g.rows.insert(id, count);
        }
        g.outputs[j] = Some(Operand {
            node: id,
            shape: o.shape.clone(),
            map: Map {
                offset: 0,
                strides: contiguous(&o.shape),
            },
        });
    }
    let n = g.nodes.len();
    let output_of: FxHashMap<NodeId, usize> = g
        .outputs
        .iter()
        .enumerate()
        .filter_map(|(j, o)| o.as_ref().map(|o| (o.node, j)))
        .collect();
    // Only nodes a result depends on are computed (a gradient output_mask leaves out is
    // never read); operands precede their readers, so one backward sweep finds them.
    let mut materialized: Vec<bool> = vec![false; n];
    for o in g.outputs.iter().flatten() {
        materialized[o.node] = true;
    }
    for m in (0..n).rev() {
        if materialized[m] {
            for o in operands(&g, m) {
                materialized[o.node] = true;
            }
        }
    }
    // A nonzero writes its row count, which the result's `kernel.rows` reads.
    let counts: Vec<NodeId> = (0..n)
        .filter(|&m| materialized[m])
        .filter_map(|m| match g.nodes[m].kind {
            NodeKind::Nonzero { count, .. } => Some(count),
            _ => None,
        })
        .collect();
    for count in counts {
        materialized[count] = true;
    }
    // The L3 function: same signature and argument/result attributes.
    let name = joinery_kernel::kernel_symbol(ctx.symbol_name(func).unwrap_or("fn"));
    let region = ctx.create_region();
    let mut arg_types: Vec<Type> = ctx
        .block_args(ctx.body_block(func).expect("checked by graph::build"))
        .iter()
        .map(|&a| ctx.value_type(a))
        .collect();
    let appended_rng = g.rng.as_ref().filter(|r| r.appended).map(|r| r.streams);
    if appended_rng.is_some() {
        let i64t = ctx.integer_type(64);
        let scalar = ctx.static_tensor_type(&[], i64t);
        arg_types.extend([scalar, scalar]);
    }
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
        let et = ctx.dtype_type(g.nodes[m].dtype);
        // A result buffer has the declared result type (the node may hold the same
        // elements in another shape, e.g. a reduction with its unit dims kept).
        // A result with a run-time row count is returned through `kernel.rows` of its
        // upper-bound buffer.
        let ty = match output_of.get(&m) {
            Some(&j) if !g.rows.contains_key(&m) => result_types[j],
            _ => ctx.static_tensor_type(&g.nodes[m].shape, et),
        };
        let mut attrs = Vec::new();
        if let Some(&j) = output_of.get(&m) {
            attrs.push(("output".to_string(), ctx.integer_attr(j as i64, 64)));
        }
        let op = Builder::new(ctx, InsertPoint::End(body)).build("kernel.alloc", &[], &[ty], attrs);
        buf[m] = Some(ctx.result(op, 0));
    }

    // Nodes are in dependency order already (the graph is built in op order).
    let mut kernels = 0;
    let mut gemms = 0;
    for first in 0..n {
        if !materialized[first] {
            continue;
        }
        if let NodeKind::Place {
            fill,
            parts,
            accumulate,
        } = &g.nodes[first].kind
        {
            let out = buf[first].expect("placements are materialized");
            // No fill when the first part overwrites every element (a scatter's `self`).
            let shape = &g.nodes[first].shape;
            let covered = parts.first().is_some_and(|(p, at)| {
                !accumulate && p.shape == *shape && at.is_identity_over(shape)
            });
            if let Some(fill) = fill.filter(|_| !covered) {
                let f64t = ctx.float_type(joinery_ir::FloatKind::F64);
                let value = ctx.float_attr(fill, f64t);
                Builder::new(ctx, InsertPoint::End(body)).build(
                    "kernel.fill",
                    &[out],
                    &[],
                    vec![("value".into(), value)],
                );
            }
            let src = g.nodes[first].source.clone();
            let kind = if *accumulate {
                OutKind::Sum
            } else {
                OutKind::Store
            };
            for (i, (part, at)) in parts.iter().enumerate() {
                emit_copy_kernel(
                    ctx,
                    body,
                    &g,
                    &buf,
                    part,
                    out,
                    at,
                    kind,
                    &format!("{name}_k{kernels}_place{i}"),
                    &src,
                );
                kernels += 1;
            }
            continue;
        }
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
                let whole = Map {
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
                    OutKind::Store,
                    &format!("{name}_k{kernels}_bias"),
                    &bsrc,
                );
                kernels += 1;
            }
            let matrix = |map: &Map| match map.strides[..] {
                [bs, rs, cs] => MatrixMap {
                    offset: map.offset,
                    batch_stride: bs,
                    row_stride: rs,
                    col_stride: cs,
                },
                [rs, cs] => MatrixMap {
                    offset: map.offset,
                    batch_stride: 0,
                    row_stride: rs,
                    col_stride: cs,
                },
                _ => unreachable!("graph GEMM operands are matrices or batches of them"),
            };
            let gemm = Gemm {
                m: *m,
                n: *nn,
                k: *k,
                batch: *batch,
                a: matrix(&a.map),
                b: matrix(&b.map),
                c: matrix(&Map::identity(&shape)),
                accumulate: bias.is_some(),
                sources: vec![g.nodes[first].source.clone()],
            };
            let attrs = gemm.attributes(ctx);
            let ops = [
                buf[a.node].expect("every node has a buffer"),
                buf[b.node].expect("every node has a buffer"),
                c,
            ];
            Builder::new(ctx, InsertPoint::End(body)).build("kernel.gemm", &ops, &[], attrs);
            gemms += 1;
            continue;
        }
        if let NodeKind::Gather {
            src,
            indices,
            wrap,
            site,
        } = &g.nodes[first].kind
        {
            let out = buf[first].expect("gathers are materialized");
            let shape = g.nodes[first].shape.clone();
            let moves = indexed(src, Map::identity(&shape), indices, None, *wrap, site);
            emit_indexed(ctx, body, &buf, "kernel.gather", &moves, src, indices, out);
            continue;
        }
        if let NodeKind::Scatter {
            init,
            src,
            at,
            indices,
            accumulate,
            wrap,
            site,
        } = &g.nodes[first].kind
        {
            let out = buf[first].expect("scatters are materialized");
            match init {
                Init::Fill(v) => {
                    let f64t = ctx.float_type(joinery_ir::FloatKind::F64);
                    let value = ctx.float_attr(*v, f64t);
                    Builder::new(ctx, InsertPoint::End(body)).build(
                        "kernel.fill",
                        &[out],
                        &[],
                        vec![("value".into(), value)],
                    );
                }
                Init::Copy(o) => {
                    let whole = Map::identity(&g.nodes[first].shape);
                    let src_name = format!("{} (copy)", g.nodes[first].source);
                    emit_copy_kernel(
                        ctx,
                        body,
                        &g,
                        &buf,
                        o,
                        out,
                        &whole,
                        OutKind::Store,
                        &format!("{name}_k{kernels}_init"),
                        &src_name,
                    );
                    kernels += 1;
                }
            }
            let moves = indexed(src, at.clone(), indices, *accumulate, *wrap, site);
            emit_indexed(ctx, body, &buf, "kernel.scatter", &moves, src, indices, out);
            continue;
        }
        if let NodeKind::Lanes {
            src,
            out_map,
            k,
            kind,
        } = &g.nodes[first].kind
        {
            let out = buf[first].expect("lane nodes are materialized");
            let (op_name, descending) = match kind {
                LaneKind::Cumsum => ("kernel.cumsum", false),
                LaneKind::Argsort { descending } => ("kernel.argsort", *descending),
            };
            let lanes = joinery_kernel::Lanes {
                space: src.shape.clone(),
                src_map: src.map.clone(),
                out_map: out_map.clone(),
                k: *k,
                descending,
                source: g.nodes[first].source.clone(),
            };
            let attrs = lanes.attributes(ctx, op_name == "kernel.argsort");
            let operands = [buf[src.node].expect("every node has a buffer"), out];
            Builder::new(ctx, InsertPoint::End(body)).build(op_name, &operands, &[], attrs);
            continue;
        }
        if let NodeKind::Nonzero { src, count } = &g.nodes[first].kind {
            let nonzero = joinery_kernel::Nonzero {
                space: src.shape.clone(),
                src_map: src.map.clone(),
                source: g.nodes[first].source.clone(),
            };
            let attrs = nonzero.attributes(ctx);
            let operands = [
                buf[src.node].expect("every node has a buffer"),
                buf[first].expect("nonzero nodes are materialized"),
                buf[*count].expect("a nonzero's count is materialized with it"),
            ];
            Builder::new(ctx, InsertPoint::End(body)).build(
                "kernel.nonzero",
                &operands,
                &[],
                attrs,
            );
            continue;
        }
        if let NodeKind::Fft { src, fft } = &g.nodes[first].kind {
            let out = buf[first].expect("fft nodes are materialized");
            let attrs = fft.attributes(ctx);
            let operands = [buf[src.node].expect("every node has a buffer"), out];
            Builder::new(ctx, InsertPoint::End(body)).build("kernel.fft", &operands, &[], attrs);
            continue;
        }
        if let NodeKind::Conv { operands, conv } = &g.nodes[first].kind {
            let mut bufs: Vec<Value> = operands
                .iter()
                .map(|o| buf[o.node].expect("every node has a buffer"))
                .collect();
            bufs.push(buf[first].expect("convolutions are materialized"));
            let attrs = conv.attributes(ctx);
            Builder::new(ctx, InsertPoint::End(body)).build("kernel.conv", &bufs, &[], attrs);
            continue;
        }
        if let NodeKind::Concat { parts, dim } = &g.nodes[first].kind {
            let out = buf[first].expect("concats are materialized");
            let strides = contiguous(&g.nodes[first].shape);
            let mut start = 0i64;
            for (i, p) in parts.iter().enumerate() {
                let slice = Map {
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
                    OutKind::Store,
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
        emit_node(ctx, body, &g, first, &buf, &format!("{name}_k{kernels}"))?;
        kernels += 1;
    }

    // Return.
    let mut rets = Vec::new();
    for (j, o) in g.outputs.iter().enumerate() {
        match o {
            Some(o) => {
                let b = buf[o.node].expect("outputs are materialized");
                rets.push(match g.rows.get(&o.node) {
                    Some(&count) => {
                        let count = buf[count].expect("a nonzero's count is materialized");
                        let op = Builder::new(ctx, InsertPoint::End(body)).build(
                            "kernel.rows",
                            &[b, count],
                            &[result_types[j]],
                            vec![],
                        );
                        ctx.result(op, 0)
                    }
                    None => b,
                });
            }
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
    if let Some(streams) = appended_rng {
        append_rng_arguments(ctx, func, l3, streams);
    }
    Ok(Lowered {
        func: l3,
        kernels,
        gemms,
    })
}

/// Declares the two arguments the random ops of `l3` read, already in its entry block
/// (`%rng_seed`, `%rng_offset`: 0-d i64 tensors, described as the forward's Philox seed
/// and base offset when the function has descriptors), and marks `l3` with
/// [`RNG_STREAMS_ATTR`]: the runtime supplies them.
fn append_rng_arguments(ctx: &mut Context, func: OpId, l3: OpId, streams: u64) {
    let described = FuncDescriptors::read(ctx, func).is_some_and(|d| d.has_any());
    let mut dicts = joinery_func::edit::arg_attr_dicts(ctx, func);
    for (desc, name) in [
        (AotInput::PhiloxForwardSeed, "rng_seed"),
        (AotInput::PhiloxForwardBaseOffset, "rng_offset"),
    ] {
        let entries = if described {
            vec![(DESC_KEY.to_string(), desc.to_attr(ctx))]
        } else {
            Vec::new()
        };
        dicts.push(ctx.dictionary_attr(entries));
        let arg = ctx.block_args(ctx.body_block(l3).expect("built with a body"))[dicts.len() - 1];
        ctx.set_value_name(arg, Some(name));
    }
    joinery_func::edit::sync_function_type(ctx, l3);
    let dicts = ctx.array_attr(dicts);
    ctx.set_attr(l3, "arg_attrs", dicts);
    let streams = ctx.integer_attr(streams as i64, 64);
    ctx.set_attr(l3, RNG_STREAMS_ATTR, streams);
}

/// The attributes of a gather or scatter node moving `src` (over the space of moves)
/// to or from `out_map` through `indices`.
fn indexed(
    src: &Operand,
    out_map: Map,
    indices: &[IndexSel],
    accumulate: Option<ScatterReduce>,
    wrap: bool,
    site: &str,
) -> Indexed {
    Indexed {
        space: src.shape.clone(),
        src_map: src.map.clone(),
        out_map,
        index_maps: indices.iter().map(|i| i.index.map.clone()).collect(),
        index_strides: indices.iter().map(|i| i.stride).collect(),
        bounds: indices.iter().map(|i| i.bound).collect(),
        dims: indices.iter().map(|i| i.dim).collect(),
        accumulate: accumulate.is_some(),
        reduce: accumulate.unwrap_or(ScatterReduce::Sum),
        wrap,
        source: site.to_string(),
    }
}

/// Emits a `kernel.gather` or `kernel.scatter` (`name`) of `moves` on the buffers of
/// `src`, the indices and `out`.
#[allow(clippy::too_many_arguments)]
fn emit_indexed(
    ctx: &mut Context,
    body: joinery_ir::BlockId,
    buf: &[Option<Value>],
    name: &str,
    moves: &Indexed,
    src: &Operand,
    indices: &[IndexSel],
    out: Value,
) {
    let mut operands = vec![buf[src.node].expect("every node has a buffer")];
    operands.extend(
        indices
            .iter()
            .map(|i| buf[i.index.node].expect("every node has a buffer")),
    );
    operands.push(out);
    let attrs = moves.attributes(ctx, name == "kernel.scatter");
    Builder::new(ctx, InsertPoint::End(body)).build(name, &operands, &[], attrs);
}

/// A kernel storing (or, `kind` sum, adding) `src` into buffer `dst` through `dst_map`
/// (over `src`'s shape).
#[allow(clippy::too_many_arguments)]
fn emit_copy_kernel(
    ctx: &mut Context,
    body: joinery_ir::BlockId,
    g: &Graph,
    buf: &[Option<Value>],
    src: &Operand,
    dst: Value,
    dst_map: &Map,
    kind: OutKind,
    name: &str,
    source: &str,
) {
    let et = ctx.dtype_type(g.nodes[src.node].dtype);
    let region = ctx.create_region();
    let block = ctx.create_block(&[et]);
    ctx.append_block(region, block);
    let arg = ctx.block_args(block)[0];
    Builder::new(ctx, InsertPoint::End(block)).build("kernel.yield", &[arg], &[], vec![]);
    let fused = Fused {
        name: format!("{name}_copy"),
        space: src.shape.clone(),
        num_inputs: 1,
        in_maps: vec![src.map.clone()],
        out_maps: vec![dst_map.clone()],
        out_kinds: vec![kind],
        sources: vec![source.to_string()],
        phases: Vec::new(),
        outer: 0,
    };
    let mut state = OperationState::new(ctx.op_name("kernel.fused"));
    state.operands = vec![buf[src.node].expect("every node has a buffer"), dst];
    state.attrs = fused.attributes(ctx);
    state.regions.push(region);
    let op = ctx.create_op(state);
    ctx.append_op(body, op);
}

/// Emits one pointwise or reduction node as a `kernel.fused` op (a reduction after a
/// `kernel.fill` of its identity).
fn emit_node(
    ctx: &mut Context,
    body: joinery_ir::BlockId,
    g: &Graph,
    m: NodeId,
    buf: &[Option<Value>],
    name: &str,
) -> Result<(), Diagnostic> {
    let node = &g.nodes[m];
    let space: Vec<u64> = space_of(g, m).expect("a compute node").to_vec();
    let loads: Vec<&Operand> = operands(g, m);
    let in_types: Vec<Type> = loads
        .iter()
        .map(|o| ctx.dtype_type(g.nodes[o.node].dtype))
        .collect();
    let region = ctx.create_region();
    let block = ctx.create_block(&in_types);
    ctx.append_block(region, block);
    let args: Vec<Value> = ctx.block_args(block).to_vec();
    let out = buf[m].expect("every node has a buffer");
    let (value, out_map, kind) = match &node.kind {
        NodeKind::Pointwise { expr, .. } => (
            emit_expr(ctx, block, expr, &args).map_err(|m| unsupported(&node.source, &m))?,
            Map::identity(&space),
            OutKind::Store,
        ),
        NodeKind::Reduce { .. } if node.dtype == DType::Bool => {
            return Err(unsupported(&node.source, "a sum, max or product of i1"));
        }
        NodeKind::Reduce { dims, kind, .. } => {
            let mut strides = contiguous(&node.shape);
            for &d in dims {
                strides[d] = 0;
            }
            let (kind, init) = match kind {
                Reduce::Sum => (OutKind::Sum, 0.0),
                Reduce::Max => (OutKind::Max, f64::NEG_INFINITY),
                Reduce::Prod => (OutKind::Prod, 1.0),
            };
            let f64t = ctx.float_type(joinery_ir::FloatKind::F64);
            let attr = ctx.float_attr(init, f64t);
            Builder::new(ctx, InsertPoint::End(body)).build(
                "kernel.fill",
                &[out],
                &[],
                vec![("value".into(), attr)],
            );
            (args[0], Map { offset: 0, strides }, kind)
        }
        _ => unreachable!("space_of is Some for pointwise and reduction nodes only"),
    };
    Builder::new(ctx, InsertPoint::End(block)).build("kernel.yield", &[value], &[], vec![]);
    let fused = Fused {
        name: format!("{name}_{}", short_name(&node.source)),
        space,
        num_inputs: loads.len(),
        in_maps: loads.iter().map(|o| o.map.clone()).collect(),
        out_maps: vec![out_map],
        out_kinds: vec![kind],
        sources: vec![node.source.clone()],
        phases: Vec::new(),
        outer: 0,
    };
    let mut operands_v: Vec<Value> = loads
        .iter()
        .map(|o| buf[o.node].expect("loads read buffers"))
        .collect();
    operands_v.push(out);
    let mut state = OperationState::new(ctx.op_name("kernel.fused"));
    state.operands = operands_v;
    state.attrs = fused.attributes(ctx);
    state.regions.push(region);
    let op = ctx.create_op(state);
    ctx.append_op(body, op);
    Ok(())
}

/// The error for a node the kernel dialect cannot express (`what` says why).
fn unsupported(source: &str, what: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "the native backend does not support '{source}' here: {what}"
    ))
}

/// Emits the random ops' generator ([`joinery_aten::random`], what the reference
/// interpreter evaluates) at the end of `block`: the finalizer of
/// `seed + stream * STREAM_MULTIPLIER + index * INDEX_MULTIPLIER` in i64 arithmetic
/// (modulo 2^64), its top bits as an f64 in `[0, 1)`. Bit for bit the interpreter's draw.
fn emit_uniform(
    ctx: &mut Context,
    block: joinery_ir::BlockId,
    seed: Value,
    stream: Value,
    index: Value,
) -> Value {
    use joinery_aten::random::{DROPPED_BITS, INDEX_MULTIPLIER, MIX, STREAM_MULTIPLIER};
    let i64t = ctx.integer_type(64);
    let op = |ctx: &mut Context,
              name: &str,
              operands: &[Value],
              ty: Type,
              attrs: Vec<(String, Attribute)>| {
        let op = Builder::new(ctx, InsertPoint::End(block)).build(name, operands, &[ty], attrs);
        ctx.result(op, 0)
    };
    let int = |ctx: &mut Context, v: u64| {
        let a = ctx.integer_attr(v as i64, 64);
        let op = Builder::new(ctx, InsertPoint::End(block)).build(
            "kernel.const",
            &[],
            &[i64t],
            vec![("value".into(), a)],
        );
        ctx.result(op, 0)
    };
    let k1 = int(ctx, STREAM_MULTIPLIER);
    let k2 = int(ctx, INDEX_MULTIPLIER);
    let scaled_stream = op(ctx, "kernel.mul", &[stream, k1], i64t, vec![]);
    let scaled_index = op(ctx, "kernel.mul", &[index, k2], i64t, vec![]);
    let keyed = op(ctx, "kernel.add", &[seed, scaled_stream], i64t, vec![]);
    let mut z = op(ctx, "kernel.add", &[keyed, scaled_index], i64t, vec![]);
    for (shift, multiplier) in MIX {
        let s = int(ctx, shift);
        let shifted = op(ctx, "kernel.shr", &[z, s], i64t, vec![]);
        z = op(ctx, "kernel.xor", &[z, shifted], i64t, vec![]);
        if let Some(m) = multiplier {
            let m = int(ctx, m);
            z = op(ctx, "kernel.mul", &[z, m], i64t, vec![]);
        }
    }
    let dropped = int(ctx, DROPPED_BITS);
    let bits = op(ctx, "kernel.shr", &[z, dropped], i64t, vec![]);
    let f64t = ctx.float_type(joinery_ir::FloatKind::F64);
    let numerator = op(ctx, "kernel.cast", &[bits], f64t, vec![]);
    let scale = ctx.float_attr((1u64 << (64 - DROPPED_BITS)) as f64, f64t);
    let denominator = op(
        ctx,
        "kernel.const",
        &[],
        f64t,
        vec![("value".into(), scale)],
    );
    op(ctx, "kernel.div", &[numerator, denominator], f64t, vec![])
}

/// Emits the scalar ops of `e` at the end of `block`; returns the result value, or what
/// the kernel dialect cannot express (a scalar op on a type it is not defined on).
fn emit_expr(
    ctx: &mut Context,
    block: joinery_ir::BlockId,
    e: &Expr,
    ins: &[Value],
) -> Result<Value, String> {
    let b = |ctx: &mut Context,
             name: &str,
             ops: &[Value],
             ty: Type,
             attrs: Vec<(String, Attribute)>| {
        let op = Builder::new(ctx, InsertPoint::End(block)).build(name, ops, &[ty], attrs);
        ctx.result(op, 0)
    };
    let defined = |ctx: &Context, op: ScalarOp, x: Value| {
        let dt = ctx.dtype_of(ctx.value_type(x)).unwrap_or(DType::F32);
        if op.defined_on(ScalarKind::of(dt)) {
            Ok(())
        } else {
            Err(format!("'{}' is not defined on {dt}", op.name()))
        }
    };
    Ok(match e {
        Expr::In(i) => ins[*i],
        Expr::Const(v, dt) => {
            let ty = ctx.dtype_type(*dt);
            let f64t = ctx.float_type(joinery_ir::FloatKind::F64);
            let a = ctx.float_attr(*v, f64t);
            b(ctx, "kernel.const", &[], ty, vec![("value".into(), a)])
        }
        Expr::Int(v) => {
            let ty = ctx.integer_type(64);
            let a = ctx.integer_attr(*v, 64);
            b(ctx, "kernel.const", &[], ty, vec![("value".into(), a)])
        }
        Expr::Uniform {
            seed,
            stream,
            index,
        } => {
            let seed = emit_expr(ctx, block, seed, ins)?;
            let stream = emit_expr(ctx, block, stream, ins)?;
            let index = emit_expr(ctx, block, index, ins)?;
            emit_uniform(ctx, block, seed, stream, index)
        }
        Expr::Iota(d) => {
            let ty = ctx.integer_type(64);
            let a = ctx.integer_attr(*d as i64, 64);
            b(ctx, "kernel.index", &[], ty, vec![("dim".into(), a)])
        }
        Expr::Un(op, a) => {
            let x = emit_expr(ctx, block, a, ins)?;
            defined(ctx, *op, x)?;
            let ty = ctx.value_type(x);
            b(ctx, op.name(), &[x], ty, vec![])
        }
        Expr::Bin(op, l, r) => {
            let x = emit_expr(ctx, block, l, ins)?;
            let y = emit_expr(ctx, block, r, ins)?;
            defined(ctx, *op, x)?;
            let ty = ctx.value_type(x);
            b(ctx, op.name(), &[x, y], ty, vec![])
        }
        Expr::IntDivision { op, a, b: d, site } => {
            let x = emit_expr(ctx, block, a, ins)?;
            let y = emit_expr(ctx, block, d, ins)?;
            defined(ctx, *op, x)?;
            let ty = ctx.value_type(x);
            let site = ctx.string_attr(site.clone());
            b(ctx, op.name(), &[x, y], ty, vec![("site".into(), site)])
        }
        Expr::Cmp(p, l, r) => {
            let x = emit_expr(ctx, block, l, ins)?;
            let y = emit_expr(ctx, block, r, ins)?;
            let ty = ctx.integer_type(1);
            let a = ctx.string_attr(p.text());
            b(
                ctx,
                "kernel.cmp",
                &[x, y],
                ty,
                vec![("predicate".into(), a)],
            )
        }
        Expr::Select(cnd, l, r) => {
            let c = emit_expr(ctx, block, cnd, ins)?;
            let x = emit_expr(ctx, block, l, ins)?;
            let y = emit_expr(ctx, block, r, ins)?;
            let ty = ctx.value_type(x);
            b(ctx, "kernel.select", &[c, x, y], ty, vec![])
        }
        Expr::Cast(dt, a) => {
            let x = emit_expr(ctx, block, a, ins)?;
            let ty = ctx.dtype_type(*dt);
            if ctx.value_type(x) == ty {
                return Ok(x);
            }
            b(ctx, "kernel.cast", &[x], ty, vec![])
        }
    })
}
