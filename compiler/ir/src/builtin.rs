//! The `builtin` dialect: `builtin.module`, the top-level container and symbol table.

use crate::context::Context;
use crate::dialect::{AsmFormat, Dialect, OpDef, Traits};
use crate::operation::{BlockId, OpId, OperationState};

/// `builtin.module`: a single-block, terminator-free symbol table.
pub const MODULE_OP: OpDef = OpDef {
    traits: Traits::SYMBOL_TABLE
        .union(Traits::ISOLATED_FROM_ABOVE)
        .union(Traits::NO_TERMINATOR)
        .union(Traits::SINGLE_BLOCK),
    format: AsmFormat::Module,
    inherent_attrs: &["sym_name", "sym_visibility"],
    ..OpDef::new("builtin.module", "A top-level container of symbols")
};

/// The builtin dialect.
pub static BUILTIN_DIALECT: Dialect = Dialect {
    ops: &[MODULE_OP],
    ..Dialect::new("builtin", "Core ops every context knows")
};

impl Context {
    /// Creates an empty, detached `builtin.module` with one body block.
    pub fn create_module(&mut self) -> OpId {
        let region = self.create_region();
        let block = self.create_block(&[]);
        self.append_block(region, block);
        let name = self.op_name(MODULE_OP.name);
        let mut state = OperationState::new(name);
        state.regions.push(region);
        self.create_op(state)
    }

    /// The first block of the first region of an op (the body of a module or function).
    pub fn body_block(&self, op: OpId) -> Option<BlockId> {
        let region = *self.regions(op).first()?;
        self.region_blocks(region).first().copied()
    }

    /// The op defining symbol `name` directly inside the symbol table `table` (one of
    /// them if the table defines it twice, which the verifier reports). Constant time: the
    /// context keeps every block's symbols indexed as ops are placed and renamed.
    pub fn lookup_symbol(&self, table: OpId, name: &str) -> Option<OpId> {
        let block = self.body_block(table)?;
        self.symbols.get(&block)?.get(name)?.first().copied()
    }

    /// The `sym_name` of a symbol op.
    pub fn symbol_name(&self, op: OpId) -> Option<&str> {
        self.as_str(self.attr(op, crate::operation::SYM_NAME)?)
    }
}
