//! `kernel-plan-memory`: every `kernel.alloc` that is not a result gets a byte `offset`
//! in one arena, reusing the space of buffers whose lifetimes (first to last use, in op
//! order) do not overlap. Greedy by size: the largest buffers are placed first, each at
//! the lowest aligned offset ([`SLOT_ALIGN`] bytes unless the `alignment` option says
//! otherwise) that fits beside the already placed buffers it is alive with (TFLite's and
//! XLA's heap simulator heuristic).

use crate::attrs::{Alloc, Fused, Gemm, buffer_bytes};
use crate::ops::OutKind;
use joinery_ir::{BlockId, Context, Diagnostic, OpId, Value};
use joinery_pass::{
    OptionKind, Pass, PassInfo, PassOptionInfo, PassOptions, PassResult, PassState,
};
use rustc_hash::{FxHashMap, FxHashSet};

/// Alignment of arena slots (one AVX-512 vector).
pub const SLOT_ALIGN: u64 = 64;

/// What memory planning decided for one function.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct MemoryPlan {
    /// Bytes of the arena (the peak of intermediate buffers alive at once).
    pub arena_bytes: u64,
    /// Bytes all intermediate buffers would take without reuse.
    pub unshared_bytes: u64,
    /// Bytes of the function's results.
    pub output_bytes: u64,
    /// Number of intermediate buffers placed.
    pub buffers: usize,
}

/// An intermediate buffer to place.
struct Slot {
    alloc: OpId,
    /// Bytes rounded up to [`SLOT_ALIGN`].
    bytes: u64,
    /// The offset it has, if planned.
    offset: Option<u64>,
    /// Position of the first and last op using the buffer.
    first_use: usize,
    last_use: usize,
}

/// A placed slot: its byte range in the arena and its lifetime.
struct Placed {
    start: u64,
    end: u64,
    first_use: usize,
    last_use: usize,
}

/// Op positions per chunk of [`PlacedIndex`].
const CHUNK: usize = 64;

/// Placed slots indexed by lifetime: `chunks[c]` holds the slots alive during some op of
/// positions `c * CHUNK .. (c + 1) * CHUNK`, so the slots alive with a lifetime are found
/// among those of the chunks it spans instead of among all placed slots.
#[derive(Default)]
struct PlacedIndex {
    placed: Vec<Placed>,
    chunks: Vec<Vec<usize>>,
}

impl PlacedIndex {
    fn insert(&mut self, p: Placed) {
        let last = p.last_use / CHUNK;
        if self.chunks.len() <= last {
            self.chunks.resize_with(last + 1, Vec::new);
        }
        for chunk in &mut self.chunks[p.first_use / CHUNK..=last] {
            chunk.push(self.placed.len());
        }
        self.placed.push(p);
    }

