//! `kernel-fuse`: fusion of `kernel.fused` loop nests, as inductor's scheduler fuses
//! nodes, in five rewrites repeated until none applies (in this order of preference),
//! then a clean-up of the spaces.
//!
//! - **Vertical** (producer into consumer). A producer `P` merges into a consumer `C`
//!   when `C` reads a buffer `P` stores, both iterate over the same space, and every read
//!   `C` makes of `P`'s outputs is element for element (identity maps, so the value is in
//!   a register at that point of the loop nest). The merged kernel computes `P`'s body,
//!   then `C`'s with those reads replaced by `P`'s yielded scalars; `P`'s stores that
//!   something else still reads (another op, or the caller: a result buffer) stay as extra
//!   outputs, the rest disappear with their `kernel.alloc`. A reduction is never read
//!   inside its own loop nest (its value is complete only after it), so a reduction's
//!   pointwise prologue fuses into it and its epilogue starts the next kernel.
//! - **GEMM bias into the readers** ([`recompute`]). `addmm` stores its bias into the
//!   product's buffer before an accumulating GEMM; when every reader of that buffer is a
//!   loop nest, the GEMM overwrites instead and each reader adds the bias it recomputes
//!   from the bias kernel's inputs: the bias kernel goes (and, with a GEMM that does not
//!   read what it overwrites, the traffic of storing and reloading the bias), and the
//!   bias add joins the post-GEMM pointwise chain.
//! - **Recompute** ([`recompute`]). A cheap value a kernel stores and other kernels read
//!   where merging cannot reach (after a GEMM, through a transpose, broadcast along a
//!   row, from a reduction's side output) is recomputed in every reader from the inputs it
//!   was computed from, and the store goes, as inductor inlines pointwise nodes into each
//!   consumer. The heuristic is in [`recompute`]'s documentation.
//! - **Horizontal** (siblings). Two independent kernels over the same space that read a
//!   common buffer (say a gradient that a layer norm's weight, bias and input gradients
//!   all reduce), or one of which reads only broadcast data (a bias copy), become one
//!   loop nest: the shared buffer is read once and one kernel launch goes.
//! - **Rows** ([`rows`]). A kernel that reads a reduction an earlier kernel over the same
//!   space computed (softmax's normalization reads the row sum, which reads the row max)
//!   becomes a later phase of one *row kernel* with it: for each point of the outer dims
//!   every phase passes over the inner dims in turn, while the row is in L1.
//!
//! Spaces that split into a common one (`[1024, 256]` and `[8, 128, 256]`) count as the
//! same: both kernels are re-expressed over the common refinement ([`space`]); at the end
//! every kernel's space is collapsed back to the fewest loops its maps allow.
//!
//! Placement. A merged kernel sits where the later of the two was when no op between them
//! touches the earlier one's outputs or writes its inputs; else where the earlier one was,
//! after the ops between them that the later one depends on (their dependency cone, fills
//! of its accumulators included) are hoisted above it, when none of those touches the
//! earlier one's outputs or writes its inputs, the ops left between read neither the later
//! one's outputs nor what a hoisted op writes, and what moves up uses no value defined
//! below the earlier one; otherwise the pair is left alone (fusing would reorder a read and
//! a write).
//!
//! Soundness rests on two properties of unplanned L3 that lowering produces: every buffer
//! is written by one op (a reduction's accumulator: one fill, then the reduction; a GEMM
//! with a bias: the bias kernel, then the GEMM; a concatenation: one copy per disjoint
//! slice), and every write of a buffer comes before every read of it. So a buffer read
//! anywhere after its writers holds the same value everywhere, which is what lets a
//! consumer read a producer's inputs instead of its output, and the pass refuses planned
//! functions (the arena reuses buffers). Recompute and the bias fold check that the
//! writers of every buffer they make a reader load precede the kernel the value was
//! computed in. A row kernel's later phase reads an earlier phase's output only through
//! the map it was written with, moving along every outer dim and sending distinct points
//! to distinct elements, so at each outer point it reads finished values that no later
//! outer point rewrites. The other rewrites leave row kernels alone.
//!
//! # What remains
//!
//! - **Row kernels** store what a later phase reads (a softmax's exps, a row max) in
//!   buffers of the whole function's size, though only one row is live at a time: a
//!   per-thread row scratch (or writing the exps into the output and normalizing in
//!   place) would also save their write-back. Recompute cannot see into a row kernel's
//!   phases, so a value an earlier phase stores is never recomputed by a later one.
//! - **GEMM epilogues.** The pointwise chain after a GEMM (bias, activation, residual) is
//!   one loop nest, but it reads the product back: the runtime GEMM (OpenBLAS `sgemm` or
//!   the `gemm` crate) takes no per-tile callback, so the chain cannot run on a tile while
//!   it is in registers. An `addmm` whose product is a result, or that another GEMM
//!   reads, keeps its bias copy and the accumulating GEMM.
//! - A threshold backward's mask stays a stored side output of the forward relu in a
//!   joint graph: recomputing it would reload the four-byte relu (see [`recompute`]).
//! - Copies that only exist for a GEMM's operand layout (attention's head split and merge:
//!   a batch of `(batch, head)` pairs has no single batch stride) and the slices of a
//!   concatenation (several writers) are not fused with their neighbours.

mod body;
pub mod recompute;
pub mod rows;
pub mod space;

