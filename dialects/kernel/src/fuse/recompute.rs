//! Recomputing stored values in their readers (`kernel-fuse`'s recompute and GEMM bias
//! rewrites).
//!
//! **Recompute.** Kernel `P` stores value `v` (its output `j`, an identity map over its
//! space) into a temporary buffer `B` that only kernels read. The *slice* of `v` is the
//! part of `P`'s body `v` depends on, down to `P`'s inputs, cut at values `P` also stores
//! elsewhere (a reader loads those instead of recomputing them: a threshold backward's mask
//! `le(relu, 0)` becomes a load of the stored `relu` and one compare, not a recomputation
//! of the relu from the GEMM output). Each reader's load of `B` becomes a clone of the
//! slice whose loads go through the reader's map composed with `P`'s
//! ([`space::compose`]: transposes, head splits and broadcasts compose), then `P` stops
//! storing `v` and `B` goes. The heuristic, per value, all readers or none:
//!
//! - *compute*: at each reader, evaluating the slice costs at most 8 add-equivalents per
//!   point of the reader (transcendentals weigh 20, divisions and square roots 4). A slice
//!   whose inputs are constant along a reader's inner loops (a row statistic broadcast
//!   along the row) is hoisted out of them by LLVM (the loads are `noalias`), so it counts
//!   once per outer point: a layer norm's `rsqrt(var / n + eps)` is recomputed per row in
//!   each reader, a softmax's `exp` per element never is. Memory-bound loops have spare
//!   ALU cycles for a few cheap ops per element, not for polynomials.
//! - *traffic*: the bytes the readers newly load (inputs of the slice they did not read
//!   already, through their maps) are at most the bytes removed (`P`'s store of `B` and
//!   every load of it), counted as `joinery-run bench` counts them. Recompute never makes
//!   a step move more bytes. This refuses what inductor does with a threshold backward's
//!   mask in a joint graph (it inlines pointwise nodes into every consumer): reloading
//!   the four-byte `relu` in the backward to recompute `le(relu, 0)` costs more than the
//!   one-byte mask's store and load (+1.0 MB per MLP step here, and the relu then lives
//!   longer in the arena), so the mask stays a side output of the forward relu kernel.
//!   A factor of 2 would admit it; measured on the three workloads it moved more bytes
//!   for the same kernel count.
//!
//! Either way the buffer no longer occupies the arena over its lifetime.
//!
//! **GEMM bias.** `addmm` stores its bias into the product's buffer `C` (kernel `I`) and
//! the GEMM accumulates into it. When every reader of `C` is a kernel whose reads compose
//! with `I`'s store, the GEMM overwrites `C` instead (no load of `C` either) and each read
//! becomes `load + slice(I)`, with the same cost rules; the bias add then belongs to the
//! pointwise chain after the GEMM (`relu(c + b)` is one loop nest reading `c` once). What
//! it saves depends on the GEMM: one that stores `A·B` without reading `C` when it
//! overwrites (the `gemm` crate) saves the bias store and its reload; OpenBLAS scales `C`
//! by beta in a pass of its own before adding `A·B`, so with beta = 0 it zeroes `C` (a
//! 1024×1024×256 `sgemm` measured 4.8 ms with beta 0 against 3.8 ms with beta 1, best of
//! ten on the loaded 2-core machine), and there the fold only saves a kernel launch. The
//! bench's byte count models the former.
//!
//! Soundness: every buffer a slice loads is written before `P` (or by `P`: a cut) and
//! never after, so a reader after `P` loads what `P` loaded; `B` has no other writer and
//! no non-kernel reader, and is not a result.

use super::body::{self, NewKernel};
use super::space::{self, Linear};
use super::{
    Kernel, Order, distinct, erase_if_unused, is_temporary, resume_after, sole_writer, stable_prev,
    writers, yields,
};
use crate::attrs::{Gemm, Map, static_info};
use crate::ops::OutKind;
use joinery_ir::{Context, Diagnostic, InsertPoint, OpId, Value};
use rustc_hash::FxHashMap;

