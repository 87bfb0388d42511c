//! The greedy pattern-rewrite driver (MLIR's `applyPatternsGreedily`): a worklist over every
//! op nested in a root op; each op is, in turn, erased when trivially dead, folded through
//! its `OpDef::fold`, or rewritten by the first pattern that applies. Whatever a change
//! touches goes back on the worklist. The whole region is re-scanned until a scan changes
//! nothing (convergence) or `max_iterations` scans have run.

use joinery_ir::dialect::FoldResult;
use joinery_ir::{Context, OpId, RewritePattern, Rewriter, Traits, Value};
use rustc_hash::FxHashSet;

/// The patterns a driver applies: per-op canonicalization patterns (from `OpDef`) and/or
/// patterns for any op, filtered by name.
#[derive(Default)]
pub struct PatternSet<'p> {
    /// Patterns tried on every op, after the op's own.
    pub generic: Vec<&'p dyn RewritePattern>,
    /// Also try each op's `OpDef::canonicalize` patterns.
    pub canonicalization: bool,
    /// Pattern names never applied.
    pub disabled: Vec<String>,
    /// When not empty, only patterns with these names are applied.
    pub enabled: Vec<String>,
}

impl<'p> PatternSet<'p> {
    fn allows(&self, p: &dyn RewritePattern) -> bool {
        let name = p.name();
        !self.disabled.iter().any(|d| d == name)
            && (self.enabled.is_empty() || self.enabled.iter().any(|e| e == name))
    }

    fn for_op(&self, ctx: &Context, op: OpId) -> Vec<&'p dyn RewritePattern> {
        let own: &'static [&'static dyn RewritePattern] = match ctx.def(op) {
            Some(def) if self.canonicalization => def.canonicalize,
            _ => &[],
        };
        own.iter()
            .copied()
            .chain(self.generic.iter().copied())
            .filter(|p| self.allows(*p))
            .collect()
    }
}

/// Limits and switches of one driver run.
#[derive(Clone, Debug)]
pub struct GreedyConfig {
    /// Full scans of the region before giving up (MLIR's default is 10).
    pub max_iterations: usize,
    /// Stop after this many pattern applications and folds; `None` for no limit.
    pub max_rewrites: Option<u64>,
    /// Fold ops through `OpDef::fold`.
    pub fold: bool,
    /// Seed the worklist in program order (else reverse order).
    pub top_down: bool,
}

impl Default for GreedyConfig {
    fn default() -> GreedyConfig {
        GreedyConfig {
            max_iterations: 10,
            max_rewrites: None,
            fold: true,
            top_down: true,
        }
    }
}

/// What a driver run did.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct GreedyOutcome {
    /// A final scan changed nothing.
    pub converged: bool,
    /// Scans run.
    pub iterations: usize,
    /// Successful pattern applications.
    pub rewrites: u64,
    /// Ops folded away or in place.
    pub folds: u64,
    /// Trivially dead ops erased.
    pub erased: u64,
}

impl GreedyOutcome {
    /// Whether the IR changed at all.
    pub fn changed(&self) -> bool {
        self.changes() > 0
    }

    fn changes(&self) -> u64 {
        self.rewrites + self.folds + self.erased
    }
}

/// Whether `op` can be erased without changing behaviour: pure, not a terminator, no used
/// results (MLIR's `isOpTriviallyDead`).
pub fn is_trivially_dead(ctx: &Context, op: OpId) -> bool {
    let traits = ctx.traits(op);
    traits.contains(Traits::PURE)
        && !traits.contains(Traits::TERMINATOR)
        && ctx.results(op).iter().all(|&r| ctx.is_unused(r))
}

/// Runs patterns, folding and dead-op removal over everything nested in `root` until
/// convergence or a limit; see the module docs.
pub fn apply_patterns_greedily(
    ctx: &mut Context,
    root: OpId,
    patterns: &PatternSet<'_>,
    config: &GreedyConfig,
) -> GreedyOutcome {
    let mut outcome = GreedyOutcome::default();
    let mut worklist = Worklist::default();
    while outcome.iterations < config.max_iterations {
        outcome.iterations += 1;
        let mut ops = ctx.walk(root);
        if config.top_down {
            ops.reverse();
        }
        for op in ops {
            worklist.push(op);
        }
        let before = outcome.changes();
        while let Some(op) = worklist.pop() {
            if config
                .max_rewrites
                .is_some_and(|max| outcome.rewrites + outcome.folds >= max)
            {
                return outcome;
            }
            if ctx.is_erased(op) || op == root || !ctx.is_ancestor(root, op) {
                continue;
            }
            process(ctx, op, patterns, config, &mut worklist, &mut outcome);
        }
        if outcome.changes() == before {
            outcome.converged = true;
            return outcome;
        }
    }
    outcome
}