use crate::attrs::{Fused, Map};
use crate::ops::OutKind;
use body::NewKernel;
use joinery_ir::{Context, Diagnostic, OpId, Value};
use joinery_pass::{
    OptionKind, Pass, PassInfo, PassOptionInfo, PassOptions, PassResult, PassState,
};
use rustc_hash::{FxHashMap, FxHashSet};

/// Buffers an op writes: a fused kernel's outputs, a GEMM's `c`, a fill's buffer, a
/// gather's, scatter's, cumsum's, argsort's, fft's or conv's `out`, a nonzero's `out` and `count`.
fn written(ctx: &Context, op: OpId) -> &[Value] {
    let operands = ctx.operands(op);
    match ctx.name_str(op) {
        "kernel.fused" => {
            let inputs = ctx
                .attr(op, "num_inputs")
                .and_then(|a| ctx.as_i64(a))
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0);
            &operands[inputs.min(operands.len())..]
        }
        "kernel.gemm" => operands.get(2..3).unwrap_or(&[]),
        "kernel.nonzero" => operands.get(1..).unwrap_or(&[]),
        "kernel.fill" => operands,
        "kernel.gather" | "kernel.scatter" | "kernel.cumsum" | "kernel.argsort" | "kernel.fft"
        | "kernel.conv" => operands.last().map(std::slice::from_ref).unwrap_or(&[]),
        _ => &[],
    }
}

/// The ops writing `buffer`, in use order.
fn writers(ctx: &Context, buffer: Value) -> Vec<OpId> {
    distinct(
        ctx.uses(buffer)
            .iter()
            .map(|u| u.op)
            .filter(|&op| written(ctx, op).contains(&buffer))
            .collect(),
    )
}

/// `ops` with each op once, where it first occurs: an op's uses of one value need not be
/// adjacent in the value's use list.
fn distinct(mut ops: Vec<OpId>) -> Vec<OpId> {
    let mut seen = FxHashSet::default();
    ops.retain(|op| seen.insert(*op));
    ops
}

/// The only op writing `buffer`, if exactly one does.
fn sole_writer(ctx: &Context, buffer: Value) -> Option<OpId> {
    match writers(ctx, buffer)[..] {
        [w] => Some(w),
        _ => None,
    }
}

/// Whether `buffer` is an intermediate: a `kernel.alloc` that is not a result.
fn is_temporary(ctx: &Context, buffer: Value) -> bool {
    ctx.defining_op(buffer)
        .is_some_and(|a| ctx.name_str(a) == "kernel.alloc" && ctx.attr(a, "output").is_none())
}

/// Erases the `kernel.alloc` of `buffer` when nothing uses the buffer any more.
fn erase_if_unused(ctx: &mut Context, buffer: Value) {
    if let Some(alloc) = ctx.defining_op(buffer)
        && ctx.name_str(alloc) == "kernel.alloc"
        && ctx.is_unused(buffer)
    {
        ctx.erase_op(alloc);
    }
}

/// A kernel with its attributes and operands.
#[derive(Clone)]
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
        let outputs = operands.len().saturating_sub(attrs.num_inputs);
        let rank = attrs.space.len();
        let ranges = attrs.phase_ranges();
        let bodies_match = ctx.regions(op).len() == ranges.len()
            && ctx
                .regions(op)
                .iter()
                .zip(&ranges)
                .all(|(&r, (ins, outs))| {
                    ctx.region_blocks(r).first().is_some_and(|&b| {
                        ctx.block_args(b).len() == ins.len()
                            && ctx
                                .block_ops(b)
                                .last()
                                .is_some_and(|t| ctx.operands(t).len() == outs.len())
                    })
                });
        let consistent = operands.len() >= attrs.num_inputs
            && attrs.in_maps.len() == attrs.num_inputs
            && attrs.out_maps.len() == outputs
            && attrs.out_kinds.len() == outputs
            && ranges
                .last()
                .is_none_or(|(i, o)| i.end == attrs.num_inputs && o.end == outputs)
            && bodies_match
            && attrs
                .in_maps
                .iter()
                .chain(&attrs.out_maps)
                .all(|m| m.strides.len() == rank);
        if !consistent {
            return Err(Diagnostic::error(
                "kernel-fuse needs verified kernels: one map per buffer with one stride per \
                 dim, one body argument per input, one yielded value per output",
            )
            .with_span(ctx.span(op)));
        }
        Ok(Kernel {
            op,
            inputs: operands[..attrs.num_inputs].to_vec(),
            outputs: operands[attrs.num_inputs..].to_vec(),
            attrs,
        })
    }

    /// The body (of the first phase, for a row kernel).
    fn body(&self, ctx: &Context) -> joinery_ir::BlockId {
        ctx.region_blocks(ctx.regions(self.op)[0])[0]
    }

    /// Whether this is a row kernel (several phases): the other rewrites leave it alone.
    fn is_row(&self) -> bool {
        !self.attrs.phases.is_empty()
    }

    /// Whether a body reads a loop index (`kernel.index`), which ties it to its dims.
    fn uses_index(&self, ctx: &Context) -> bool {
        ctx.regions(self.op).iter().any(|&r| {
            ctx.region_blocks(r).iter().any(|&b| {
                ctx.block_ops(b)
                    .any(|op| ctx.name_str(op) == "kernel.index")
            })
        })
    }

    /// The same kernel over `space`, a refinement of its own; `None` when its body reads a
    /// loop index of a dim that would change.
    fn refined(&self, ctx: &Context, space: &[u64]) -> Option<Kernel> {
        if self.attrs.space == space {
            return Some(self.clone());
        }
        if self.uses_index(ctx) {
            return None;
        }
        let refine = |maps: &[Map]| -> Option<Vec<Map>> {
            maps.iter()
                .map(|m| space::refine_map(m, &self.attrs.space, space))
                .collect()
        };
        let mut k = self.clone();
        k.attrs.in_maps = refine(&self.attrs.in_maps)?;
        k.attrs.out_maps = refine(&self.attrs.out_maps)?;
        if self.is_row() {
            // The shared dims end at the same point of the finer space.
            let cut: u64 = self.attrs.space[..self.attrs.outer].iter().product();
            let mut p = 1u64;
            k.attrs.outer = space
                .iter()
                .position(|&d| {
                    p *= d;
                    p >= cut
                })
                .map(|i| i + 1)
                .filter(|&o| p == cut && o < space.len())?;
        }
        k.attrs.space = space.to_vec();
        Some(k)
    }

    /// A reduction across the outer (thread-split) dim that the runtime cannot split (not
    /// f32): such a kernel runs on one thread.
    fn serial(&self, ctx: &Context) -> bool {
        self.attrs.out_kinds.iter().enumerate().any(|(o, &kind)| {
            kind != OutKind::Store
                && self.attrs.out_maps[o].strides.first() == Some(&0)
                && crate::attrs::static_info(ctx, ctx.value_type(self.outputs[o]))
                    .is_none_or(|(_, dt)| dt != joinery_ir::DType::F32)
        })
    }
}