/// Most add-equivalents recomputation may add per point of a reader.
const BUDGET_PER_POINT: u64 = 8;

/// Bytes a map touches over `space`: the extents of the dims it moves along, times the
/// element size (how `joinery-run bench` counts bytes).
fn touched_bytes(ctx: &Context, buffer: Value, map: &Map, space: &[u64]) -> u64 {
    let elem = static_info(ctx, ctx.value_type(buffer)).map_or(0, |(_, dt)| dt.size_bytes() as u64);
    let points: u64 = space
        .iter()
        .zip(&map.strides)
        .filter(|(_, s)| **s != 0)
        .map(|(d, _)| *d)
        .product();
    points * elem
}

/// How many times a slice whose producer dims follow `forms` is evaluated over
/// `reader_space`, once LLVM hoists it out of the inner loops it does not depend on.
fn evaluations(forms: &[Linear], reader_space: &[u64]) -> u64 {
    let last = (0..reader_space.len())
        .rev()
        .find(|&k| forms.iter().any(|f| f.coefs[k] != 0));
    last.map_or(1, |l| reader_space[..=l].iter().product())
}

/// Whether `forms` map the reader's point to the same point of the producer.
fn is_identity(forms: &[Linear]) -> bool {
    forms.iter().enumerate().all(|(d, f)| {
        f.offset == 0
            && f.coefs
                .iter()
                .enumerate()
                .all(|(k, &c)| c == i64::from(k == d))
    })
}

/// A value a kernel stores, to be recomputed by the readers of its buffer.
struct Stored<'a> {
    producer: &'a Kernel,
    /// The producer's output holding it.
    out: usize,
    /// Yielded values of the producer the slice stops at: output index per value.
    cuts: FxHashMap<Value, usize>,
}

impl Stored<'_> {
    fn root(&self, ctx: &Context) -> Value {
        yields(ctx, self.producer.body(ctx))[self.out]
    }

    fn is_leaf(&self) -> impl Fn(Value) -> bool + '_ {
        |v| self.cuts.contains_key(&v)
    }

    /// The buffer and map (over the producer's space) a leaf of the slice loads; `None`
    /// for a value from outside the body.
    fn leaf_access(&self, ctx: &Context, leaf: Value) -> Option<(Value, Map)> {
        let p = self.producer;
        match self.cuts.get(&leaf) {
            Some(&j) => Some((p.outputs[j], p.attrs.out_maps[j].clone())),
            None => {
                let i = ctx
                    .block_args(p.body(ctx))
                    .iter()
                    .position(|&a| a == leaf)?;
                Some((p.inputs[i], p.attrs.in_maps[i].clone()))
            }
        }
    }
}

/// Output `out` of `p` as a value to recompute: the other identity stores of `p` that
/// only `p` writes are where its slice stops.
fn stored<'a>(ctx: &Context, p: &'a Kernel, out: usize) -> Stored<'a> {
    let ys = yields(ctx, p.body(ctx));
    let mut cuts = FxHashMap::default();
    for (j, &y) in ys.iter().enumerate() {
        if j != out
            && p.attrs.out_kinds[j] == OutKind::Store
            && p.attrs.out_maps[j].is_identity_over(&p.attrs.space)
            && sole_writer(ctx, p.outputs[j]) == Some(p.op)
        {
            cuts.entry(y).or_insert(j);
        }
    }
    Stored {
        producer: p,
        out,
        cuts,
    }
}

/// A reader of the stored buffer and, per input slot loading it, where that load lands
/// in the producer's space.
struct Reader {
    kernel: std::rc::Rc<Kernel>,
    slots: Vec<(usize, Vec<Linear>)>,
}

