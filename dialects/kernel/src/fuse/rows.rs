//! Row kernels (`kernel-fuse`'s last rewrite): a kernel that reads what an earlier kernel
//! over the same space computed, where merging cannot keep the value in a register (a
//! reduction's result, complete only after the reduction), becomes a later *phase* of one
//! kernel with it. For each point of the shared outer dims, the earlier phase runs over
//! every inner point, then the later one: softmax's max, sum of exps and normalization
//! (and a layer norm's mean, variance and normalization) each pass over a row while it is
//! in L1, instead of each reading it again from L2, L3 or memory.
//!
//! Legality, for kernels `A` then `B` over one space: everything `B` reads of `A`'s
//! outputs it reads through the map `A` wrote it with, that map moves along every outer
//! dim (no reduced or broadcast dim among them) and never sends two points to one element
//! but along a reduced dim, so at an outer point `B` only reads elements `A` finished at
//! that point and `A` never writes them again; `A` reads nothing `B` writes; the outer
//! dims are the longest such prefix (and not all dims). Placement as for the other
//! merges (no read moves across a write). The phases' working set at one outer point
//! must fit in half of L1 (32 KiB); a kernel that the runtime must run on one thread (a
//! non-f32 reduction across the outer dim) only merges with another such kernel.

use super::{Kernel, Order, aligned, placement, resume_after, stable_prev, writers};
use crate::attrs::{Fused, Phase, static_info};
use joinery_ir::{BlockId, Context, Diagnostic, OpId, OperationState, Value};
use rustc_hash::FxHashMap;

/// Most bytes the phases of a row kernel may touch at one outer point (half of L1 on the
/// machines we measure, so that a row read by one phase is still there for the next).
const ROW_BYTES: u64 = 32 * 1024;

/// Whether `map` sends distinct points of `space` to distinct elements, dims of stride 0
/// aside (a reduction's): the strides, smallest first, each reach past the previous dim.
fn distinct_points(map: &crate::attrs::Map, space: &[u64]) -> bool {
    let mut dims: Vec<(u64, u64)> = map
        .strides
        .iter()
        .zip(space)
        .filter(|(s, n)| **s != 0 && **n > 1)
        .map(|(s, n)| (s.unsigned_abs(), *n))
        .collect();
    dims.sort_unstable();
    let mut reach = 1u64;
    dims.iter().all(|&(s, n)| {
        let ok = s >= reach;
        reach = s.saturating_mul(n);
        ok
    })
}

/// The outer dims of a row kernel with phases `a` then `b` (both over one space), if `b`
/// reads something of `a` and the rules allow.
fn row_outer(ctx: &Context, a: &Kernel, b: &Kernel) -> Option<usize> {
    let space = &a.attrs.space;
    let rank = space.len();
    // A scalar kernel (a value a scatter reads, say) has no rows.
    let mut outer = rank.checked_sub(1)?;
    let mut crosses = false;
    if a.inputs.iter().any(|v| b.outputs.contains(v)) {
        return None;
    }
    for (v, map) in b.inputs.iter().zip(&b.attrs.in_maps) {
        let Some(j) = a.outputs.iter().position(|o| o == v) else {
            continue;
        };
        if a.attrs.out_maps[j] != *map || !distinct_points(map, space) {
            return None;
        }
        crosses = true;
        let moving = map
            .strides
            .iter()
            .zip(space)
            .position(|(&s, &d)| s == 0 && d > 1)
            .unwrap_or(rank);
        outer = outer.min(moving);
    }
    for k in [a, b] {
        if k.is_row() {
            outer = outer.min(k.attrs.outer);
        }
    }
    if !crosses || outer == 0 || a.outputs.iter().any(|o| b.outputs.contains(o)) {
        return None;
    }
    // The working set of one outer point: every distinct buffer over the inner dims.
    let mut buffers: FxHashMap<Value, u64> = FxHashMap::default();
    for k in [a, b] {
        let maps = k.attrs.in_maps.iter().chain(&k.attrs.out_maps);
        for (&v, map) in ctx.operands(k.op).iter().zip(maps) {
            let elem = static_info(ctx, ctx.value_type(v)).map_or(8, |(_, dt)| dt.size_bytes());
            let inner: u64 = space[outer..]
                .iter()
                .zip(&map.strides[outer..])
                .filter(|(_, s)| **s != 0)
                .map(|(d, _)| *d)
                .product();
            let bytes = buffers.entry(v).or_default();
            *bytes = (*bytes).max(inner * elem as u64);
        }
    }
    (buffers.values().sum::<u64>() <= ROW_BYTES).then_some(outer)
}

/// `x` then `y`.
fn cat<T: Clone>(x: &[T], y: &[T]) -> Vec<T> {
    x.iter().chain(y).cloned().collect()
}