/// Both kernels over their common space, when they have one.
fn aligned(ctx: &Context, a: &Kernel, b: &Kernel) -> Option<(Kernel, Kernel)> {
    let common = space::common_space(&a.attrs.space, &b.attrs.space)?;
    Some((a.refined(ctx, &common)?, b.refined(ctx, &common)?))
}

/// Where the merged kernel goes.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Placement {
    /// Where the later kernel was.
    AtSecond,
    /// Where the earlier kernel was, after the listed ops between them that the later one
    /// depends on, hoisted above the earlier one in their order.
    AtFirst { hoisted: Vec<OpId> },
}

/// The ops strictly between `first` and `second` that `second` depends on, directly or
/// through each other: writers of what a member reads or accumulates into, each before
/// the member that needs it. Buffers are written once (an accumulator: one fill, then its
/// reduction), so these are all the ops that must stay before it. Found through the use
/// lists of the buffers involved, not by walking the ops between (which may be most of
/// the function), and returned in block order.
fn dependency_cone(ctx: &Context, order: &Order<'_>, first: &Kernel, second: &Kernel) -> Vec<OpId> {
    let between = order.between(ctx, first.op, second.op);
    let mut cone: Vec<(u64, OpId)> = Vec::new();
    let mut members: FxHashSet<OpId> = FxHashSet::default();
    let mut stack = vec![second.op];
    while let Some(y) = stack.pop() {
        let y_pos = order.pos(ctx, y);
        for &v in ctx.operands(y) {
            for u in ctx.uses(v) {
                let x = u.op;
                if members.contains(&x) || !written(ctx, x).contains(&v) {
                    continue;
                }
                if let Some(x_pos) = between(x).filter(|&k| k < y_pos) {
                    members.insert(x);
                    cone.push((x_pos, x));
                    stack.push(x);
                }
            }
        }
    }
    cone.sort_unstable();
    cone.into_iter().map(|(_, op)| op).collect()
}

/// Where `first` and `second` (later) can be computed together, if anywhere. The ops
/// between them that matter are found through use lists: those touching a buffer of
/// `first`, `second` or the hoisted cone.
fn placement(
    ctx: &Context,
    order: &Order<'_>,
    first: &Kernel,
    second: &Kernel,
) -> Option<Placement> {
    let between = &order.between(ctx, first.op, second.op);
    let users_between = |v: Value| {
        ctx.uses(v)
            .iter()
            .filter_map(move |u| between(u.op).map(|k| (k, u.op)))
    };
    // Some op between touches the first kernel's outputs or writes its inputs.
    let disturbs_first = |op: OpId| {
        ctx.operands(op).iter().any(|v| first.outputs.contains(v))
            || written(ctx, op).iter().any(|w| first.inputs.contains(w))
    };
    let first_disturbed = first
        .outputs
        .iter()
        .any(|&v| users_between(v).next().is_some())
        || first
            .inputs
            .iter()
            .any(|&v| users_between(v).any(|(_, op)| written(ctx, op).contains(&v)));
    if !first_disturbed {
        return Some(Placement::AtSecond);
    }
    let cone = dependency_cone(ctx, order, first, second);
    let in_cone: FxHashSet<OpId> = cone.iter().copied().collect();
    let independent = cone.iter().all(|&op| !disturbs_first(op));
    // Ops that stay between must not see a moved op's writes early: the second kernel's
    // outputs, or what a hoisted op after them writes.
    let ordered = second
        .outputs
        .iter()
        .all(|&v| users_between(v).all(|(_, x)| in_cone.contains(&x)))
        && cone.iter().all(|&y| {
            let y_pos = order.pos(ctx, y);
            written(ctx, y)
                .iter()
                .all(|&w| users_between(w).all(|(k, x)| k >= y_pos || in_cone.contains(&x)))
        });
    // What moves above the first kernel may only use values defined there (an alloc
    // between the two stays below it).
    let defined_below = |v: &Value| {
        ctx.defining_op(*v)
            .is_some_and(|d| between(d).is_some() && !in_cone.contains(&d))
    };
    let movable = cone
        .iter()
        .chain([&second.op])
        .all(|&op| !ctx.operands(op).iter().any(defined_below));
    (independent && ordered && movable).then_some(Placement::AtFirst { hoisted: cone })
}

