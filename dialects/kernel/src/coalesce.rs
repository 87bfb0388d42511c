//! `kernel-coalesce-dims`: fewer, longer loops. Two adjacent dimensions of a
//! `kernel.fused` iteration space merge into one when every map walks them as one
//! (`stride[d] == stride[d + 1] * space[d + 1]` for every operand, zero strides included),
//! and unit dimensions disappear, as inductor collapses contiguous index ranges. The loop
//! nest then has less index arithmetic (cheaper to compile, better vectorized), and the
//! outermost loop, which is split across threads, gets longer. Dimensions the body reads
//! with `kernel.index` keep their identity (renumbered).
//!
//! Law: `for i < a, j < b: f(s*i + t*j)` with `s == t * b` is `for k < a*b: f(t*k)`.

use crate::attrs::{Fused, Map, index_dim};
use joinery_ir::{Context, Diagnostic, OpId};
use joinery_pass::{Pass, PassInfo, PassOptions, PassResult, PassState};

/// The dimensions a body reads with `kernel.index`, and those ops.
fn index_ops(ctx: &Context, op: OpId) -> Result<Vec<(OpId, usize)>, Diagnostic> {
    ctx.walk(op)
        .into_iter()
        .filter(|&o| ctx.name_str(o) == "kernel.index")
        .map(|o| Ok((o, index_dim(ctx, o)?)))
        .collect()
}

/// The new dimensions as runs of old ones (outermost first), or `None` when nothing
/// merges or disappears. Dimensions in `keep` stay alone in their run.
fn runs(space: &[u64], maps: &[&Map], keep: &[usize]) -> Option<Vec<Vec<usize>>> {
    let mut runs: Vec<Vec<usize>> = (0..space.len())
        .filter(|&d| space[d] != 1 || keep.contains(&d))
        .map(|d| vec![d])
        .collect();
    let mut i = runs.len();
    while i > 1 {
        i -= 1;
        // Walking from the innermost, run `i - 1` is still one dimension; run `i` acts as
        // one dimension of its total extent and its innermost stride.
        let outer = runs[i - 1][0];
        let extent: u64 = runs[i].iter().map(|&d| space[d]).product();
        let innermost = *runs[i].last().expect("runs are not empty");
        let mergeable = !keep.contains(&outer)
            && !runs[i].iter().any(|d| keep.contains(d))
            && maps
                .iter()
                .all(|m| m.strides[outer] as i128 == m.strides[innermost] as i128 * extent as i128);
        if mergeable {
            let tail = runs.remove(i);
            runs[i - 1].extend(tail);
        }
    }
    (runs.len() != space.len()).then_some(runs)
}

/// Coalesces the space of one `kernel.fused` op in place; returns whether it changed.
pub fn coalesce_kernel(ctx: &mut Context, op: OpId) -> Result<bool, Diagnostic> {
    let mut k = Fused::read(ctx, op)?;
    let indexes = index_ops(ctx, op)?;
    let keep: Vec<usize> = indexes.iter().map(|&(_, d)| d).collect();
    let maps: Vec<&Map> = k.in_maps.iter().chain(&k.out_maps).collect();
    if maps.iter().any(|m| m.strides.len() != k.space.len())
        || keep.iter().any(|&d| d >= k.space.len())
    {
        return Ok(false);
    }
    let Some(runs) = runs(&k.space, &maps, &keep) else {
        return Ok(false);
    };
    let walk = |m: &Map| Map {
        offset: m.offset,
        strides: runs
            .iter()
            .map(|r| m.strides[*r.last().expect("runs are not empty")])
            .collect(),
    };
    k.in_maps = k.in_maps.iter().map(walk).collect();
    k.out_maps = k.out_maps.iter().map(walk).collect();
    k.space = runs
        .iter()
        .map(|r| r.iter().map(|&d| k.space[d]).product())
        .collect();
    for (name, value) in k.attributes(ctx) {
        ctx.set_attr(op, &name, value);
    }
    for (index, d) in indexes {
        let new = runs
            .iter()
            .position(|r| r == &[d])
            .expect("kept dimensions stay alone");
        let attr = ctx.integer_attr(new as i64, 64);
        ctx.set_attr(index, "dim", attr);
    }
    Ok(true)
}

/// The declaration of `kernel-coalesce-dims`.
pub static COALESCE_DIMS: PassInfo = PassInfo {
    name: "kernel-coalesce-dims",
    title: "KernelCoalesceDims",
    summary: "Merge adjacent loop dimensions every map walks contiguously; drop unit ones",
    description: "Rewrites each kernel.fused op's space and maps: adjacent dimensions that \\
        every input and output map walks as one (stride[d] == stride[d+1] * space[d+1], zero \\
        strides of broadcasts and reductions included) merge, and unit dimensions go. \\
        Dimensions read by kernel.index are kept and renumbered.\\n\\
        Needs: verified kernel.fused ops.\\n\\
        Guarantees: every operand is read and written at the same elements in the same \\
        order (row-major over the space), so results are unchanged; reductions still reduce \\
        exactly the dimensions their output maps give stride 0.\\n\\
        Gaps: no reordering of dimensions (a transposed read stays a strided loop).",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[("kernels-coalesced", "kernel.fused ops whose space shrank")],
    constructor: |_: &PassOptions| Box::new(CoalesceDims),
};

/// The `kernel-coalesce-dims` pass.
struct CoalesceDims;

impl Pass for CoalesceDims {
    fn run(&mut self, ctx: &mut Context, func: OpId, state: &mut PassState) -> PassResult {
        let kernels: Vec<OpId> = ctx
            .walk(func)
            .into_iter()
            .filter(|&op| ctx.name_str(op) == "kernel.fused")
            .collect();
        let mut changed = 0;
        for op in kernels {
            if coalesce_kernel(ctx, op).map_err(|d| vec![d])? {
                changed += 1;
            }
        }
        state.add_statistic("kernels-coalesced", changed);
        Ok(changed > 0)
    }
}
