//! The [`Builder`]: creates ops at an insertion point.

use crate::attributes::Attribute;
use crate::context::Context;
use crate::operation::{BlockId, OpId, OperationState, Value};
use crate::types::Type;

/// Where a [`Builder`] puts new ops.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InsertPoint {
    /// At the end of a block.
    End(BlockId),
    /// Right before an op.
    Before(OpId),
    /// Nowhere: ops stay detached.
    Detached,
}

/// Creates ops and places them at its insertion point.
pub struct Builder<'c> {
    pub ctx: &'c mut Context,
    pub ip: InsertPoint,
}

impl<'c> Builder<'c> {
    /// A builder inserting at `ip`.
    pub fn new(ctx: &'c mut Context, ip: InsertPoint) -> Builder<'c> {
        Builder { ctx, ip }
    }

    /// Creates an op from a state and inserts it. Inserted before an op, it takes that op's
    /// location and span unless the state gives its own, as a rewrite's new ops keep the
    /// location of the op they replace (so errors still name the user's source line).
    pub fn insert(&mut self, mut state: OperationState) -> OpId {
        if let InsertPoint::Before(anchor) = self.ip {
            self.ctx.inherit_position(anchor, &mut state);
        }
        let op = self.ctx.create_op(state);
        match self.ip {
            InsertPoint::End(block) => self.ctx.append_op(block, op),
            InsertPoint::Before(anchor) => self.ctx.insert_op_before(anchor, op),
            InsertPoint::Detached => {}
        }
        op
    }

    /// Creates `name(operands) {attrs} -> result_types` and inserts it.
    pub fn build(
        &mut self,
        name: &str,
        operands: &[Value],
        result_types: &[Type],
        attrs: Vec<(String, Attribute)>,
    ) -> OpId {
        let mut state = OperationState::new(self.ctx.op_name(name));
        state.operands = operands.to_vec();
        state.result_types = result_types.to_vec();
        state.attrs = attrs;
        self.insert(state)
    }
}