/// Whether `p` can merge into its consumer `c` (both over their common space), and where.
fn vertical(ctx: &Context, order: &Order<'_>, p: &Kernel, c: &Kernel) -> Option<Placement> {
    let mut reads_p = false;
    for (v, map) in c.inputs.iter().zip(&c.attrs.in_maps) {
        if let Some(j) = p.outputs.iter().position(|o| o == v) {
            let stored = p.attrs.out_kinds[j] == OutKind::Store
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
    placement(ctx, order, p, c)
}

/// Most buffers a horizontally merged kernel may stream (loads and stores per point).
const MAX_HORIZONTAL_OPERANDS: usize = 12;

/// Whether every input of `k` is broadcast along some dim (a bias, a row statistic): its
/// reads are small next to its space, so it adds no stream worth a separate pass.
fn reads_only_broadcasts(k: &Kernel) -> bool {
    k.attrs.in_maps.iter().all(|m| {
        m.strides
            .iter()
            .zip(&k.attrs.space)
            .any(|(&s, &d)| s == 0 && d > 1)
    })
}

/// Whether the independent kernels `a` and `b` (later; both over their common space) are
/// worth one loop nest, and where it goes.
fn horizontal(ctx: &Context, order: &Order<'_>, a: &Kernel, b: &Kernel) -> Option<Placement> {
    let independent = !b.inputs.iter().any(|v| a.outputs.contains(v))
        && !a.inputs.iter().any(|v| b.outputs.contains(v))
        && !a.outputs.iter().any(|v| b.outputs.contains(v));
    let shares = a.inputs.iter().any(|v| b.inputs.contains(v));
    let worth = shares || reads_only_broadcasts(a) || reads_only_broadcasts(b);
    let buffers: rustc_hash::FxHashSet<Value> = ctx
        .operands(a.op)
        .iter()
        .chain(ctx.operands(b.op))
        .copied()
        .collect();
    if !independent
        || !worth
        || buffers.len() > MAX_HORIZONTAL_OPERANDS
        || a.serial(ctx) != b.serial(ctx)
    {
        return None;
    }
    placement(ctx, order, a, b)
}

/// Builds the kernel computing `first` then `second` (both over one space), with
/// `second`'s reads of `first`'s stores taken from registers, inserted before `at`.
fn merge(ctx: &mut Context, first: &Kernel, second: &Kernel, at: OpId) -> OpId {
    let mut nk = NewKernel::new(ctx);
    let block = nk.block;
    // `first`'s stores stay where something else reads them or the caller does.
    let kept: Vec<bool> = first
        .outputs
        .iter()
        .map(|&o| {
            let other_use = ctx.uses(o).iter().any(|u| {
                u.op != first.op && u.op != second.op && ctx.name_str(u.op) != "kernel.alloc"
            });
            other_use || !is_temporary(ctx, o)
        })
        .collect();
    let needed: Vec<usize> = (0..first.outputs.len())
        .filter(|&j| kept[j] || second.inputs.contains(&first.outputs[j]))
        .collect();
    let first_body = first.body(ctx);
    let first_yields = yields(ctx, first_body);
    let roots: Vec<Value> = needed.iter().map(|&j| first_yields[j]).collect();
    let first_args = ctx.block_args(first_body).to_vec();
    let cloned =
        body::clone_slice(
            ctx,
            first_body,
            block,
            &roots,
            &|_| false,
            &mut |ctx, v| match first_args.iter().position(|&a| a == v) {
                Some(i) => nk.input(ctx, first.inputs[i], &first.attrs.in_maps[i]),
                None => v,
            },
        );
    let value_of: FxHashMap<usize, Value> = needed.iter().copied().zip(cloned).collect();

    let second_body = second.body(ctx);
    let second_yields = yields(ctx, second_body);
    let second_args = ctx.block_args(second_body).to_vec();
    let second_values = body::clone_slice(
        ctx,
        second_body,
        block,
        &second_yields,
        &|_| false,
        &mut |ctx, v| {
            let Some(i) = second_args.iter().position(|&a| a == v) else {
                return v;
            };
            match first.outputs.iter().position(|&o| o == second.inputs[i]) {
                Some(j) => value_of[&j],
                None => nk.input(ctx, second.inputs[i], &second.attrs.in_maps[i]),
            }
        },
    );
    for (o, &v) in second_values.iter().enumerate() {
        nk.output(
            second.outputs[o],
            second.attrs.out_maps[o].clone(),
            second.attrs.out_kinds[o],
            v,
        );
    }
    for (j, &o) in first.outputs.iter().enumerate() {
        if kept[j] {
            nk.output(
                o,
                first.attrs.out_maps[j].clone(),
                first.attrs.out_kinds[j],
                value_of[&j],
            );
        }
    }
    let sources = first
        .attrs
        .sources
        .iter()
        .chain(&second.attrs.sources)
        .cloned()
        .collect();
    let op = nk.build(
        ctx,
        second.attrs.name.clone(),
        second.attrs.space.clone(),
        sources,
        ctx.span(second.op),
    );
    ctx.insert_op_before(at, op);
    op
}

/// The values a kernel body yields.
fn yields(ctx: &Context, body: joinery_ir::BlockId) -> Vec<Value> {
    ctx.block_ops(body)
        .last()
        .map(|t| ctx.operands(t).to_vec())
        .unwrap_or_default()
}

/// Replaces `first` and `second` by their merge at `placement`; returns the merged op.
fn apply_merge(
    ctx: &mut Context,
    order: &Order<'_>,
    first: &Kernel,
    second: &Kernel,
    placement: Placement,
) -> OpId {
    let at = match placement {
        Placement::AtSecond => second.op,
        Placement::AtFirst { hoisted } => {
            order.hoist(ctx, &hoisted, first.op);
            first.op
        }
    };
    let merged = merge(ctx, first, second, at);
    ctx.erase_op(second.op);
    ctx.erase_op(first.op);
    for &o in &first.outputs {
        erase_if_unused(ctx, o);
    }
    merged
}

/// Kernels read so far, by op. The pass never changes a kernel in place (it builds a new
/// op and erases the old ones, and op ids are not reused), so an entry stays right for as
/// long as its op is in the function.
#[derive(Default)]
struct KernelCache(std::cell::RefCell<FxHashMap<OpId, std::rc::Rc<Kernel>>>);

/// Spacing of the order keys [`Order`] gives the ops of a block: room for 32 halvings
/// at one place before the block is renumbered.
const KEY_SPACING: u64 = 1 << 32;

/// The block's op order as comparable keys (MLIR's op order index), and the kernels read
/// so far. Keys are given lazily: an op inserted by a rewrite gets one between its
/// neighbours' the first time it is asked about (the block is renumbered when there is no
/// room), and a moved op is forgotten so that it gets a new one. Asking whether one op
/// comes before another is then a comparison, not a walk over the block.
struct Order<'a> {
    block: joinery_ir::BlockId,
    keys: std::cell::RefCell<FxHashMap<OpId, u64>>,
    kernels: &'a KernelCache,
}

impl<'a> Order<'a> {
    fn of(ctx: &Context, block: joinery_ir::BlockId, kernels: &'a KernelCache) -> Order<'a> {
        let order = Order {
            block,
            keys: Default::default(),
            kernels,
        };
        order.renumber(ctx);
        order
    }

    fn renumber(&self, ctx: &Context) {
        let mut keys = self.keys.borrow_mut();
        keys.clear();
        keys.extend(
            ctx.block_ops(self.block)
                .zip(1u64..)
                .map(|(op, i)| (op, i * KEY_SPACING)),
        );
    }

    /// The key of `op`, an op of the block.
    fn pos(&self, ctx: &Context, op: OpId) -> u64 {
        if let Some(&k) = self.keys.borrow().get(&op) {
            return k;
        }
        // The run of unkeyed ops around `op` gets keys spread between its neighbours'.
        let mut run = vec![op];
        let mut prev = ctx.prev_op(op);
        while let Some(p) = prev.filter(|p| !self.keys.borrow().contains_key(p)) {
            run.push(p);
            prev = ctx.prev_op(p);
        }
        run.reverse();
        let mut next = ctx.next_op(op);
        while let Some(n) = next.filter(|n| !self.keys.borrow().contains_key(n)) {
            run.push(n);
            next = ctx.next_op(n);
        }
        let keys = self.keys.borrow();
        let lo = prev.map_or(0, |p| keys[&p]);
        let hi = next.map_or(
            lo.saturating_add(KEY_SPACING * (run.len() as u64 + 1)),
            |n| keys[&n],
        );
        drop(keys);
        let step = (hi - lo) / (run.len() as u64 + 1);
        if step == 0 {
            self.renumber(ctx);
        } else {
            self.keys
                .borrow_mut()
                .extend(run.iter().zip(1u64..).map(|(&o, i)| (o, lo + i * step)));
        }
        self.keys.borrow()[&op]
    }

    /// Forgets the key of a moved op.
    fn moved(&self, op: OpId) {
        self.keys.borrow_mut().remove(&op);
    }

    /// Moves `ops` (in their order) right before `anchor`.
    fn hoist(&self, ctx: &mut Context, ops: &[OpId], anchor: OpId) {
        for &op in ops {
            ctx.move_op_before(op, anchor);
            self.moved(op);
        }
    }

    /// Whether `a` comes before `b` in the block.
    fn before(&self, ctx: &Context, a: OpId, b: OpId) -> bool {
        self.pos(ctx, a) < self.pos(ctx, b)
    }

    /// Whether `op` is an op of the block (not one nested in a kernel body).
    fn contains(&self, ctx: &Context, op: OpId) -> bool {
        ctx.parent_block(op) == Some(self.block)
    }

    /// The key of an op strictly between `first` and `second`, `None` for any other op.
    fn between<'o>(
        &'o self,
        ctx: &'o Context,
        first: OpId,
        second: OpId,
    ) -> impl Fn(OpId) -> Option<u64> + 'o {
        let (lo, hi) = (self.pos(ctx, first), self.pos(ctx, second));
        move |op| {
            self.contains(ctx, op)
                .then(|| self.pos(ctx, op))
                .filter(|&k| lo < k && k < hi)
        }
    }

    /// The kernel `op` (a `kernel.fused` of the function).
    fn kernel(&self, ctx: &Context, op: OpId) -> Result<std::rc::Rc<Kernel>, Diagnostic> {
        if let Some(k) = self.kernels.0.borrow().get(&op) {
            return Ok(k.clone());
        }
        let k = std::rc::Rc::new(Kernel::read(ctx, op)?);
        self.kernels.0.borrow_mut().insert(op, k.clone());
        Ok(k)
    }
}