/// A copy of `block` (arguments and ops) for another op's region.
fn clone_block(ctx: &mut Context, block: BlockId) -> BlockId {
    let types: Vec<_> = ctx
        .block_args(block)
        .iter()
        .map(|&a| ctx.value_type(a))
        .collect();
    let copy = ctx.create_block(&types);
    let mut map: FxHashMap<Value, Value> = ctx
        .block_args(block)
        .iter()
        .copied()
        .zip(ctx.block_args(copy).to_vec())
        .collect();
    let ops: Vec<OpId> = ctx.block_ops(block).collect();
    for op in ops {
        let c = ctx.clone_op(op, &mut map);
        ctx.append_op(copy, c);
    }
    copy
}

/// The row kernel running `a`'s phases then `b`'s over their space, `outer` dims shared,
/// inserted before `at`.
fn build_row(ctx: &mut Context, a: &Kernel, b: &Kernel, outer: usize, at: OpId) -> OpId {
    let phases_of = |k: &Kernel| -> Vec<Phase> {
        if k.is_row() {
            k.attrs.phases.clone()
        } else {
            vec![Phase {
                inputs: k.inputs.len(),
                outputs: k.outputs.len(),
            }]
        }
    };
    let fused = Fused {
        name: b.attrs.name.clone(),
        space: b.attrs.space.clone(),
        num_inputs: a.inputs.len() + b.inputs.len(),
        in_maps: cat(&a.attrs.in_maps, &b.attrs.in_maps),
        out_maps: cat(&a.attrs.out_maps, &b.attrs.out_maps),
        out_kinds: cat(&a.attrs.out_kinds, &b.attrs.out_kinds),
        sources: cat(&a.attrs.sources, &b.attrs.sources),
        phases: cat(&phases_of(a), &phases_of(b)),
        outer,
    };
    let mut state = OperationState::new(ctx.op_name("kernel.fused"));
    state.operands = cat(&a.inputs, &b.inputs);
    state.operands.extend(cat(&a.outputs, &b.outputs));
    for k in [a, b] {
        for region in ctx.regions(k.op).to_vec() {
            let block = clone_block(ctx, ctx.region_blocks(region)[0]);
            let copy = ctx.create_region();
            ctx.append_block(copy, block);
            state.regions.push(copy);
        }
    }
    state.attrs = fused.attributes(ctx);
    state.span = ctx.span(b.op);
    let op = ctx.create_op(state);
    ctx.insert_op_before(at, op);
    op
}

/// Makes the kernel `b_op` a later phase of an earlier kernel it reads, if one qualifies
/// (the nearest first); the sweep resumes where that kernel was.
pub(super) fn row_at(
    ctx: &mut Context,
    order: &Order<'_>,
    b_op: OpId,
) -> Result<Option<Option<OpId>>, Diagnostic> {
    if ctx.name_str(b_op) != "kernel.fused" {
        return Ok(None);
    }
    let b = order.kernel(ctx, b_op)?;
    let b_pos = order.pos(ctx, b_op);
    let mut candidates: Vec<(u64, OpId)> = b
        .inputs
        .iter()
        .flat_map(|&v| writers(ctx, v))
        .filter(|&op| op != b_op && ctx.name_str(op) == "kernel.fused" && order.contains(ctx, op))
        .map(|op| (order.pos(ctx, op), op))
        .filter(|&(k, _)| k < b_pos)
        .collect();
    candidates.sort_unstable_by_key(|&(k, _)| std::cmp::Reverse(k));
    candidates.dedup();
    for (_, a_op) in candidates {
        let a = order.kernel(ctx, a_op)?;
        let Some((a, b)) = aligned(ctx, &a, &b) else {
            continue;
        };
        let Some(outer) = row_outer(ctx, &a, &b) else {
            continue;
        };
        if a.serial(ctx) != b.serial(ctx) {
            continue;
        }
        let Some(place) = placement(ctx, order, &a, &b) else {
            continue;
        };
        let prev = stable_prev(ctx, a.op, &a.outputs);
        let at = match place {
            super::Placement::AtSecond => b.op,
            super::Placement::AtFirst { hoisted } => {
                order.hoist(ctx, &hoisted, a.op);
                a.op
            }
        };
        build_row(ctx, &a, &b, outer, at);
        ctx.erase_op(b.op);
        ctx.erase_op(a.op);
        return Ok(Some(resume_after(ctx, order.block, prev)));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::distinct_points;
    use crate::attrs::Map;

    fn m(strides: &[i64]) -> Map {
        Map {
            offset: 0,
            strides: strides.to_vec(),
        }
    }

    #[test]
    fn distinct_points_allows_layouts_and_reductions_only() {
        assert!(distinct_points(&m(&[8, 1]), &[4, 8]));
        assert!(distinct_points(&m(&[1, 0]), &[4, 8]));
        assert!(distinct_points(&m(&[1, 4]), &[4, 8]));
        // Rows that overlap, and two dims on one element.
        assert!(!distinct_points(&m(&[1, 1]), &[4, 8]));
        assert!(!distinct_points(&m(&[4, 1]), &[4, 8]));
    }
}