    /// The placed slots alive at some position of `first..=last`, by (start, end).
    fn alive_during(&self, first: usize, last: usize) -> Vec<&Placed> {
        let hi = (last / CHUNK).min(self.chunks.len().saturating_sub(1));
        let mut ids: Vec<usize> = self
            .chunks
            .get(first / CHUNK..=hi)
            .unwrap_or_default()
            .iter()
            .flatten()
            .copied()
            .filter(|&i| {
                let p = &self.placed[i];
                p.first_use <= last && first <= p.last_use
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut alive: Vec<&Placed> = ids.into_iter().map(|i| &self.placed[i]).collect();
        alive.sort_by_key(|p| (p.start, p.end));
        alive
    }
}

/// The intermediate buffers of the block `body` with their lifetimes and sizes rounded up
/// to `alignment`, and the bytes of the function's results.
fn slots(ctx: &Context, body: BlockId, alignment: u64) -> Result<(Vec<Slot>, u64), Diagnostic> {
    let ops: Vec<OpId> = ctx.block_ops(body).collect();
    let position: FxHashMap<OpId, usize> = ops.iter().enumerate().map(|(i, &o)| (o, i)).collect();
    let mut output_bytes = 0u64;
    let mut slots = Vec::new();
    for &op in &ops {
        if ctx.name_str(op) != "kernel.alloc" {
            continue;
        }
        let v = ctx.result(op, 0);
        let bytes = buffer_bytes(ctx, v);
        let offset = match Alloc::read(ctx, op)? {
            Alloc::Output(_) => {
                output_bytes = output_bytes.saturating_add(bytes);
                continue;
            }
            Alloc::Arena(offset) => Some(offset),
            Alloc::Unplanned => None,
        };
        // Uses nested in a region count at the position of their top-level op.
        let top = |mut user: OpId| {
            while !position.contains_key(&user) {
                match ctx.parent_op(user) {
                    Some(p) => user = p,
                    None => break,
                }
            }
            position.get(&user).copied().unwrap_or(position[&op])
        };
        let uses: Vec<usize> = ctx.uses(v).iter().map(|u| top(u.op)).collect();
        let aligned = bytes
            .checked_next_multiple_of(alignment)
            .ok_or_else(|| too_large(ctx, op))?;
        slots.push(Slot {
            alloc: op,
            bytes: aligned,
            offset,
            first_use: uses.iter().copied().min().unwrap_or(position[&op]),
            last_use: uses.iter().copied().max().unwrap_or(position[&op]),
        });
    }
    Ok((slots, output_bytes))
}

fn too_large(ctx: &Context, op: OpId) -> Diagnostic {
    Diagnostic::error("the arena would exceed 2^63 bytes").with_span(ctx.span(op))
}

/// Plans the arena of the L3 function `func` with `alignment`-byte slots (a power of two),
/// setting `offset` on its allocs. Allocs that already have an offset are planned again.
pub fn plan_memory(
    ctx: &mut Context,
    func: OpId,
    alignment: u64,
) -> Result<MemoryPlan, Diagnostic> {
    let Some(body) = ctx.body_block(func) else {
        return Ok(MemoryPlan::default());
    };
    let (mut slots, output_bytes) = slots(ctx, body, alignment)?;
    let mut plan = MemoryPlan {
        output_bytes,
        ..MemoryPlan::default()
    };
    slots.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.first_use.cmp(&b.first_use)));
    // The first fit visits the placed slots alive with the slot in address order and stops
    // at the first gap that fits; the index by lifetime finds them without scanning every
    // placed slot.
    let mut placed = PlacedIndex::default();
    for slot in &slots {
        let mut offset = 0u64;
        for p in placed.alive_during(slot.first_use, slot.last_use) {
            if offset.saturating_add(slot.bytes) <= p.start {
                break;
            }
            offset = offset.max(p.end);
        }
        let end = offset
            .checked_add(slot.bytes)
            .filter(|&e| e <= i64::MAX as u64)
            .ok_or_else(|| too_large(ctx, slot.alloc))?;
        placed.insert(Placed {
            start: offset,
            end,
            first_use: slot.first_use,
            last_use: slot.last_use,
        });
        plan.arena_bytes = plan.arena_bytes.max(end);
        plan.unshared_bytes = plan.unshared_bytes.saturating_add(slot.bytes);
        let attr = ctx.integer_attr(offset as i64, 64);
        ctx.set_attr(slot.alloc, "offset", attr);
    }
    plan.buffers = slots.len();
    Ok(plan)
}

/// The plan the placed allocs of the L3 function `func` carry, read back: arena size,
/// bytes of the placed buffers in [`SLOT_ALIGN`]-byte slots, result bytes. Unplanned
/// allocs count nowhere.
pub fn planned(ctx: &Context, func: OpId) -> Result<MemoryPlan, Diagnostic> {
    let Some(body) = ctx.body_block(func) else {
        return Ok(MemoryPlan::default());
    };
    let (slots, output_bytes) = slots(ctx, body, SLOT_ALIGN)?;
    let mut plan = MemoryPlan {
        output_bytes,
        ..MemoryPlan::default()
    };
    for slot in &slots {
        let Some(offset) = slot.offset else { continue };
        plan.buffers += 1;
        plan.unshared_bytes = plan.unshared_bytes.saturating_add(slot.bytes);
        plan.arena_bytes = plan.arena_bytes.max(offset.saturating_add(slot.bytes));
    }
    Ok(plan)
}

