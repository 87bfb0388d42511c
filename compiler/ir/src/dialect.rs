//! Declarative dialect registration. A dialect is one static [`Dialect`] value listing its
//! ops ([`OpDef`]), attributes ([`AttrDef`]), types ([`TypeDef`]) and the hooks that verify
//! the argument/result attributes it owns. Adding an op is adding one `OpDef` entry: its
//! name, summary, traits, pretty form, inherent attributes and verifier live together.

use crate::attributes::{AttrParam, Attribute};
use crate::context::Context;
use crate::diagnostics::Diagnostic;
use crate::operation::{OpId, OperationState};
use crate::rewrite::RewritePattern;
use crate::types::Type;

bitflags::bitflags! {
    /// Op traits, as in MLIR's ODS. Generic passes and the verifier read them.
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct Traits: u32 {
        /// No side effects: CSE may merge it, DCE may delete it when unused.
        const PURE = 1 << 0;
        /// Applies elementwise over tensors (with broadcasting).
        const ELEMENTWISE = 1 << 1;
        /// All operands and results have one type.
        const SAME_OPERANDS_AND_RESULT_TYPE = 1 << 2;
        /// Must be the last op of its block.
        const TERMINATOR = 1 << 3;
        /// Regions cannot use values defined outside the op.
        const ISOLATED_FROM_ABOVE = 1 << 4;
        /// Its single region holds a symbol table: symbol names are unique inside.
        const SYMBOL_TABLE = 1 << 5;
        /// Defines a symbol through its `sym_name` attribute.
        const SYMBOL = 1 << 6;
        /// Returns control to the parent op with its operands as results.
        const RETURN_LIKE = 1 << 7;
        /// Its regions' blocks need no terminator.
        const NO_TERMINATOR = 1 << 8;
        /// Operand order does not matter (`a + b == b + a`).
        const COMMUTATIVE = 1 << 9;
        /// Function-like: a `function_type`, `arg_attrs`/`res_attrs` and a body region.
        const FUNCTION_LIKE = 1 << 10;
        /// Calls a symbol named by its `callee` attribute.
        const CALL = 1 << 11;
        /// Its regions have exactly one block.
        const SINGLE_BLOCK = 1 << 12;
        /// Produces a constant: its fold returns the constant itself, so folding drivers
        /// leave it alone (MLIR's `ConstantLike`).
        const CONSTANT_LIKE = 1 << 13;
    }
}

/// How an op prints and parses besides the generic form. The parser reads one shared
/// custom-op production and each format decides how its pieces map onto the op.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AsmFormat {
    /// Only the generic form: `%r = "d.op"(%a) {..} : (T) -> T`.
    Generic,
    /// `%r = d.op %a, %b {attrs} : (T, T) -> R` (MLIR's `functional-type(operands, results)`).
    Functional,
    /// `%r = d.op %a, %b {attrs} : T` when every operand and result has type `T`.
    SameType,
    /// `d.op %a, %b {attrs} : T, T` for ops without results (returns).
    OperandTypes,
    /// `%r = d.op @callee(%a, %b) {attrs} : (T, T) -> R`, callee in attribute `callee`.
    Call,
    /// `d.op [private] @name(%arg: T {attrs}, ...) -> (R {attrs}) [attributes {..}] { body }`.
    FunctionLike,
    /// `module [@name] [attributes {..}] { body }`.
    Module,
    /// `%r = d.op {attrs} <value> : T`: the `value` attribute written after the name,
    /// the result type being its type (MLIR's `attr-dict $value`, as `arith.constant`
    /// prints). Read only: the printer keeps the generic form, which `mlir-opt` reads too.
    Constant,
}

/// Verifies one op; returns the first problem as a diagnostic (the verifier adds the span).
pub type OpVerifyFn = fn(&Context, OpId) -> Result<(), Diagnostic>;

/// Folds an op to constants or existing values (one [`FoldResult`] per result); `None`
/// when it does not fold. `Some(vec![])` means the op was updated in place (MLIR's
/// in-place fold), e.g. by rewriting its own attributes or operands.
pub type FoldFn = fn(&mut Context, OpId) -> Option<Vec<FoldResult>>;

/// What one result of a folded op becomes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FoldResult {
    /// An existing value.
    Value(crate::operation::Value),
    /// A constant, materialized by the dialect's constant op.
    Attr(Attribute),
}

