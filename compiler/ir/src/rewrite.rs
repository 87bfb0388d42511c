//! Rewrite patterns and the [`Rewriter`] they mutate IR through. The rewriter records
//! what changed so a driver (the greedy pattern driver of `joinery-pass`) can revisit it.

use crate::context::Context;
use crate::operation::{OpId, OperationState, Value};

/// A local rewrite rooted at one op. `apply` returns whether it changed the IR; it must
/// change IR only through the rewriter. Each pattern documents its law in one line.
pub trait RewritePattern: Sync {
    /// A short name for statistics and debugging.
    fn name(&self) -> &'static str;
    /// Tries to rewrite `op`.
    fn apply(&self, op: OpId, rewriter: &mut Rewriter<'_>) -> bool;
}

/// Mutates IR for patterns and records the ops it created, changed and erased.
pub struct Rewriter<'c> {
    pub ctx: &'c mut Context,
    /// Ops created or modified since the driver last drained this list.
    pub touched: Vec<OpId>,
    /// Ops whose operands lost a user: they may have become dead.
    pub maybe_dead: Vec<OpId>,
}

impl<'c> Rewriter<'c> {
    /// A rewriter over a context.
    pub fn new(ctx: &'c mut Context) -> Rewriter<'c> {
        Rewriter {
            ctx,
            touched: Vec::new(),
            maybe_dead: Vec::new(),
        }
    }

    /// Creates an op right before `anchor`, with `anchor`'s location and span unless the
    /// state gives its own.
    pub fn create_before(&mut self, anchor: OpId, mut state: OperationState) -> OpId {
        self.ctx.inherit_position(anchor, &mut state);
        let op = self.ctx.create_op(state);
        self.ctx.insert_op_before(anchor, op);
        self.touched.push(op);
        op
    }

    /// Replaces `op`'s results with `values` and erases it.
    pub fn replace_op(&mut self, op: OpId, values: &[Value]) {
        for r in self.ctx.results(op).to_vec() {
            let users: Vec<OpId> = self.ctx.uses(r).iter().map(|u| u.op).collect();
            self.touched.extend(users);
        }
        self.erase_op_after_replace(op, values);
    }

    fn erase_op_after_replace(&mut self, op: OpId, values: &[Value]) {
        let producers: Vec<OpId> = self
            .ctx
            .operands(op)
            .iter()
            .filter_map(|&v| self.ctx.defining_op(v))
            .collect();
        self.ctx.replace_op(op, values);
        self.maybe_dead.extend(producers);
    }

    /// Erases an op whose results are unused.
    pub fn erase_op(&mut self, op: OpId) {
        self.erase_op_after_replace(op, &[]);
    }

    /// Replaces operand `i` of `op`.
    pub fn set_operand(&mut self, op: OpId, i: usize, value: Value) {
        if let Some(p) = self.ctx.defining_op(self.ctx.operand(op, i)) {
            self.maybe_dead.push(p);
        }
        self.ctx.set_operand(op, i, value);
        self.touched.push(op);
    }

    /// Records that `op` was modified in place.
    pub fn modified(&mut self, op: OpId) {
        self.touched.push(op);
    }
}
