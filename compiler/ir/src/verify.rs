//! The IR verifier: [`verify`] checks an op and everything nested in it and returns every
//! problem it finds (an empty list means the IR is valid). It never stops at the first
//! error and never panics on IR that the public API can build, however malformed.
//!
//! Invariants checked, in the order they are checked for each op:
//!
//! Structure and use-def links
//! - An op is reached once: no op is nested inside itself or owned by two blocks.
//! - No erased op is still linked into a block, and no operand uses a result of an erased op.
//! - Every region of an op points back at the op, every block of a region at the region,
//!   every op of a block at the block; a block's op list is a well-formed linked list.
//! - Every result and block argument knows its definition (op and index, block and index).
//! - Every attribute and type handle belongs to this context; op verifiers and dialect hooks
//!   do not run on an op holding a foreign handle (they could not read it).
//! - Every operand appears exactly once in its value's use list, and every use in the use
//!   list of a result or block argument points at an operand holding that value.
//!
//! SSA dominance and visibility
//! - A value is used only where it is visible: in the region defining it or regions nested
//!   in it. A result is never used inside the op that defines it.
//! - In SSA (CFG) regions a value dominates its uses: inside one block the defining op comes
//!   first; across blocks the defining block dominates the using block (dominator tree over
//!   the terminators' successors, Cooper–Harvey–Kennedy iteration). Block arguments dominate
//!   their whole block. Uses in unreachable blocks are not checked, as in MLIR.
//! - Graph regions (regions of ops with `NO_TERMINATOR`) impose no order on their ops.
//! - No value defined above an `ISOLATED_FROM_ABOVE` op is used inside its regions.
//!
//! Blocks, terminators and regions
//! - A block that needs a terminator is not empty and ends with one (blocks in regions of
//!   `NO_TERMINATOR` ops and in a single-block region of an unregistered op need none; an
//!   unregistered last op may be a terminator).
//! - A `TERMINATOR` op is the last op of its block; only the last op of a block has
//!   successors; successors are valid blocks of the same region; the entry block of a region
//!   has no predecessors.
//! - Regions of `SINGLE_BLOCK` ops and graph regions have at most one block.
//!
//! Ops, traits and dialects
//! - An op is registered, unless `Context::allow_unregistered` is set.
//! - `SAME_OPERANDS_AND_RESULT_TYPE`: all operands and results share one type.
//! - `SYMBOL_TABLE`: `sym_name`s directly inside the table are unique.
//! - Every dialect attribute `#d.name<..>` anywhere in an op's attributes (inside arrays,
//!   dictionaries, types and parameters too) and every dialect type `!d.name<..>` on a
//!   result or block argument names an [`AttrDef`](crate::AttrDef) /
//!   [`TypeDef`](crate::TypeDef) of its registered dialect and passes its `verify`; a
//!   dialect that is not registered is an error unless unregistered dialects are allowed.
//! - Discardable attributes `d.x` of an op go to dialect `d`'s `verify_attribute` hook with
//!   [`AttrSite::Op`]; on `FUNCTION_LIKE` ops, the entries of the `arg_attrs` / `res_attrs`
//!   dictionaries must be dialect attributes and go to the hook with
//!   [`AttrSite::Argument`] / [`AttrSite::Result`] (MLIR's `verifyRegionArgAttribute`).
//! - The op's own verifier ([`OpDef::verify`](crate::OpDef)) passes, and every registered
//!   dialect's `verify_op_invariants` hook reports nothing.
//!
//! Each diagnostic carries the best span known: the op's (or, for ops built without one,
//! the nearest enclosing op's), the value's or the block's, with notes pointing at related
//! places such as the definition of an operand or an earlier symbol.

use crate::attributes::{AttrData, AttrParam, Attribute};
use crate::context::Context;
use crate::diagnostics::Diagnostic;
use crate::dialect::{AttrSite, Traits};
use crate::location::Span;
use crate::operation::{BlockId, OpId, RegionId, Use, Value, ValueDef};
use crate::parallel::spawn_worker;
use crate::types::{Type, TypeData};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The longest use list [`Verifier::times_listed`] scans for each operand instead of
/// indexing it: scanning costs at most this many steps per operand.
const SCANNED_USE_LIST: usize = 8;

/// How many pieces each thread's share of the top-level ops is cut into, so that a thread
/// done early takes over work from one with larger functions.
const CHUNKS_PER_WORKER: usize = 8;

/// Verifies `op` and everything nested in it; returns all problems found (empty = valid).
///
/// A root op (a module) of a large context has the top-level ops of its body verified on
/// every available core, as MLIR verifies a module's functions. When any thread finds a
/// problem, the top-level ops are verified again on one thread, so the diagnostics are
/// the same, in the same order, as a verifier on one thread gives.
pub fn verify(ctx: &Context, op: OpId) -> Vec<Diagnostic> {
    verify_with_workers(ctx, op, ctx.workers_for(op))
}

/// [`verify`] with the top-level ops of a root op split among `workers` threads (one:
/// no threads).
fn verify_with_workers(ctx: &Context, op: OpId, workers: usize) -> Vec<Diagnostic> {
    let mut verifier = Verifier::new(ctx, op);
    verifier.workers = workers;
    verifier.verify_op(op);
    verifier.diags
}