/// The declaration of one operation.
pub struct OpDef {
    /// Full name, `dialect.op` (`aten.add.Tensor`).
    pub name: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    pub traits: Traits,
    pub format: AsmFormat,
    /// Attributes that belong to the op itself; the generic form prints them in `<{...}>`.
    pub inherent_attrs: &'static [&'static str],
    pub verify: Option<OpVerifyFn>,
    pub fold: Option<FoldFn>,
    /// Rewrites `canonicalize` applies to this op.
    pub canonicalize: &'static [&'static dyn RewritePattern],
    /// The dialect whose ops may drop their prefix inside this op's regions when the op is
    /// written in its custom form (MLIR's `OpAsmOpInterface::getDefaultDialect`: `return`
    /// inside `func.func` is `func.return`).
    pub default_dialect: Option<&'static str>,
}

impl OpDef {
    /// An op with no traits, generic format and no hooks; fill the rest with struct update.
    pub const fn new(name: &'static str, summary: &'static str) -> OpDef {
        OpDef {
            name,
            summary,
            traits: Traits::empty(),
            format: AsmFormat::Generic,
            inherent_attrs: &[],
            verify: None,
            fold: None,
            canonicalize: &[],
            default_dialect: None,
        }
    }

    /// The dialect prefix of the name.
    pub fn dialect(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(d, _)| d)
    }
}

impl std::fmt::Debug for OpDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpDef")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Verifies the parameters of a dialect attribute or type.
pub type ParamsVerifyFn = fn(&Context, &[AttrParam]) -> Result<(), String>;

/// The declaration of a dialect attribute `#dialect.name<params>`.
#[derive(Debug)]
pub struct AttrDef {
    /// The name after the dialect prefix.
    pub name: &'static str,
    pub summary: &'static str,
    pub verify: ParamsVerifyFn,
}

/// The declaration of a dialect type `!dialect.name<params>`.
#[derive(Debug)]
pub struct TypeDef {
    /// The name after the dialect prefix.
    pub name: &'static str,
    pub summary: &'static str,
    pub verify: ParamsVerifyFn,
}

/// Where a discardable attribute sits, for [`Dialect::verify_attribute`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AttrSite {
    /// In an op's attribute dictionary.
    Op,
    /// On argument `i` of a function-like op (MLIR's `verifyRegionArgAttribute`).
    Argument(usize),
    /// On result `i` of a function-like op (MLIR's `verifyRegionResultAttribute`).
    Result(usize),
}

/// Verifies an attribute named `dialect.*` found at a site of an op.
pub type AttrSiteVerifyFn = fn(&Context, OpId, AttrSite, &str, Attribute) -> Result<(), Diagnostic>;

/// Builds the state of an op producing constant `value` of type `ty` (MLIR's
/// `Dialect::materializeConstant`); `None` when the dialect cannot express it.
pub type MaterializeConstantFn = fn(&mut Context, Attribute, Type) -> Option<OperationState>;

/// Verifies dialect-wide invariants of one op that spans many attributes (e.g. a function's
/// descriptors referring to each other); may report several diagnostics.
pub type OpInvariantFn = fn(&Context, OpId, &mut Vec<Diagnostic>);

/// A dialect: a namespace of ops, attributes and types, declared once.
#[derive(Debug)]
pub struct Dialect {
    pub name: &'static str,
    pub summary: &'static str,
    pub ops: &'static [OpDef],
    pub attrs: &'static [AttrDef],
    pub types: &'static [TypeDef],
    /// Checks discardable attributes `name.*` wherever they appear.
    pub verify_attribute: Option<AttrSiteVerifyFn>,
    /// Runs on every op, after per-attribute checks, for cross-attribute invariants.
    pub verify_op_invariants: Option<OpInvariantFn>,
    /// Turns an attribute folded from one of this dialect's ops into a constant op.
    pub materialize_constant: Option<MaterializeConstantFn>,
}

impl Dialect {
    /// A dialect with no ops, attributes, types or hooks; fill with struct update.
    pub const fn new(name: &'static str, summary: &'static str) -> Dialect {
        Dialect {
            name,
            summary,
            ops: &[],
            attrs: &[],
            types: &[],
            verify_attribute: None,
            verify_op_invariants: None,
            materialize_constant: None,
        }
    }

    /// The declaration of attribute `name` of this dialect.
    pub fn attr_def(&self, name: &str) -> Option<&'static AttrDef> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The declaration of type `name` of this dialect.
    pub fn type_def(&self, name: &str) -> Option<&'static TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }
}