/// Checks what running the planned L3 function `func` relies on, beyond what each op's
/// verifier sees: buffers alive at the same time never share arena bytes (a hand-written
/// plan may place them anywhere), and no kernel reads an arena buffer (or accumulates
/// into it) before something writes it (arena bytes hold whatever an earlier buffer
/// left; results start zeroed).
pub fn check_planned(ctx: &Context, func: OpId) -> Result<(), Diagnostic> {
    let Some(body) = ctx.body_block(func) else {
        return Ok(());
    };
    let (slots, _) = slots(ctx, body, 1)?;
    for (i, a) in slots.iter().enumerate() {
        for b in &slots[..i] {
            let (Some(oa), Some(ob)) = (a.offset, b.offset) else {
                continue;
            };
            let alive = a.first_use <= b.last_use && b.first_use <= a.last_use;
            let bytes =
                |o: u64, s: &Slot| o..o.saturating_add(buffer_bytes(ctx, ctx.result(s.alloc, 0)));
            let (ra, rb) = (bytes(oa, a), bytes(ob, b));
            if alive && ra.start < rb.end && rb.start < ra.end {
                return Err(Diagnostic::error(format!(
                    "this buffer (arena bytes {}..{}) overlaps another one alive at the same time (bytes {}..{})",
                    ra.start, ra.end, rb.start, rb.end
                ))
                .with_span(ctx.span(a.alloc))
                .with_note("the other buffer", ctx.span(b.alloc)));
            }
        }
    }
    let mut written: FxHashSet<Value> = FxHashSet::default();
    for op in ctx.block_ops(body) {
        let operands = ctx.operands(op);
        let (reads, writes): (Vec<Value>, Vec<Value>) = match ctx.name_str(op) {
            "kernel.fill" => (Vec::new(), operands.to_vec()),
            "kernel.fused" => {
                let k = Fused::read(ctx, op)?;
                let outputs = &operands[k.num_inputs..];
                // A row kernel's later phase reads what an earlier phase wrote.
                let mut reads: Vec<Value> = operands[..k.num_inputs]
                    .iter()
                    .filter(|v| !outputs.contains(v))
                    .copied()
                    .collect();
                reads.extend(
                    outputs
                        .iter()
                        .zip(&k.out_kinds)
                        .filter(|(_, kind)| **kind != OutKind::Store)
                        .map(|(v, _)| *v),
                );
                (reads, outputs.to_vec())
            }
            "kernel.gemm" => {
                let g = Gemm::read(ctx, op)?;
                let n = if g.accumulate { 3 } else { 2 };
                (operands[..n].to_vec(), operands[2..].to_vec())
            }
            "kernel.nonzero" => (
                operands.get(..1).unwrap_or(&[]).to_vec(),
                operands.get(1..).unwrap_or(&[]).to_vec(),
            ),
            "kernel.rows" => (operands.to_vec(), Vec::new()),
            // A scatter updates `out` in place, so it reads it too.
            "kernel.gather" | "kernel.scatter" | "kernel.cumsum" | "kernel.argsort"
            | "kernel.fft" | "kernel.conv" => {
                let Some((&out, rest)) = operands.split_last() else {
                    continue;
                };
                let mut reads = rest.to_vec();
                if ctx.name_str(op) == "kernel.scatter" {
                    reads.push(out);
                }
                (reads, vec![out])
            }
            _ => continue,
        };
        for v in reads {
            // Arguments hold the caller's values and results start zeroed.
            let scratch = ctx.defining_op(v).is_some_and(|d| {
                ctx.name_str(d) == "kernel.alloc"
                    && !matches!(Alloc::read(ctx, d), Ok(Alloc::Output(_)))
            });
            if scratch && !written.contains(&v) {
                return Err(Diagnostic::error(format!(
                    "'{}' reads a buffer before anything writes it",
                    ctx.name_str(op)
                ))
                .with_span(ctx.span(op))
                .with_note("the buffer", ctx.value_span(v)));
            }
        }
        written.extend(writes);
    }
    Ok(())
}