/// How a rewrite treats the readers' loads of the stored buffer.
struct Fold<'a> {
    /// Writers of the buffer, not readers.
    writers: &'a [OpId],
    /// Readers must come after this op (the last writer).
    after: OpId,
    /// Add-equivalents per evaluation besides the slice (the bias fold's add).
    extra_weight: u64,
    /// Bytes the rewrite removes besides the readers' loads of the buffer.
    removed: u64,
    /// Whether the readers keep loading the buffer (the bias fold) or stop (recompute).
    keeps_load: bool,
}

/// The readers of `s`'s buffer (all of its uses but its writers and the alloc) when every
/// one can recompute the value within the budgets.
fn plan_readers(
    ctx: &Context,
    order: &Order<'_>,
    s: &Stored<'_>,
    fold: &Fold<'_>,
) -> Result<Option<Vec<Reader>>, Diagnostic> {
    let p = s.producer;
    let buffer = p.outputs[s.out];
    let body = p.body(ctx);
    let leaf = s.is_leaf();
    let root = s.root(ctx);
    let (weight, uses_index) = body::slice_weight(ctx, body, root, &leaf);
    let weight = weight + fold.extra_weight;
    let Some(leaves) = body::slice_leaves(ctx, body, root, &leaf)
        .into_iter()
        .map(|l| s.leaf_access(ctx, l))
        .collect::<Option<Vec<(Value, Map)>>>()
    else {
        return Ok(None);
    };
    // What the slice loads is written before the producer (or by it) and never after.
    for (x, _) in &leaves {
        let ok = writers(ctx, *x)
            .iter()
            .all(|w| *w == p.op || (order.contains(ctx, *w) && order.before(ctx, *w, p.op)));
        if !ok {
            return Ok(None);
        }
    }
    let reader_ops = distinct(
        ctx.uses(buffer)
            .iter()
            .map(|u| u.op)
            .filter(|op| !fold.writers.contains(op) && ctx.name_str(*op) != "kernel.alloc")
            .collect(),
    );
    let mut readers = Vec::new();
    let (mut added, mut saved) = (0u64, fold.removed);
    for op in reader_ops {
        if ctx.name_str(op) != "kernel.fused"
            || !order.contains(ctx, op)
            || !order.before(ctx, fold.after, op)
        {
            return Ok(None);
        }
        let kernel = order.kernel(ctx, op)?;
        if kernel.is_row() || kernel.outputs.contains(&buffer) {
            return Ok(None);
        }
        let space = &kernel.attrs.space;
        let points: u64 = space.iter().product();
        let mut slots = Vec::new();
        for (i, (&v, map)) in kernel.inputs.iter().zip(&kernel.attrs.in_maps).enumerate() {
            if v != buffer {
                continue;
            }
            let Some(forms) = space::compose(&p.attrs.space, map, space) else {
                return Ok(None);
            };
            if (uses_index && !(is_identity(&forms) && p.attrs.space.len() == space.len()))
                || evaluations(&forms, space) * weight > BUDGET_PER_POINT * points
            {
                return Ok(None);
            }
            if !fold.keeps_load {
                saved += touched_bytes(ctx, buffer, map, space);
            }
            for (x, m) in &leaves {
                let composed = space::compose_map(m, &forms, space.len());
                let already = kernel
                    .inputs
                    .iter()
                    .zip(&kernel.attrs.in_maps)
                    .any(|(y, n)| y == x && *n == composed);
                if !already {
                    added += touched_bytes(ctx, *x, &composed, space);
                }
            }
            slots.push((i, forms));
        }
        readers.push(Reader { kernel, slots });
    }
    Ok((added <= saved).then_some(readers))
}