/// One `T` per op, `T::default()` for an op not set. Verifying a root op (a module), which
/// holds about every op of the context, indexes a vector by op: a few bytes an op, no
/// hashing. Verifying a piece (a pass's function) hashes the ops it meets, so that
/// verifying each of many functions does not cost the whole context each time.
enum OpTable<T> {
    ByIndex(Vec<T>),
    Hashed(FxHashMap<OpId, T>),
}

impl<T: Copy + Default> OpTable<T> {
    /// A table for verifying `root`.
    fn new(ctx: &Context, root: OpId) -> OpTable<T> {
        if ctx.parent_block(root).is_none() {
            OpTable::ByIndex(vec![T::default(); ctx.ops.len()])
        } else {
            OpTable::Hashed(FxHashMap::default())
        }
    }

    fn get(&self, op: OpId) -> T {
        match self {
            OpTable::ByIndex(table) => table[op.0 as usize],
            OpTable::Hashed(table) => table.get(&op).copied().unwrap_or_default(),
        }
    }

    /// Sets the entry of `op`, returning the one before.
    fn set(&mut self, op: OpId, value: T) -> T {
        match self {
            OpTable::ByIndex(table) => std::mem::replace(&mut table[op.0 as usize], value),
            OpTable::Hashed(table) => table.insert(op, value).unwrap_or_default(),
        }
    }

    /// Room for `additional` more entries.
    fn reserve(&mut self, additional: usize) {
        if let OpTable::Hashed(table) = self {
            table.reserve(additional);
        }
    }
}

/// The dominator tree of one CFG region, blocks numbered by their position in the region.
struct Dominators {
    index: FxHashMap<BlockId, usize>,
    /// Immediate dominator of each block; `None` for blocks unreachable from the entry.
    idom: Vec<Option<usize>>,
}

impl Dominators {
    /// Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm".
    fn compute(ctx: &Context, region: RegionId) -> Dominators {
        let blocks = ctx.region_blocks(region);
        let index: FxHashMap<BlockId, usize> =
            blocks.iter().enumerate().map(|(i, &b)| (b, i)).collect();
        let n = blocks.len();
        if n <= 1 {
            // A lone entry block dominates itself: no search (one region per function, so
            // this is the common case of a module of many small functions).
            return Dominators {
                index,
                idom: vec![Some(0); n],
            };
        }
        let succs: Vec<Vec<usize>> = blocks
            .iter()
            .map(|&b| {
                ctx.last_op(b).map_or_else(Vec::new, |t| {
                    ctx.successors(t)
                        .iter()
                        .filter_map(|s| index.get(s).copied())
                        .collect()
                })
            })
            .collect();
        let mut idom = vec![None; n];
        // Reverse postorder by an iterative depth-first search from the entry.
        let mut postorder = Vec::with_capacity(n);
        let mut seen = vec![false; n];
        let mut stack = vec![(0usize, 0usize)];
        seen[0] = true;
        while let Some((b, next)) = stack.last_mut() {
            if let Some(&s) = succs[*b].get(*next) {
                *next += 1;
                if !seen[s] {
                    seen[s] = true;
                    stack.push((s, 0));
                }
            } else {
                postorder.push(*b);
                stack.pop();
            }
        }
        let mut rpo_number = vec![usize::MAX; n];
        for (i, &b) in postorder.iter().rev().enumerate() {
            rpo_number[b] = i;
        }
        let mut preds = vec![Vec::new(); n];
        for (b, ss) in succs.iter().enumerate() {
            for &s in ss {
                preds[s].push(b);
            }
        }
        idom[0] = Some(0);
        let mut changed = true;
        while changed {
            changed = false;
            for &b in postorder.iter().rev().skip(1) {
                let mut new_idom: Option<usize> = None;
                for &p in &preds[b] {
                    if idom[p].is_none() {
                        continue;
                    }
                    new_idom = Some(match new_idom {
                        None => p,
                        Some(mut other) => {
                            let mut p = p;
                            while p != other {
                                while rpo_number[p] > rpo_number[other] {
                                    p = idom[p].unwrap_or(0);
                                }
                                while rpo_number[other] > rpo_number[p] {
                                    other = idom[other].unwrap_or(0);
                                }
                            }
                            p
                        }
                    });
                }
                if new_idom.is_some() && idom[b] != new_idom {
                    idom[b] = new_idom;
                    changed = true;
                }
            }
        }
        Dominators { index, idom }
    }

    fn reachable(&self, block: BlockId) -> bool {
        self.index
            .get(&block)
            .is_some_and(|&i| self.idom[i].is_some())
    }

    /// Whether `a` dominates `b` (unreachable blocks are dominated by everything).
    fn dominates(&self, a: BlockId, b: BlockId) -> bool {
        let (Some(&a), Some(&b)) = (self.index.get(&a), self.index.get(&b)) else {
            return false;
        };
        if self.idom[b].is_none() {
            return true;
        }
        let mut cur = b;
        loop {
            if cur == a {
                return true;
            }
            match self.idom[cur] {
                Some(up) if up != cur => cur = up,
                _ => return false,
            }
        }
    }
}

/// Whether a dialect entity is an attribute or a type (for messages and lookups).
#[derive(Clone, Copy)]
enum EntityKind {
    Attr,
    Type,
}

