//! The generic transforms, one file per pass.

pub mod canonicalize;
pub mod cse;
pub mod dce;
pub mod inline;
pub mod symbol_dce;
pub mod view_op_graph;

use crate::pass::PassInfo;

/// Every generic pass declaration.
pub static GENERIC_PASSES: &[&PassInfo] = &[
    &canonicalize::CANONICALIZE,
    &cse::CSE,
    &dce::DCE,
    &inline::INLINE,
    &symbol_dce::SYMBOL_DCE,
    &view_op_graph::VIEW_OP_GRAPH,
];