/// Rebuilds `reader` with each load of the stored buffer replaced by the slice of `s`
/// (plus the load itself when `add_to_load`: the bias fold).
fn rewrite_reader(ctx: &mut Context, s: &Stored<'_>, reader: &Reader, add_to_load: bool) {
    let c = &reader.kernel;
    let p = s.producer;
    let p_body = p.body(ctx);
    let root = s.root(ctx);
    let c_body = c.body(ctx);
    let c_args = ctx.block_args(c_body).to_vec();
    let c_yields = yields(ctx, c_body);
    let rank = c.attrs.space.len();
    let leaf = s.is_leaf();
    let mut nk = NewKernel::new(ctx);
    let block = nk.block;
    let values = body::clone_slice(ctx, c_body, block, &c_yields, &|_| false, &mut |ctx, v| {
        let Some(i) = c_args.iter().position(|&a| a == v) else {
            return v;
        };
        let Some((_, forms)) = reader.slots.iter().find(|(slot, _)| *slot == i) else {
            return nk.input(ctx, c.inputs[i], &c.attrs.in_maps[i]);
        };
        let recomputed =
            body::clone_slice(ctx, p_body, block, &[root], &leaf, &mut |ctx, l| match s
                .leaf_access(ctx, l)
            {
                Some((x, m)) => nk.input(ctx, x, &space::compose_map(&m, forms, rank)),
                None => l,
            })[0];
        if !add_to_load {
            return recomputed;
        }
        let loaded = nk.input(ctx, c.inputs[i], &c.attrs.in_maps[i]);
        let ty = ctx.value_type(loaded);
        let add = joinery_ir::Builder::new(ctx, InsertPoint::End(block)).build(
            "kernel.add",
            &[loaded, recomputed],
            &[ty],
            vec![],
        );
        ctx.result(add, 0)
    });
    for (o, &v) in values.iter().enumerate() {
        nk.output(
            c.outputs[o],
            c.attrs.out_maps[o].clone(),
            c.attrs.out_kinds[o],
            v,
        );
    }
    let mut sources = c.attrs.sources.clone();
    for src in &p.attrs.sources {
        if !sources.contains(src) {
            sources.push(src.clone());
        }
    }
    let op = nk.build(
        ctx,
        c.attrs.name.clone(),
        c.attrs.space.clone(),
        sources,
        ctx.span(c.op),
    );
    ctx.insert_op_before(c.op, op);
    ctx.erase_op(c.op);
}

/// Rebuilds `p` without output `out` (erased if nothing else remains).
fn drop_output(ctx: &mut Context, p: &Kernel, out: usize) {
    let keep: Vec<usize> = (0..p.outputs.len()).filter(|&j| j != out).collect();
    if keep.is_empty() {
        ctx.erase_op(p.op);
        return;
    }
    let body = p.body(ctx);
    let args = ctx.block_args(body).to_vec();
    let ys = yields(ctx, body);
    let roots: Vec<Value> = keep.iter().map(|&j| ys[j]).collect();
    let mut nk = NewKernel::new(ctx);
    let block = nk.block;
    let values = body::clone_slice(
        ctx,
        body,
        block,
        &roots,
        &|_| false,
        &mut |ctx, v| match args.iter().position(|&a| a == v) {
            Some(i) => nk.input(ctx, p.inputs[i], &p.attrs.in_maps[i]),
            None => v,
        },
    );
    for (&j, v) in keep.iter().zip(values) {
        nk.output(
            p.outputs[j],
            p.attrs.out_maps[j].clone(),
            p.attrs.out_kinds[j],
            v,
        );
    }
    let op = nk.build(
        ctx,
        p.attrs.name.clone(),
        p.attrs.space.clone(),
        p.attrs.sources.clone(),
        ctx.span(p.op),
    );
    ctx.insert_op_before(p.op, op);
    ctx.erase_op(p.op);
}

