//! joinery's IR core: the part of the compiler that knows no dialect, as MLIR's core.
//!
//! A [`Context`] owns everything. Types and attributes are interned handles; ops, blocks,
//! regions and values live in arenas and are named by copyable ids, so passes hold ids,
//! never references. Dialects register declaratively ([`dialect::Dialect`],
//! [`dialect::OpDef`]); the text format, verifier and passes build on this crate.

pub mod attributes;
pub mod builder;
pub mod builtin;
pub mod context;
pub mod diagnostics;
pub mod dialect;
mod interner;
pub mod location;
pub mod operation;
pub mod parallel;
pub mod rewrite;
pub mod source_text;
pub mod types;
pub mod verify;

pub use attributes::{
    AffineExpr, AffineMap, AffineOp, AttrData, AttrParam, Attribute, DenseData, DenseScalar,
    FloatBits, HexLayout, dense_element_bytes, dense_hex_layout,
};
pub use builder::{Builder, InsertPoint};
pub use context::{Context, DialectRegistry};
pub use diagnostics::{Diagnostic, Note, Severity};
pub use dialect::{AsmFormat, AttrDef, AttrSite, Dialect, OpDef, Traits, TypeDef};
pub use location::{FileId, Location, SourceFile, SourceMap, SourcePosition, Span};
pub use operation::{BlockId, OpId, OpName, OperationState, RegionId, Use, Value, ValueDef};
pub use rewrite::{RewritePattern, Rewriter};
pub use source_text::SourceText;
pub use types::{DType, Dim, FloatKind, Type, TypeData};
