//! The syntax tree the grammar builds. Types and attributes are already interned; what is
//! left for [`crate::lower`] is structure and names: SSA values, block labels, regions, and
//! which custom form an op was written in. Names are slices of the source.

use joinery_ir::{Attribute, Location, Type};
use std::borrow::Cow;

/// A byte range in the source file being parsed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Pos {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Pos {
    pub(crate) fn new(start: usize, end: usize) -> Pos {
        Pos {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// `%name` or `%name#3`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ValueRef<'a> {
    pub(crate) name: &'a str,
    pub(crate) index: u32,
    pub(crate) pos: Pos,
}

/// One entry of a result list: `%a` (count `None`) or `%r:2`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResultDef<'a> {
    pub(crate) name: &'a str,
    pub(crate) count: Option<u32>,
    pub(crate) pos: Pos,
}

/// `{a = 1, b}` with the span of each key.
pub(crate) type AttrDict = Vec<(String, Attribute, Pos)>;

/// `-> (T {attrs}, R)`: result types with optional attribute dictionaries.
pub(crate) type ResultTypes = Vec<(Type, Option<AttrDict>)>;

/// An operation in either form.
#[derive(Debug)]
pub(crate) struct Op<'a> {
    pub(crate) results: Vec<ResultDef<'a>>,
    pub(crate) body: OpBody<'a>,
    pub(crate) loc: Option<Location>,
    pub(crate) pos: Pos,
}

#[derive(Debug)]
pub(crate) enum OpBody<'a> {
    Generic(Box<GenericOp<'a>>),
    Custom(Box<CustomOp<'a>>),
}

/// `"d.op"(%a) [^bb1] <{props}> ({regions}) {attrs} : (T) -> R`.
#[derive(Debug)]
pub(crate) struct GenericOp<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) name_pos: Pos,
    pub(crate) operands: Vec<ValueRef<'a>>,
    pub(crate) successors: Vec<(&'a str, Pos)>,
    pub(crate) props: Option<AttrDict>,
    pub(crate) attrs: Option<AttrDict>,
    pub(crate) regions: Vec<Region<'a>>,
    pub(crate) ty: Type,
    pub(crate) ty_pos: Pos,
}

/// An argument inside the parentheses of a custom form: `%a` (a call operand), or
/// `%a: T {attrs}` / `T {attrs}` (a function argument or declaration).
#[derive(Debug)]
pub(crate) enum CustomArg<'a> {
    Use(ValueRef<'a>),
    Decl {
        value: Option<ValueRef<'a>>,
        ty: Type,
        attrs: Option<AttrDict>,
        pos: Pos,
    },
}

/// The one shared custom-op production: every piece any [`joinery_ir::AsmFormat`] uses,
/// in the order formats write them. Which pieces are allowed is decided after parsing,
/// from the op's registered format.
#[derive(Debug)]
pub(crate) struct CustomOp<'a> {
    pub(crate) name: &'a str,
    pub(crate) name_pos: Pos,
    /// `private` / `public` / `nested`.
    pub(crate) visibility: Option<(&'static str, Pos)>,
    /// `@name` (a function or module name, or a callee).
    pub(crate) symbol: Option<(Attribute, Pos)>,
    /// `%a, %b` without parentheses.
    pub(crate) operands: Vec<ValueRef<'a>>,
    /// `( ... )` after the symbol.
    pub(crate) args: Option<(Vec<CustomArg<'a>>, Pos)>,
    /// `-> T` or `-> (T {attrs}, T)`.
    pub(crate) results: Option<(ResultTypes, Pos)>,
    /// `attributes {..}`.
    pub(crate) attributes: Option<(AttrDict, Pos)>,
    /// `{..}` before the colon.
    pub(crate) attrs: Option<(AttrDict, Pos)>,
    /// `: T, T` or `: (T) -> R`.
    pub(crate) types: Option<(Vec<Type>, Pos)>,
    pub(crate) region: Option<Region<'a>>,
}

/// `{ ops ^bb1(%x: T): ops }`; the entry block has no label when none was written.
#[derive(Debug)]
pub(crate) struct Region<'a> {
    pub(crate) blocks: Vec<Block<'a>>,
    pub(crate) pos: Pos,
}

#[derive(Debug)]
pub(crate) struct Block<'a> {
    pub(crate) label: Option<(&'a str, Pos)>,
    pub(crate) args: Vec<(ValueRef<'a>, Type)>,
    pub(crate) ops: Vec<Op<'a>>,
}
