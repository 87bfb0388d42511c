//! The pieces of syntax the grammar hands to [`crate::lower`] as it reduces them: an op's
//! header (names, operands, the pieces of a custom form), block arguments, locations as
//! written. Types and attributes are already interned; names are slices of the source.
//! No tree of ops is built: each op becomes IR when its production is reduced.

use crate::lexer::SyntaxError;
use crate::meta::Resources;
use joinery_ir::{Attribute, Location, Type};
use rustc_hash::FxHashMap;
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

/// `%r = "d.op"(%a) [^bb1] <{props}>`: a generic op up to its regions, which is what
/// the op's regions are built under.
#[derive(Debug)]
pub(crate) struct GenericHead<'a> {
    /// Where the op starts: its result list, or its name when it has none.
    pub(crate) start: usize,
    pub(crate) results: Vec<ResultDef<'a>>,
    pub(crate) name: Cow<'a, str>,
    pub(crate) name_pos: Pos,
    pub(crate) operands: Vec<ValueRef<'a>>,
    pub(crate) successors: Vec<(&'a str, Pos)>,
    pub(crate) props: Option<AttrDict>,
}

/// An argument inside the parentheses of a custom form: `%a` (a call operand), or
/// `%a: T {attrs}` / `T {attrs}` (a function argument or declaration).
#[derive(Debug)]
pub(crate) enum CustomArg<'a> {
    Use(ValueRef<'a>),
    Decl(Box<ArgDecl<'a>>),
}

/// `%a: T {attrs} loc(...)` or `T {attrs}`: a declared argument of a custom form.
#[derive(Debug)]
pub(crate) struct ArgDecl<'a> {
    pub(crate) value: Option<ValueRef<'a>>,
    pub(crate) ty: Type,
    pub(crate) attrs: Option<AttrDict>,
    /// `loc(...)` after the argument (checked, then dropped: values carry no location).
    pub(crate) loc: Option<Box<LocSyn<'a>>>,
    pub(crate) pos: Pos,
}

/// The one shared custom-op production: every piece any [`joinery_ir::AsmFormat`] uses,
/// in the order formats write them. Which pieces are allowed is decided after parsing,
/// from the op's registered format.
#[derive(Debug)]
pub(crate) struct CustomOp<'a> {
    /// Where the op starts: its result list, or its name when it has none.
    pub(crate) start: usize,
    /// `%a, %r:2 =`.
    pub(crate) results: Vec<ResultDef<'a>>,
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
    pub(crate) fn_results: Option<(ResultTypes, Pos)>,
    /// `attributes {..}`.
    pub(crate) attributes: Option<(AttrDict, Pos)>,
    /// `{..}` before the colon.
    pub(crate) attrs: Option<(AttrDict, Pos)>,
    /// `: T, T` or `: (T) -> R`.
    pub(crate) types: Option<(Vec<Type>, Pos)>,
    /// An attribute written after the dictionary: `arith.constant dense<1.0> : T`.
    pub(crate) value: Option<(Attribute, Pos)>,
}

/// `%x: T loc(...)` in a block header.
#[derive(Debug)]
pub(crate) struct BlockArg<'a> {
    pub(crate) value: ValueRef<'a>,
    pub(crate) ty: Type,
    /// Checked, then dropped: values carry no location.
    pub(crate) loc: Option<Box<LocSyn<'a>>>,
}