/// The op before `op` that a rewrite of `op` leaves in place (skipping the allocs of
/// `outputs`, which the rewrite may erase): the sweep resumes after it.
fn stable_prev(ctx: &Context, op: OpId, outputs: &[Value]) -> Option<OpId> {
    let mut prev = ctx.prev_op(op);
    while let Some(p) = prev.filter(|&p| ctx.results(p).iter().any(|r| outputs.contains(r))) {
        prev = ctx.prev_op(p);
    }
    prev
}

/// Where a sweep resumes after a rewrite: right after `prev`, or at the block's start.
fn resume_after(ctx: &Context, block: joinery_ir::BlockId, prev: Option<OpId>) -> Option<OpId> {
    match prev {
        Some(p) => ctx.next_op(p),
        None => ctx.first_op(block),
    }
}

/// Runs `rewrite_at` on every op of the block in order; a rewrite says where to go on
/// (`Some(resume)`, `None` for the end of the block). Returns how many rewrites applied.
fn sweep(
    ctx: &mut Context,
    order: &Order<'_>,
    mut rewrite_at: impl FnMut(
        &mut Context,
        &Order<'_>,
        OpId,
    ) -> Result<Option<Option<OpId>>, Diagnostic>,
) -> Result<usize, Diagnostic> {
    let mut applied = 0;
    let mut cursor = ctx.first_op(order.block);
    while let Some(op) = cursor {
        cursor = match rewrite_at(ctx, order, op)? {
            Some(resume) => {
                applied += 1;
                resume
            }
            None => ctx.next_op(op),
        };
    }
    Ok(applied)
}

