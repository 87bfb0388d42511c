//! Memory planning for L3 functions: every `kernel.alloc` that is not a result gets a
//! byte `offset` in one arena, reusing the space of buffers whose lifetimes (first to
//! last use, in op order) do not overlap. Greedy by size: the largest buffers are placed
//! first, each at the lowest 64-byte-aligned offset that fits beside the already placed
//! buffers it is alive with (TFLite's and XLA's heap simulator heuristic).

use joinery_ir::{Context, OpId, Value};
use rustc_hash::FxHashMap;

/// Alignment of arena slots (one AVX-512 vector).
pub const SLOT_ALIGN: u64 = 64;

/// What memory planning decided.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct MemoryPlan {
    /// Bytes of the arena (the peak of intermediate buffers alive at once).
    pub arena_bytes: u64,
    /// Bytes all intermediate buffers would take without reuse.
    pub unshared_bytes: u64,
    /// Bytes of the function's results.
    pub output_bytes: u64,
    pub buffers: usize,
}

/// Bytes of a buffer value (a static tensor type; 0 for anything else).
pub fn buffer_bytes(ctx: &Context, v: Value) -> u64 {
    use joinery_aten::DType::*;
    match crate::graph::static_info(ctx, ctx.value_type(v)) {
        Some((shape, dt)) => {
            let elem = match dt {
                Bool | I8 => 1,
                I16 | F16 | BF16 => 2,
                I32 | F32 => 4,
                I64 | F64 => 8,
            };
            shape.iter().product::<u64>() * elem
        }
        None => 0,
    }
}

/// Plans the arena of the L3 function `func`, setting `offset` on its allocs.
pub fn plan_memory(ctx: &mut Context, func: OpId) -> MemoryPlan {
    let Some(body) = ctx.body_block(func) else {
        return MemoryPlan::default();
    };
    let ops: Vec<OpId> = ctx.block_ops(body).collect();
    let mut allocs: Vec<(OpId, Value)> = Vec::new();
    let mut plan = MemoryPlan::default();
    for &op in &ops {
        if ctx.name_str(op) == "kernel.alloc" {
            let v = ctx.result(op, 0);
            if ctx.attr(op, "output").is_some() {
                plan.output_bytes += buffer_bytes(ctx, v);
            } else {
                allocs.push((op, v));
            }
        }
    }
    let position: FxHashMap<OpId, usize> = ops.iter().enumerate().map(|(i, &o)| (o, i)).collect();
    // Lifetime: [first use, last use] among the ops of the body.
    let mut items: Vec<(OpId, u64, usize, usize)> = allocs
        .iter()
        .map(|&(op, v)| {
            let uses: Vec<usize> = ctx.uses(v).iter().map(|u| position[&u.op]).collect();
            let first = uses.iter().copied().min().unwrap_or(position[&op]);
            let last = uses.iter().copied().max().unwrap_or(position[&op]);
            let bytes = buffer_bytes(ctx, v).div_ceil(SLOT_ALIGN) * SLOT_ALIGN;
            (op, bytes, first, last)
        })
        .collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut placed: Vec<(u64, u64, usize, usize)> = Vec::new();
    for &(op, bytes, first, last) in &items {
        let mut live: Vec<(u64, u64)> = placed
            .iter()
            .filter(|p| p.2 <= last && first <= p.3)
            .map(|p| (p.0, p.0 + p.1))
            .collect();
        live.sort_unstable();
        let mut offset = 0u64;
        for (s, e) in live {
            if offset + bytes <= s {
                break;
            }
            offset = offset.max(e);
        }
        placed.push((offset, bytes, first, last));
        plan.arena_bytes = plan.arena_bytes.max(offset + bytes);
        plan.unshared_bytes += bytes;
        let attr = ctx.integer_attr(offset as i64, 64);
        ctx.set_attr(op, "offset", attr);
    }
    plan.buffers = items.len();
    plan
}