/// A location as written: like [`Location`], but it may name location aliases
/// (`loc(#loc3)`, `fused[#loc1, #loc2]`), which MLIR prints after their uses, so they are
/// resolved once the whole file is read.
#[derive(Clone, Debug)]
pub(crate) enum LocSyn<'a> {
    /// A location without aliases.
    Plain(Location),
    /// `#name`.
    Alias(&'a str, Pos),
    /// `"name"(child)`.
    Name(String, Box<LocSyn<'a>>),
    /// `callsite(callee at caller)`.
    CallSite(Box<LocSyn<'a>>, Box<LocSyn<'a>>),
    /// `fused[a, b]` or `fused<"meta">[a, b]`.
    Fused(Option<String>, Vec<LocSyn<'a>>),
}

/// What the top level of a file defines besides ops: attribute, type and location aliases
/// (`#a = ...`, `!t = ...`, `#loc1 = loc(...)`) and the resource blobs of its metadata.
#[derive(Default)]
pub(crate) struct Symbols<'a> {
    pub(crate) attrs: FxHashMap<&'a str, (Attribute, Pos)>,
    pub(crate) types: FxHashMap<&'a str, (Type, Pos)>,
    pub(crate) locs: FxHashMap<&'a str, (LocSyn<'a>, Pos)>,
    /// Ranked tensor types by dimension text and element, as parsed so far.
    pub(crate) tensors: FxHashMap<(&'a str, Type), Type>,
    /// Ranked tensor types by the text of their compact token (`tensor<4xf32>`).
    pub(crate) tensor_tokens: FxHashMap<&'a str, Type>,
    pub(crate) resources: Resources,
}

fn error(pos: Pos, message: impl Into<String>) -> SyntaxError {
    SyntaxError::new(pos.start as usize, pos.end as usize, message)
}

impl<'a> Symbols<'a> {
    /// Whether `name` is already an alias of any kind (they share one namespace per sigil,
    /// and `#` is shared by attributes and locations).
    fn check_new(&self, name: &str, pos: Pos, sigil: char) -> Result<(), SyntaxError> {
        let taken = match sigil {
            '!' => self.types.contains_key(name),
            _ => self.attrs.contains_key(name) || self.locs.contains_key(name),
        };
        if taken {
            return Err(error(pos, format!("redefinition of alias '{sigil}{name}'")));
        }
        if name.contains('.') {
            return Err(error(
                pos,
                format!(
                    "alias '{sigil}{name}' contains a '.', which is reserved for dialect names"
                ),
            ));
        }
        Ok(())
    }

    /// `#name = attr`.
    pub(crate) fn define_attr(
        &mut self,
        name: &'a str,
        pos: Pos,
        attr: Attribute,
    ) -> Result<(), SyntaxError> {
        self.check_new(name, pos, '#')?;
        self.attrs.insert(name, (attr, pos));
        Ok(())
    }

    /// `!name = type`.
    pub(crate) fn define_type(
        &mut self,
        name: &'a str,
        pos: Pos,
        ty: Type,
    ) -> Result<(), SyntaxError> {
        self.check_new(name, pos, '!')?;
        self.types.insert(name, (ty, pos));
        Ok(())
    }

    /// `#name = loc(...)`.
    pub(crate) fn define_loc(
        &mut self,
        name: &'a str,
        pos: Pos,
        loc: LocSyn<'a>,
    ) -> Result<(), SyntaxError> {
        self.check_new(name, pos, '#')?;
        self.locs.insert(name, (loc, pos));
        Ok(())
    }

    /// The attribute alias `#name`.
    pub(crate) fn attr(&self, name: &str, pos: Pos) -> Result<Attribute, SyntaxError> {
        match self.attrs.get(name) {
            Some((a, _)) => Ok(*a),
            None => Err(error(pos, format!("undefined attribute alias '#{name}'"))),
        }
    }

    /// The type alias `!name`.
    pub(crate) fn ty(&self, name: &str, pos: Pos) -> Result<Type, SyntaxError> {
        match self.types.get(name) {
            Some((t, _)) => Ok(*t),
            None => Err(error(pos, format!("undefined type alias '!{name}'"))),
        }
    }

    /// Resolves the aliases of a written location.
    pub(crate) fn loc(&self, loc: &LocSyn<'a>) -> Result<Location, SyntaxError> {
        self.resolve_loc(loc, &mut Vec::new())
    }

    fn resolve_loc(
        &self,
        loc: &LocSyn<'a>,
        open: &mut Vec<&'a str>,
    ) -> Result<Location, SyntaxError> {
        Ok(match loc {
            LocSyn::Plain(l) => l.clone(),
            LocSyn::Alias(name, pos) => {
                let Some((target, _)) = self.locs.get(name) else {
                    return Err(error(*pos, format!("undefined location alias '#{name}'")));
                };
                if open.contains(name) {
                    return Err(error(
                        *pos,
                        format!("location alias '#{name}' refers to itself"),
                    ));
                }
                open.push(name);
                let l = self.resolve_loc(target, open)?;
                open.pop();
                l
            }
            LocSyn::Name(name, child) => Location::Name {
                name: name.clone(),
                child: Some(Box::new(self.resolve_loc(child, open)?)),
            },
            LocSyn::CallSite(callee, caller) => Location::CallSite {
                callee: Box::new(self.resolve_loc(callee, open)?),
                caller: Box::new(self.resolve_loc(caller, open)?),
            },
            LocSyn::Fused(metadata, locs) => Location::Fused {
                metadata: metadata.clone(),
                locs: locs
                    .iter()
                    .map(|l| self.resolve_loc(l, open))
                    .collect::<Result<_, _>>()?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    /// The parser moves every node it builds through its stack (an enum as large as its
    /// largest payload), so the nodes it builds per op must stay small.
    #[test]
    fn parser_stack_nodes_stay_small() {
        let limit = 7 * size_of::<usize>();
        for (node, size) in [
            ("CustomArg", size_of::<CustomArg<'_>>()),
            ("BlockArg", size_of::<BlockArg<'_>>()),
            ("LocSyn", size_of::<LocSyn<'_>>()),
            ("ValueRef", size_of::<ValueRef<'_>>()),
        ] {
            assert!(
                size <= limit,
                "{node} takes {size} bytes, more than {limit}"
            );
        }
    }
}