/// Merges a producer into the consumer `c_op`, if one qualifies (the first input whose
/// writer does). A vertical merge changes nothing a consumer before the producer sees, so
/// the sweep resumes where the producer was: a sweep finds the same merges, in the same
/// order, as restarting from the top after each would.
fn vertical_at(
    ctx: &mut Context,
    order: &Order<'_>,
    c_op: OpId,
) -> Result<Option<Option<OpId>>, Diagnostic> {
    if ctx.name_str(c_op) != "kernel.fused" {
        return Ok(None);
    }
    let c = order.kernel(ctx, c_op)?;
    if c.is_row() {
        return Ok(None);
    }
    for &input in &c.inputs {
        let Some(p_op) = sole_writer(ctx, input) else {
            continue;
        };
        if p_op == c_op
            || ctx.name_str(p_op) != "kernel.fused"
            || !order.contains(ctx, p_op)
            || !order.before(ctx, p_op, c_op)
        {
            continue;
        }
        let p = order.kernel(ctx, p_op)?;
        if p.is_row() {
            continue;
        }
        let Some((p, c)) = aligned(ctx, &p, &c) else {
            continue;
        };
        let Some(placement) = vertical(ctx, order, &p, &c) else {
            continue;
        };
        let prev = stable_prev(ctx, p.op, &p.outputs);
        apply_merge(ctx, order, &p, &c, placement);
        return Ok(Some(resume_after(ctx, order.block, prev)));
    }
    Ok(None)
}

/// How many kernels back a kernel that reads only broadcasts looks for a sibling.
const BROADCAST_SIBLING_WINDOW: usize = 4;

/// Merges the kernel `b_op` with a sibling, if one qualifies: the nearest earlier kernel
/// that reads one of its inputs, or (when either reads only broadcasts) one of the few
/// kernels just before it. Like a vertical merge, it changes nothing an earlier kernel
/// sees, and the sweep resumes where the sibling was.
fn horizontal_at(
    ctx: &mut Context,
    order: &Order<'_>,
    b_op: OpId,
) -> Result<Option<Option<OpId>>, Diagnostic> {
    if ctx.name_str(b_op) != "kernel.fused" {
        return Ok(None);
    }
    let b = order.kernel(ctx, b_op)?;
    if b.is_row() {
        return Ok(None);
    }
    let b_pos = order.pos(ctx, b_op);
    let mut candidates: Vec<(u64, OpId)> = b
        .inputs
        .iter()
        .flat_map(|&v| ctx.uses(v).iter().map(|u| u.op))
        .filter(|&op| op != b_op && ctx.name_str(op) == "kernel.fused" && order.contains(ctx, op))
        .map(|op| (order.pos(ctx, op), op))
        .filter(|&(k, _)| k < b_pos)
        .collect();
    let mut prev = ctx.prev_op(b_op);
    let mut window = 0;
    while let Some(op) = prev.filter(|_| window < BROADCAST_SIBLING_WINDOW) {
        if ctx.name_str(op) == "kernel.fused" {
            candidates.push((order.pos(ctx, op), op));
            window += 1;
        }
        prev = ctx.prev_op(op);
    }
    candidates.sort_unstable_by_key(|&(k, _)| std::cmp::Reverse(k));
    candidates.dedup();
    for (_, a_op) in candidates {
        let a = order.kernel(ctx, a_op)?;
        if a.is_row() {
            continue;
        }
        let Some((a, b)) = aligned(ctx, &a, &b) else {
            continue;
        };
        let Some(placement) = horizontal(ctx, order, &a, &b) else {
            continue;
        };
        let prev = stable_prev(ctx, a.op, &a.outputs);
        apply_merge(ctx, order, &a, &b, placement);
        return Ok(Some(resume_after(ctx, order.block, prev)));
    }
    Ok(None)
}