struct Verifier<'c> {
    ctx: &'c Context,
    /// The op being verified, whose tables decide how ops are indexed.
    root: OpId,
    /// Threads the root's top-level ops may be verified on (one at most below the root).
    workers: usize,
    diags: Vec<Diagnostic>,
    visited: OpTable<bool>,
    /// Index of each op in its block, filled one block at a time on demand.
    positions: OpTable<u32>,
    indexed_blocks: FxHashSet<BlockId>,
    /// The block [`Verifier::position`] was asked about last: the dominance checks of one
    /// block's ops ask about it again and again, and skip the set for it.
    last_indexed_block: Option<BlockId>,
    dominators: FxHashMap<RegionId, Dominators>,
    /// Entries of the use lists read so far (value, use) → how often listed, and the
    /// values whose lists were read.
    listed_uses: FxHashMap<(Value, Use), u32>,
    indexed_values: FxHashSet<Value>,
    /// Attributes and types already checked: each problem is reported once, where first met.
    checked_attrs: FxHashSet<Attribute>,
    checked_types: FxHashSet<Type>,
}

impl<'c> Verifier<'c> {
    /// A verifier of `root` and what is nested in it, on one thread.
    fn new(ctx: &'c Context, root: OpId) -> Verifier<'c> {
        Verifier {
            ctx,
            root,
            workers: 1,
            diags: Vec::new(),
            visited: OpTable::new(ctx, root),
            positions: OpTable::new(ctx, root),
            indexed_blocks: FxHashSet::default(),
            last_indexed_block: None,
            dominators: FxHashMap::default(),
            listed_uses: FxHashMap::default(),
            indexed_values: FxHashSet::default(),
            checked_attrs: FxHashSet::default(),
            checked_types: FxHashSet::default(),
        }
    }

    /// Verifies `ops`, the ops of one block, in order; those of the root's body on
    /// several threads when it has them.
    fn verify_block_ops(&mut self, ops: &[OpId]) {
        let nested = ops.first().and_then(|&o| self.ctx.parent_op(o));
        let workers = self.workers.min(ops.len());
        if workers > 1 && nested == Some(self.root) && self.verify_in_parallel(ops, workers) {
            return;
        }
        for &op in ops {
            self.verify_op(op);
        }
    }

    /// Verifies `ops` on `workers` threads, each with verifier state of its own, taking
    /// runs of consecutive ops in turn; returns whether none found a problem. A problem
    /// stops every thread: the caller verifies `ops` again on one thread, which reports
    /// it as a lone verifier would (an attribute checked once, an op reached twice across
    /// two runs, the order of the diagnostics).
    fn verify_in_parallel(&self, ops: &[OpId], workers: usize) -> bool {
        let chunk = ops.len().div_ceil(workers * CHUNKS_PER_WORKER);
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let (ctx, root) = (self.ctx, self.root);
        let work = || {
            let mut verifier = Verifier::new(ctx, root);
            while !failed.load(Ordering::Relaxed) {
                let start = next.fetch_add(chunk, Ordering::Relaxed);
                let Some(run) = ops.get(start..ops.len().min(start + chunk)) else {
                    break;
                };
                for &op in run {
                    verifier.verify_op(op);
                }
                if !verifier.diags.is_empty() {
                    failed.store(true, Ordering::Relaxed);
                }
            }
        };
        std::thread::scope(|scope| {
            for _ in 1..workers {
                // A thread that cannot start leaves its share to the others.
                let _ = spawn_worker(scope, "joinery-verify", work);
            }
            work();
        });
        !failed.into_inner()
    }

    // ----- spans and reporting --------------------------------------------------------

    /// An upper bound on the length of any parent chain or op list of a sane context.
    fn step_limit(&self) -> usize {
        self.ctx.ops.len() + self.ctx.blocks.len() + 1
    }

    /// The op's span, else the nearest enclosing op's.
    fn op_span(&self, op: OpId) -> Option<Span> {
        let mut cur = Some(op);
        for _ in 0..self.step_limit() {
            let o = cur?;
            if let Some(span) = self.ctx.span(o) {
                return Some(span);
            }
            cur = self.ctx.parent_op(o);
        }
        None
    }

    fn block_span(&self, block: BlockId) -> Option<Span> {
        self.ctx.block_span(block).or_else(|| {
            self.ctx
                .block_parent_op(block)
                .and_then(|p| self.op_span(p))
        })
    }

    fn value_span(&self, v: Value) -> Option<Span> {
        self.ctx
            .value_span(v)
            .or_else(|| match self.ctx.value_def(v) {
                ValueDef::OpResult { op, .. } => self.op_span(op),
                ValueDef::BlockArg { block, .. } => self.block_span(block),
            })
    }

    fn name(&self, op: OpId) -> &str {
        self.ctx.name_str(op)
    }

    /// An error about `op`, prefixed like MLIR's `emitOpError`.
    fn op_error(&self, op: OpId, message: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::error(format!("'{}' op {message}", self.name(op))).with_span(self.op_span(op))
    }

    fn report(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    // ----- ops ------------------------------------------------------------------------

    fn verify_op(&mut self, op: OpId) {
        if self.visited.set(op, true) {
            let d = self.op_error(op, "is reached twice while walking the IR (nested inside itself or linked into two blocks)");
            self.report(d);
            return;
        }
        if self.ctx.is_erased(op) {
            let d = self.op_error(op, "was erased but is still linked into a block");
            self.report(d);
            return;
        }
        self.check_registration(op);
        // Dialect code may read any attribute or type of the op: run it only when every
        // handle belongs to this context (a foreign handle is reported below).
        let handles_ok = self.handles_in_context(op);
        self.check_attributes(op, handles_ok);
        self.check_results(op);
        self.check_operands(op);
        self.check_successors(op);
        self.check_traits(op);
        if !handles_ok {
            for (i, &region) in self.ctx.regions(op).iter().enumerate() {
                self.verify_region(op, i, region);
            }
            return;
        }
        if let Some(check) = self.ctx.def(op).and_then(|d| d.verify)
            && let Err(d) = check(self.ctx, op)
        {
            let span = self.op_span(op);
            self.report(d.or_span(span));
        }
        for dialect in self.ctx.registry().dialects() {
            if let Some(hook) = dialect.verify_op_invariants {
                let mut found = Vec::new();
                hook(self.ctx, op, &mut found);
                let span = self.op_span(op);
                self.diags
                    .extend(found.into_iter().map(|d| d.or_span(span)));
            }
        }
        for (i, &region) in self.ctx.regions(op).iter().enumerate() {
            self.verify_region(op, i, region);
        }
    }

    /// Whether every attribute of `op` and the type of every operand and result are
    /// handles of this context.
    fn handles_in_context(&self, op: OpId) -> bool {
        let ctx = self.ctx;
        ctx.attrs(op).all(|(_, a)| self.attr_in_context(a))
            && ctx
                .operands(op)
                .iter()
                .chain(ctx.results(op))
                .all(|&v| ctx.types.contains_index(ctx.value_type(v).0))
    }

    fn check_registration(&mut self, op: OpId) {
        if self.ctx.def(op).is_some() || self.ctx.allow_unregistered {
            return;
        }
        let name = self.name(op);
        let dialect = name.split_once('.').map_or(name, |(d, _)| d);
        let message = if self.ctx.dialect(dialect).is_some() {
            format!("unregistered operation '{name}': dialect '{dialect}' has no such op")
        } else {
            format!(
                "unregistered operation '{name}': dialect '{dialect}' is not registered \
                 (allow unregistered dialects to accept it)"
            )
        };
        let d = Diagnostic::error(message).with_span(self.op_span(op));
        self.report(d);
    }

    fn check_results(&mut self, op: OpId) {
        for (i, &r) in self.ctx.results(op).iter().enumerate() {
            if self.ctx.value_def(r)
                != (ValueDef::OpResult {
                    op,
                    index: i as u32,
                })
            {
                let d = self.op_error(op, format!("result #{i} does not point back at its op"));
                self.report(d);
            }
            let span = self.value_span(r);
            self.check_type(self.ctx.value_type(r), span);
            self.check_uses(r);
        }
    }

    /// Every use recorded for `v` must be an operand holding `v`.
    fn check_uses(&mut self, v: Value) {
        for &Use { op: user, index } in self.ctx.uses(v) {
            let holds = !self.ctx.is_erased(user)
                && self.ctx.operands(user).get(index as usize) == Some(&v);
            if !holds {
                let what = match self.ctx.value_def(v) {
                    ValueDef::OpResult { op, index } => {
                        format!("result #{index} of '{}' op", self.name(op))
                    }
                    ValueDef::BlockArg { index, .. } => format!("block argument #{index}"),
                };
                let d = Diagnostic::error(format!(
                    "use list of {what} is corrupt: it lists operand #{index} of '{}' op, \
                     which does not use it",
                    self.name(user)
                ))
                .with_span(self.value_span(v))
                .with_note("listed user is here", self.op_span(user));
                self.report(d);
            }
        }
    }

    fn check_operands(&mut self, op: OpId) {
        let check_order = self.in_reachable_block(op);
        for (i, &v) in self.ctx.operands(op).iter().enumerate() {
            let here = Use {
                op,
                index: i as u32,
            };
            let count = self.times_listed(v, here);
            if count != 1 {
                let d = self.op_error(
                    op,
                    format!(
                        "operand #{i} appears {count} times in its value's use list, expected once"
                    ),
                );
                self.report(d);
            }
            if let ValueDef::OpResult { op: def, .. } = self.ctx.value_def(v)
                && self.ctx.is_erased(def)
            {
                let d = self.op_error(op, format!("operand #{i} uses a result of an erased op"));
                self.report(d);
                continue;
            }
            self.check_dominance(op, i, v, check_order);
        }
    }

    /// How many times `v`'s use list holds `here`. A short list is scanned; a long one is
    /// read once (into `listed_uses`), so a value with many uses costs linear time, not
    /// quadratic.
    fn times_listed(&mut self, v: Value, here: Use) -> u32 {
        let uses = self.ctx.uses(v);
        if uses.len() <= SCANNED_USE_LIST {
            return uses.iter().filter(|&&u| u == here).count() as u32;
        }
        if self.indexed_values.insert(v) {
            for &u in self.ctx.uses(v) {
                *self.listed_uses.entry((v, u)).or_insert(0) += 1;
            }
        }
        self.listed_uses.get(&(v, here)).copied().unwrap_or(0)
    }

    /// Whether `op` sits in a block reachable from its region's entry (always true outside
    /// CFG regions); operands of ops in unreachable blocks are not order-checked.
    fn in_reachable_block(&mut self, op: OpId) -> bool {
        let Some(block) = self.ctx.parent_block(op) else {
            return true;
        };
        let Some(region) = self.ctx.block_parent_region(block) else {
            return true;
        };
        !self.has_ssa_dominance(region) || self.dominators(region).reachable(block)
    }

    fn has_ssa_dominance(&self, region: RegionId) -> bool {
        self.ctx
            .region_parent_op(region)
            .is_none_or(|p| !self.ctx.has_traits(p, Traits::NO_TERMINATOR))
    }

    fn dominators(&mut self, region: RegionId) -> &Dominators {
        let ctx = self.ctx;
        self.dominators
            .entry(region)
            .or_insert_with(|| Dominators::compute(ctx, region))
    }

    /// The index of an op in its block (`u32` like op handles: 8-byte map entries).
    fn position(&mut self, op: OpId) -> u32 {
        if let Some(block) = self.ctx.parent_block(op)
            && self.last_indexed_block != Some(block)
        {
            self.last_indexed_block = Some(block);
            if self.indexed_blocks.insert(block) {
                let limit = self.step_limit();
                let ctx = self.ctx;
                // Counted first (a walk of the list) so the map grows once, not by doubling.
                self.positions
                    .reserve(ctx.block_ops(block).take(limit).count());
                for (i, o) in (0u32..).zip(ctx.block_ops(block).take(limit)) {
                    self.positions.set(o, i);
                }
            }
        }
        self.positions.get(op)
    }

    /// Whether `outer` strictly encloses `inner`.
    fn region_encloses(&self, outer: RegionId, inner: RegionId) -> bool {
        let mut r = inner;
        for _ in 0..self.step_limit() {
            let Some(up) = self
                .ctx
                .region_parent_op(r)
                .and_then(|p| self.ctx.parent_block(p))
                .and_then(|b| self.ctx.block_parent_region(b))
            else {
                return false;
            };
            if up == outer {
                return true;
            }
            r = up;
        }
        false
    }

    /// Checks that operand `i` (value `v`) of `user` is visible there, respects region
    /// isolation and (when `check_order`) is dominated by its definition.
    fn check_dominance(&mut self, user: OpId, i: usize, v: Value, check_order: bool) {
        let (def_block, def_op) = match self.ctx.value_def(v) {
            ValueDef::BlockArg { block, .. } => (Some(block), None),
            ValueDef::OpResult { op, .. } => (self.ctx.parent_block(op), Some(op)),
        };
        let def_region = def_block.and_then(|b| self.ctx.block_parent_region(b));
        let Some(def_region) = def_region else {
            let what = if def_op.is_some() {
                "a result of an op that is not in any block"
            } else {
                "an argument of a block that is not in any region"
            };
            let d = self
                .op_error(user, format!("operand #{i} uses {what}"))
                .with_note("operand defined here", self.value_span(v));
            self.report(d);
            return;
        };
        // Find the ancestor of `user` in the defining region, noting isolated ops crossed.
        let mut cur = user;
        let mut isolated = None;
        let mut ancestor = None;
        for _ in 0..self.step_limit() {
            let Some(region) = self
                .ctx
                .parent_block(cur)
                .and_then(|b| self.ctx.block_parent_region(b))
            else {
                break;
            };
            if region == def_region {
                ancestor = Some(cur);
                break;
            }
            let Some(parent) = self.ctx.region_parent_op(region) else {
                break;
            };
            if isolated.is_none() && self.ctx.has_traits(parent, Traits::ISOLATED_FROM_ABOVE) {
                isolated = Some(parent);
            }
            cur = parent;
        }
        let Some(ancestor) = ancestor else {
            self.report_not_dominating(user, i, v);
            return;
        };
        if let Some(iso) = isolated {
            let d = self
                .op_error(
                    user,
                    format!("using value defined outside the region (operand #{i})"),
                )
                .with_note("value defined here", self.value_span(v))
                .with_note(
                    "required by region isolation constraints",
                    self.op_span(iso),
                );
            self.report(d);
            return;
        }
        if def_op == Some(ancestor) {
            self.report_not_dominating(user, i, v);
            return;
        }
        if !check_order || !self.has_ssa_dominance(def_region) {
            return;
        }
        let Some(use_block) = self.ctx.parent_block(ancestor) else {
            return;
        };
        let dominated = match (def_block, def_op) {
            (Some(b), Some(d)) if b == use_block => self.position(d) < self.position(ancestor),
            (Some(b), _) => b == use_block || self.dominators(def_region).dominates(b, use_block),
            (None, _) => false,
        };
        if !dominated {
            self.report_not_dominating(user, i, v);
        }
    }

    /// MLIR's `diagnoseInvalidOperandDominance`: the error plus a note saying where the
    /// operand is defined relative to the use.
    fn report_not_dominating(&mut self, user: OpId, i: usize, v: Value) {
        let use_block = self.ctx.parent_block(user);
        let use_region = use_block.and_then(|b| self.ctx.block_parent_region(b));
        let (def_block, note) = match self.ctx.value_def(v) {
            ValueDef::OpResult { op, .. } => (self.ctx.parent_block(op), "operand defined here"),
            ValueDef::BlockArg { block, .. } => {
                (Some(block), "operand defined as a block argument")
            }
        };
        let def_region = def_block.and_then(|b| self.ctx.block_parent_region(b));
        let relation = match (use_region, def_region) {
            _ if use_block == def_block => "in the same block",
            (Some(u), Some(d)) if u == d => "in the same region",
            (Some(u), Some(d)) if self.region_encloses(d, u) => "in a parent region",
            (Some(u), Some(d)) if self.region_encloses(u, d) => "in a child region",
            _ => "neither in a parent nor in a child region",
        };
        let d = Diagnostic::error(format!("operand #{i} does not dominate this use"))
            .with_span(self.op_span(user))
            .with_note(format!("{note} ({relation})"), self.value_span(v));
        self.report(d);
    }

    fn check_successors(&mut self, op: OpId) {
        let successors = self.ctx.successors(op);
        if successors.is_empty() {
            return;
        }
        let block = self.ctx.parent_block(op);
        if let Some(b) = block
            && self.ctx.last_op(b) != Some(op)
        {
            let d = Diagnostic::error(
                "operation with block successors must terminate its parent block",
            )
            .with_span(self.op_span(op));
            self.report(d);
        }
        let region = block.and_then(|b| self.ctx.block_parent_region(b));
        for (k, &s) in successors.iter().enumerate() {
            if (s.0 as usize) >= self.ctx.blocks.len() {
                let d = self.op_error(op, format!("successor #{k} is not a block of this context"));
                self.report(d);
            } else if self.ctx.block_parent_region(s) != region || region.is_none() {
                let d = self
                    .op_error(op, "branching to block of a different region")
                    .with_note("successor block is here", self.block_span(s));
                self.report(d);
            }
        }
    }

    fn check_traits(&mut self, op: OpId) {
        let traits = self.ctx.traits(op);
        if traits.contains(Traits::TERMINATOR)
            && let Some(b) = self.ctx.parent_block(op)
            && self.ctx.last_op(b) != Some(op)
        {
            let d = self.op_error(op, "must be the last operation in the parent block");
            self.report(d);
        }
        if traits.contains(Traits::SAME_OPERANDS_AND_RESULT_TYPE) {
            let mut types = self
                .ctx
                .operands(op)
                .iter()
                .chain(self.ctx.results(op))
                .map(|&v| self.ctx.value_type(v));
            if let Some(first) = types.next()
                && types.any(|t| t != first)
            {
                let d = self.op_error(op, "requires the same type for all operands and results");
                self.report(d);
            }
        }
        let graph = traits.contains(Traits::NO_TERMINATOR);
        if traits.contains(Traits::SINGLE_BLOCK) || graph {
            for (i, &r) in self.ctx.regions(op).iter().enumerate() {
                if self.ctx.region_blocks(r).len() > 1 {
                    let kind = if graph { "graph region" } else { "region" };
                    let d = self.op_error(op, format!("expects {kind} #{i} to have 0 or 1 blocks"));
                    self.report(d);
                }
            }
        }
        if traits.contains(Traits::SYMBOL_TABLE) {
            self.check_symbol_table(op);
        }
    }

    fn check_symbol_table(&mut self, table: OpId) {
        let ctx = self.ctx;
        let mut first: FxHashMap<&str, OpId> = FxHashMap::default();
        let limit = self.step_limit();
        for &r in self.ctx.regions(table) {
            for &b in self.ctx.region_blocks(r) {
                for op in self.ctx.block_ops(b).take(limit) {
                    let Some(name) = ctx
                        .attr(op, "sym_name")
                        .filter(|&a| self.attr_in_context(a))
                        .and_then(|a| ctx.as_str(a))
                    else {
                        continue;
                    };
                    if let Some(&earlier) = first.get(name) {
                        let d = Diagnostic::error(format!("redefinition of symbol named '{name}'"))
                            .with_span(self.op_span(op))
                            .with_note(
                                "see existing symbol definition here",
                                self.op_span(earlier),
                            );
                        self.diags.push(d);
                    } else {
                        first.insert(name, op);
                    }
                }
            }
        }
    }

    // ----- regions and blocks ---------------------------------------------------------

    fn verify_region(&mut self, op: OpId, index: usize, region: RegionId) {
        if self.ctx.region_parent_op(region) != Some(op) {
            let d = self.op_error(op, format!("region #{index} does not point back at its op"));
            self.report(d);
        }
        let blocks = self.ctx.region_blocks(region).to_vec();
        let mut block_ops = Vec::with_capacity(blocks.len());
        for &block in &blocks {
            block_ops.push(self.check_block(op, region, block));
        }
        if let Some(&entry) = blocks.first() {
            for &block in &blocks {
                let Some(last) = self.ctx.last_op(block) else {
                    continue;
                };
                if self.ctx.successors(last).contains(&entry) {
                    let d = Diagnostic::error("entry block of region may not have predecessors")
                        .with_span(self.op_span(last))
                        .with_note("entry block is here", self.block_span(entry));
                    self.report(d);
                }
            }
        }
        for ops in block_ops {
            self.verify_block_ops(&ops);
        }
    }

    /// Checks a block's links, arguments and terminator; returns its ops in order.
    fn check_block(&mut self, owner: OpId, region: RegionId, block: BlockId) -> Vec<OpId> {
        if self.ctx.block_parent_region(block) != Some(region) {
            let d = Diagnostic::error("block does not point back at the region holding it")
                .with_span(self.block_span(block));
            self.report(d);
        }
        for (i, &arg) in self.ctx.block_args(block).iter().enumerate() {
            if self.ctx.value_def(arg)
                != (ValueDef::BlockArg {
                    block,
                    index: i as u32,
                })
            {
                let d = Diagnostic::error(format!("block argument #{i} not owned by block"))
                    .with_span(self.value_span(arg));
                self.report(d);
            }
            let span = self.value_span(arg);
            self.check_type(self.ctx.value_type(arg), span);
            self.check_uses(arg);
        }
        let ops = self.block_op_list(block);
        let needs_terminator = !(self.ctx.has_traits(owner, Traits::NO_TERMINATOR)
            || (self.ctx.def(owner).is_none() && self.ctx.region_blocks(region).len() == 1));
        match ops.last() {
            None if needs_terminator => {
                let d = Diagnostic::error("empty block: expect at least a terminator")
                    .with_span(self.block_span(block));
                self.report(d);
            }
            Some(&last)
                if needs_terminator
                    && self.ctx.def(last).is_some()
                    && !self.ctx.has_traits(last, Traits::TERMINATOR) =>
            {
                let d = Diagnostic::error(format!(
                    "block with no terminator, has '{}' op last",
                    self.name(last)
                ))
                .with_span(self.op_span(last));
                self.report(d);
            }
            _ => {}
        }
        ops
    }

    /// The ops of a block, checking the linked list as it goes.
    fn block_op_list(&mut self, block: BlockId) -> Vec<OpId> {
        let mut ops = Vec::new();
        let mut prev = None;
        let mut cur = self.ctx.first_op(block);
        while let Some(op) = cur {
            if ops.len() > self.step_limit() {
                let d = Diagnostic::error("the op list of this block is cyclic")
                    .with_span(self.block_span(block));
                self.report(d);
                return ops;
            }
            if self.ctx.parent_block(op) != Some(block) || self.ctx.prev_op(op) != prev {
                let d = self.op_error(op, "is not linked correctly into its block's op list");
                self.report(d);
            }
            ops.push(op);
            prev = Some(op);
            cur = self.ctx.next_op(op);
        }
        if self.ctx.last_op(block) != prev {
            let d = Diagnostic::error("the last-op link of this block is corrupt")
                .with_span(self.block_span(block));
            self.report(d);
        }
        ops
    }

    // ----- attributes and types -------------------------------------------------------

    /// Checks the dialect attributes and types inside the op's attributes; when
    /// `run_hooks`, hands its discardable attributes to their dialects.
    fn check_attributes(&mut self, op: OpId, run_hooks: bool) {
        let span = self.op_span(op);
        let inherent = self.ctx.def(op).map_or(&[][..], |d| d.inherent_attrs);
        let attrs: Vec<(&str, Attribute)> = self.ctx.attrs(op).collect();
        for &(name, attr) in &attrs {
            self.check_attr(attr, span);
            if run_hooks && !inherent.contains(&name) {
                self.check_discardable(op, AttrSite::Op, name, attr, span);
            }
        }
        if !run_hooks || !self.ctx.has_traits(op, Traits::FUNCTION_LIKE) {
            return;
        }
        let entry_args = self
            .ctx
            .body_block(op)
            .map(|b| self.ctx.block_args(b).to_vec())
            .unwrap_or_default();
        for (key, what) in [("arg_attrs", "arguments"), ("res_attrs", "results")] {
            let Some(list) = self.ctx.attr(op, key) else {
                continue;
            };
            if !self.attr_in_context(list) {
                continue;
            }
            let Some(dicts) = self.ctx.as_array(list) else {
                continue;
            };
            for (i, &dict) in dicts.iter().enumerate() {
                if !self.attr_in_context(dict) {
                    continue;
                }
                let Some(entries) = self.ctx.as_dictionary(dict) else {
                    continue;
                };
                let (site, site_span) = if key == "arg_attrs" {
                    let arg_span = entry_args.get(i).and_then(|&a| self.ctx.value_span(a));
                    (AttrSite::Argument(i), arg_span.or(span))
                } else {
                    (AttrSite::Result(i), span)
                };
                for (name, attr) in entries {
                    if !self.attr_in_context(*attr) {
                        continue;
                    }
                    if name.contains('.') {
                        self.check_discardable(op, site, name, *attr, site_span);
                    } else {
                        let d = self
                            .op_error(
                                op,
                                format!("{what} may only have dialect attributes, found '{name}'"),
                            )
                            .with_span(site_span);
                        self.report(d);
                    }
                }
            }
        }
    }

    /// Hands a discardable attribute `d.x` to dialect `d`'s `verify_attribute` hook.
    fn check_discardable(
        &mut self,
        op: OpId,
        site: AttrSite,
        name: &str,
        attr: Attribute,
        span: Option<Span>,
    ) {
        let Some((prefix, _)) = name.split_once('.') else {
            return;
        };
        if let Some(hook) = self.ctx.dialect(prefix).and_then(|d| d.verify_attribute)
            && let Err(d) = hook(self.ctx, op, site, name, attr)
        {
            self.report(d.or_span(span));
        }
    }

    fn attr_in_context(&self, attr: Attribute) -> bool {
        self.ctx.attrs.contains_index(attr.0)
    }

    /// Checks every dialect attribute and type reachable from `attr`.
    fn check_attr(&mut self, attr: Attribute, span: Option<Span>) {
        if !self.attr_in_context(attr) {
            self.report(
                Diagnostic::error("attribute handle does not belong to this context")
                    .with_span(span),
            );
            return;
        }
        if !self.checked_attrs.insert(attr) {
            return;
        }
        match self.ctx.attr_data(attr) {
            AttrData::Dialect {
                dialect,
                name,
                params,
            } => self.check_dialect_entity(EntityKind::Attr, dialect, name, params, span),
            AttrData::Array(items) => {
                for &item in items {
                    self.check_attr(item, span);
                }
            }
            AttrData::Dictionary(entries) => {
                for &(_, item) in entries {
                    self.check_attr(item, span);
                }
            }
            AttrData::Integer { ty, .. }
            | AttrData::Float { ty, .. }
            | AttrData::Type(ty)
            | AttrData::DenseElements { ty, .. }
            | AttrData::DenseArray { element: ty, .. } => self.check_type(*ty, span),
            AttrData::Unit
            | AttrData::AffineMap(_)
            | AttrData::Bool(_)
            | AttrData::String(_)
            | AttrData::SymbolRef { .. }
            | AttrData::Location(_) => {}
        }
    }

    /// Checks every dialect type and attribute reachable from `ty`.
    fn check_type(&mut self, ty: Type, span: Option<Span>) {
        if !self.ctx.types.contains_index(ty.0) {
            self.report(
                Diagnostic::error("type handle does not belong to this context").with_span(span),
            );
            return;
        }
        if !self.checked_types.insert(ty) {
            return;
        }
        match self.ctx.type_data(ty) {
            TypeData::RankedTensor { shape, element } => {
                if tensor_bytes(self.ctx, shape, *element).is_none() {
                    let dims: Vec<String> = (shape.iter())
                        .map(|d| d.extent().map_or("?".into(), |n| n.to_string()))
                        .collect();
                    self.report(
                        Diagnostic::error(format!(
                            "a tensor of shape {} holds more than 2^63 bytes",
                            dims.join("x")
                        ))
                        .with_span(span),
                    );
                }
                self.check_type(*element, span)
            }
            TypeData::UnrankedTensor { element } => self.check_type(*element, span),
            TypeData::Complex { element } => {
                if !matches!(self.ctx.type_data(*element), TypeData::Float(_)) {
                    self.report(
                        Diagnostic::error("the parts of a complex type must be a float type")
                            .with_span(span),
                    );
                }
            }
            TypeData::Function { inputs, results } => {
                for &t in inputs.iter().chain(results) {
                    self.check_type(t, span);
                }
            }
            TypeData::Dialect {
                dialect,
                name,
                params,
            } => self.check_dialect_entity(EntityKind::Type, dialect, name, params, span),
            TypeData::Integer { .. } | TypeData::Index | TypeData::Float(_) | TypeData::None => {}
        }
    }

    /// Checks `#dialect.name<params>` / `!dialect.name<params>` against its declaration,
    /// then the attributes and types among its parameters.
    fn check_dialect_entity(
        &mut self,
        kind: EntityKind,
        dialect: &str,
        name: &str,
        params: &[AttrParam],
        span: Option<Span>,
    ) {
        let (sigil, noun) = match kind {
            EntityKind::Attr => ('#', "attribute"),
            EntityKind::Type => ('!', "type"),
        };
        match self.ctx.dialect(dialect) {
            Some(d) => {
                let verify = match kind {
                    EntityKind::Attr => d.attr_def(name).map(|a| a.verify),
                    EntityKind::Type => d.type_def(name).map(|t| t.verify),
                };
                match verify {
                    None => self.report(
                        Diagnostic::error(format!(
                            "dialect '{dialect}' has no {noun} named '{name}' \
                             (in {sigil}{dialect}.{name})"
                        ))
                        .with_span(span),
                    ),
                    Some(check) => {
                        if let Err(message) = check(self.ctx, params) {
                            self.report(
                                Diagnostic::error(format!(
                                    "invalid {noun} {sigil}{dialect}.{name}: {message}"
                                ))
                                .with_span(span),
                            );
                        }
                    }
                }
            }
            None if !self.ctx.allow_unregistered => self.report(
                Diagnostic::error(format!(
                    "{noun} {sigil}{dialect}.{name} belongs to unregistered dialect '{dialect}' \
                     (allow unregistered dialects to accept it)"
                ))
                .with_span(span),
            ),
            None => {}
        }
        for p in params {
            match p {
                AttrParam::Attr(a) => self.check_attr(*a, span),
                AttrParam::Type(t) => self.check_type(*t, span),
                AttrParam::Int(_) | AttrParam::Keyword(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// The bytes of a tensor's static dims (dynamic dims count as 1), if they fit in an `i64`:
/// sizes, offsets and strides of every tensor are then 64-bit arithmetic that cannot
/// overflow. An element of a non-builtin type counts as one byte.
fn tensor_bytes(ctx: &Context, shape: &[crate::Dim], element: Type) -> Option<u64> {
    (shape.iter())
        .try_fold(element_bytes(ctx, element), |acc, d| {
            acc.checked_mul(d.extent().unwrap_or(1))
        })
        .filter(|&b| b <= i64::MAX as u64)
}

/// The bytes of one element of type `ty` (a complex number holds two parts; a
/// non-builtin type counts as one byte).
fn element_bytes(ctx: &Context, ty: Type) -> u64 {
    match ctx.type_data(ty) {
        TypeData::Integer { width } => u64::from(width.div_ceil(8)).max(1),
        TypeData::Index => 8,
        TypeData::Float(kind) => match kind {
            crate::FloatKind::F16 | crate::FloatKind::BF16 => 2,
            crate::FloatKind::F32 => 4,
            crate::FloatKind::F64 => 8,
        },
        TypeData::Complex { element } => 2 * element_bytes(ctx, *element),
        _ => 1,
    }
}