/// One stored value of the kernel `op` recomputed in its readers (or a store nothing
/// reads dropped), if any qualifies; the sweep then looks at the rebuilt kernel again.
pub(super) fn recompute_at(
    ctx: &mut Context,
    order: &Order<'_>,
    op: OpId,
) -> Result<Option<Option<OpId>>, Diagnostic> {
    if ctx.name_str(op) != "kernel.fused" {
        return Ok(None);
    }
    let p = order.kernel(ctx, op)?;
    if p.is_row() {
        return Ok(None);
    }
    for out in 0..p.outputs.len() {
        let buffer = p.outputs[out];
        if p.attrs.out_kinds[out] != OutKind::Store
            || !p.attrs.out_maps[out].is_identity_over(&p.attrs.space)
            || !is_temporary(ctx, buffer)
            || sole_writer(ctx, buffer) != Some(op)
        {
            continue;
        }
        let s = stored(ctx, &p, out);
        let store = touched_bytes(ctx, buffer, &p.attrs.out_maps[out], &p.attrs.space);
        let fold = Fold {
            writers: &[op],
            after: op,
            extra_weight: 0,
            removed: store,
            keeps_load: false,
        };
        let Some(readers) = plan_readers(ctx, order, &s, &fold)? else {
            continue;
        };
        let prev = stable_prev(ctx, op, &p.outputs);
        for r in &readers {
            rewrite_reader(ctx, &s, r, false);
        }
        drop_output(ctx, &p, out);
        erase_if_unused(ctx, buffer);
        return Ok(Some(resume_after(ctx, order.block, prev)));
    }
    Ok(None)
}

/// The bias of the GEMM `g_op` moved into the readers of its product, if that qualifies;
/// the sweep goes on from the GEMM (now overwriting, so left alone).
pub(super) fn gemm_bias_at(
    ctx: &mut Context,
    order: &Order<'_>,
    g_op: OpId,
) -> Result<Option<Option<OpId>>, Diagnostic> {
    if ctx.name_str(g_op) != "kernel.gemm" {
        return Ok(None);
    }
    let gemm = Gemm::read(ctx, g_op)?;
    let Some(&c) = ctx.operands(g_op).get(2) else {
        return Ok(None);
    };
    let elements = static_info(ctx, ctx.value_type(c)).map(|(s, _)| s.iter().product::<u64>());
    let (m, n) = (gemm.m as i64, gemm.n as i64);
    let whole = gemm.c.offset == 0
        && gemm.c.col_stride == 1
        && gemm.c.row_stride == n
        && (gemm.batch == 1 || gemm.c.batch_stride == m * n)
        && elements == Some(gemm.batch * gemm.m * gemm.n);
    if !gemm.accumulate || !whole || !is_temporary(ctx, c) {
        return Ok(None);
    }
    // The bias kernel: the one other writer of `c`, storing all of it before the GEMM.
    let init_op = match writers(ctx, c)[..] {
        [a, b] if (a == g_op) != (b == g_op) => {
            if a == g_op {
                b
            } else {
                a
            }
        }
        _ => return Ok(None),
    };
    if ctx.name_str(init_op) != "kernel.fused"
        || !order.contains(ctx, init_op)
        || !order.before(ctx, init_op, g_op)
    {
        return Ok(None);
    }
    let init = order.kernel(ctx, init_op)?;
    if init.is_row() {
        return Ok(None);
    }
    let Some(out) = init.outputs.iter().position(|&o| o == c) else {
        return Ok(None);
    };
    if init.attrs.out_kinds[out] != OutKind::Store
        || !init.attrs.out_maps[out].is_identity_over(&init.attrs.space)
        || init.attrs.space.iter().product::<u64>() != elements.unwrap_or(0)
        || init.inputs.contains(&c)
    {
        return Ok(None);
    }
    let s = stored(ctx, &init, out);
    // The bias store and the GEMM's load of it go.
    let removed = touched_bytes(ctx, c, &init.attrs.out_maps[out], &init.attrs.space)
        + 4 * gemm.batch * gemm.m * gemm.n;
    let fold = Fold {
        writers: &[init_op, g_op],
        after: g_op,
        extra_weight: 1,
        removed,
        keeps_load: true,
    };
    let Some(readers) = plan_readers(ctx, order, &s, &fold)? else {
        return Ok(None);
    };
    for r in &readers {
        rewrite_reader(ctx, &s, r, true);
    }
    let overwrite = ctx.bool_attr(false);
    ctx.set_attr(g_op, "accumulate", overwrite);
    drop_output(ctx, &init, out);
    Ok(Some(Some(g_op)))
}