/// Collapses every kernel's space to the fewest loops its maps allow; returns how many
/// changed.
fn collapse_spaces(ctx: &mut Context, block: joinery_ir::BlockId) -> Result<usize, Diagnostic> {
    let mut changed = 0;
    let ops: Vec<OpId> = ctx.block_ops(block).collect();
    for op in ops {
        if ctx.name_str(op) != "kernel.fused" {
            continue;
        }
        let k = Kernel::read(ctx, op)?;
        if k.uses_index(ctx) {
            continue;
        }
        let maps: Vec<Map> = k
            .attrs
            .in_maps
            .iter()
            .chain(&k.attrs.out_maps)
            .cloned()
            .collect();
        let mut attrs = k.attrs.clone();
        let (space, mut maps) = if k.is_row() {
            // The outer and inner dims collapse apart, each keeping at least one dim.
            let part = |range: std::ops::Range<usize>| {
                let sub: Vec<Map> = maps
                    .iter()
                    .map(|m| Map {
                        offset: m.offset,
                        strides: m.strides[range.clone()].to_vec(),
                    })
                    .collect();
                space::collapse(&k.attrs.space[range.clone()], &sub)
                    .filter(|(dims, _)| !dims.is_empty())
                    .unwrap_or((k.attrs.space[range].to_vec(), sub))
            };
            let rank = k.attrs.space.len();
            let (outer_dims, outer_maps) = part(0..k.attrs.outer);
            let (inner_dims, inner_maps) = part(k.attrs.outer..rank);
            if outer_dims.len() + inner_dims.len() == rank {
                continue;
            }
            attrs.outer = outer_dims.len();
            let maps = outer_maps
                .into_iter()
                .zip(inner_maps)
                .map(|(o, i)| Map {
                    offset: o.offset,
                    strides: o.strides.into_iter().chain(i.strides).collect(),
                })
                .collect();
            ([outer_dims, inner_dims].concat(), maps)
        } else {
            match space::collapse(&k.attrs.space, &maps) {
                Some(collapsed) => collapsed,
                None => continue,
            }
        };
        attrs.out_maps = maps.split_off(attrs.num_inputs);
        attrs.in_maps = maps;
        attrs.space = space;
        for (name, value) in attrs.attributes(ctx) {
            ctx.set_attr(op, &name, value);
        }
        changed += 1;
    }
    Ok(changed)
}

/// Which rewrites run (the pass options).
#[derive(Clone, Copy, Debug)]
pub struct FuseOptions {
    pub recompute: bool,
    pub horizontal: bool,
    pub gemm_bias: bool,
    pub rows: bool,
}