/// The declaration of `kernel-plan-memory`.
pub static PLAN_MEMORY: PassInfo = PassInfo {
    name: "kernel-plan-memory",
    title: "KernelPlanMemory",
    summary: "Place intermediate kernel buffers in one arena by liveness",
    description: "Gives every kernel.alloc that is not a function result an `offset` in the \
        function's arena. Buffers alive at the same time (first to last use in op order, uses \
        inside a kernel body counting at the kernel) never overlap; others share space. Greedy \
        by size, largest first, each at the lowest 64-byte-aligned offset that fits (the heap \
        simulator heuristic of TFLite and XLA).\n\
        Needs: an L3 function (kernel ops, one block), run after kernel-fuse so that buffers \
        fusion removed take no space.\n\
        Guarantees: every non-result alloc has an offset, a multiple of `alignment`.\n\
        Gaps: no in-place reuse of an operand's slot by a kernel's output; the arena is not \
        shared across functions.",
    anchor: Some("func.func"),
    options: &[PassOptionInfo {
        name: "alignment",
        kind: OptionKind::Int,
        default: "64",
        help: "Byte alignment of every slot, a power of two (64: one cache line, one AVX-512 vector)",
    }],
    statistics: &[
        ("arena-bytes", "Bytes of the arenas planned"),
        (
            "unshared-bytes",
            "Bytes the intermediate buffers would take without reuse",
        ),
        ("buffers", "Intermediate buffers placed"),
    ],
    constructor: |options: &PassOptions| {
        Box::new(PlanMemory {
            alignment: options.int("alignment"),
        })
    },
};

/// The `kernel-plan-memory` pass.
struct PlanMemory {
    alignment: i64,
}

impl Pass for PlanMemory {
    fn run(&mut self, ctx: &mut Context, func: OpId, state: &mut PassState) -> PassResult {
        let has_allocs = ctx.body_block(func).is_some_and(|b| {
            ctx.block_ops(b)
                .any(|op| ctx.name_str(op) == "kernel.alloc")
        });
        if self.alignment < 1 || (self.alignment & (self.alignment - 1)) != 0 {
            return Err(vec![
                Diagnostic::error(format!(
                    "kernel-plan-memory: alignment must be a power of two, got {}",
                    self.alignment
                ))
                .with_span(ctx.span(func)),
            ]);
        }
        if !has_allocs {
            return Ok(false);
        }
        let plan = plan_memory(ctx, func, self.alignment as u64).map_err(|d| vec![d])?;
        state.add_statistic("arena-bytes", plan.arena_bytes);
        state.add_statistic("unshared-bytes", plan.unshared_bytes);
        state.add_statistic("buffers", plan.buffers as u64);
        Ok(plan.buffers > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index finds exactly the placed slots a scan of all of them finds, in address
    /// order, for lifetimes within one chunk and across many.
    #[test]
    fn placed_index_matches_a_scan() {
        let mut index = PlacedIndex::default();
        let mut all: Vec<(u64, u64, usize, usize)> = Vec::new();
        for i in 0..300usize {
            let first = (i * 37) % 500;
            let last = first + (i * 13) % 200;
            let start = ((i * 7) % 11) as u64 * 64;
            index.insert(Placed {
                start,
                end: start + 64,
                first_use: first,
                last_use: last,
            });
            all.push((start, start + 64, first, last));
        }
        all.sort_by_key(|p| (p.0, p.1));
        for (first, last) in [(0, 0), (63, 64), (100, 400), (450, 460), (690, 2000)] {
            let found: Vec<(u64, u64, usize, usize)> = index
                .alive_during(first, last)
                .iter()
                .map(|p| (p.start, p.end, p.first_use, p.last_use))
                .collect();
            let scanned: Vec<(u64, u64, usize, usize)> = all
                .iter()
                .copied()
                .filter(|p| p.2 <= last && first <= p.3)
                .collect();
            assert!(!scanned.is_empty() || first > 600, "{first}..{last}");
            assert_eq!(found.len(), scanned.len(), "{first}..{last}");
            let key =
                |v: &[(u64, u64, usize, usize)]| v.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>();
            assert_eq!(key(&found), key(&scanned), "{first}..{last}");
        }
    }
}