/// A LIFO worklist without duplicates.
#[derive(Default)]
struct Worklist {
    stack: Vec<OpId>,
    queued: FxHashSet<OpId>,
}

impl Worklist {
    fn push(&mut self, op: OpId) {
        if self.queued.insert(op) {
            self.stack.push(op);
        }
    }

    fn pop(&mut self) -> Option<OpId> {
        let op = self.stack.pop()?;
        self.queued.remove(&op);
        Some(op)
    }

    fn push_users(&mut self, ctx: &Context, values: &[Value]) {
        for &v in values {
            for u in ctx.uses(v) {
                self.push(u.op);
            }
        }
    }

    fn push_producers(&mut self, ctx: &Context, op: OpId) {
        for &v in ctx.operands(op) {
            if let Some(p) = ctx.defining_op(v) {
                self.push(p);
            }
        }
    }
}

fn process(
    ctx: &mut Context,
    op: OpId,
    patterns: &PatternSet<'_>,
    config: &GreedyConfig,
    worklist: &mut Worklist,
    outcome: &mut GreedyOutcome,
) {
    if is_trivially_dead(ctx, op) {
        worklist.push_producers(ctx, op);
        ctx.erase_op(op);
        outcome.erased += 1;
        return;
    }
    if config.fold && try_fold(ctx, op, worklist) {
        outcome.folds += 1;
        return;
    }
    for pattern in patterns.for_op(ctx, op) {
        let mut rewriter = Rewriter::new(ctx);
        if pattern.apply(op, &mut rewriter) {
            let Rewriter {
                touched,
                maybe_dead,
                ..
            } = rewriter;
            for t in touched.into_iter().chain(maybe_dead) {
                worklist.push(t);
            }
            worklist.push(op);
            outcome.rewrites += 1;
            return;
        }
    }
}

/// Folds `op` through its `OpDef::fold`: results become existing values or constants built
/// by the dialect's `materialize_constant` hook. Constant-like ops are left alone, and a
/// fold whose constants cannot be materialized is dropped (the op stays).
fn try_fold(ctx: &mut Context, op: OpId, worklist: &mut Worklist) -> bool {
    let Some(def) = ctx.def(op) else { return false };
    let Some(fold) = def.fold else { return false };
    if def.traits.contains(Traits::CONSTANT_LIKE) {
        return false;
    }
    let Some(results) = fold(ctx, op) else {
        return false;
    };
    let old_results = ctx.results(op).to_vec();
    if results.is_empty() {
        worklist.push(op);
        worklist.push_users(ctx, &old_results);
        return true;
    }
    // A fold must give one result per op result, none of them the op's own (which would
    // mean "unchanged").
    if results.len() != old_results.len()
        || results
            .iter()
            .any(|r| matches!(r, FoldResult::Value(v) if old_results.contains(v)))
    {
        return false;
    }
    let materialize = ctx
        .dialect(def.dialect())
        .and_then(|d| d.materialize_constant);
    let mut created = Vec::new();
    let mut values = Vec::with_capacity(results.len());
    for (r, &old) in results.iter().zip(&old_results) {
        match *r {
            FoldResult::Value(v) => values.push(v),
            FoldResult::Attr(attr) => {
                let ty = ctx.value_type(old);
                let Some(state) = materialize.and_then(|m| m(ctx, attr, ty)) else {
                    for c in created {
                        ctx.erase_op(c);
                    }
                    return false;
                };
                let c = ctx.create_op(state);
                ctx.insert_op_before(op, c);
                created.push(c);
                match ctx.results(c).first() {
                    Some(&v) if ctx.value_type(v) == ty => values.push(v),
                    _ => {
                        for c in created {
                            ctx.erase_op(c);
                        }
                        return false;
                    }
                }
            }
        }
    }
    worklist.push_users(ctx, &old_results);
    worklist.push_producers(ctx, op);
    for &c in &created {
        worklist.push(c);
    }
    ctx.replace_op(op, &values);
    true
}