impl Default for FuseOptions {
    fn default() -> FuseOptions {
        FuseOptions {
            recompute: true,
            horizontal: true,
            gemm_bias: true,
            rows: true,
        }
    }
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FuseStats {
    pub merges: usize,
    pub bias_folds: usize,
    pub recomputed: usize,
    pub horizontal: usize,
    pub rows: usize,
    pub collapsed: usize,
}

/// Fuses the kernels of `func` until no rewrite applies, then collapses their spaces.
pub fn fuse_function(
    ctx: &mut Context,
    func: OpId,
    options: FuseOptions,
) -> Result<FuseStats, Diagnostic> {
    let mut stats = FuseStats::default();
    let Some(block) = ctx.body_block(func) else {
        return Ok(stats);
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
    let kernels = KernelCache::default();
    let order = Order::of(ctx, block, &kernels);
    // Each rewrite is tried in sweeps over the block rather than by a search from the top
    // after every rewrite (which made the pass quadratic); vertical merges come first
    // again after any sweep of the others changed something.
    loop {
        stats.merges += sweep(ctx, &order, vertical_at)?;
        if options.gemm_bias {
            let n = sweep(ctx, &order, recompute::gemm_bias_at)?;
            stats.bias_folds += n;
            if n > 0 {
                continue;
            }
        }
        if options.recompute {
            let n = sweep(ctx, &order, recompute::recompute_at)?;
            stats.recomputed += n;
            if n > 0 {
                continue;
            }
        }
        if options.horizontal {
            let n = sweep(ctx, &order, horizontal_at)?;
            stats.horizontal += n;
            if n > 0 {
                continue;
            }
        }
        if options.rows {
            let n = sweep(ctx, &order, rows::row_at)?;
            stats.rows += n;
            if n > 0 {
                continue;
            }
        }
        break;
    }
    stats.collapsed = collapse_spaces(ctx, block)?;
    Ok(stats)
}

/// The declaration of `kernel-fuse`.
pub static FUSE: PassInfo = PassInfo {
    name: "kernel-fuse",
    title: "KernelFuse",
    summary: "Fuse loop nests: vertical, horizontal, recompute, GEMM bias into readers",
    description: "Repeats five rewrites on kernel.fused loop nests until none applies. \
        Vertical: a producer merges into a consumer that reads its stored output element \
        for element over the same iteration space (the value stays in a register); stores \
        still read elsewhere (or returned) stay as extra outputs. GEMM bias (gemm-bias): \
        the bias kernel an addmm's accumulating GEMM adds to is dropped when every reader \
        of the product is a loop nest; the GEMM overwrites and each reader adds the bias. \
        Recompute (recompute): a value a kernel stores is recomputed in every reader from \
        the inputs it was computed from, and the store dropped, when the value is cheap at \
        the readers (at most 8 adds' worth per point; transcendentals weigh 20, divisions \
        and square roots 4; a value that is constant along a reader's inner loops is \
        counted once per outer point) and the readers' new loads are no more bytes than the \
        store and loads removed. Horizontal (horizontal): two independent \
        kernels over the same space that read a common buffer, or one of which reads only \
        broadcasts, become one loop nest of at most 12 buffers. Rows (rows): a kernel that \
        reads what an earlier kernel over the same space reduced, through the map it was \
        written with and complete per point of the outer dims, becomes a later phase of a \
        row kernel with it (each phase passes over a row in turn, the row in L1; at most \
        32 KiB per row). Spaces that refine to a \
        common one count as the same; at the end every space is collapsed to the fewest \
        loops its maps allow.\n\
        Needs: an L3 function before kernel-plan-memory (each buffer written by one op, \
        or by a fill and a reduction, a bias kernel and a GEMM, or copies into disjoint \
        slices; every write before every read; a planned function is refused).\n\
        Guarantees: every read still sees the value the unfused function gave it (a merge \
        that would move a read across a write is not made; recomputed values read buffers \
        whose writers all precede the kernel that computed them); reductions are never \
        read in their own loop nest; no kernel over a thread-split reduction runs serially \
        because of a merge.\n\
        Gaps: a row kernel stores what its later phases read in function-sized buffers \
        (a softmax's exps), and nothing is recomputed across its phases; no fusion across a \
        reshape that mixes dims; the post-GEMM chain is one loop nest but reads the product \
        back (the runtime GEMM has no epilogue hook); an addmm whose product is a result or \
        feeds another GEMM keeps its bias copy; the copies a batched GEMM's operand layout \
        needs and a concatenation's slices stay separate; a threshold backward's mask is \
        stored, not recomputed (that would move more bytes).",
    anchor: Some("func.func"),
    options: &[
        PassOptionInfo {
            name: "recompute",
            kind: OptionKind::Bool,
            default: "true",
            help: "Recompute cheap stored values in their readers and drop the stores",
        },
        PassOptionInfo {
            name: "horizontal",
            kind: OptionKind::Bool,
            default: "true",
            help: "Merge independent kernels over one space that read a common buffer",
        },
        PassOptionInfo {
            name: "rows",
            kind: OptionKind::Bool,
            default: "true",
            help: "Make a kernel that reads an earlier one's reductions a later phase of it",
        },
        PassOptionInfo {
            name: "gemm-bias",
            kind: OptionKind::Bool,
            default: "true",
            help: "Add an addmm bias in the product's readers instead of storing it first",
        },
    ],
    statistics: &[
        ("merges", "Producer kernels merged into their consumers"),
        (
            "bias-folds",
            "GEMM bias kernels folded into the product's readers",
        ),
        (
            "recomputed",
            "Stored values recomputed in their readers instead",
        ),
        ("horizontal", "Independent kernels merged with a sibling"),
        ("rows", "Kernels made a later phase of a row kernel"),
        ("collapsed", "Kernels whose loop nests were collapsed"),
    ],
    constructor: |options: &PassOptions| {
        Box::new(Fuse {
            options: FuseOptions {
                recompute: options.bool("recompute"),
                horizontal: options.bool("horizontal"),
                gemm_bias: options.bool("gemm-bias"),
                rows: options.bool("rows"),
            },
        })
    },
};

/// The `kernel-fuse` pass.
struct Fuse {
    options: FuseOptions,
}

impl Pass for Fuse {
    fn run(&mut self, ctx: &mut Context, func: OpId, state: &mut PassState) -> PassResult {
        let stats = fuse_function(ctx, func, self.options).map_err(|d| vec![d])?;
        state.add_statistic("merges", stats.merges as u64);
        state.add_statistic("bias-folds", stats.bias_folds as u64);
        state.add_statistic("recomputed", stats.recomputed as u64);
        state.add_statistic("horizontal", stats.horizontal as u64);
        state.add_statistic("rows", stats.rows as u64);
        state.add_statistic("collapsed", stats.collapsed as u64);
        Ok(stats != FuseStats::default())
    }
}

#[cfg(test)]
mod tests {
    use super::{KernelCache, Order};
    use joinery_ir::{Context, OperationState};

    /// Ops inserted one after another at one place (each right before the same anchor)
    /// halve the room between keys until the block is renumbered; every comparison still
    /// follows the block's order, and a moved op is compared where it now is.
    #[test]
    fn order_keys_follow_the_block_through_insertions_and_moves() {
        let mut ctx = Context::new(&[]);
        let block = ctx.create_block(&[]);
        let name = ctx.op_name("test.op");
        let create = |ctx: &mut Context| ctx.create_op(OperationState::new(name));
        let (first, anchor) = (create(&mut ctx), create(&mut ctx));
        ctx.append_op(block, first);
        ctx.append_op(block, anchor);
        let kernels = KernelCache::default();
        let order = Order::of(&ctx, block, &kernels);
        for _ in 0..100 {
            let op = create(&mut ctx);
            ctx.insert_op_before(anchor, op);
            assert!(order.before(&ctx, op, anchor));
        }
        order.hoist(&mut ctx, &[anchor], first);
        let ops: Vec<_> = ctx.block_ops(block).collect();
        assert_eq!(ops[0], anchor);
        for pair in ops.windows(2) {
            assert!(
                order.before(&ctx, pair[0], pair[1]),
                "{pair:?} out of order"
            );
            assert!(!order.before(&ctx, pair[1], pair[0]));
        }
    }
}
